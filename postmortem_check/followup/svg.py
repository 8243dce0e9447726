"""Small inline SVG charts: bars for counts, dots joined by a line for values over time. No script, no CDN."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 640, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 16, 16, 56
_PLOT_W, _PLOT_H = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM  # the area inside the axes
_BAR = "#3b6ea8"
_LINE = "#b5542c"


def _scale_max(values: list[float]) -> float:
    top = max(values, default=0) or 1
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if top <= step * 4:
            return float(step * 4)
    return float(top)


def _axes(top: float, title: str, unit: str) -> list[str]:
    parts = [f'<title>{escape(title)}</title>',
             f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{HEIGHT - _BOTTOM}" stroke="#888"/>',
             f'<line x1="{_LEFT}" y1="{HEIGHT - _BOTTOM}" x2="{WIDTH - _RIGHT}" y2="{HEIGHT - _BOTTOM}" '
             f'stroke="#888"/>']
    for tick in range(5):
        value = top * tick / 4
        y = HEIGHT - _BOTTOM - _PLOT_H * tick / 4
        label = f"{value:g}"
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{label}</text>')
        if tick:
            parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}" stroke="#eee"/>')
    if unit:
        parts.append(f'<text x="4" y="{_TOP - 4}" font-size="11">{escape(unit)}</text>')
    return parts


def _label(x: float, text: str, slanted: bool) -> str:
    short = text if len(text) <= 16 else text[:15] + "…"
    y = HEIGHT - _BOTTOM + 14
    turn = f' transform="rotate(-35 {x:.1f} {y})"' if slanted else ""
    anchor = "end" if slanted else "middle"
    return f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" font-size="11"{turn}>{escape(short)}</text>'


def _wrap(parts: list[str], title: str) -> str:
    body = "".join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
            f'class="chart" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'font-family="sans-serif">{body}</svg>')


def empty(title: str) -> str:
    return _wrap([f'<title>{escape(title)}</title>',
                  f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="13" fill="#666">'
                  f'no data</text>'], title)


def bars(title: str, labels: list[str], values: list[float], unit: str = "") -> str:
    """A bar per label; every bar carries its value as a tooltip and as text above it."""
    if not labels:
        return empty(title)
    top = _scale_max(values)
    step = _PLOT_W / len(labels)
    width = max(2.0, step * 0.7)
    slanted = len(labels) > 8 or any(len(label) > 8 for label in labels)
    every = max(1, len(labels) // 24)
    parts = _axes(top, title, unit)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = _LEFT + step * index + (step - width) / 2
        h = _PLOT_H * value / top
        y = HEIGHT - _BOTTOM - h
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                     f'fill="{_BAR}"><title>{escape(label)}: {value:g}</title></rect>')
        if len(labels) <= 24 and value:
            parts.append(f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                         f'font-size="10">{value:g}</text>')
        if index % every == 0:
            parts.append(_label(x + width / 2, label, slanted))
    return _wrap(parts, title)


def series(title: str, labels: list[str], values: list[float], unit: str = "") -> str:
    """Values in order (oldest first), each a dot, joined by a line."""
    if not labels:
        return empty(title)
    top = _scale_max(values)
    step = _PLOT_W / len(labels)
    points = [(_LEFT + step * (i + 0.5), HEIGHT - _BOTTOM - _PLOT_H * v / top) for i, v in enumerate(values)]
    parts = _axes(top, title, unit)
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{_LINE}" stroke-width="1.5"/>')
    every = max(1, len(labels) // 12)
    for index, ((x, y), label, value) in enumerate(zip(points, labels, values, strict=True)):
        parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{_LINE}">'
                     f'<title>{escape(label)}: {value:g}</title></circle>')
        if index % every == 0:
            parts.append(_label(x, label, True))
    return _wrap(parts, title)
