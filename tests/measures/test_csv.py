"""CSV upload: the template round trip, every bad row named by its row (header = row 1)
and column, problems of the file itself, all or nothing, and who may upload."""

import csv
import io
from datetime import date

import pytest

from nic.services.measures import periods
from tests.measures.conftest import BAD_POINTS, audit_of, change_count, good_row, point_count, stored


def upload(client, measure, content: bytes | str, school=None, filename="values.csv"):
    if isinstance(content, str):
        content = content.encode()
    data = {"file": (io.BytesIO(content), filename)}
    if school is not None:
        data["school_id"] = str(school.id)
    return client.post(f"/n/alpha/measures/{measure.id}/upload", data=data, content_type="multipart/form-data")


def report(response) -> list[tuple[str, str, str]]:
    """The report table of a refused upload, as (row, column, problem) texts."""
    import re

    html = response.get_data(as_text=True)
    table = html.split('aria-label="Problems in the file"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", table, re.DOTALL)
    return [(r.strip(), c.strip(), p.strip().replace("&#39;", "'")) for r, c, p in rows]


@pytest.fixture
def lead(client, a, login_as):
    return login_as(a.teacher_leader.user)


def test_the_template_round_trip(client, a, charts, lead):
    p_chart = charts["p"]
    response = client.get(f"/n/alpha/measures/{p_chart.id}/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="alphaville-on-track-rate-template.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["period", "numerator", "denominator"]
    wanted = list(reversed(periods.recent_periods("weekly", 12)))
    assert [r[0] for r in rows[1:]] == [p.isoformat() for p in wanted] and all(r[1:] == ["", ""] for r in rows[1:])
    rows[-1][1:] = ["12", "20"]  # this week
    rows[-3][1:] = ["9", "18"]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    before = change_count()
    response = upload(client, p_chart, out.getvalue())
    assert response.status_code == 302
    assert stored(a, p_chart, a.schools[0])[wanted[-1]] == (None, 12, 20)
    assert stored(a, p_chart, a.schools[0])[wanted[-3]] == (None, 9, 18)
    assert change_count() == before + 2
    assert {e.source for e in audit_of(a, p_chart, a.schools[0]) if e.period in (wanted[-1], wanted[-3])} == {"csv"}
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 added, 0 changed" in flashed and "10 rows without values skipped" in flashed


def test_the_template_of_a_run_chart_has_one_value_column(client, a, charts, lead):
    text = client.get(f"/n/alpha/measures/{charts['monthly'].id}/template.csv").get_data(as_text=True)
    assert text.splitlines()[1].endswith("-01,,")  # monthly periods, the first of each month
    text = client.get(f"/n/alpha/measures/{charts['run'].id}/template.csv").get_data(as_text=True)
    assert text.splitlines()[0] == "period,value"


def test_resending_a_file_updates_the_periods(client, a, charts, lead):
    run = charts["run"]
    assert upload(client, run, "period,value\n2026-09-07,4\n2026-09-14,5\n").status_code == 302
    assert upload(client, run, "Period , VALUE\r\n2026-09-07,4\r\n2026-09-14,6.25\r\n").status_code == 302
    assert stored(a, run, a.schools[0]) == {date(2026, 9, 7): (4, None, None), date(2026, 9, 14): (6.25, None, None)}
    assert len(audit_of(a, run, a.schools[0])) == 3  # two added, one changed, the same value twice is no change


# A row with a period and no value at all is an unfilled template row: skipped, and
# counted in the message (test_the_template_round_trip), not an error.
CSV_BAD_POINTS = [case for case in BAD_POINTS if case.id != "missing-value"]


@pytest.mark.parametrize("key, row, column, words", CSV_BAD_POINTS)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(client, a, charts, lead, key, row, column, words):
    measure = charts[key]
    names = ["period", "numerator", "denominator"] if measure.chart in ("p", "u") else ["period", "value"]
    good = good_row(measure)
    content = ",".join(names) + "\n" + ",".join(good[n] for n in names) + "\n" + ",".join(row[n] for n in names) + "\n"
    before = (point_count(), change_count())
    response = upload(client, measure, content)
    assert response.status_code == 422
    problems = report(response)
    assert [(r, c) for r, c, _ in problems] == [("3", column)]
    assert words in problems[0][2]
    assert (point_count(), change_count()) == before


def test_every_bad_row_is_listed_in_file_order(client, a, charts, lead):
    content = "period,value\n2026-09-07,1\n\n2026-09-08,2\n2026-09-14,\n2026-09-21,x\n2026-09-07,3\n2026-09-28,1,2\n"
    before = point_count()
    response = upload(client, charts["run"], content)
    assert response.status_code == 422
    problems = report(response)
    assert [(r, c) for r, c, _ in problems] == [("4", "period"), ("6", "value"), ("7", "period"), ("8", "—")]
    assert problems[0][2].startswith("2026-09-08 is not a Monday")
    assert problems[2][2] == "2026-09-07 is also in row 2: send each period once"
    assert problems[3][2] == "has 3 cells but the header names 2 columns (period, value)"
    assert point_count() == before


@pytest.mark.parametrize(
    "key, content, expected",
    [
        (
            "run",
            "date,value\n2026-09-07,1\n",
            [
                ("1", "date", "is not a column of this measure's template (period, value)"),
                ("1", "period", "is missing from the header (the first row)"),
            ],
        ),
        (
            "run",
            "period,value,notes\n2026-09-07,1,ok\n",
            [("1", "notes", "is not a column of this measure's template (period, value)")],
        ),
        (
            "p",
            "period,value\n2026-09-21,0.5\n",
            [
                ("1", "value", "is not used by a p chart: its columns are period, numerator, denominator"),
                ("1", "numerator", "is missing from the header (the first row)"),
                ("1", "denominator", "is missing from the header (the first row)"),
            ],
        ),
        ("run", "period,value,value\n", [("1", "value", "appears twice in the header")]),
        (
            "run",
            "period;value\n2026-09-07;1\n",
            [("1", "—", "the columns are separated by semicolons: save the file as CSV with commas")],
        ),
    ],
)
def test_wrong_columns_are_named(client, a, charts, lead, key, content, expected):
    before = point_count()
    response = upload(client, charts[key], content)
    assert response.status_code == 422
    assert report(response) == expected
    assert point_count() == before


@pytest.mark.parametrize(
    "content, words",
    [
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", "is an Excel workbook or another zip file, not a CSV file"),
        (b"period,value\n2026-09-07,\x001\n", "is not a CSV file: it holds binary data"),
        (
            "period,value\n2026-09-07,caf\u00e9\n".encode("latin-1"),
            "is not UTF-8 text (line 2 has characters that cannot be read)",
        ),
        (b'period,value\n2026-09-07,"1\n', "cannot be read as CSV"),
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"period,value\n", "has no values"),
        (b"period,value\n2026-09-07,\n", "has no values"),
    ],
)
def test_a_file_that_is_not_usable_csv_is_refused(client, a, charts, lead, content, words):
    before = point_count()
    response = upload(client, charts["run"], content)
    assert response.status_code == 422
    problems = report(response)
    assert len(problems) == 1 and words in problems[0][2], problems
    assert point_count() == before


def test_a_utf8_file_with_a_byte_order_mark_is_read(client, a, charts, lead):
    response = upload(client, charts["run"], "\ufeffperiod,value\n2026-09-07,1\n".encode("utf-8"))
    assert response.status_code == 302
    assert stored(a, charts["run"], a.schools[0]) == {date(2026, 9, 7): (1, None, None)}


def test_a_file_larger_than_the_limit_is_refused(client, a, charts, lead):
    from nic.services.measures.csv_import import MAX_BYTES

    content = b"period,value\n" + b"2026-09-07,1\n" * (MAX_BYTES // 13 + 1)
    response = upload(client, charts["run"], content)
    assert response.status_code == 422 and "is larger than 2 MB" in report(response)[0][2]


def test_no_file_chosen_is_named(client, a, charts, lead):
    response = client.post(f"/n/alpha/measures/{charts['run'].id}/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_uploads_are_for_the_schools_leads_only(client, a, b, charts, login_as):
    content = "period,value\n2026-09-07,1\n"
    before = point_count()
    login_as(a.facilitator.user)
    assert upload(client, charts["run"], content, school=a.schools[0]).status_code == 403
    login_as(a.member.user)
    assert upload(client, charts["run"], content).status_code == 403
    login_as(a.principal.user)
    assert upload(client, charts["run"], content, school=a.schools[1]).status_code == 403
    assert upload(client, charts["run"], content, school=b.schools[0]).status_code == 404
    assert upload(client, b.measure, content).status_code == 404
    assert point_count() == before
