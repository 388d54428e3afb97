"""Plain-language summary of an analysis: what a school team reads under its chart.

One sentence per signal, each saying whether it points the way the measure should move
(`direction` "up" or "down"): "an improvement" or "in the wrong direction". Sentences
come in a fixed order: shifts and trends (oldest first), points outside the limits, the
Anhøj runs tests of the current phase, then the current center. With no signal at all
the summary says so, and warns when there are too few points to judge: the run rules
are built for about 10 or more useful points (Anhøj & Olesen 2014 studied 10 and up;
the IHI guidance in Perla et al. 2011 likewise asks for enough points before reading
a run chart). Dates are written in English whatever the server's locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from nic.analytics.runs import shift_groups, side, trend_groups
from nic.analytics.spc import Analysis

MIN_POINTS_TO_JUDGE = 10
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CENTER_NAMES = {"run": "median", "i": "mean", "p": "center line", "u": "center line"}


def summarise(analysis: Analysis, periods: Sequence[date], direction: str = "up", unit: str = "") -> list[str]:
    """Sentences describing `analysis`; `periods` holds one date per point.

    direction: "up" when higher is better, "down" when lower is better.
    unit: appended to the center value (p charts are written as percentages instead).
    """
    if direction not in ("up", "down"):
        raise ValueError('direction must be "up" or "down"')
    if len(periods) != len(analysis.values):
        raise ValueError("periods and the analysed points differ in length")
    if all(v is None for v in analysis.values):
        return ["No data yet."]

    center_name = _CENTER_NAMES[analysis.chart]
    sentences: list[str] = []
    last_recorded = max(i for i, v in enumerate(analysis.values) if v is not None)
    year = periods[last_recorded].year

    shifts, trends = _groups(analysis)
    for group in shifts:
        up = analysis.values[group[0]] > analysis.center[group[0]]
        sentences.append(
            f"A shift {'above' if up else 'below'} the {center_name} {_span(group, last_recorded, periods)}: "
            f"{len(group)} points{_verdict(up, direction)}."
        )
    for group in trends:
        up = analysis.values[group[-1]] > analysis.values[group[0]]
        sentences.append(
            f"A {'rising' if up else 'falling'} trend {_span(group, last_recorded, periods)}: "
            f"{_distinct_count(group, analysis.values)} points{_verdict(up, direction)}."
        )

    above = [i for i in analysis.outside_limits if analysis.values[i] > analysis.upper[i]]
    below = [i for i in analysis.outside_limits if analysis.values[i] < analysis.lower[i]]
    for indices, up in ((above, True), (below, False)):
        if indices:
            dates = ", ".join(_short_date(periods[i], year) for i in indices)
            sentences.append(
                f"{_points(len(indices))} {'above the upper' if up else 'below the lower'} limit ({dates})"
                f"{_verdict(up, direction)}."
            )

    runs = analysis.runs
    if runs.useful and runs.longest_run > runs.longest_run_max:
        sentences.append(
            f"The longest run on one side of the {center_name} ({runs.longest_run} points) is longer than "
            f"chance explains ({runs.longest_run_max} at most): a non-random pattern."
        )
    if runs.useful and runs.crossings < runs.crossings_min:
        sentences.append(
            f"Fewer crossings of the {center_name} than expected ({runs.crossings}; at least "
            f"{runs.crossings_min} by chance): a non-random pattern."
        )

    if not analysis.any_signal:
        if runs.useful < MIN_POINTS_TO_JUDGE:
            sentences.append(
                f"No signal yet, but only {_points(runs.useful)} off the {center_name} so far: too few for the "
                f"run rules to be reliable (about {MIN_POINTS_TO_JUDGE} are needed)."
            )
        else:
            sentences.append("No signal: the variation looks random.")
    center_sentence = _center_sentence(analysis, periods, unit)
    if center_sentence:
        sentences.append(center_sentence)
    return sentences


def _verdict(up: bool, direction: str) -> str:
    return " — an improvement" if up == (direction == "up") else " — in the wrong direction"


def _groups(analysis: Analysis) -> tuple[list[list[int]], list[list[int]]]:
    """The separate shifts and trends, recomputed per phase from the analysed points
    (the Analysis lists only the indices taking part)."""
    shifts: list[list[int]] = []
    trends: list[list[int]] = []
    for start, end in analysis.phases:
        sides = [side(analysis.values[i], analysis.center[i]) for i in range(start, end)]
        shifts.extend(shift_groups(sides, offset=start))
        trends.extend(trend_groups(analysis.values[start:end], offset=start))
    return sorted(shifts), sorted(trends)


def _distinct_count(group: list[int], values) -> int:
    count, last = 0, None
    for i in group:
        if values[i] != last:
            count, last = count + 1, values[i]
    return count


def _span(group: list[int], last_recorded: int, periods: Sequence[date]) -> str:
    if group[-1] == last_recorded:
        return f"since {_long_date(periods[group[0]])}"
    return f"from {_long_date(periods[group[0]])} to {_long_date(periods[group[-1]])}"


def _points(count: int) -> str:
    return f"{count} point" if count == 1 else f"{count} points"


def _long_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short_date(day: date, year: int) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}" if day.year == year else _long_date(day)


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _center_sentence(analysis: Analysis, periods: Sequence[date], unit: str) -> str:
    if not analysis.phases:
        return ""
    start, end = analysis.phases[-1]
    value = analysis.center[end - 1]
    if value is None:
        return ""
    if analysis.chart == "p":
        shown = f"{_number(round(value * 100, 1))}%"
    else:
        shown = _number(value) + (f" {unit}" if unit and not unit.startswith("%") else unit)
    name = {"run": "Median", "i": "Mean", "p": "Overall proportion", "u": "Overall rate"}[analysis.chart]
    if len(analysis.phases) > 1:
        return f"{name} since {_long_date(periods[start])}: {shown}."
    return f"{name}: {shown}."
