"""Word drawing (DrawingML) of a laid-out flowchart, editable by a clerk in Word or WPS.

`drawing_xml(layout)` turns a `Layout` into one `<w:drawing>` holding an inline group (wpg) of real
Word shapes, all positioned in EMU from the layout's coordinates and scaled to the text width of an
A4 公文 page (156 mm, GB/T 9704-2012), so nothing is measured or decided here:

- each swimlane (泳道) is a rectangle, with its header as a filled text box on top of it;
- each step (环节) is a shape with the step's wrapped label inside it — a stadium (roundRect) for
  start/end, a rectangle for an action, a diamond for a decision, a filled bar for a parallel
  gateway — and its time limit and risk point as shaded runs under the label, so moving or editing
  the step keeps them together;
- each flow (流转) is one line with an arrowhead: a straight connector when the layout routed it
  as one segment, otherwise a freeform polyline through the layout's orthogonal points (Word's
  elbow connectors cannot follow an arbitrary route); loops back (退回/补正) are dashed;
- condition labels (是/否) are small text boxes where the layout put them.

Shapes are named (环节：…, 泳道：…, 连线：…) so a clerk sees what they select, and every piece of
text is escaped. Pure Python: the python-docx helper `add_flowchart` imports python-docx lazily.
"""

from __future__ import annotations

from typing import Any

from .layout import PRINT_MM_PER_PX, Layout, Marker, NodeBox, TextLine
from .plan import EDGE_LINE_H, HEADER_LINE_H, LINE_H, MARGIN, MARK_H, TITLE_LINE_H
from .svg import HEADER_FILL, LANE_STROKE, RISK_COLORS, STROKE, escape_xml

# The 版心 of a 公文 page (GB/T 9704-2012): 156 x 225 mm.
GONGWEN_TEXT_MM = (156.0, 225.0)
EMU_PER_MM = 36_000
PT_PER_MM = 72 / 25.4
TWIPS_PER_MM = 1440 / 25.4

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wpg": "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
}
GROUP_URI = NS["wpg"]
NS_DECL = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())

# Labels print in a plain CJK face; the document's own 仿宋 is too thin at 6–7 pt.
LABEL_FONT_EAST_ASIA = "宋体"
LABEL_FONT_LATIN = "Arial"
TIME_FILL, TIME_TEXT = "E3F2FD", "0D47A1"
MAX_NAME = 250


def _name(text: str) -> str:
    """A shape name for an attribute: capped (Word's limit is 255), then escaped — capping the
    escaped text could cut an entity such as ``&amp;`` in half and break the document."""
    return escape_xml(text[:MAX_NAME])


def _hex(color: str) -> str:
    return color.lstrip("#").upper()


class _Scale:
    """px → EMU / points / twips for one drawing, with the vertical offset of a cropped title."""

    def __init__(self, mm_per_px: float, y0: float) -> None:
        self.mm = mm_per_px
        self.y0 = y0
        self.emu_per_px = mm_per_px * EMU_PER_MM

    def x(self, px: float) -> int:
        return round(px * self.emu_per_px)

    def y(self, px: float) -> int:
        return round((px - self.y0) * self.emu_per_px)

    def len(self, px: float) -> int:
        return max(0, round(px * self.emu_per_px))

    def half_points(self, px: float) -> int:
        """Font size in half-points, rounded down so text never outgrows the layout's boxes."""
        return max(2, int(px * self.mm * PT_PER_MM * 2))

    def twips(self, px: float) -> int:
        return max(20, round(px * self.mm * TWIPS_PER_MM))


def drawing_scale(
    layout: Layout,
    *,
    max_width_mm: float = GONGWEN_TEXT_MM[0],
    max_height_mm: float = GONGWEN_TEXT_MM[1],
    title: bool = True,
) -> float:
    """mm per layout px: the print scale (0.2 mm/px), or smaller so the chart fits the box."""
    height = layout.height - _title_offset(layout, title)
    if layout.width <= 0 or height <= 0:
        return PRINT_MM_PER_PX
    return min(PRINT_MM_PER_PX, max_width_mm / layout.width, max_height_mm / height)


