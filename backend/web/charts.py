"""Charts as inline SVG drawn on the server: no script and no outside service (county intranets, SPEC §9)."""

from __future__ import annotations

from django.utils.html import escape

ROW = 26
LABEL_W = 110
BAR_W = 200
VALUE_W = 70


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:g}{unit}"


def bars(rows, *, title: str = "", unit: str = "", max_value=None, highlight_below=None) -> str:
    """Horizontal bars, one per (label, value); values below `highlight_below` are drawn as warnings.

    The SVG scales to its container (viewBox), so it reads on a phone and on a desk screen.
    """
    rows = [(str(label), float(value or 0)) for label, value in rows]
    top = max([max_value or 0] + [v for _, v in rows]) or 1
    width = LABEL_W + BAR_W + VALUE_W
    height = max(len(rows), 1) * ROW + 8
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    if not rows:
        parts.append('<text x="0" y="18" class="chart-empty">暂无数据</text>')
    for i, (label, value) in enumerate(rows):
        y = i * ROW + 4
        w = round(BAR_W * value / top, 1)
        low = highlight_below is not None and value < highlight_below
        parts.append(
            f'<g class="bar{" low" if low else ""}" data-label="{escape(label)}" data-value="{value:g}">'
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end">{escape(label[:9])}</text>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{w}" height="{ROW - 10}" rx="2"/>'
            f'<text x="{LABEL_W + w + 4}" y="{y + 15}" class="v">{escape(_fmt(value, unit))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
