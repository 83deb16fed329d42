"""Geometry of the report's small SVG charts, computed server-side.

The template draws the shapes; this module only places them, so charts need no JavaScript
and no library, print well, and every label goes through the template's autoescaping. The
SVG is the print and no-JavaScript fallback: on screen the report draws the same numbers
(``value``, ``up_value``, ``down_value``) with ECharts, for axes, tooltips and legends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Bar", "BarChart", "Column", "ColumnChart", "bar_chart", "column_chart"]


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar: ``label`` left of it, ``text`` (the value) right of it."""

    label: str
    title: str
    text: str
    y: float
    width: float
    highlight: bool
    value: float = 0.0  # the number drawn (NaN and negatives as 0), for the interactive chart


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars, one per row; coordinates in the SVG's own units."""

    bars: tuple[Bar, ...]
    width: float
    height: float
    label_width: float
    bar_height: float


@dataclass(frozen=True, slots=True)
class Column:
    """One month of a diverging column chart: ``up`` bar above the axis, ``down`` below."""

    label: str
    x: float
    up: float
    down: float
    up_text: str
    down_text: str
    up_value: float = 0.0
    down_value: float = 0.0


@dataclass(frozen=True, slots=True)
class ColumnChart:
    """Columns around a horizontal axis at ``axis`` (SVG units from the top)."""

    columns: tuple[Column, ...]
    width: float
    height: float
    axis: float
    column_width: float
    top: float = 0.0  # the value a full half-height column stands for (the axis' end)


def bar_chart(
    items: Sequence[tuple[str, float, str]],
    *,
    titles: Sequence[str] | None = None,
    highlight: Sequence[bool] | None = None,
    width: float = 640,
    label_width: float = 220,
    bar_height: float = 18,
    gap: float = 6,
) -> BarChart:
    """Lay out ``(label, value, text)`` items as bars scaled to the largest value.

    ``titles`` (hover text, e.g. a full URL) default to the labels. Negative and NaN values
    draw as empty bars; a chart of zeros has empty bars rather than dividing by zero.
    """
    # float(): SQL sums may be Decimals; v == v drops NaN
    values = [float(v) if v == v and v > 0 else 0.0 for _, v, _ in items]
    top = max(values, default=0.0) or 1.0
    room = width - label_width - 64  # leaves space for the value text right of the bar
    bars = tuple(
        Bar(
            label=label,
            title=titles[i] if titles else label,
            text=text,
            y=i * (bar_height + gap),
            width=round(room * values[i] / top, 2),
            highlight=bool(highlight[i]) if highlight else False,
            value=values[i],
        )
        for i, (label, _, text) in enumerate(items)
    )
    height = max(len(bars) * (bar_height + gap) - gap, bar_height)
    return BarChart(bars, width, height, label_width, bar_height)


def column_chart(
    items: Sequence[tuple[str, float, float]],
    *,
    width: float = 640,
    height: float = 200,
    label_room: float = 28,
) -> ColumnChart:
    """Lay out ``(label, up, down)`` items (e.g. month, new links, lost links) as columns.

    Both directions share one scale, so a month that lost as many links as it gained shows
    bars of equal length.
    """
    n = max(len(items), 1)
    slot = width / n
    top = max((max(u, d) for _, u, d in items), default=0.0) or 1.0
    half = (height - label_room) / 2
    columns = tuple(
        Column(
            label=label,
            x=round(i * slot + slot * 0.15, 2),
            up=round(half * max(up, 0.0) / top, 2),
            down=round(half * max(down, 0.0) / top, 2),
            up_text=f"{up:,.0f}",
            down_text=f"{down:,.0f}",
            up_value=max(float(up), 0.0),
            down_value=max(float(down), 0.0),
        )
        for i, (label, up, down) in enumerate(items)
    )
    return ColumnChart(columns, width, height, half, round(slot * 0.7, 2), top)
