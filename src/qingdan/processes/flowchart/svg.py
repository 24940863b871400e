"""Standalone SVG rendering of a `Layout`.

The SVG has no external assets (no fonts, images or stylesheets to fetch), so it can be saved,
mailed or embedded in a page as is. Text is escaped; a label such as `<script>` is drawn as text.
The output depends only on the layout, so the same process always gives the same bytes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .layout import Layout, Marker, NodeBox, TextLine

FONT_FAMILY = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', SimSun, 'Microsoft YaHei', sans-serif"
RISK_COLORS = {"高": "#c62828", "中": "#e65100", "低": "#2e7d32"}
STROKE = "#37474f"
LANE_STROKE = "#90a4ae"
HEADER_FILL = "#eceff1"
LEGEND_WIDTH = 600.0

# Characters that may not appear in XML 1.0 at all (controls, lone surrogates, U+FFFE/FFFF).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@lru_cache(maxsize=16384)
def escape_xml(text: str) -> str:
    """Escape for XML text and attribute values; drop characters XML cannot carry."""
    if _INVALID_XML.search(text):
        text = _INVALID_XML.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _text(line: TextLine, extra: str = "", dx: float = 0.0, dy: float = 0.0) -> str:
    anchor = ' text-anchor="middle"' if line.anchor == "middle" else ""
    return (
        f'<text x="{line.x - dx:.1f}" y="{line.y - dy:.1f}" font-size="{line.size:g}"{anchor}{extra}>'
        f"{escape_xml(line.text)}</text>"
    )


def _shape(n: NodeBox) -> str:
    """The node's outline, drawn in its own coordinates (top left corner at 0,0)."""
    w, h = n.w, n.h
    stroke = RISK_COLORS.get(n.risk_level or "", STROKE)
    width = "1.6" if n.risk_level == "高" else "1.2"
    paint = f'fill="#ffffff" stroke="{stroke}" stroke-width="{width}"'
    if n.shape == "terminal":
        return f'<rect width="{w:.1f}" height="{h:.1f}" rx="{h / 2:.1f}" {paint}/>'
    if n.shape == "decision":
        return (
            f'<polygon points="{w / 2:.1f},0 {w:.1f},{h / 2:.1f} {w / 2:.1f},{h:.1f} '
            f'0,{h / 2:.1f}" {paint}/>'
        )
    if n.shape == "bar":
        return f'<rect width="{w:.1f}" height="{h:.1f}" fill="{STROKE}" stroke="none"/>'
    return f'<rect width="{w:.1f}" height="{h:.1f}" rx="2" {paint}/>'


def _marker(m: Marker, dx: float, dy: float) -> str:
    x, y = m.x - dx, m.y - dy
    base = y + m.h / 2 + 3.6
    mid = x + m.w / 2
    box = f'<rect x="{x:.1f}" y="{y:.1f}" width="{m.w:.1f}" height="{m.h:.1f}" rx="3" '
    if m.kind == "risk":
        color = RISK_COLORS.get(m.level or "", STROKE)
        return (
            f'{box}fill="{color}"/><text x="{mid:.1f}" y="{base:.1f}" font-size="10" '
            f'text-anchor="middle" fill="#ffffff">{escape_xml(m.text)}</text>'
        )
    return (
        f'{box}fill="#e3f2fd" stroke="#1565c0" stroke-width="0.6"/><text x="{mid:.1f}" '
        f'y="{base:.1f}" font-size="10" text-anchor="middle" fill="#0d47a1">'
        f"{escape_xml(m.text)}</text>"
    )


# Node groups are drawn in the node's own coordinates and placed with a translate. What is inside
# depends only on the key below (the layout puts node corners on a half-pixel grid and text at
# dyadic offsets, so the offsets are exact), so the markup is built once per distinct step.
_GROUPS: dict[tuple, str] = {}
_GROUPS_MAX = 50_000


def _node_group(n: NodeBox) -> str:
    key = (n.kind, n.shape, n.w, n.h, n.label, n.time_limit_days, n.risk_level, len(n.lines))
    inner = _GROUPS.get(key)
    if inner is None:
        parts = [f"<title>{_tooltip(n)}</title>", _shape(n)]
        parts.extend(_text(line, "", n.x, n.y) for line in n.lines)
        parts.extend(_marker(m, n.x, n.y) for m in n.markers)
        inner = "".join(parts)
        if len(_GROUPS) >= _GROUPS_MAX:
            _GROUPS.clear()
        _GROUPS[key] = inner
    return f'<g transform="translate({n.x:.1f},{n.y:.1f})">{inner}</g>'


def _days(days: float) -> str:
    return str(int(days)) if float(days).is_integer() else f"{days:g}"


def _tooltip(n: NodeBox) -> str:
    return _tooltip_text(n.label, n.time_limit_days, n.risk_level)


@lru_cache(maxsize=16384)
def _tooltip_text(label: str, days: float | None, risk: str | None) -> str:
    extra = []
    if days is not None:
        extra.append(f"时限{_days(days)}个工作日")
    if risk:
        extra.append(f"风险点·{risk}")
    if not extra:
        return escape_xml(label)
    return escape_xml(label + "（" + "；".join(extra) + "）")


