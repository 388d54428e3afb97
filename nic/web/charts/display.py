"""How a chart is shown: numbers formatted for people, the data the browser's chart is
drawn from, the rows of the accessible table and the server-drawn sparklines of the
small multiples. Display only: the numbers themselves come from services.charts."""
from __future__ import annotations

from dataclasses import dataclass

from nic.services.measures.charts import Chart, SchoolChart
from nic.words import plural

# The headline rules by name (nic.analytics.rules; docs/SIGNALS.md), then the patterns
# and the point markers the chart draws.
SIGNAL_LABELS = {
    "anhoej_longest_run": "Long run",
    "anhoej_crossings": "Few crossings",
    "outside_limits": "Outside the limits",
    "shift_8": "8 in a row on one side",
    "trend_6": "6 rising or falling",
    "two_of_three": "2 of 3 beyond 2 sigma",
    "fifteen_inner": "15 hugging the center",
    "signal": "Signal",
    "pattern": "Pattern, not a signal",
    "excluded": "Too few schools reported",
}
CHART_LABELS = {"run": "Run chart", "i": "I chart (individuals)", "p": "p chart (proportion)", "u": "u chart (rate)"}
KIND_LABELS = {"outcome": "Outcome measure", "process": "Process measure", "balancing": "Balancing measure"}
MIN_POINTS_FOR_I_LIMITS = 2  # one moving range


def fmt(value, chart: str, unit: str = "") -> str:
    """A value as people read it: proportions as percentages, others with their unit."""
    if value is None:
        return "—"
    if chart == "p":
        return f"{value * 100:.1f}%"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if unit and unit != "%":
        return f"{text} {unit}"
    return f"{text}%" if unit == "%" else text


def signal_sets(analysis) -> dict[str, set[int]]:
    """The points to mark: `outside_limits`; `signal`, the other points a rule of the
    chart's type covers (not the crossings rule, whose evidence is the whole phase and
    which the summary says in words); `pattern`, points of an IHI shift or trend that no
    rule backs."""
    outside = set(analysis.outside_limits)
    signal = {i for rule in analysis.rules if rule.name not in ("outside_limits", "anhoej_crossings")
              for i in rule.indices} - outside
    pattern = (set(analysis.shift) | set(analysis.trend)) - signal - outside
    return {"outside_limits": outside, "signal": signal, "pattern": pattern}


def point_flags(analysis, i: int) -> list[str]:
    """What the data table says of point i: the rules covering it, or a pattern."""
    flags = [SIGNAL_LABELS[rule.name] for rule in analysis.rules if i in rule.indices]
    if not flags and (i in analysis.shift or i in analysis.trend):
        flags.append(SIGNAL_LABELS["pattern"])
    return flags


@dataclass
class Row:
    period: str
    value: str
    detail: str  # numerator / denominator, or the number of schools pooled
    center: str
    lower: str
    upper: str
    flags: list[str]
    missing: bool


def table_rows(chart: Chart) -> list[Row]:
    measure, series, analysis = chart.measure, chart.series, chart.analysis
    excluded = set(series.excluded)
    rows = []
    for i, period in enumerate(series.periods):
        detail = ""
        if series.numerators is not None and series.numerators[i] is not None:
            detail = f"{_plain(series.numerators[i])} / {_plain(series.denominators[i])}"
        if series.reporting is not None and series.reporting[i]:
            detail = f"{detail} · " if detail else ""
            detail += f"{series.reporting[i]} of {plural(series.expected, 'school')}"
        flags = point_flags(analysis, i)
        if i in excluded:
            flags = [f"{SIGNAL_LABELS['excluded']} (below {series.threshold}%): left out of the center, limits "
                     "and rules"]
        value = fmt(series.values[i], measure.chart, measure.unit)
        if series.values[i] is None:
            zero = series.denominators is not None and series.numerators[i] is not None
            value = "no value (denominator 0)" if zero else "not recorded"
        rows.append(Row(
            period=period.isoformat(), value=value, detail=detail,
            center=fmt(analysis.center[i], measure.chart, measure.unit),
            lower=fmt(analysis.lower[i], measure.chart, measure.unit),
            upper=fmt(analysis.upper[i], measure.chart, measure.unit),
            flags=flags, missing=series.values[i] is None or i in excluded,
        ))
    return rows


def _plain(number) -> str:
    return "—" if number is None else (f"{int(number)}" if number == int(number) else f"{number:g}")