def drawing_size_mm(layout: Layout, **kwargs: Any) -> tuple[float, float]:
    """Printed width and height of the drawing in mm (same keywords as `drawing_xml`)."""
    title = kwargs.get("title", True)
    scale = drawing_scale(
        layout,
        max_width_mm=kwargs.get("max_width_mm", GONGWEN_TEXT_MM[0]),
        max_height_mm=kwargs.get("max_height_mm", GONGWEN_TEXT_MM[1]),
        title=title,
    )
    return layout.width * scale, (layout.height - _title_offset(layout, title)) * scale


def _title_offset(layout: Layout, title: bool) -> float:
    """Height cut from the top when the chart's own title is left out (the document has one)."""
    if title or not layout.title_lines:
        return 0.0
    return len(layout.title_lines) * TITLE_LINE_H + 6.0


# --- text ----------------------------------------------------------------------------------------


def _run(
    text: str,
    size: int,
    *,
    bold: bool = False,
    color: str | None = None,
    fill: str | None = None,
) -> str:
    props = [
        f'<w:rFonts w:ascii="{LABEL_FONT_LATIN}" w:hAnsi="{LABEL_FONT_LATIN}" '
        f'w:eastAsia="{LABEL_FONT_EAST_ASIA}" w:cs="{LABEL_FONT_LATIN}"/>'
    ]
    if bold:
        props.append("<w:b/><w:bCs/>")
    if color:
        props.append(f'<w:color w:val="{color}"/>')
    props.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if fill:
        props.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
    props.append('<w:lang w:val="en-US" w:eastAsia="zh-CN"/>')
    return (
        f"<w:r><w:rPr>{''.join(props)}</w:rPr>"
        f'<w:t xml:space="preserve">{escape_xml(text)}</w:t></w:r>'
    )


def _para(runs: str, line_twips: int, align: str = "center") -> str:
    # Every property the document's Normal style might set (公文 exact 28.95 pt spacing, a 2-char
    # first-line indent, snapping to the document grid) is reset here, or labels would not fit.
    return (
        '<w:p><w:pPr><w:snapToGrid w:val="0"/>'
        f'<w:spacing w:before="0" w:after="0" w:line="{line_twips}" w:lineRule="exact"/>'
        f'<w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr>'
        f"{runs}</w:p>"
    )


def _lines(
    lines: tuple[TextLine, ...], s: _Scale, line_h: float, *, bold: bool = False, align: str = ""
) -> list[str]:
    out = []
    for line in lines:
        jc = align or ("center" if line.anchor == "middle" else "left")
        out.append(_para(_run(line.text, s.half_points(line.size), bold=bold), s.twips(line_h), jc))
    return out


def _marker_run(m: Marker, s: _Scale) -> str:
    size = s.half_points(10.0)
    # A space either side gives the shaded run the look of the SVG's pill.
    text = f" {m.text} "
    if m.kind == "risk":
        return _run(text, size, color="FFFFFF", fill=_hex(RISK_COLORS.get(m.level or "", STROKE)))
    return _run(text, size, color=TIME_TEXT, fill=TIME_FILL)


def _node_paragraphs(n: NodeBox, s: _Scale) -> str:
    parts = _lines(n.lines, s, LINE_H)
    if n.markers:
        line = s.twips(MARK_H + 2.0)
        stacked = len(n.markers) > 1 and n.markers[0].y != n.markers[1].y
        if stacked:
            parts.extend(_para(_marker_run(m, s), line) for m in n.markers)
        else:
            gap = _run(" ", s.half_points(10.0))
            parts.append(_para(gap.join(_marker_run(m, s) for m in n.markers), line))
    return "".join(parts)


# --- shapes --------------------------------------------------------------------------------------


