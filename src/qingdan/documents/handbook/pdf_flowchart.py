"""A flowchart ``Layout`` drawn as vector graphics on a reportlab canvas (for the PDF handbook).

Same picture as the SVG and the Word drawing: lanes with filled headers, GB/T 1526 shapes, the
routed orthogonal flows with arrowheads (dashed when looping back), condition labels, and the
time-limit and risk-point pills. Coordinates and line breaks all come from the layout; text is
drawn in the embedded CJK font, so it renders on a machine with no Chinese fonts.
"""

from __future__ import annotations

import math
from typing import Any

from reportlab.lib.colors import HexColor, white
from reportlab.platypus import Flowable

from qingdan.processes.flowchart.drawingml import drawing_scale
from qingdan.processes.flowchart.layout import Layout, NodeBox, TextLine
from qingdan.processes.flowchart.plan import TITLE_LINE_H
from qingdan.processes.flowchart.svg import HEADER_FILL, LANE_STROKE, RISK_COLORS, STROKE

from .pdf_grid import Measure, RawText

PT_PER_MM = 72 / 25.4
INK = HexColor(STROKE)
LANE = HexColor(LANE_STROKE)
HEADER = HexColor(HEADER_FILL)
TIME_FILL, TIME_STROKE, TIME_TEXT = HexColor("#e3f2fd"), HexColor("#1565c0"), HexColor("#0d47a1")
TEXT = HexColor("#212121")
RISK = {level: HexColor(color) for level, color in RISK_COLORS.items()}