def needs(chart: Chart) -> list[str]:
    """What the chart still lacks before its limits can be drawn. (Too few points for
    the run rules is said by the summary itself: nic.analytics.summary.)"""
    analysis, measure = chart.analysis, chart.measure
    recorded = chart.series.recorded
    if not recorded or measure.chart == "run":
        return []
    if any(limit is not None for limit in analysis.upper):
        return []
    if measure.chart == "i":
        return [(f"Limits on an I chart need at least {MIN_POINTS_FOR_I_LIMITS} points (one moving range); "
                f"this chart has {recorded}, so only the mean is drawn.")]
    return ["Limits need periods with a denominator above zero."]


def aria_label(chart: Chart, title: str) -> str:
    series = chart.series
    if not series.recorded:
        return f"{title}: no data yet."
    first, last = series.periods[0], series.periods[-1]
    text = f"{title}: {plural(series.recorded, 'point')} from {first:%d %b %Y} to {last:%d %b %Y}."
    if chart.summary:
        text += " " + " ".join(chart.summary)
    return text


def chart_payload(chart: Chart, markers: list, cycle_url, title: str) -> dict:
    """The JSON the browser draws the chart from (static/js/charts.js)."""
    measure, analysis = chart.measure, chart.analysis
    return {
        "title": title,
        "chart": measure.chart,
        "unit": measure.unit or "",
        "percent": measure.chart == "p",
        "direction": measure.direction,
        "goal": measure.goal,
        "periods": [period.isoformat() for period in chart.series.periods],
        "values": chart.series.values,  # a pooled excluded point keeps its value (drawn hollow)
        "center": analysis.center,
        "lower": analysis.lower,
        "upper": analysis.upper,
        **{name: sorted(indices) for name, indices in signal_sets(analysis).items()},
        "excluded": list(chart.series.excluded),
        "reporting": chart.series.reporting,
        "expected": chart.series.expected,
        "phases": [list(phase) for phase in analysis.phases],
        "splits": [{"index": index, "label": split.label or "New phase", "date": split.start_date.isoformat()}
                   for split, index in chart.splits],
        "markers": [{"x": m.x, "id": m.cycle_id, "title": m.title, "phase": m.phase_label, "school": m.school_name,
                     "date": m.start_date.isoformat(), "url": cycle_url(m.cycle_id)} for m in markers],
    }


# --- sparklines for the small multiples -----------------------------------------------

@dataclass
class Spark:
    width: int
    height: int
    line: list[str]  # one polyline per unbroken stretch of points
    center: str  # the center line's path ("" when there is none)
    dots: list[tuple[float, float, str]]  # signal points: x, y, which signal
    last: tuple[float, float] | None


def sparkline_scale(items: list[SchoolChart]) -> tuple[float, float] | None:
    """One vertical scale for every small multiple of a measure, so schools compare at
    a glance: a school at 60% sits lower than one at 75%, as it should."""
    known = [v for item in items if item.analysis is not None
             for v in (*item.analysis.values, *item.analysis.center) if v is not None]
    return (min(known), max(known)) if known else None


def sparkline(item: SchoolChart, scale: tuple[float, float] | None = None, width: int = 220, height: int = 64,
              pad: int = 5) -> Spark | None:
    if item.analysis is None or not item.series.recorded:
        return None
    analysis = item.analysis
    values = analysis.values
    if scale is None:
        scale = sparkline_scale([item])
    low, high = scale
    span = (high - low) or 1.0
    n = len(values)

    def x(i):
        return round(pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5), 1)

    def y(v):
        return round(height - pad - (height - 2 * pad) * (v - low) / span, 1)

    lines, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                lines.append(" ".join(current))
            current = []
        else:
            current.append(f"{x(i)},{y(v)}")
    if current:
        lines.append(" ".join(current))
    center_parts, previous = [], None
    for i, c in enumerate(analysis.center):
        if c is None:
            previous = None
            continue
        command = "L" if previous is not None else "M"
        center_parts.append(f"{command}{x(i)},{y(c)}")
        previous = c
    sets = signal_sets(analysis)
    dots = []
    for name in ("outside_limits", "signal"):  # one dot per point: the strongest signal wins
        for i in sorted(sets[name]):
            if values[i] is not None and all(d[0] != x(i) for d in dots):
                dots.append((x(i), y(values[i]), name))
    last_index = max(i for i, v in enumerate(values) if v is not None)
    return Spark(width, height, lines, " ".join(center_parts), dots, (x(last_index), y(values[last_index])))
