"""Presentation for the dashboards: chart payloads for static/js/dashboard.js (Chart.js),
labels for the heatmap's cells, and small inline SVG charts (the measures' small
multiples, and the printable report's bars), which need no script and print as drawn."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

from nic.services.rollups.dashboard import Cell, Period
from nic.services.measures.measures import signal_basis, signal_rules
from nic.services.measures.points import CHART_NAMES
from nic.words import plural

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PHASE_SERIES = (
    ("started", "Started"), ("to_do", "Moved to Do"), ("to_study", "Moved to Study"),
    ("to_act", "Moved to Act"), ("completed", "Completed"),
)
ENGAGEMENT_SERIES = (("active_members", "Active members"), ("messages", "Messages"), ("artifacts", "Artifacts shared"))
# Okabe-Ito colours: told apart with the common colour-vision deficiencies; the tables
# behind each chart carry the same numbers.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
PHASE_NAMES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "done": "Done"}
STATE_LABELS = {"testing": "Testing", "adapted": "Adapted", "adopted": "Adopted", "abandoned": "Abandoned"}
STATE_HELP = {
    "testing": "a cycle of it is under way",
    "adapted": "a finished cycle changed it and tests again",
    "adopted": "a finished cycle made it the school's routine",
    "abandoned": "finished cycles dropped it",
}


def period_label(start: date, kind: str) -> str:
    if kind == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    return f"{start.day} {MONTHS[start.month - 1]}"


def period_long(start: date, kind: str) -> str:
    if kind == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    return f"week of {start.day} {MONTHS[start.month - 1]} {start.year}"


def series_payload(periods: list[Period], kind: str, series, stacked: bool) -> dict:
    return {
        "labels": [period_label(p.start, kind) for p in periods],
        "titles": [period_long(p.start, kind) for p in periods],
        "stacked": stacked,
        "line": not stacked,
        "datasets": [{"label": label, "color": COLOURS[i % len(COLOURS)], "data": [getattr(p, key) for p in periods]}
                     for i, (key, label) in enumerate(series)],
    }


def trend_payload(periods: list[Period], kind: str) -> dict:
    return series_payload(periods, kind, PHASE_SERIES, stacked=True)


def engagement_payload(periods: list[Period], kind: str) -> dict:
    return series_payload(periods, kind, ENGAGEMENT_SERIES, stacked=False)


def comparison_payload(periods: list[Period], averages, kind: str, school_name: str) -> dict:
    """The school's cycles started and completed per period beside the network's average
    school (dashed)."""
    return {
        "labels": [period_label(p.start, kind) for p in periods],
        "titles": [period_long(p.start, kind) for p in periods],
        "stacked": False,
        "line": True,
        "datasets": [
            {"label": f"{school_name}: started", "color": COLOURS[0], "data": [p.started for p in periods]},
            {"label": f"{school_name}: completed", "color": COLOURS[2], "data": [p.completed for p in periods]},
            {"label": "Average school: started", "color": COLOURS[0], "dashed": True,
             "data": [round(a.started, 2) for a in averages]},
            {"label": "Average school: completed", "color": COLOURS[2], "dashed": True,
             "data": [round(a.completed, 2) for a in averages]},
        ],
    }


def has_data(periods: list[Period], keys) -> bool:
    return any(getattr(p, key) for p in periods for key, _ in keys)


def cell_title(cell: Cell, school: str, idea: str) -> str:
    parts = [f"{n} {name}" for name, n in [(cell.state, cell.count), *cell.others] if n]
    cycles = plural(cell.cycles, "cycle")
    return f"{school} · {idea}: {STATE_LABELS[cell.state].lower()} ({', '.join(parts) or 'no decisions yet'}; {cycles})"


def signal_note(chart: str) -> str:
    """Beside a count of schools with a signal: "p chart, Shewhart rules"."""
    return f"{CHART_NAMES[chart]}, {signal_rules(chart)}"


def school_signal(chart: str) -> str:
    """Beside one school's signal: "non-random variation on its p chart, by the Shewhart rules"."""
    return f"non-random variation {signal_basis(chart)}"


# --- inline SVG ----------------------------------------------------------------------------

@dataclass
class Spark:
    width: int
    height: int
    lines: list[str]       # polyline point lists (a gap splits the line)
    last: tuple[float, float] | None
    hollow: list[tuple[float, float]] = field(default_factory=list)  # points shown but not part of the line


def sparkline(values: list[float | None], width: int = 220, height: int = 56, pad: int = 4,
              hollow: list[int] = ()) -> Spark | None:
    """hollow: indices drawn as open circles off the line (pooled periods too few schools
    reported: nic.analytics.reporting); the line and its last dot are the rest."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    skip = set(hollow)
    lines, current, last, rings = [], [], None, []
    for i, value in enumerate(values):
        if value is None or i in skip:
            if current:
                lines.append(" ".join(current))
            current = []
            if value is None:
                continue
        x = pad + i * step if len(values) > 1 else width / 2
        y = height - pad - (value - low) / span * (height - 2 * pad)
        if i in skip:
            rings.append((round(x, 1), round(y, 1)))
            continue
        current.append(f"{x:.1f},{y:.1f}")
        last = (round(x, 1), round(y, 1))
    if current:
        lines.append(" ".join(current))
    return Spark(width, height, lines, last, rings)


def stacked_bars_svg(payload: dict, title: str, width: int = 720, height: int = 240) -> Markup:
    """The trend as a static stacked bar chart (the printable report): one <rect> per
    figure and period, each with a <title>, and the y scale's top value written out."""
    labels, datasets = payload["labels"], payload["datasets"]
    n = len(labels)
    left, bottom, top = 36, 28, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    totals = [sum(ds["data"][i] for ds in datasets) for i in range(n)] if payload["stacked"] else \
        [max((ds["data"][i] for ds in datasets), default=0) for i in range(n)]
    peak = max(totals, default=0) or 1
    slot = plot_w / max(n, 1)
    bar = max(slot * 0.75, 1)
    parts = [f'<svg class="report-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" class="report-chart__axis"/>',
             f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="report-chart__tick">{peak}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" class="report-chart__tick">0</text>']
    for i in range(n):
        x0 = left + i * slot + (slot - bar) / 2
        base = top + plot_h
        # Stacked: one bar per period; otherwise the figures side by side in the slot.
        width_each = bar if payload["stacked"] else bar / max(len(datasets), 1)
        for k, ds in enumerate(datasets):
            value = ds["data"][i]
            if not value:
                continue
            h = value / peak * plot_h
            x = x0 if payload["stacked"] else x0 + k * width_each
            y = base - h if payload["stacked"] else top + plot_h - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width_each:.1f}" height="{h:.1f}" '
                         f'fill="{ds["color"]}"><title>{escape(payload["titles"][i])}: {escape(ds["label"])} '
                         f'{value}</title></rect>')
            if payload["stacked"]:
                base = y
    for i in sorted({0, n // 2, n - 1}) if n else ():
        x = left + i * slot + slot / 2
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="report-chart__tick">'
                     f'{escape(labels[i])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
