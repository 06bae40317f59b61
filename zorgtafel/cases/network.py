"""The links of a case as a small network picture: server-rendered SVG, no script, with
the same links listed as text beside it for screen readers."""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, RADIUS = 360, 240, 90


def network_svg(case, links) -> Markup:
    """``links``: [(link, other case, visible)] — an invisible case shows without reference."""
    from zorgtafel.cases.relations import LINK_KINDS

    cx, cy = WIDTH / 2, HEIGHT / 2
    parts = [f'<svg class="network" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="netwerk-titel" xmlns="http://www.w3.org/2000/svg">',
             '<title id="netwerk-titel">Verbanden van deze casus</title>']
    count = max(len(links), 1)
    nodes = []
    for i, (link, other, visible) in enumerate(links):
        angle = 2 * math.pi * i / count - math.pi / 2
        x, y = cx + RADIUS * 1.5 * math.cos(angle), cy + RADIUS * math.sin(angle)
        label = other.reference if visible else "andere casus"
        kind = LINK_KINDS.get(link.kind, (link.kind,))[0]
        parts.append(f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{x:.0f}" y2="{y:.0f}" stroke="#4a4a4a" stroke-width="2"/>')
        mx, my = (cx + x) / 2, (cy + y) / 2
        parts.append(f'<text x="{mx:.0f}" y="{my - 4:.0f}" font-size="10" fill="#1b1b1b" text-anchor="middle">'
                     f'{escape(kind)}</text>')
        nodes.append((x, y, label, False))
    nodes.append((cx, cy, case.reference, True))
    for x, y, label, centre in nodes:
        fill = "#0b4f6c" if centre else "#ffffff"
        ink = "#ffffff" if centre else "#1b1b1b"
        parts.append(f'<rect x="{x - 52:.0f}" y="{y - 13:.0f}" width="104" height="26" rx="4" fill="{fill}" '
                     f'stroke="#0b4f6c" stroke-width="2"/>')
        parts.append(f'<text x="{x:.0f}" y="{y + 4:.0f}" font-size="11" fill="{ink}" text-anchor="middle" '
                     f'font-family="monospace">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
