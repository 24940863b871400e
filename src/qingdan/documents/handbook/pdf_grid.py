"""Ruled tables and task cards for the PDF handbook, drawn directly on the canvas.

reportlab's ``Table`` of ``Paragraph`` cells spends most of a handbook's time parsing each cell's
markup and breaking its CJK lines, again and again while the table is sized, split and drawn.
Here each cell's text is broken into lines once, by :class:`Measure` — the same "cut like a
knife between characters" rule as reportlab's CJK word wrap (``textsplit.dumbSplit``, including
its hanging punctuation and its backing off inside Latin words), with glyph widths cached per
character — and a :class:`Grid` draws fills, text and rules with one text object per table.
The geometry is that of the ``Table`` it replaces: cell padding 2/3/3/3 pt, rows as tall as
their tallest cell, text centred vertically, 0.5 pt rules; header rows repeat when a table runs
on to the next page, and a row taller than a page is split between its lines.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import black
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.textsplit import ALL_CANNOT_START
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

PAD_TOP, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT = 2.0, 3.0, 3.0, 3.0
RULE = 0.5
BOLD_OFFSET = 0.35  # the face has no bold: bold text is drawn twice, a hair apart
_FUZZ = 1e-6


class Measure:
    """Glyph widths of one font, cached per character (at 1 pt; TrueType widths scale)."""

    def __init__(self, font: str) -> None:
        self.font = font
        self._face = pdfmetrics.getFont(font)
        self._w: dict[str, float] = {}
        self._lines: dict[tuple[str, float, float, float | None], tuple[str, ...]] = {}
        self._doc: Any = None
        self._encoded: dict[str, list[tuple[str, str]]] = {}

    def encode(self, text: str, doc: Any) -> list[tuple[str, str]]:
        """``text`` as (font subset resource, escaped PDF string) chunks — what a text object's
        ``textOut`` writes for a TrueType face (``splitString``/``getSubsetInternalName``) —
        cached per string: a glyph keeps its code for the whole document."""
        if doc is not self._doc:
            self._doc, self._encoded = doc, {}
        chunks = self._encoded.get(text)
        if chunks is None:
            face = self._face
            chunks = self._encoded[text] = [
                (face.getSubsetInternalName(subset, doc), escapePDF(part))
                for subset, part in face.splitString(text, doc)
            ]
        return chunks

    def char(self, ch: str) -> float:
        w = self._w.get(ch)
        if w is None:
            w = self._w[ch] = self._face.stringWidth(ch, 1.0)
        return w

    def width(self, text: str, size: float) -> float:
        get = self._w.get
        total = 0.0
        for ch in text:
            w = get(ch)
            total += w if w is not None else self.char(ch)
        return total * size

    def lines(
        self, text: str, width: float, size: float, first: float | None = None
    ) -> tuple[str, ...]:
        """``text`` broken into lines of at most ``width`` points (``first`` for the very first
        line, as a first-line indent leaves it; its own line breaks kept, blank lines dropped,
        runs of white space collapsed) — as reportlab breaks a CJK paragraph. Cached: the same
        values recur in every table and card."""
        key = (text, width, size, first)
        done = self._lines.get(key)
        if done is None:
            out: list[str] = []
            for raw in text.splitlines():
                line = " ".join(raw.split())
                if line:
                    head = width if out or first is None else first
                    out.extend(self._split(line, width / size, head / size))
            done = self._lines[key] = tuple(out)
        return done

    def _split(self, word: str, width: float, first: float) -> list[str]:
        """``reportlab.lib.textsplit.dumbSplit`` on cached widths (in units of the font size),
        ``first`` the width of the first line, ``width`` of the others."""
        widths = [self._w.get(ch) or self.char(ch) for ch in word]
        if sum(widths) <= first + _FUZZ:
            return [word]
        lines: list[str] = []
        i = used = start = 0
        n = len(word)
        max_width = first
        while i < n:
            w = widths[i]
            c = word[i]
            used += w
            i += 1
            if used > max_width + _FUZZ and used > 0:
                if ord(c) < 0x3000:  # inside a Latin word: back off to a space or a CJK char
                    limit = (start + i) >> 1
                    for j in range(i - 1, limit, -1):
                        cj = word[j]
                        if unicodedata.category(cj) == "Zs" or ord(cj) >= 0x3000:
                            k = j + 1
                            if k < i:
                                c = word[k]
                                i = k + 1
                                break
                if c not in ALL_CANNOT_START and i > start + 1:
                    i -= 1  # push the character to the next line (else it hangs in the margin)
                lines.append(word[start:i].strip())
                start = i
                used = 0
                max_width = width
        if used > 0:
            lines.append(word[start:])
        return lines


_TF: dict[tuple[str, float], str] = {}


class RawText:
    """Many strings in one ``BT … ET`` block, written as the PDF operators a reportlab text
    object would write (without its per-call bookkeeping: width advance, font lookups). Drawn
    inside the caller's saveState/restoreState, as it sets the fill colour."""

    def __init__(self, canvas: Any, measure: Measure) -> None:
        self.canvas = canvas
        self.doc = canvas._doc
        self.measure = measure
        self.out: list[str] = ["BT 0 Tr"]
        self.font: str | None = None  # the last ``Tf`` operator written
        self.fill: Any = None

    def color(self, color: Any) -> None:
        if color is not self.fill:
            self.out.append(f"{fp_str(color.red, color.green, color.blue)} rg")
            self.fill = color

    def show(self, text: str, x: float, y: float, size: float) -> None:
        out = self.out
        out.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        for name, chunk in self.measure.encode(text, self.doc):
            # A CJK string usually spans several 256-glyph subsets, so the font changes
            # within most strings: its operator is formatted once per subset and size.
            tf = _TF.get((name, size))
            if tf is None:
                tf = _TF[name, size] = f"{name} {fp_str(size)} Tf"
            if tf is not self.font:
                out.append(tf)
                self.font = tf
            out.append(f"({chunk}) Tj")

    def draw(self) -> None:
        if len(self.out) > 1:
            self.out.append("ET")
            self.canvas.addLiteral("\n".join(self.out))