def _xfrm(s: _Scale, x: float, y: float, w: float, h: float, extra: str = "") -> str:
    return (
        f'<a:xfrm{extra}><a:off x="{s.x(x)}" y="{s.y(y)}"/>'
        f'<a:ext cx="{s.len(w)}" cy="{s.len(h)}"/></a:xfrm>'
    )


def _geom(preset: str, adj: int | None = None) -> str:
    guide = f'<a:gd name="adj" fmla="val {adj}"/>' if adj is not None else ""
    return f'<a:prstGeom prst="{preset}"><a:avLst>{guide}</a:avLst></a:prstGeom>'


def _fill(color: str | None, alpha: int | None = None) -> str:
    if color is None:
        return "<a:noFill/>"
    a = f'<a:alpha val="{alpha}"/>' if alpha is not None else ""
    return f'<a:solidFill><a:srgbClr val="{_hex(color)}">{a}</a:srgbClr></a:solidFill>'


def _line(s: _Scale, color: str | None, width_px: float = 1.2, extra: str = "") -> str:
    if color is None:
        return "<a:ln><a:noFill/></a:ln>"
    # Never thinner than 0.5 pt on paper, however far the chart was shrunk.
    width = max(6350, s.len(width_px))
    return f'<a:ln w="{width}">{_fill(color)}{extra}</a:ln>'


def _body(anchor: str, *, left: int = 0, top: int = 0, wrap: str = "none") -> str:
    return (
        f'<wps:bodyPr rot="0" vert="horz" wrap="{wrap}" lIns="{left}" tIns="{top}" rIns="0" '
        f'bIns="0" anchor="{anchor}" anchorCtr="0" upright="1"><a:noAutofit/></wps:bodyPr>'
    )


class _Ids:
    def __init__(self, first: int) -> None:
        self.next = first

    def __call__(self) -> int:
        self.next += 1
        return self.next - 1


def _shape(
    ids: _Ids,
    name: str,
    sp_pr: str,
    *,
    text: str = "",
    body: str = "",
    text_box: bool = False,
) -> str:
    nv = '<wps:cNvSpPr txBox="1"/>' if text_box else "<wps:cNvSpPr/>"
    content = f"<wps:txbx><w:txbxContent>{text}</w:txbxContent></wps:txbx>" if text else ""
    return (
        f'<wps:wsp><wps:cNvPr id="{ids()}" name="{_name(name)}"/>{nv}'
        f"<wps:spPr>{sp_pr}</wps:spPr>{content}{body or _body('ctr')}</wps:wsp>"
    )


_NODE_GEOMETRY = {
    "terminal": _geom("roundRect", 50000),
    "decision": _geom("diamond"),
    "bar": _geom("rect"),
    "process": _geom("rect"),
}


def _node(n: NodeBox, s: _Scale, ids: _Ids) -> str:
    geometry = _NODE_GEOMETRY.get(n.shape, _NODE_GEOMETRY["process"])
    if n.shape == "bar":
        sp_pr = _xfrm(s, n.x, n.y, n.w, n.h) + geometry + _fill(STROKE) + _line(s, None)
        return _shape(ids, f"环节：{n.label or '并行'}", sp_pr)
    color = RISK_COLORS.get(n.risk_level or "", STROKE)
    width = 1.6 if n.risk_level == "高" else 1.2
    sp_pr = _xfrm(s, n.x, n.y, n.w, n.h) + geometry + _fill("#ffffff") + _line(s, color, width)
    return _shape(ids, f"环节：{n.label}", sp_pr, text=_node_paragraphs(n, s), body=_body("ctr"))


def _text_box(
    ids: _Ids,
    name: str,
    s: _Scale,
    box: tuple[float, float, float, float],
    paragraphs: list[str],
    *,
    fill: str | None = None,
    alpha: int | None = None,
    line: str | None = None,
    anchor: str = "ctr",
    left_px: float = 0.0,
) -> str:
    x, y, w, h = box
    sp_pr = _xfrm(s, x, y, w, h) + _geom("rect") + _fill(fill, alpha) + _line(s, line, 1.0)
    body = _body(anchor, left=s.len(left_px))
    return _shape(ids, name, sp_pr, text="".join(paragraphs), body=body, text_box=True)


