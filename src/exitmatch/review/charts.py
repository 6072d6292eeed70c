"""Charts drawn on the server as inline SVG: no script, no network, print-friendly.

Use ``bars`` for counts by category, ``columns`` for a series over time (one or two
series side by side), ``histogram`` for a score distribution, ``weights`` for the
evidence bar of a case, and ``timeline`` for a person's travel history. Each returns
markup safe to place in a page (every label is escaped here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

PALETTE = ("#1f5f99", "#c8641e", "#3f8f4f", "#8e44ad", "#a33", "#6b7b8c")
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bars(items: Sequence[tuple[str, float]], title: str, width: int = 420) -> Markup:
    """Horizontal bars, one per (label, value)."""
    row, label_w = 20, 170
    height = max(1, len(items)) * row + 8
    top = max((v for _, v in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 60) * value / top
        body.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" {_FONT}>{escape(label)}'
            f'</text><rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{PALETTE[0]}"/><text x="{label_w + w + 4:.1f}" y="{y + 13}" {_FONT}>'
            f"{value:,.0f}</text>"
        )
    if not items:
        body.append(f'<text x="4" y="16" {_FONT}>nothing yet</text>')
    return _svg(width, height, body, title)


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    title: str,
    width: int = 640,
    height: int = 200,
) -> Markup:
    """Vertical columns per label, the series side by side, with a legend."""
    left, bottom, top_pad = 36, 34, 22
    plot_h = height - bottom - top_pad
    top = max((v for _, values in series for v in values), default=0) or 1
    slot = (width - left - 8) / max(1, len(labels))
    bar_w = min(28.0, max(1.0, slot * 0.8 / max(1, len(series))))
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 4}" y2="{top_pad + plot_h}" '
        f'stroke="#999"/><text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" {_FONT}>'
        f'{top:,.0f}</text><text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" '
        f"{_FONT}>0</text>"
    ]
    step = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        x0 = left + i * slot + slot * 0.1
        for s, (_, values) in enumerate(series):
            h = plot_h * values[i] / top
            body.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{top_pad + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                f"<title>{escape(label)}: {values[i]:,.0f}</title></rect>"
            )
        if i % step == 0:
            body.append(
                f'<text x="{x0 + slot * 0.4:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle" {_FONT}>{escape(label)}</text>'
            )
    x = left
    for s, (name, _) in enumerate(series):
        body.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="13" {_FONT}>{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    if not labels:
        body.append(f'<text x="{left + 8}" y="{top_pad + 30}" {_FONT}>nothing yet</text>')
    return _svg(width, height, body, title)


def histogram(values: Sequence[float], lo: float, hi: float, title: str, bins: int = 20) -> Markup:
    """Counts of ``values`` in equal bins between ``lo`` and ``hi``."""
    counts = [0] * bins
    span = (hi - lo) or 1.0
    for v in values:
        counts[min(bins - 1, max(0, int((v - lo) / span * bins)))] += 1
    labels = [f"{lo + span * i / bins:.0f}" for i in range(bins)]
    return columns(labels, [("candidates", counts)], title, width=300, height=150)


def weights(items: Sequence[tuple[str, float]], prior: float, title: str) -> Markup:
    """The evidence bar: each field's weight (log2 Bayes factor) as a bar pushing right
    (for) or left (against) from zero, with the prior and the total."""
    rows = [("prior: how rare a subject is", prior), *items]
    row, label_w, width = 22, 270, 680
    height = len(rows) * row + 30
    scale_max = max([abs(v) for _, v in rows] + [1.0])
    mid = label_w + (width - label_w - 50) / 2
    half = (width - label_w - 50) / 2
    body = [f'<line x1="{mid}" y1="2" x2="{mid}" y2="{height - 26}" stroke="#777"/>']
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row
        w = half * abs(value) / scale_max
        x = mid if value >= 0 else mid - w
        colour = "#2e7d32" if value > 0 else ("#b23b3b" if value < 0 else "#999")
        body.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" {_FONT}>{escape(label)}'
            f'</text><rect x="{x:.1f}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 8}" '
            f'fill="{colour}"/><text x="{(mid + w + 4) if value >= 0 else (mid + 4):.1f}" '
            f'y="{y + 14}" {_FONT}>{value:+.1f}</text>'
        )
    total = sum(v for _, v in rows)
    body.append(
        f'<text x="{mid}" y="{height - 8}" text-anchor="middle" {_FONT} font-weight="bold">'
        f"total log2 odds {total:+.1f} (negative: against, positive: for)</text>"
    )
    return _svg(width, height, body, title)


def _anchor(x: float, width: int) -> str:
    """Keep a label near either edge inside the drawing."""
    if x > width * 0.8:
        return "end"
    return "start" if x < width * 0.2 else "middle"


_MARK = {
    "order": ("#444", "order"),
    "enforceable": ("#1f5f99", "enforceable"),
    "deadline": ("#c8641e", "30-day line"),
    "exit": ("#2e7d32", "exit"),
    "entry": ("#b23b3b", "entry"),
}


def timeline(
    events: Sequence[tuple[date, str, str, bool]], title: str, width: int = 1100
) -> Markup:
    """Events (day, kind, label, chosen) along one time axis; the order's dates as
    vertical lines, exits as upward and entries as downward markers, the departure under
    review ringed."""
    height = 175
    left, right, axis_y = 20, 20, 95
    if not events:
        return _svg(width, 40, [f'<text x="4" y="20" {_FONT}>no dated events</text>'], title)
    first = min(e[0] for e in events).toordinal() - 20
    last = max(e[0] for e in events).toordinal() + 20
    span = max(1, last - first)

    def x(day: date) -> float:
        return left + (width - left - right) * (day.toordinal() - first) / span

    body = [f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#999"/>']
    for year in range(date.fromordinal(first).year + 1, date.fromordinal(last).year + 1):
        xx = x(date(year, 1, 1))
        body.append(
            f'<line x1="{xx:.1f}" y1="{axis_y - 3}" x2="{xx:.1f}" y2="{axis_y + 3}" '
            f'stroke="#999"/><text x="{xx + 3:.1f}" y="{axis_y - 4}" '
            f'{_FONT} fill="#888">{year}</text>'
        )
    lane = {"exit": 0, "entry": 0}
    for day, kind, label, chosen in events:
        colour, _ = _MARK.get(kind, ("#444", kind))
        xx = x(day)
        text = f"{day.isoformat()} {label}"
        if kind in ("order", "enforceable", "deadline"):
            body.append(
                f'<line x1="{xx:.1f}" y1="40" x2="{xx:.1f}" y2="{axis_y + 24}" stroke="{colour}" '
                f'stroke-dasharray="{"4 3" if kind == "deadline" else "none"}" stroke-width="2">'
                f"<title>{escape(text)}</title></line>"
            )
            row_y = 13 + 12 * ("order", "enforceable", "deadline").index(kind)
            body.append(
                f'<text x="{xx + 3:.1f}" y="{row_y}" '
                f'{_FONT} fill="{colour}">{escape(_MARK[kind][1])} {day.isoformat()}</text>'
            )
            continue
        offset = lane[kind] % 3
        lane[kind] += 1
        if kind == "exit":
            y = axis_y - 12 - offset * 10
            shape = f"{xx - 6:.1f},{y + 8} {xx + 6:.1f},{y + 8} {xx:.1f},{y - 4}"
            label_y = y - 8
        else:
            y = axis_y + 12 + offset * 10
            shape = f"{xx - 6:.1f},{y - 8} {xx + 6:.1f},{y - 8} {xx:.1f},{y + 4}"
            label_y = y + 15
        body.append(
            f'<polygon points="{shape}" fill="{colour}"><title>{escape(text)}</title></polygon>'
            f'<text x="{xx:.1f}" y="{label_y}" text-anchor="middle" font-size="10" '
            f'font-family="system-ui, sans-serif" fill="{colour}">{day.isoformat()}</text>'
        )
        if chosen:
            body.append(
                f'<circle cx="{xx:.1f}" cy="{y + 2}" r="10" fill="none" stroke="#000" '
                f'stroke-width="1.5"/><text x="{xx:.1f}" y="{height - 28}" '
                f'text-anchor="{_anchor(xx, width)}" '
                f'{_FONT} font-weight="bold">departure under review {day.isoformat()}</text>'
            )
    legend_x = left
    for kind in ("exit", "entry"):
        colour, name = _MARK[kind]
        body.append(
            f'<rect x="{legend_x}" y="{height - 12}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{height - 3}" {_FONT}>{name}</text>'
        )
        legend_x += 70
    return _svg(width, height, body, title)
