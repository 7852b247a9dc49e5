"""Training curves as small inline SVG: no chart library, no script, colours from the site's CSS."""
from __future__ import annotations

from html import escape

from book import TAGS

WIDTH, HEIGHT = 680, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
Y_MIN, Y_MAX = -0.1, 1.1
LABELS = {"train_loss": "train_loss（损失）", "out_0": "out_0（公司 A 的预测）", "out_1": "out_1（公司 B 的预测）"}


def _x(step: int, last: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * step / last


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (Y_MAX - value) / (Y_MAX - Y_MIN)


def _nice_steps(last: int) -> list[int]:
    for unit in (100, 200, 500, 1000, 2000, 5000):
        if last / unit <= 6:
            return list(range(0, last + 1, unit))
    return [0, last]


def render(rows: list[dict], title: str, caption: str, marker: tuple[int, str] | None = None) -> str:
    """A <figure> with one SVG line chart of train_loss, out_0 and out_1 against step."""
    last = max(r["step"] for r in rows)
    outside = [f"{tag}={r[tag]:g} at step {r['step']}" for r in rows for tag in TAGS
               if tag in r and not Y_MIN <= r[tag] <= Y_MAX]
    if outside:  # drawn clamped, the curve would lie; a wider axis is a decision for the page
        raise ValueError(f"{title}: values outside the chart's range [{Y_MIN}, {Y_MAX}]: {outside[:3]}")
    parts = [
        f'<svg class="training-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{{id}}-t {{id}}-d">',
        f'<title id="{{id}}-t">{escape(title)}</title>',
        f'<desc id="{{id}}-d">{escape(caption)}</desc>',
    ]
    for value in (0, 0.5, 1):
        y = _y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    for step in _nice_steps(last):
        x = _x(step, last)
        parts.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{step}</text>')
    parts.append(f'<text class="axis" x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 8}" text-anchor="middle">训练步数（step）</text>')
    parts.append(f'<text class="axis" transform="translate(14 {(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)" text-anchor="middle">数值</text>')
    if marker:
        x = _x(marker[0], last)
        parts.append(f'<line class="marker" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>')
        parts.append(f'<text class="tick" x="{x + 4:.1f}" y="{TOP + 12}">{escape(marker[1])}</text>')
    for tag in TAGS:
        points = " ".join(f"{_x(r['step'], last):.1f},{_y(r[tag]):.1f}" for r in rows if tag in r)
        parts.append(f'<polyline class="series {tag}" points="{points}"/>')
    parts.append("</svg>")
    chart_id = "chart-" + "".join(c for c in title if c.isalnum() and c.isascii()).lower()[:24]
    legend = "".join(f'<span class="legend {tag}">{escape(LABELS[tag])}</span>' for tag in TAGS)
    final = rows[-1]
    summary = "，".join(f"{t} = {final[t]:.4f}" for t in TAGS if t in final)
    return (
        '<figure class="training-chart" markdown="0">\n'
        + "\n".join(parts).replace("{id}", chart_id)
        + f'\n<figcaption><strong>{escape(title)}</strong> {legend}<br>{escape(caption)}'
        + f"最后一个记录点（step {final['step']}）：{escape(summary)}。</figcaption>\n</figure>\n"
    )
