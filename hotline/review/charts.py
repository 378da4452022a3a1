"""Small charts drawn on the server as SVG 1.1 strings: the console embeds them, the period report draws
the same strings with fpdf2 (which reads SVG), so a figure looks the same on the page and on paper.

Rules:
- no library and no script: plain elements (rect, line, polyline, circle, text) with width, height and
  viewBox, every text escaped;
- colours as presentation attributes (fpdf2 reads those, not CSS) with a class beside each, so the
  console's stylesheet recolours them from its custom properties (a CSS rule beats a presentation
  attribute) for the night theme;
- accessible: role="img", an aria-label giving the numbers in words, and a <title> saying the same.
"""

from xml.sax.saxutils import escape, quoteattr

# The fallbacks: the console's day palette (console.css --accent, --code-bg, --fg, --muted); the classes
# chart-bar, chart-line, chart-track, chart-label and chart-value take the palette's colours in CSS.
BAR_COLOUR = "#0b4f8a"
TRACK_COLOUR = "#dde3ea"
TEXT_COLOUR = "#1b1f24"
MUTED_COLOUR = "#5b6470"
FONT = "DejaVu Sans, Verdana, sans-serif"

Number = int | float


def share_text(value: Number | None) -> str:
    """0.8333 → "83%" (whole per cent, rounded half up as people expect); None → "—"."""
    return "—" if value is None else f"{int(value * 100 + 0.5)}%"


def count_text(value: Number | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def _words(value: Number | None, share: bool) -> str:
    if value is None:
        return "no data"
    return share_text(value).replace("%", " per cent") if share else count_text(value)


def _svg(width: int, height: int, label: str, body: list[str], css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" class={quoteattr(css_class)} aria-label={quoteattr(label)}>'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def bars(
    rows: list[tuple[str, Number | None, Number]],
    *,
    title: str,
    share: bool = True,
    width: int = 420,
    label_width: int = 110,
    bar_height: int = 14,
    gap: int = 6,
) -> str:
    """Horizontal bars, one a row: its label on the left, the bar (value against the row's max) and the
    value written after it. `share`: values are shares 0..1 shown as per cent; else counts. A value of
    None draws no bar and writes "—"."""
    value_width = 48
    track = width - label_width - value_width
    height = max(1, len(rows)) * (bar_height + gap) + gap
    body = []
    words = []
    for index, (label, value, most) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        text_y = y + bar_height - 3
        fraction = 0.0 if value is None or not most else max(0.0, min(1.0, value / most))
        shown = share_text(value) if share else count_text(value)
        body.append(
            f'<text class="chart-label" x="{label_width - 6}" y="{text_y}" text-anchor="end" font-family="{FONT}" '
            f'font-size="11" fill="{TEXT_COLOUR}">{escape(str(label))}</text>'
            f'<rect class="chart-track" x="{label_width}" y="{y}" width="{track}" height="{bar_height}" '
            f'fill="{TRACK_COLOUR}"/>'
        )
        if fraction > 0:
            body.append(
                f'<rect class="chart-bar" x="{label_width}" y="{y}" width="{round(track * fraction, 1)}" '
                f'height="{bar_height}" fill="{BAR_COLOUR}"/>'
            )
        body.append(
            f'<text class="chart-value" x="{label_width + track + 6}" y="{text_y}" font-family="{FONT}" '
            f'font-size="11" fill="{TEXT_COLOUR}">{escape(shown)}</text>'
        )
        words.append(f"{label}: {_words(value, share)}")
    if not rows:
        body.append(
            f'<text class="chart-label" x="0" y="{gap + bar_height - 3}" font-family="{FONT}" font-size="11" '
            f'fill="{MUTED_COLOUR}">Nothing to show</text>'
        )
        words.append("nothing to show")
    return _svg(width, height, f"{title}. " + "; ".join(words) + ".", body, "chart chart-bars")


def sparkline(
    values: list[Number | None],
    *,
    title: str,
    labels: list[str] | None = None,
    share: bool = True,
    width: int = 132,
    height: int = 30,
) -> str:
    """A trend line (12 months, oldest first). None is a gap: the line breaks there. Shares are drawn on
    0..1; counts on 0..their largest value. The last known point is marked with a dot."""
    pad = 3
    known = [value for value in values if value is not None]
    top = 1.0 if share else max(known, default=0) or 1
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def point(index: int, value: Number) -> tuple[float, float]:
        return round(pad + index * step, 1), round(height - pad - (height - 2 * pad) * min(1.0, value / top), 1)

    body = [
        f'<line class="chart-track" x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        f'stroke="{TRACK_COLOUR}" stroke-width="1"/>'
    ]
    run: list[tuple[float, float]] = []
    runs = []
    for index, value in enumerate(values):
        if value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(point(index, value))
    if run:
        runs.append(run)
    for points in runs:
        if len(points) == 1:
            x, y = points[0]
            body.append(f'<circle class="chart-bar" cx="{x}" cy="{y}" r="1.5" fill="{BAR_COLOUR}"/>')
        else:
            coordinates = " ".join(f"{x},{y}" for x, y in points)
            body.append(
                f'<polyline class="chart-line" points="{coordinates}" fill="none" stroke="{BAR_COLOUR}" '
                f'stroke-width="1.5"/>'
            )
    last = next((index for index in range(len(values) - 1, -1, -1) if values[index] is not None), None)
    if last is not None:
        x, y = point(last, values[last])
        body.append(f'<circle class="chart-bar" cx="{x}" cy="{y}" r="2.5" fill="{BAR_COLOUR}"/>')
    names = labels if labels and len(labels) == len(values) else [f"point {i + 1}" for i in range(len(values))]
    words = "; ".join(f"{name}: {_words(value, share)}" for name, value in zip(names, values, strict=True))
    return _svg(width, height, f"{title}. {words or 'no data'}.", body, "chart chart-sparkline")