@dataclass(frozen=True)
class Cell:
    lines: tuple[str, ...]
    align: str = "left"  # left, center, right
    bold: bool = False
    fill: Any = None


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float


class Grid(Flowable):
    """Rows of cells in columns of ``widths`` points; the first ``header`` rows repeat on each
    page the table runs on to."""

    def __init__(
        self,
        widths: Sequence[float],
        rows: Sequence[Sequence[Cell]],
        style: TextStyle,
        measure: Measure,
        *,
        header: int = 0,
        max_height: float = 0.0,
        heights: Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        self.widths = list(widths)
        self.rows = rows if isinstance(rows, list) else list(rows)
        self.style = style
        self.measure = measure
        self.header = min(header, len(self.rows))
        self.max_height = max_height  # a frame's height: a taller row is split between lines
        self.heights = (
            list(heights) if heights is not None else [self._row_height(r) for r in self.rows]
        )
        self.width = sum(self.widths)
        self.height = sum(self.heights)
        self.hAlign = "CENTER"

    def _row_height(self, row: Sequence[Cell]) -> float:
        return max((len(c.lines) for c in row), default=0) * self.style.leading + (
            PAD_TOP + PAD_BOTTOM
        )

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        head = self.header
        used = sum(self.heights[:head])
        k = head
        while k < len(self.rows) and used + self.heights[k] <= avail_h + _FUZZ:
            used += self.heights[k]
            k += 1
        if k >= len(self.rows):
            return [self]
        if k == head:
            return self._split_row(avail_h - used)
        hs = self.heights
        return [
            self._part(self.rows[:k], hs[:k]),
            self._part(self.rows[:head] + self.rows[k:], hs[:head] + hs[k:]),
        ]

    def _split_row(self, room: float) -> list[Flowable]:
        """The first body row taller than a whole page: its lines shared between two parts."""
        head = self.header
        head_h = sum(self.heights[:head])
        if not self.max_height or self.heights[head] <= self.max_height - head_h + _FUZZ:
            return []  # it fits on the next page
        fit = int((room - PAD_TOP - PAD_BOTTOM + _FUZZ) // self.style.leading)
        if fit < 1:
            return []
        row = self.rows[head]
        first = [Cell(c.lines[:fit], c.align, c.bold, c.fill) for c in row]
        rest = [Cell(c.lines[fit:], c.align, c.bold, c.fill) for c in row]
        heads = self.rows[:head]
        return [self._part([*heads, first]), self._part([*heads, rest, *self.rows[head + 1 :]])]

    def _part(self, rows: list[list[Cell]], heights: list[float] | None = None) -> Grid:
        return Grid(
            self.widths,
            rows,
            self.style,
            self.measure,
            header=self.header,
            max_height=self.max_height,
            heights=heights,
        )

    def draw(self) -> None:
        c = self.canv
        st = self.style
        xs = [0.0]
        for w in self.widths:
            xs.append(xs[-1] + w)
        tops = [self.height]
        for h in self.heights:
            tops.append(tops[-1] - h)
        c.saveState()
        for r, row in enumerate(self.rows):
            for i, cell in enumerate(row):
                if cell.fill is not None:
                    c.setFillColor(cell.fill)
                    c.rect(xs[i], tops[r + 1], self.widths[i], self.heights[r], stroke=0, fill=1)
        text = RawText(c, self.measure)
        text.color(black)
        width = self.measure.width
        show = text.show
        size = st.size
        for r, row in enumerate(self.rows):
            h = self.heights[r]
            for i, cell in enumerate(row):
                if not cell.lines:
                    continue
                block = len(cell.lines) * st.leading
                y = tops[r + 1] + (h + PAD_BOTTOM - PAD_TOP + block) / 2 - size
                x0, x1 = xs[i] + PAD_LEFT, xs[i + 1] - PAD_RIGHT
                for line in cell.lines:
                    if cell.align == "left":
                        x = x0
                    else:
                        w = width(line, size)
                        x = (x0 + x1 - w) / 2 if cell.align == "center" else x1 - w
                    show(line, x, y, size)
                    if cell.bold:
                        show(line, x + BOLD_OFFSET, y, size)
                    y -= st.leading
        text.draw()
        c.setLineWidth(RULE)
        c.setStrokeColor(black)
        path = c.beginPath()
        for y in tops:
            path.moveTo(0, y)
            path.lineTo(self.width, y)
        for x in xs:
            path.moveTo(x, tops[0])
            path.lineTo(x, tops[-1])
        c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


class Lines(Flowable):
    """A paragraph of plain text (no markup) in one face, set as a ``Paragraph`` of ``style``
    would set it — first-line indent, left/centre/right alignment, leading, space after — with
    its lines broken by :class:`Measure` and drawn in one text block; ``bold`` draws it twice,
    a hair apart. For the handbook's many headings, captions and notes."""

    def __init__(
        self,
        text: str,
        style: Any,
        measure: Measure,
        *,
        bold: bool = False,
        lines: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.measure = measure
        self.bold = bold
        self.lines: tuple[str, ...] = lines or ()
        self._preset = lines is not None
        self._indent = style.firstLineIndent
        self._avail: float | None = None
        self.width = self.height = 0.0

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        if not self._preset and avail_w != self._avail:
            st = self.style
            self.lines = self.measure.lines(self.text, avail_w, st.fontSize, avail_w - self._indent)
            self._avail = avail_w
        self.width = avail_w
        self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, avail_w: float, avail_h: float) -> list[Flowable]:
        self.wrap(avail_w, avail_h)
        fit = int((avail_h + _FUZZ) // self.style.leading)
        if fit >= len(self.lines):
            return [self]
        if fit < 2:  # no lone first line at the foot of a page (reportlab: allowOrphans=0)
            return []
        head = self._part(self.lines[:fit], first=True)
        head.spaceAfter = 0
        return [head, self._part(self.lines[fit:], first=False)]

    def _part(self, lines: tuple[str, ...], *, first: bool) -> Lines:
        """A piece of a split paragraph (``first``: the one holding its first line)."""
        part = Lines(self.text, self.style, self.measure, bold=self.bold, lines=lines)
        part._indent = self._indent if first else 0.0
        if hasattr(self, "keepWithNext"):
            part.keepWithNext = self.keepWithNext
        return part

    def draw(self) -> None:
        st = self.style
        size, leading = st.fontSize, st.leading
        text = RawText(self.canv, self.measure)
        text.color(st.textColor)
        width = self.measure.width
        y = self.height - size
        for i, line in enumerate(self.lines):
            x0 = self._indent if i == 0 else 0.0
            if st.alignment == 1:  # TA_CENTER
                x = x0 + (self.width - x0 - width(line, size)) / 2
            elif st.alignment == 2:  # TA_RIGHT
                x = self.width - width(line, size)
            else:
                x = x0
            text.show(line, x, y, size)
            if self.bold:
                text.show(line, x + BOLD_OFFSET, y, size)
            y -= leading
        text.draw()