def _connector(
    points: tuple[tuple[float, float], ...], s: _Scale, ids: _Ids, name: str, back: bool
) -> str:
    dash = '<a:prstDash val="dash"/>' if back else ""
    arrow = dash + '<a:tailEnd type="triangle" w="med" len="med"/>'
    xs = [s.x(x) for x, _y in points]
    ys = [s.y(y) for _x, y in points]
    left, top = min(xs), min(ys)
    width, height = max(xs) - left, max(ys) - top
    if len(points) == 2:
        # One segment: a real straight connector; flips give its direction (the arrow's end).
        flips = (' flipH="1"' if xs[1] < xs[0] else "") + (' flipV="1"' if ys[1] < ys[0] else "")
        sp_pr = (
            f'<a:xfrm{flips}><a:off x="{left}" y="{top}"/><a:ext cx="{width}" cy="{height}"/>'
            f"</a:xfrm>{_geom('straightConnector1')}<a:noFill/>{_line(s, STROKE, 1.2, arrow)}"
        )
        return (
            f'<wps:wsp><wps:cNvPr id="{ids()}" name="{_name(name)}"/><wps:cNvCnPr/>'
            f"<wps:spPr>{sp_pr}</wps:spPr><wps:bodyPr/></wps:wsp>"
        )
    # Several segments: a freeform polyline through the routed points, arrow at its end.
    pw, ph = max(width, 1), max(height, 1)
    moves = [f'<a:moveTo><a:pt x="{xs[0] - left}" y="{ys[0] - top}"/></a:moveTo>']
    moves.extend(
        f'<a:lnTo><a:pt x="{x - left}" y="{y - top}"/></a:lnTo>'
        for x, y in zip(xs[1:], ys[1:], strict=True)
    )
    geometry = (
        "<a:custGeom><a:avLst/><a:gdLst/><a:ahLst/><a:cxnLst/>"
        '<a:rect l="0" t="0" r="r" b="b"/>'
        f'<a:pathLst><a:path w="{pw}" h="{ph}" fill="none">{"".join(moves)}</a:path></a:pathLst>'
        "</a:custGeom>"
    )
    sp_pr = (
        f'<a:xfrm><a:off x="{left}" y="{top}"/><a:ext cx="{pw}" cy="{ph}"/></a:xfrm>'
        f"{geometry}<a:noFill/>{_line(s, STROKE, 1.2, arrow)}"
    )
    return (
        f'<wps:wsp><wps:cNvPr id="{ids()}" name="{_name(name)}"/><wps:cNvSpPr/>'
        f"<wps:spPr>{sp_pr}</wps:spPr><wps:bodyPr/></wps:wsp>"
    )


# --- the drawing ---------------------------------------------------------------------------------


