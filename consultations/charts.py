"""Charts drawn on the server as SVG: a horizontal bar chart, a column chart (a timeline) and a heat map
(how often two themes go together). One SVG serves the HTML page (inline) and the PDF (fpdf2 draws SVG).

Plume's own small module rather than a charting library: three kinds of chart, drawn with the handful of
SVG elements that both browsers and fpdf2's SVG renderer draw the same (`rect`, `line`, `text` with
`text-anchor`, presentation attributes, no CSS, no transforms on text), no JavaScript and nothing to load.
matplotlib would bring numpy and a font cache for three charts; pygal and leather are unmaintained or
script-driven. Every text is escaped here; labels are cut to a length.

Pure functions over plain values (no request, no translation): the caller passes the words it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

INK = "#1d1b19"
MUTED = "#5f5850"
GRID = "#e7e1d8"
ACCENT = "#9a3412"
ACCENT_LIGHT = "#fde8dc"
WIDTH = 640
HTML_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
PDF_FONT = "sans"  # the family `stories.reading.pdf.Book` registers (DejaVu Sans)
MAX_LABEL = 30
BAR = 16  # height of a bar, px
BAR_GAP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def cut(label: str, limit: int = MAX_LABEL) -> str:
    """A label no longer than `limit` characters, ended with "…" when cut."""
    label = " ".join(label.split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _text(x: float, y: float, content: str, *, font: str, size: float = 11, anchor: str = "start",
          fill: str = INK, weight: str = "normal") -> str:  # fmt: skip
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family={quoteattr(font)} font-size="{size}"{bold} '
        f'text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'
    )


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 × 10^n) that cuts 0…maximum into about `ticks` intervals."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1.0, factor * power)
    return max(1.0, 10 * power)


def bar_chart(bars: Sequence[Bar], title: str, *, font: str = HTML_FONT, width: int = WIDTH) -> str:
    """Horizontal bars, one per row, labelled on the left and valued at their end."""
    label_width = 200
    right = 40
    top = 8
    height = top + len(bars) * (BAR + BAR_GAP) + 24
    span = width - label_width - right
    maximum = max((b.value for b in bars), default=0)
    step = nice_step(maximum)
    scale_max = step * max(1, math.ceil(maximum / step))
    body: list[str] = []
    axis_y = top + len(bars) * (BAR + BAR_GAP)
    tick = 0.0
    while tick <= scale_max + 1e-9:
        x = label_width + span * tick / scale_max
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(x, axis_y + 14, _number(tick), font=font, size=9, anchor="middle", fill=MUTED))
        tick += step
    for index, bar in enumerate(bars):
        y = top + index * (BAR + BAR_GAP)
        length = span * bar.value / scale_max if scale_max else 0
        body.append(_text(label_width - 8, y + BAR - 4, cut(bar.label), font=font, anchor="end"))
        if length > 0:
            body.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{ACCENT}"/>'
            )
        body.append(
            _text(label_width + length + 5, y + BAR - 4, _number(bar.value), font=font, size=10, fill=MUTED)
        )
    return _svg(width, height, title, body)


def column_chart(columns: Sequence[Bar], title: str, *, label_every: int = 1, font: str = HTML_FONT,
                 width: int = WIDTH, height: int = 220) -> str:  # fmt: skip
    """Vertical columns side by side (a timeline's buckets), a label under every `label_every`th."""
    left, right, top, bottom = 44, 12, 10, 34
    span_x, span_y = width - left - right, height - top - bottom
    maximum = max((c.value for c in columns), default=0)
    step = nice_step(maximum)
    scale_max = step * max(1, math.ceil(maximum / step))
    body: list[str] = []
    tick = 0.0
    while tick <= scale_max + 1e-9:
        y = top + span_y - span_y * tick / scale_max
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(_text(left - 6, y + 3, _number(tick), font=font, size=9, anchor="end", fill=MUTED))
        tick += step
    slot = span_x / max(1, len(columns))
    for index, column in enumerate(columns):
        x = left + index * slot
        tall = span_y * column.value / scale_max if scale_max else 0
        if tall > 0:
            body.append(
                f'<rect x="{x + slot * 0.12:.1f}" y="{top + span_y - tall:.1f}" width="{slot * 0.76:.1f}" '
                f'height="{tall:.1f}" fill="{ACCENT}"/>'
            )
        if index % max(1, label_every) == 0:
            body.append(
                _text(
                    x + slot / 2,
                    height - bottom + 14,
                    column.label,
                    font=font,
                    size=9,
                    anchor="middle",
                    fill=MUTED,
                )
            )
    base = top + span_y
    body.append(
        f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{MUTED}" stroke-width="1"/>'
    )
    return _svg(width, height, title, body)


def heat_map(labels: Sequence[str], counts: Sequence[Sequence[int]], title: str, *, font: str = HTML_FONT,
             width: int = WIDTH) -> str:  # fmt: skip
    """A square table of counts: row i, column j = how often labels i and j go together. Columns are
    numbered (the rows carry the numbered labels), so that no text needs turning."""
    size = len(labels)
    label_width = 220
    cell = min(34.0, (width - label_width - 10) / max(1, size))
    top = 22
    height = top + size * cell + 8
    maximum = max((v for row in counts for v in row), default=0) or 1
    body: list[str] = []
    for j in range(size):
        x = label_width + j * cell + cell / 2
        body.append(_text(x, top - 8, str(j + 1), font=font, size=9, anchor="middle", fill=MUTED))
    for i, label in enumerate(labels):
        y = top + i * cell
        body.append(
            _text(
                label_width - 8,
                y + cell / 2 + 4,
                f"{cut(label, 26)} {i + 1}",
                font=font,
                size=10,
                anchor="end",
            )
        )
        for j in range(size):
            value = counts[i][j]
            x = label_width + j * cell
            fill = _blend(value / maximum) if value else "#ffffff"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" fill="{fill}" '
                f'stroke="{GRID}" stroke-width="1"/>'
            )
            if value:
                ink = "#ffffff" if value / maximum > 0.55 else INK
                body.append(
                    _text(
                        x + cell / 2,
                        y + cell / 2 + 3.5,
                        str(value),
                        font=font,
                        size=9,
                        anchor="middle",
                        fill=ink,
                    )
                )
    return _svg(width, height, title, body)


def _blend(share: float) -> str:
    """A colour from the light accent (share 0) to the accent (share 1)."""
    low, high = _rgb(ACCENT_LIGHT), _rgb(ACCENT)
    mixed = (round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
