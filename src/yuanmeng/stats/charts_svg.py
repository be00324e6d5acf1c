"""Bar charts drawn on the server as SVG, for the yearly report's page and its PDF (WeasyPrint runs no JavaScript,
so ECharts cannot draw there). Bars lie across the page like ``static/yuanmeng/charts.js``'s, one colour per series,
each bar with its value; a scale from zero (the report's values are counts, days and yuan of one kind each)."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#c8102e", "#98a2b3", "#b8860b", "#1849a9")  # charts.js's palette
WIDTH, LABEL_WIDTH, VALUE_ROOM = 640, 170, 70
BAR, GAP, TOP, LEGEND = 14, 10, 28, 24
FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"


@dataclass
class Series:
    name: str
    values: list[float]


def number(value: float) -> str:
    """A value as the tables beside the chart show it: whole numbers with thousands separators, else one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 11, fill: str = "#344054") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(text)}</text>")


def _clip(label: str) -> str:
    """The label, cut to fit left of the bars."""
    while _width(label) > LABEL_WIDTH - 10:
        label = label[:-2] + "…"
    return label


def bar_chart(*, title: str, categories: list[str], series: list[Series]) -> SafeString:
    """A horizontal bar chart: a group of bars per category, one bar per series (values ≥ 0; None draws none)."""
    largest = max((value or 0 for s in series for value in s.values), default=0) or 1
    group = len(series) * BAR + GAP
    height = TOP + len(categories) * group + LEGEND
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" font-family="{FONT}">',
             _text(0, 16, title, size=13, fill="#101828")]
    for row, category in enumerate(categories):
        top = TOP + row * group
        parts.append(_text(LABEL_WIDTH - 6, top + group / 2 - 2, _clip(category), anchor="end"))
        for index, one in enumerate(series):
            value = one.values[row]
            if value is None:
                continue
            y, length = top + index * BAR, max(value * scale, 0)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR - 2}" '
                         f'fill="{COLOURS[index % len(COLOURS)]}"/>')
            parts.append(_text(LABEL_WIDTH + length + 4, y + BAR - 4, number(value), size=10))
    parts.append(_legend(series, height - 8))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def _width(text: str, size: int = 11) -> float:
    """About how wide a text is drawn: a Chinese character is a square, a Latin one about half of it."""
    return sum(size if ord(char) > 0x2E80 else size * 0.6 for char in text)


def _legend(series: list[Series], y: float) -> str:
    x, parts = 0, []
    for index, one in enumerate(series):
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[index % len(COLOURS)]}"/>')
        parts.append(_text(x + 14, y, one.name))
        x += 14 + _width(one.name) + 16
    return "".join(parts)
