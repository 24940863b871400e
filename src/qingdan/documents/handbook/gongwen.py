"""公文 page layout (GB/T 9704-2012《党政机关公文格式》), shared by the Word and PDF renderers.

- A4 paper; 天头 (top margin) 37 mm, 订口 (left) 28 mm, bottom 35 mm, right 26 mm, giving the
  版心 (text block) of 156 × 225 mm.
- Title in 2号小标宋体 (方正小标宋简体, 22 pt), centred; body in 3号仿宋体 (仿宋_GB2312, 16 pt);
  first-level headings 3号黑体, second-level 3号楷体 (楷体_GB2312); 22 lines a page and 28
  characters a line: exact line spacing of 28.95 pt (225 mm / 22) and characters condensed by
  0.25 pt (156 mm / 28 = 15.75 pt a character).
- Page numbers: 4号 half-width Arabic digits in 宋体 with an em dash (一字线) either side, "— 1 —",
  7 mm below the text block; odd pages right-aligned and even pages left-aligned, each one
  character in from the edge of the text block; no number on the cover.
- Dates as 成文日期 are written in Arabic numerals, without leading zeros: 2026年11月5日.

Fonts a Chinese office has (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体) are named in the Word
file with a fallback each (仿宋 / 楷体 / 宋体 / SimHei), so Word on a machine without the GB2312
faces still uses the right kind of face; LibreOffice falls back through fontconfig to the
installed CJK fonts (fonts-noto-cjk, fonts-wqy-microhei).
"""

from __future__ import annotations

PAGE_MM = (210.0, 297.0)
MARGIN_TOP_MM = 37.0
MARGIN_BOTTOM_MM = 35.0
MARGIN_LEFT_MM = 28.0
MARGIN_RIGHT_MM = 26.0
TEXT_MM = (156.0, 225.0)
PAGE_NUMBER_GAP_MM = 7.0  # from the bottom of the text block to the top of the page number

TITLE_PT = 22.0  # 2号
BODY_PT = 16.0  # 3号
PAGE_NUMBER_PT = 14.0  # 4号
TABLE_PT = 12.0  # 小4号
NOTE_PT = 12.0
CAPTION_PT = 14.0
LINE_PT = 28.95  # 22 lines on 225 mm
CHAR_CONDENSE_PT = 0.25  # 16 pt characters at 15.75 pt pitch: 28 to a 156 mm line

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
FONT_LATIN = "Times New Roman"

# Word's fontTable entries: the alternate name Word substitutes when the face is missing, and the
# GB2312 charset so that even the alternate's absence lands on a Chinese face.
FONT_FALLBACKS: dict[str, str] = {
    FONT_TITLE: "宋体",
    FONT_BODY: "仿宋",
    FONT_HEADING2: "楷体",
    FONT_HEADING1: "SimHei",
    FONT_PAGE_NUMBER: "SimSun",
}

# Drawings are scaled to fit under their caption and notes on one page.
FIGURE_MAX_MM = (TEXT_MM[0], 185.0)


def page_number_text(n: int) -> str:
    """ "— 1 —": half-width digits between two em dashes (一字线), as GB/T 9704-2012 §7.5."""
    return f"— {n} —"


def mm_to_twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def mm_to_pt(mm: float) -> float:
    return mm / 25.4 * 72