def group_xml(
    layout: Layout,
    *,
    max_width_mm: float = GONGWEN_TEXT_MM[0],
    max_height_mm: float = GONGWEN_TEXT_MM[1],
    title: bool = True,
    first_id: int = 1,
) -> tuple[str, int, int, int]:
    """The `<wpg:wgp>` group (no namespace declarations) and its width and height in EMU.

    Returns (xml, cx, cy, next free shape id).
    """
    y0 = _title_offset(layout, title)
    s = _Scale(
        drawing_scale(layout, max_width_mm=max_width_mm, max_height_mm=max_height_mm, title=title),
        y0,
    )
    ids = _Ids(first_id)
    cx, cy = s.len(layout.width), s.len(layout.height - y0)
    parts: list[str] = []
    add = parts.append
    if title and layout.title_lines:
        top = MARGIN
        box = (MARGIN, top, layout.width - 2 * MARGIN, len(layout.title_lines) * TITLE_LINE_H)
        add(_text_box(ids, "标题", s, box, _lines(layout.title_lines, s, TITLE_LINE_H, bold=True)))
    for lane in layout.lanes:
        sp_pr = (
            _xfrm(s, lane.x, lane.y, lane.w, lane.h)
            + _geom("rect")
            + "<a:noFill/>"
            + _line(s, LANE_STROKE, 1.0)
        )
        add(_shape(ids, f"泳道：{lane.name}", sp_pr))
        header = _lines(lane.header_lines, s, HEADER_LINE_H, bold=True, align="center")
        add(
            _text_box(
                ids,
                f"泳道标题：{lane.name}",
                s,
                (lane.x, lane.y, lane.w, lane.header_h),
                header,
                fill=HEADER_FILL,
                line=LANE_STROKE,
            )
        )
    names = {n.id: n.label for n in layout.nodes}
    for edge in layout.edges:
        if len(edge.points) < 2:
            continue
        name = f"连线：{names.get(edge.source, edge.source)}→{names.get(edge.target, edge.target)}"
        add(_connector(edge.points, s, ids, name, edge.back))
    for edge in layout.edges:
        if edge.label_box is None:
            continue
        add(
            _text_box(
                ids,
                f"条件：{edge.label}",
                s,
                edge.label_box,
                _lines(edge.label_lines, s, EDGE_LINE_H),
                fill="#ffffff",
                alpha=85000,
                anchor="t",
                left_px=1.0,
            )
        )
    for node in layout.nodes:
        add(_node(node, s, ids))
        if node.shape == "bar" and node.lines:
            line = node.lines[0]
            box = (line.x, node.y - 4.0, max(20.0, len(line.text) * line.size + 4.0), 13.0)
            add(_text_box(ids, f"说明：{node.label}", s, box, _lines(node.lines, s, 13.0)))
    group = (
        "<wpg:wgp><wpg:cNvGrpSpPr/><wpg:grpSpPr>"
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/>'
        f'<a:chOff x="0" y="0"/><a:chExt cx="{cx}" cy="{cy}"/></a:xfrm>'
        f"</wpg:grpSpPr>{''.join(parts)}</wpg:wgp>"
    )
    return group, cx, cy, ids.next


def drawing_xml(
    layout: Layout,
    *,
    max_width_mm: float = GONGWEN_TEXT_MM[0],
    max_height_mm: float = GONGWEN_TEXT_MM[1],
    title: bool = True,
    docpr_id: int = 1,
    first_shape_id: int = 1,
    declare_namespaces: bool = True,
) -> str:
    """The flowchart as one inline `<w:drawing>` element, ready to go inside a `<w:r>`.

    `docpr_id` must be unique among the drawings of the document (Word repairs the file
    otherwise); `first_shape_id` numbers the shapes inside the group. With
    `declare_namespaces=False` the caller's enclosing element must declare w, wp, a, wps and wpg.
    """
    group, cx, cy, _next = group_xml(
        layout,
        max_width_mm=max_width_mm,
        max_height_mm=max_height_mm,
        title=title,
        first_id=first_shape_id,
    )
    ns = f" {NS_DECL}" if declare_namespaces else ""
    name = _name(f"流程图：{layout.title}")
    return (
        f"<w:drawing{ns}>"
        '<wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{docpr_id}" name="{name}" descr="{name}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{GROUP_URI}">{group}</a:graphicData></a:graphic>'
        "</wp:inline></w:drawing>"
    )


def add_flowchart(paragraph: Any, layout: Layout, **kwargs: Any) -> None:
    """Append the drawing to a python-docx paragraph as a new run (keywords of `drawing_xml`).

    The paragraph should have single (not exact) line spacing, or Word clips the drawing to
    the height of one line.
    """
    from docx.oxml import parse_xml

    run = paragraph.add_run()
    run._r.append(parse_xml(drawing_xml(layout, declare_namespaces=True, **kwargs)))