def render_svg(layout: Layout, *, id_prefix: str = "qd", legend: bool = False) -> str:
    """Render `layout` as a standalone SVG document (UTF-8 text, no XML declaration).

    `id_prefix` keeps element ids unique when several charts are inlined in one HTML page.
    `legend` adds a key to the shapes and markers below the chart.
    """
    pid = re.sub(r"[^A-Za-z0-9_-]", "", id_prefix) or "qd"
    height = layout.height
    # The key needs about 600 px; a narrow chart gets a wider canvas rather than a cut-off key.
    width = max(layout.width, LEGEND_WIDTH) if legend else layout.width
    total_h = height + (34.0 if legend else 0.0)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width:.1f}" '
        f'height="{total_h:.1f}" viewBox="0 0 {width:.1f} {total_h:.1f}" '
        f'font-family="{FONT_FAMILY}" role="img" aria-labelledby="{pid}-title">',
        f'<title id="{pid}-title">{escape_xml(layout.title)}</title>',
        f'<defs><marker id="{pid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,1L10,5L0,9z" fill="{STROKE}"/></marker></defs>',
        f'<rect width="{width:.1f}" height="{total_h:.1f}" fill="#ffffff"/>',
    ]
    append = out.append
    for line in layout.title_lines:
        append(_text(line, ' font-weight="bold"'))
    append('<g class="lanes">')
    for lane in layout.lanes:
        append(
            f'<rect x="{lane.x:.1f}" y="{lane.y:.1f}" width="{lane.w:.1f}" height="{lane.h:.1f}" '
            f'fill="none" stroke="{LANE_STROKE}"/>'
            f'<rect x="{lane.x:.1f}" y="{lane.y:.1f}" width="{lane.w:.1f}" '
            f'height="{lane.header_h:.1f}" fill="{HEADER_FILL}" stroke="{LANE_STROKE}"/>'
        )
        for line in lane.header_lines:
            append(_text(line, ' font-weight="bold"'))
    append(f'</g><g class="edges" fill="none" stroke="{STROKE}" stroke-width="1.2">')
    arrow = f' marker-end="url(#{pid}-arrow)"/>'
    for edge in layout.edges:
        pts = edge.points
        if len(pts) < 2:
            continue
        d = "L".join([f"{x:.1f},{y:.1f}" for x, y in pts])
        dash = ' stroke-dasharray="5 3"' if edge.back else ""
        append(f'<path d="M{d}"{dash}{arrow}')
    append('</g><g class="edge-labels" font-size="11" fill="#263238">')
    for edge in layout.edges:
        if edge.label_box is None:
            continue
        x, y, w, h = edge.label_box
        append(
            f"<g><title>{escape_xml(edge.label)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            'fill="#ffffff" fill-opacity="0.85"/>'
        )
        for line in edge.label_lines:
            append(_text(line))
        append("</g>")
    append('</g><g class="nodes" font-size="12" fill="#212121">')
    for node in layout.nodes:
        append(_node_group(node))
    append("</g>")
    if legend:
        append(_legend(height))
    append("</svg>")
    return "".join(out)


def _legend(top: float) -> str:
    """A one-line key: shapes, risk colours and the time-limit pill."""
    y = top + 6

    def terminal(x: float) -> str:
        return (
            f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="28" height="14" rx="7" fill="#fff" '
            f'stroke="{STROKE}"/>'
        )

    def process(x: float) -> str:
        return (
            f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="28" height="14" fill="#fff" '
            f'stroke="{STROKE}"/>'
        )

    def decision(x: float) -> str:
        return (
            f'<polygon points="{x + 14:.1f},{y + 2:.1f} {x + 28:.1f},{y + 11:.1f} '
            f'{x + 14:.1f},{y + 20:.1f} {x:.1f},{y + 11:.1f}" fill="#fff" stroke="{STROKE}"/>'
        )

    def bar(x: float) -> str:
        return f'<rect x="{x:.1f}" y="{y + 8:.1f}" width="28" height="5" fill="{STROKE}"/>'

    parts = ['<g class="legend" font-size="10" fill="#212121">']
    x = 8.0
    for caption, draw in (
        ("开始/结束", terminal),
        ("办理环节", process),
        ("判断", decision),
        ("并行", bar),
    ):
        parts.append(draw(x))
        parts.append(f'<text x="{x + 32:.1f}" y="{y + 15:.1f}">{caption}</text>')
        x += 46 + len(caption) * 10
    for level, color in RISK_COLORS.items():
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="58" height="13" rx="3" fill="{color}"/>'
            f'<text x="{x + 29:.1f}" y="{y + 14:.1f}" text-anchor="middle" fill="#fff">'
            f"风险点·{level}</text>"
        )
        x += 64
    parts.append(
        f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="70" height="13" rx="3" fill="#e3f2fd" '
        f'stroke="#1565c0" stroke-width="0.6"/><text x="{x + 35:.1f}" y="{y + 14:.1f}" '
        'text-anchor="middle" fill="#0d47a1">≤N个工作日</text>'
    )
    parts.append("</g>")
    return "".join(parts)