class FlowchartFlowable(Flowable):
    """A laid-out chart scaled to fit ``max_w`` × ``max_h`` points (title left to the caption)."""

    def __init__(
        self, layout: Layout, max_w: float, max_h: float, font: str, measure: Measure | None = None
    ) -> None:
        super().__init__()
        self.layout = layout
        self.font = font
        self.measure = measure or Measure(font)
        self.y0 = len(layout.title_lines) * TITLE_LINE_H + 6.0 if layout.title_lines else 0.0
        mm_per_px = drawing_scale(
            layout, max_width_mm=max_w / PT_PER_MM, max_height_mm=max_h / PT_PER_MM, title=False
        )
        self.k = mm_per_px * PT_PER_MM  # points per layout px
        self.width = layout.width * self.k
        self.height = (layout.height - self.y0) * self.k
        self.hAlign = "CENTER"

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    # px → points, y flipped (PDF's origin is at the bottom left)
    def X(self, x: float) -> float:
        return x * self.k

    def Y(self, y: float) -> float:
        return self.height - (y - self.y0) * self.k

    def draw(self) -> None:
        """Shapes first, then the text of each layer in one text object (nothing overlaps: the
        layout keeps labels, steps and their markers apart)."""
        c = self.canv
        c.saveState()
        c.setLineJoin(1)
        for lane in self.layout.lanes:
            self._rect(lane.x, lane.y, lane.w, lane.h, stroke=LANE, width=1.0)
            self._rect(lane.x, lane.y, lane.w, lane.header_h, stroke=LANE, fill=HEADER, width=1.0)
            for line in lane.header_lines:
                self._text(line, bold=True)
        ops = _Ops()
        ops.stroke(INK)
        ops.fill(INK)
        ops.width(self._width(1.2))
        for edge in self.layout.edges:
            self._edge(ops, edge.points, edge.back)
        ops.draw(c)
        labelled = [e for e in self.layout.edges if e.label_box is not None]
        if labelled:
            c.saveState()
            c.setFillColor(white)
            c.setFillAlpha(0.85)
            for edge in labelled:
                x, y, w, h = edge.label_box  # type: ignore[misc]
                c.rect(self.X(x), self.Y(y + h), w * self.k, h * self.k, stroke=0, fill=1)
            c.restoreState()
            text = _Text(self, c)
            for edge in labelled:
                for line in edge.label_lines:
                    text.line(line)
            text.draw()
        ops = _Ops()
        for node in self.layout.nodes:
            self._node(ops, node)
        ops.draw(c)
        text = _Text(self, c)
        for node in self.layout.nodes:
            for line in node.lines:
                text.line(line)
            for m in node.markers:
                size = 10.0 * self.k
                mx, my, mw, mh = self.X(m.x), self.Y(m.y + m.h), m.w * self.k, m.h * self.k
                color = white if m.kind == "risk" else TIME_TEXT
                text.centred(m.text, mx + mw / 2, my + mh / 2 - size * 0.36, size, color)
        text.draw()
        c.restoreState()

    def _width(self, px: float) -> float:
        return max(0.5, px * self.k)

    def _rect(
        self, x: float, y: float, w: float, h: float, *, stroke: Any, fill: Any = None, width: float
    ) -> None:
        c = self.canv
        c.setStrokeColor(stroke)
        c.setLineWidth(self._width(width))
        if fill is not None:
            c.setFillColor(fill)
        c.rect(
            self.X(x), self.Y(y + h), w * self.k, h * self.k, stroke=1, fill=int(fill is not None)
        )

    def _text(self, line: TextLine, *, bold: bool = False, color: Any = None) -> None:
        c = self.canv
        size = line.size * self.k
        c.setFont(self.font, size)
        c.setFillColor(color or TEXT)
        if bold:
            # The embedded face has no bold; fill and stroke the glyphs to thicken them.
            c.setStrokeColor(color or TEXT)
            c.setLineWidth(size * 0.03)
            text = c.beginText()
            text.setTextRenderMode(2)
            text.setFont(self.font, size)
            width = c.stringWidth(line.text, self.font, size)
            x = self.X(line.x) - (width / 2 if line.anchor == "middle" else 0)
            text.setTextOrigin(x, self.Y(line.y))
            text.textOut(line.text)
            # Back to plain fill: the mode is graphics state and would outline every later
            # label in the current stroke colour (labels are regular, as in the SVG).
            text.setTextRenderMode(0)
            c.drawText(text)
            return
        if line.anchor == "middle":
            c.drawCentredString(self.X(line.x), self.Y(line.y), line.text)
        else:
            c.drawString(self.X(line.x), self.Y(line.y), line.text)

    def _edge(self, ops: _Ops, points: tuple[tuple[float, float], ...], back: bool) -> None:
        if len(points) < 2:
            return
        k = self.k
        pts = [(self.X(x), self.Y(y)) for x, y in points]
        # Stop the line at the arrow's base so its end does not poke through the arrowhead.
        (ax, ay), (bx, by) = pts[-2], pts[-1]
        length = math.hypot(bx - ax, by - ay) or 1.0
        head = max(2.5, 8.0 * k)
        ux, uy = (bx - ax) / length, (by - ay) / length
        base = (bx - ux * head, by - uy * head)
        if back:
            ops.dash(4 * k + 1, 2.5 * k + 1)
        ops.poly([*pts[:-1], base], "S")
        if back:
            ops.dash()
        half = head * 0.4
        arrow = [
            (bx, by),
            (base[0] - uy * half, base[1] + ux * half),
            (base[0] + uy * half, base[1] - ux * half),
        ]
        ops.poly(arrow, "f*", close=True)

    def _node(self, ops: _Ops, n: NodeBox) -> None:
        """The step's shape and its marker pills (their text comes with the step's label)."""
        k = self.k
        x, y, w, h = self.X(n.x), self.Y(n.y + n.h), n.w * k, n.h * k
        if n.shape == "bar":
            ops.fill(INK)
            ops.rect(x, y, w, h, "f*")
            return
        ops.stroke(RISK.get(n.risk_level or "", INK))
        ops.fill(white)
        ops.width(self._width(1.6 if n.risk_level == "高" else 1.2))
        if n.shape == "terminal":
            ops.round_rect(x, y, w, h, h / 2, "B*")
        elif n.shape == "decision":
            diamond = [(x + w / 2, y + h), (x + w, y + h / 2), (x + w / 2, y), (x, y + h / 2)]
            ops.poly(diamond, "B*", close=True)
        else:
            ops.round_rect(x, y, w, h, 2 * k, "B*")
        for m in n.markers:
            mx, my, mw, mh = self.X(m.x), self.Y(m.y + m.h), m.w * k, m.h * k
            if m.kind == "risk":
                ops.fill(RISK.get(m.level or "", INK))
                ops.round_rect(mx, my, mw, mh, 3 * k, "f*")
            else:
                ops.fill(TIME_FILL)
                ops.stroke(TIME_STROKE)
                ops.width(max(0.3, 0.6 * k))
                ops.round_rect(mx, my, mw, mh, 3 * k, "B*")


