"""The quick form (this period preselected) and the grid of past periods: the same checks
as every other way in, nothing written on any error, updates, clearing a value, only
the changed rows written, and the audit trail page."""

from datetime import timedelta

import pytest

from nic.services.measures import periods
from tests.factories import make_points
from tests.measures.conftest import (
    BAD_POINTS,
    MONDAY,
    audit_of,
    change_count,
    grid_page_of,
    monday,
    point_count,
    stored,
)


def quick(client, measure, row, **extra):
    return client.post(f"/n/alpha/measures/{measure.id}/points", data={**row, **extra})


# --- the quick form -------------------------------------------------------------------------


@pytest.mark.calendar
def test_the_quick_form_preselects_this_period(client, a, charts, login_as, clock):
    login_as(a.teacher_leader.user)
    today = clock.today()
    page = client.get(f"/n/alpha/measures/{charts['run'].id}").get_data(as_text=True)
    assert f'value="{(today - timedelta(days=today.weekday())).isoformat()}"' in page
    page = client.get(f"/n/alpha/measures/{charts['monthly'].id}").get_data(as_text=True)
    assert f'value="{today.replace(day=1).isoformat()}"' in page
    assert 'name="numerator"' in page and 'name="value"' not in page


def test_the_quick_form_records_then_updates_a_period(client, a, charts, login_as):
    login_as(a.principal.user)
    this_week = monday().isoformat()
    response = quick(client, charts["run"], {"period": this_week, "value": "42"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#enter")
    assert quick(client, charts["run"], {"period": this_week, "value": "40.5"}).status_code == 302
    assert stored(a, charts["run"], a.schools[0]) == {monday(): (40.5, None, None)}
    entries = audit_of(a, charts["run"], a.schools[0])
    assert [(e.source, e.before and e.before["value"], e.after["value"]) for e in entries] == [
        ("form", None, 42),
        ("form", 42, 40.5),
    ]
    page = client.get(f"/n/alpha/measures/{charts['run'].id}").get_data(as_text=True)
    assert "40.5 min" in page  # the latest values, with the unit


@pytest.mark.parametrize("key, row, column, words", BAD_POINTS)
def test_the_quick_form_names_each_bad_value_next_to_its_field(client, a, charts, login_as, key, row, column, words):
    login_as(a.teacher_leader.user)
    before = (point_count(), change_count())
    response = quick(client, charts[key], row)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{column}-error"' in page  # next to the field it concerns
    assert words in page.replace("&#39;", "'")
    assert (point_count(), change_count()) == before


@pytest.mark.parametrize("role, status", [("facilitator", 403), ("member", 403)])
def test_the_quick_form_is_for_the_schools_leads(client, a, charts, login_as, role, status):
    login_as(getattr(a, role).user)
    before = point_count()
    assert (
        quick(client, charts["run"], {"period": "2026-09-07", "value": "1"}, school_id=str(a.schools[0].id)).status_code
        == status
    )
    assert point_count() == before
    assert 'name="value"' not in client.get(f"/n/alpha/measures/{charts['run'].id}").get_data(as_text=True)


def test_a_lead_cannot_enter_for_another_school_or_network(client, a, b, charts, login_as):
    login_as(a.teacher_leader.user)
    before = point_count()
    row = {"period": "2026-09-07", "value": "1"}
    assert quick(client, charts["run"], row, school_id=str(a.schools[1].id)).status_code == 403
    assert quick(client, charts["run"], row, school_id=str(b.schools[0].id)).status_code == 404
    assert quick(client, b.measure, row).status_code == 404
    assert point_count() == before


# --- the grid -------------------------------------------------------------------------------


def grid_post(client, measure, school, rows: dict[int, dict], page=1):
    """Post the grid as the browser would: every row of the page as shown, with `rows`
    (index -> cells) typed over."""
    shown = client.get(f"/n/alpha/measures/{measure.id}/data?school_id={school.id}&page={page}")
    assert shown.status_code == 200
    wanted = periods.recent_periods(measure.frequency, 12, page)
    current = stored_cells(measure, school, wanted)
    data = {}
    for index, period in enumerate(wanted):
        cells = current[period]
        data[f"rows-{index}-period"] = period.isoformat()
        data[f"rows-{index}-shown"] = "|".join(cells.values())
        data.update({f"rows-{index}-{k}": v for k, v in {**cells, **rows.get(index, {})}.items()})
    return client.post(f"/n/alpha/measures/{measure.id}/data?school_id={school.id}&page={page}", data=data)


def stored_cells(measure, school, wanted):
    from sqlalchemy import select

    from nic.extensions import db
    from nic.models import MeasurePoint
    from nic.tenancy import use_network
    from nic.web.measures.forms import cells_of

    db.session.expire_all()
    with use_network(measure.network_id):
        points = {
            p.period: p
            for p in db.session.scalars(
                select(MeasurePoint).where(MeasurePoint.measure_id == measure.id, MeasurePoint.school_id == school.id)
            )
        }
    return {period: cells_of(points.get(period), measure.chart) for period in wanted}


def test_the_grid_shows_the_last_periods_with_blanks_and_pages_back(client, a, charts, login_as):
    run = charts["run"]
    make_points(run, a.schools[0], [(monday(1), 3), (monday(13), 8)])
    from nic.extensions import db

    db.session.commit()
    login_as(a.teacher_leader.user)
    page = client.get(f"/n/alpha/measures/{run.id}/data").get_data(as_text=True)  # the lead's own school
    assert page.count('name="rows-') == 12 * 3  # period, shown, value
    assert 'name="rows-1-value" type="text" value="3"' in page and 'name="rows-0-value" type="text" value=""' in page
    assert "Earlier periods" in page and "Later periods" not in page
    older = client.get(f"/n/alpha/measures/{run.id}/data?page=2").get_data(as_text=True)
    assert 'name="rows-1-value" type="text" value="8"' in older and "Later periods" in older


def test_one_submit_saves_added_changed_and_cleared_rows(client, a, charts, login_as):
    run = charts["run"]
    make_points(run, a.schools[0], [(monday(1), 3), (monday(2), 4), (monday(3), 5)])
    from nic.extensions import db

    db.session.commit()
    login_as(a.teacher_leader.user)
    response = grid_post(client, run, a.schools[0], {0: {"value": "7"}, 1: {"value": "3.5"}, 2: {"value": ""}})
    assert response.status_code == 302
    assert stored(a, run, a.schools[0]) == {
        monday(0): (7, None, None),
        monday(1): (3.5, None, None),
        monday(3): (5, None, None),
    }
    changes = {
        (e.period, e.before and e.before["value"], e.after and e.after["value"], e.source)
        for e in audit_of(a, run, a.schools[0])
    }
    assert changes == {(monday(0), None, 7, "grid"), (monday(1), 3, 3.5, "grid"), (monday(2), 4, None, "grid")}
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 added, 1 changed, 1 cleared" in flashed


def test_rows_left_alone_do_not_overwrite_a_value_entered_meanwhile(client, a, charts, login_as):
    run = charts["run"]
    login_as(a.teacher_leader.user)
    wanted = periods.recent_periods("weekly", 12)
    data = {
        "rows-0-period": wanted[0].isoformat(),
        "rows-0-shown": "",
        "rows-0-value": "",
        "rows-1-period": wanted[1].isoformat(),
        "rows-1-shown": "",
        "rows-1-value": "6",
    }
    make_points(run, a.schools[0], [(wanted[0], 9)])  # someone else, after the page was loaded
    from nic.extensions import db

    db.session.commit()
    response = client.post(f"/n/alpha/measures/{run.id}/data?school_id={a.schools[0].id}", data=data)
    assert response.status_code == 302
    assert stored(a, run, a.schools[0]) == {wanted[0]: (9, None, None), wanted[1]: (6, None, None)}


@pytest.mark.parametrize(
    "key, cells, column, words",
    [
        ("run", {"value": "lots"}, "value", "must be a number"),
        ("p", {"numerator": "30", "denominator": "20"}, "numerator", "is above its denominator"),
        ("u", {"numerator": "3", "denominator": "0"}, "denominator", "cannot be zero"),
        ("p", {"numerator": "3", "denominator": ""}, "denominator", "is required"),
    ],
)
def test_a_bad_cell_is_named_in_its_row_and_nothing_is_saved(client, a, charts, login_as, key, cells, column, words):
    login_as(a.teacher_leader.user)
    measure = charts[key]
    good = {"numerator": "1", "denominator": "2"} if key in ("p", "u") else {"value": "1"}
    before = (point_count(), change_count())
    response = grid_post(client, measure, a.schools[0], {0: good, 3: cells})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="rows-3-{column}-error"' in page and words in page
    assert "Nothing was saved" in page
    assert (point_count(), change_count()) == before


def test_a_tampered_period_in_the_grid_is_named(client, a, charts, login_as):
    login_as(a.teacher_leader.user)
    before = point_count()
    response = client.post(
        f"/n/alpha/measures/{charts['run'].id}/data",
        data={"rows-0-period": "2026-09-09", "rows-0-shown": "", "rows-0-value": "5"},
    )
    assert response.status_code == 422
    assert "2026-09-09 is not a Monday" in response.get_data(as_text=True)
    assert point_count() == before


def test_the_grid_is_read_only_for_facilitators_and_members(client, a, charts, login_as):
    for role in ("facilitator", "member"):
        login_as(getattr(a, role).user)
        page = client.get(
            f"/n/alpha/measures/{a.measure.id}/data?school_id={a.schools[0].id}&page={grid_page_of(MONDAY)}"
        ).get_data(as_text=True)
        assert "14 / 20" in page and 'name="rows-' not in page and "Upload a CSV" not in page
        assert (
            client.post(f"/n/alpha/measures/{a.measure.id}/data?school_id={a.schools[0].id}", data={}).status_code
            == 403
        )


def test_a_facilitator_picks_a_school(client, a, b, charts, login_as):
    login_as(a.facilitator.user)
    page = client.get(f"/n/alpha/measures/{a.measure.id}/data").get_data(as_text=True)
    assert "Choose a school" in page and a.schools[1].name in page
    assert client.get(f"/n/alpha/measures/{a.measure.id}/data?school_id={b.schools[0].id}").status_code == 404
    assert client.get(f"/n/alpha/measures/{a.measure.id}/audit?school_id={b.schools[0].id}").status_code == 404


# --- the audit trail page -------------------------------------------------------------------


def test_the_audit_page_lists_changes_newest_first_and_paginates(client, a, charts, login_as):
    run = charts["run"]
    login_as(a.teacher_leader.user)
    for value in range(1, 53):  # 52 entries on one period: more than a page of 50
        assert quick(client, run, {"period": "2026-09-07", "value": str(value)}).status_code == 302
    login_as(a.facilitator.user)
    first = client.get(f"/n/alpha/measures/{run.id}/audit?school_id={a.schools[0].id}").get_data(as_text=True)
    assert "1–50 of 52" in first and first.index("52 min") < first.index("50 min")
    assert "Quick form" in first and a.teacher_leader.user.name in first
    second = client.get(f"/n/alpha/measures/{run.id}/audit?school_id={a.schools[0].id}&page=2").get_data(as_text=True)
    assert "51–52 of 52" in second and "Added" in second
