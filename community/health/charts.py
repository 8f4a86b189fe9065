"""Server-rendered inline SVG charts: line, bar, sparkline and funnel. No script; colours come from CSS classes
(`chart-series-1`…) that site.css sets for the light and the dark theme. Each chart is an image to assistive
technology (role="img", a <title> and an aria-label that states the figures)."""

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 600, 180, 28
LEFT = 48  # room for the y axis' top value


def _svg(label: str, body: str, *, width: int = WIDTH, height: int = HEIGHT, css: str = "chart") -> SafeString:
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        css, width, height, label, label, mark_safe(body),  # noqa: S308  (body is built below from numbers and escaped text)
    )


def _scale(values, height: float, pad: float) -> tuple[float, list[float]]:
    top = max([v for v in values if v is not None] or [0]) or 1
    return top, [None if v is None else height - pad - (height - 2 * pad) * v / top for v in values]


def line_chart(label: str, x_labels: list[str], series: list[tuple[str, list]]) -> SafeString:
    """Up to four series over the same days; a missing value (None) breaks the line."""
    points = max((len(values) for _name, values in series), default=0)
    if points == 0:
        return _svg(label, "")
    step = (WIDTH - LEFT - PAD) / max(points - 1, 1)
    top = max([v for _n, values in series for v in values if v is not None] or [0]) or 1
    body = [f'<line class="chart-axis" x1="{LEFT}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"/>',
            f'<text class="chart-label" x="{LEFT - 4}" y="{PAD}" text-anchor="end">{top:.3g}</text>',
            f'<text class="chart-label" x="{LEFT - 4}" y="{HEIGHT - PAD}" text-anchor="end">0</text>']
    if x_labels:
        body.append(f'<text class="chart-label" x="{LEFT}" y="{HEIGHT - 8}">{escape(x_labels[0])}</text>')
        body.append(f'<text class="chart-label" x="{WIDTH - PAD}" y="{HEIGHT - 8}" text-anchor="end">{escape(x_labels[-1])}</text>')
    for index, (name, values) in enumerate(series, start=1):
        segments, current = [], []
        for n, value in enumerate(values):
            if value is None:
                segments.append(current)
                current = []
                continue
            y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top
            current.append(f"{LEFT + n * step:.1f},{y:.1f}")
        segments.append(current)
        for segment in segments:
            if segment:
                body.append(f'<polyline class="chart-line chart-series-{index}" fill="none" points="{" ".join(segment)}">'
                            f'<title>{escape(name)}</title></polyline>')
    return _svg(label, "".join(body))


def bar_chart(label: str, bars: list[tuple[str, float]]) -> SafeString:
    """Horizontal bars, one per (name, value), with the value written at the end of each."""
    if not bars:
        return _svg(label, "", height=40)
    row, name_width = 24, 160
    height = row * len(bars) + 8
    top = max(value for _name, value in bars) or 1
    body = []
    for n, (name, value) in enumerate(bars):
        y = 4 + n * row
        width = (WIDTH - name_width - 60) * value / top
        body.append(f'<text class="chart-label" x="{name_width - 6}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
                    f'<rect class="chart-bar chart-series-1" x="{name_width}" y="{y + 3}" width="{width:.1f}" height="{row - 8}"/>'
                    f'<text class="chart-label" x="{name_width + width + 6:.1f}" y="{y + 15}">{value:g}</text>')
    return _svg(label, "".join(body), height=height)


def sparkline(label: str, values: list[float]) -> SafeString:
    if not values:
        return _svg(label, "", width=120, height=28, css="sparkline")
    top = max(values) or 1
    step = 116 / max(len(values) - 1, 1)
    points = " ".join(f"{2 + n * step:.1f},{26 - 24 * v / top:.1f}" for n, v in enumerate(values))
    return _svg(label, f'<polyline class="chart-line chart-series-1" fill="none" points="{points}"/>', width=120, height=28,
                css="sparkline")


def funnel(label: str, steps: list[tuple[str, int]]) -> SafeString:
    """Centred bars narrowing step by step, each with its count and its share of the first step."""
    if not steps:
        return _svg(label, "", height=40)
    row = 30
    height = row * len(steps) + 4
    first = steps[0][1] or 1
    body = []
    for n, (name, count) in enumerate(steps):
        width = max(2.0, (WIDTH - 20) * count / first)
        y = 2 + n * row
        body.append(f'<rect class="chart-bar chart-series-{1 + n % 2}" x="{(WIDTH - width) / 2:.1f}" y="{y}" '
                    f'width="{width:.1f}" height="{row - 4}"/>'
                    f'<text class="chart-label chart-label-on-bar" x="{WIDTH / 2}" y="{y + 18}" text-anchor="middle">'
                    f'{escape(name)}: {count} ({100 * count / first:.0f}%)</text>')
    return _svg(label, "".join(body), height=height)