class _Ops:
    """Path operators of one layer of a chart, written as PDF text and added in one piece (the
    shapes of ``canvas.rect``/``roundRect``/``drawPath``, without a call and a path object per
    shape). Used inside the chart's saveState/restoreState, as it sets colours and widths."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self._stroke: Any = None
        self._fill: Any = None
        self._width: float | None = None

    def stroke(self, color: Any) -> None:
        if color is not self._stroke:
            self.out.append(f"{color.red:.3f} {color.green:.3f} {color.blue:.3f} RG")
            self._stroke = color

    def fill(self, color: Any) -> None:
        if color is not self._fill:
            self.out.append(f"{color.red:.3f} {color.green:.3f} {color.blue:.3f} rg")
            self._fill = color

    def width(self, w: float) -> None:
        if w != self._width:
            self.out.append(f"{w:.3f} w")
            self._width = w

    def dash(self, on: float = 0.0, off: float = 0.0) -> None:
        self.out.append(f"[{on:.3f} {off:.3f}] 0 d" if on else "[] 0 d")

    def rect(self, x: float, y: float, w: float, h: float, op: str) -> None:
        self.out.append(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re {op}")

    def poly(self, pts: list[tuple[float, float]], op: str, *, close: bool = False) -> None:
        (x0, y0), rest = pts[0], pts[1:]
        line = " ".join(f"{x:.3f} {y:.3f} l" for x, y in rest)
        self.out.append(f"{x0:.3f} {y0:.3f} m {line}{' h' if close else ''} {op}")

    def round_rect(self, x: float, y: float, w: float, h: float, r: float, op: str) -> None:
        """reportlab's ``roundRect``: quadrants as Béziers with the factor 0.4472."""
        t = 0.4472 * r
        x0, x1, y0, y1 = x, x + w, y, y + h
        self.out.append(
            f"{x0 + r:.3f} {y0:.3f} m {x1 - r:.3f} {y0:.3f} l "
            f"{x1 - t:.3f} {y0:.3f} {x1:.3f} {y0 + t:.3f} {x1:.3f} {y0 + r:.3f} c "
            f"{x1:.3f} {y1 - r:.3f} l "
            f"{x1:.3f} {y1 - t:.3f} {x1 - t:.3f} {y1:.3f} {x1 - r:.3f} {y1:.3f} c "
            f"{x0 + r:.3f} {y1:.3f} l "
            f"{x0 + t:.3f} {y1:.3f} {x0:.3f} {y1 - t:.3f} {x0:.3f} {y1 - r:.3f} c "
            f"{x0:.3f} {y0 + r:.3f} l "
            f"{x0:.3f} {y0 + t:.3f} {x0 + t:.3f} {y0:.3f} {x0 + r:.3f} {y0:.3f} c h {op}"
        )

    def draw(self, canvas: Any) -> None:
        if self.out:
            canvas.addLiteral("\n".join(self.out))


class _Text:
    """The text of one layer of a chart, in one PDF text block."""

    def __init__(self, chart: FlowchartFlowable, canvas: Any) -> None:
        self.chart = chart
        self.raw = RawText(canvas, chart.measure)
        self.width = chart.measure.width

    def line(self, line: TextLine) -> None:
        ch = self.chart
        size = line.size * ch.k
        x = ch.X(line.x)
        if line.anchor == "middle":
            x -= self.width(line.text, size) / 2
        self.at(line.text, x, ch.Y(line.y), size, TEXT)

    def centred(self, text: str, x: float, y: float, size: float, color: Any) -> None:
        self.at(text, x - self.width(text, size) / 2, y, size, color)

    def at(self, text: str, x: float, y: float, size: float, color: Any) -> None:
        self.raw.color(color)
        self.raw.show(text, x, y, size)

    def draw(self) -> None:
        self.raw.draw()
