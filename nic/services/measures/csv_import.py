"""CSV upload of a school's values, and the template to fill in.

The template is the header the measure needs (`period,value`, or
`period,numerator,denominator` for p and u charts) followed by the recent periods with
their value cells empty: people fill in the rows they have and leave the rest. Rows
whose value cells are all empty are skipped (and counted, so the person is told);
there are no comment or example rows, because a forgotten example would be imported
as real data.

Reading the file finds the problems of the file itself (not text, not CSV, columns
missing, unknown or repeated); then every row goes through the same check as the other
ways in (nic.services.measures.points.check_points). Each problem names its row as a
spreadsheet shows it (the header is row 1) and its column. Any problem and nothing is
written.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from nic.models import Measure
from nic.services.measures import periods
from nic.services.measures import points
from nic.services.errors import ValidationFailed
from nic.services.measures.points import PointError, PointsInvalid, Saved
from nic.words import plural

MAX_BYTES = 2 * 1024 * 1024
TEMPLATE_PERIODS = 12
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or another zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word file",
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}


class CsvRejected(PointsInvalid):
    """The file or some of its rows cannot be imported; nothing was written."""

    def __init__(self, errors: list[PointError]):
        super().__init__(errors, field_name)


def field_name(row, column) -> str:
    """How a problem is named in `fields`: "file", "row 1" (the header) or "row 5, value"."""
    if row is None:
        return "file"
    return f"row {row}" + (f", {column}" if column else "")


def describe(row) -> str:
    return f"row {row}"


def template(measure: Measure, today: date | None = None) -> str:
    """The CSV template: the header, then the last TEMPLATE_PERIODS periods (oldest first),
    value cells empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = points.columns(measure)
    writer.writerow(names)
    for period in reversed(periods.recent_periods(measure.frequency, TEMPLATE_PERIODS, today=today)):
        writer.writerow([period.isoformat()] + [""] * (len(names) - 1))
    return out.getvalue()


def _text(data: bytes) -> str:
    """The file as text, or CsvRejected saying what it is instead."""
    if not data or not data.strip():
        raise CsvRejected([PointError(None, None, "is empty: it needs a header row and at least one row of values")])
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise CsvRejected([PointError(None, None, f"is {what}, not a CSV file: save it as CSV (comma-separated) "
                                          "and upload that")])
    if b"\x00" in data:
        raise CsvRejected([PointError(None, None, "is not a CSV file: it holds binary data")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CsvRejected([PointError(None, None, f"is not UTF-8 text (line {line} has characters that cannot be "
                                      "read): save it as CSV UTF-8")]) from None


def _header(measure: Measure, header: list[str]) -> list[PointError]:
    wanted = list(points.columns(measure))
    names = [cell.strip().lower() for cell in header]
    errors: list[PointError] = []
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        separator = "semicolons" if ";" in names[0] else "tabs"
        return [PointError(1, None, f"the columns are separated by {separator}: save the file as CSV with commas")]
    seen: set[str] = set()
    for position, name in enumerate(names, 1):
        if not name:
            errors.append(PointError(1, f"column {position}", "has no name: remove the column or name it"))
        elif name in seen:
            errors.append(PointError(1, name, "appears twice in the header"))
        elif name not in wanted:
            if name in ("value", "numerator", "denominator"):
                why = (f"is not used by a {points.CHART_NAMES[measure.chart]}: its columns are "
                       f"{', '.join(wanted)}")
            else:
                why = f"is not a column of this measure's template ({', '.join(wanted)})"
            errors.append(PointError(1, name, why))
        seen.add(name)
    for name in wanted:
        if name not in seen:
            errors.append(PointError(1, name, "is missing from the header (the first row)"))
    return errors


@dataclass(frozen=True)
class Parsed:
    rows: list[tuple[int, dict]]  # (row number as in the file, {column: text})
    skipped: int  # rows with a period and no values
    errors: list[PointError]  # rows that cannot even be split into the header's columns


def parse(measure: Measure, data: bytes) -> Parsed:
    """The rows of an uploaded file, keyed by the row number a spreadsheet shows; or
    CsvRejected naming what is wrong with the file as a whole."""
    if len(data) > MAX_BYTES:
        raise CsvRejected([PointError(None, None, f"is larger than {MAX_BYTES // (1024 * 1024)} MB: "
                                      "upload it in several parts")])
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise CsvRejected([PointError(reader.line_num or None, None, f"cannot be read as CSV: {exc}")]) from None
    header_at = next((i for i, record in enumerate(records) if any(cell.strip() for cell in record)), None)
    if header_at is None:
        raise CsvRejected([PointError(None, None, "is empty: it needs a header row and at least one row of values")])
    errors = _header(measure, records[header_at])
    if errors:
        raise CsvRejected(errors)
    names = [cell.strip().lower() for cell in records[header_at]]
    rows: list[tuple[int, dict]] = []
    skipped = 0
    for index in range(header_at + 1, len(records)):
        record, number = records[index], index + 1
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        if len(record) > len(names) and any(cell.strip() for cell in record[len(names):]):
            errors.append(PointError(number, None, f"has {plural(len(record), 'cell')} but the header names "
                                     f"{plural(len(names), 'column')} ({', '.join(names)})"))
            continue
        row = {name: (record[i] if i < len(record) else "") for i, name in enumerate(names)}
        if points.is_blank_row(row, measure.chart):
            skipped += 1  # a template row left unfilled
            continue
        rows.append((number, row))
    if not rows and not errors:
        raise CsvRejected([PointError(None, None, "has no values: fill in at least one row under the header")])
    return Parsed(rows, skipped, errors)


@dataclass(frozen=True)
class Imported:
    saved: Saved
    skipped: int


def import_file(membership, measure: Measure, school_id, data: bytes) -> Imported:
    """Check the member may enter for the school, read and check the whole file, then
    save every row (or nothing)."""
    school = points.entry_school(membership, school_id)
    parsed = parse(measure, data)
    errors = list(parsed.errors)
    try:
        checked = points.check_points(measure, parsed.rows, field_name, describe)
    except PointsInvalid as exc:
        errors += exc.errors
    except ValidationFailed as exc:  # too many rows
        raise CsvRejected([PointError(None, None, f"has too many rows: {next(iter(exc.fields.values()))}")]) from None
    if errors:
        raise CsvRejected(sorted(errors, key=lambda error: error.ref))  # in file order
    saved = points.save(measure, school.id, checked, membership.user_id, "csv")
    return Imported(saved, parsed.skipped)
