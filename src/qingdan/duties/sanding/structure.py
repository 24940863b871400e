"""Cutting a normalized 三定 text into lines and the lines into topic blocks.

A block starts at a 2008-form section header (二、主要职责), a 2018-form article (第三条), a
lead-in in free text (主要职责是：followed by （一）), a truncation mark or a separator line.
Text after a truncation mark or separator is an *appendix* (e.g. a news paragraph quoting the
staffing figures): the parser takes only staffing figures from it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from .model import FORM_2008, FORM_2018
from .numerals import parse_number
from .patterns import (
    CN,
    DIVISION,
    DUTIES_LEAD_IN,
    PAREN_MARKER,
    RANK,
    TYPE_AFTER_SHI,
    UNITS_INTRO,
    UNITS_LEAD_IN,
)
from .report import Recorder
from .textutil import Range, after_punctuation, ends_complete, trim

# Block topics.
FRONT = "front"
APPENDIX = "appendix"
GENERAL = "general"
NATURE = "nature"
ADJUSTMENT = "adjustment"
DUTIES = "duties"
UNITS = "units"
STAFFING = "staffing"
OTHER = "other"
CLOSING = "closing"
UNKNOWN = "unknown"

# Why a block ended; at the cut-off ones an unfinished last sentence means truncation.
END_HEADER = "header"
END_TRUNCATION = "truncation"
END_SEPARATOR = "separator"
END_EOF = "eof"
_CUT_ENDS = {END_TRUNCATION, END_SEPARATOR, END_EOF}

SECTION_TOPICS = {
    "职责调整": ADJUSTMENT,
    "职能转变": ADJUSTMENT,
    "主要职责": DUTIES,
    "内设机构": UNITS,
    "人员编制": STAFFING,
    "机构编制": STAFFING,
    "领导职数": STAFFING,
    "其他事项": OTHER,
    "附则": CLOSING,
}
_SECTION_WORDS = "|".join(SECTION_TOPICS)
_ARTICLE = re.compile(rf"第([{CN}\d]{{1,6}})条")
_SECTION = re.compile(rf"([一二三四五六七八九十]{{1,3}})[、.．]\s*({_SECTION_WORDS})")
_TOPIC_LABEL = re.compile(rf"({_SECTION_WORDS})(?:和领导职数)?[。：:]")
_INLINE_BREAK = re.compile(
    rf"(?<=[。；])(?=第[{CN}\d]{{1,6}}条|[一二三四五六七八九十]{{1,3}}、(?:{_SECTION_WORDS}))"
)
_TRUNCATION = re.compile(
    r"[\[［【（(]\s*(?:原文)?(?:在此|于此|到此|至此)?(?:被)?(?:截断|未完|中断|以下省略|以下略|下略)"
    r"[^\]］】）)\n]{0,12}[\]］】）)]"
)
_RULE_CHARS = "-—=_*－～~"
_URL_LINE = re.compile(r"(?:(?:https?|ftp)://|www\.)[!-~]{1,2000}")
_STAFFING_HEAD = re.compile(
    rf"编制(?:为|共|是)?[{CN}\d]{{1,8}}名|领导职数|职数[{CN}\d]{{1,8}}名|^人员编制"
)
_CLOSING_HEAD = re.compile(r"附则|本规定(?:由|自|的解释)|负责解释|自[^。]{0,20}起施行")
_BASIS_HEAD = re.compile(r"制定本规定|根据|依据")
_OTHER_HEAD = re.compile(r"其他事项|所属事业单位|事业单位的设置")


@dataclass(slots=True)
class Line:
    start: int
    end: int
    marker: bool = False  # a truncation mark such as [原文在此截断]


@dataclass(slots=True)
class Block:
    topic: str
    form: str | None = None
    header: Line | None = None
    number: int | None = None
    lines: list[Line] = field(default_factory=list)
    end_reason: str = END_EOF


@dataclass(slots=True)
class Segmentation:
    blocks: list[Block]
    forms: list[str]  # the form of every real header, in text order
    truncated: bool


def segment(recorder: Recorder) -> Segmentation:
    """Group the text's lines into blocks; headers and marks are claimed or reported."""
    return _Segmenter(recorder).run()


def _is_separator(value: str) -> bool:
    """``--- 新闻转述 ---`` or ``=====``: a line framed by rules, not "——" used as a dash."""
    if len(value) > 300:
        return False
    head = len(value) - len(value.lstrip(_RULE_CHARS))
    if head < 3:
        return False
    return head == len(value) or len(value) - len(value.rstrip(_RULE_CHARS)) >= 2


def block_cut(text: str, block: Block) -> bool:
    """Whether a block's last line stops mid-sentence because the source was cut."""
    if block.end_reason not in _CUT_ENDS or not block.lines:
        return False
    last = block.lines[-1]
    return not ends_complete(text[last.start : last.end])


class _Segmenter:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.text = recorder.text
        self.truncated = False

    def run(self) -> Segmentation:
        blocks = self.blocks(self.lines())
        forms: list[str] = []
        for block in blocks:
            if block.form == FORM_2018 and block.topic == UNKNOWN:
                block.topic = self.classify_article(block)
            if block.form is not None:
                forms.append(block.form)
        self.check_end(blocks)
        return Segmentation(blocks, forms, self.truncated)

    def lines(self) -> list[Line]:
        """Non-empty lines, further split at inline headers and truncation marks."""
        text = self.text
        result: list[Line] = []
        for match in re.finditer(r"[^\n]+", text):
            trimmed = trim(text, match.start(), match.end())
            if trimmed is None:
                continue
            start, end = trimmed
            cuts = [start]
            cuts.extend(found.start() for found in _INLINE_BREAK.finditer(text, start, end))
            cuts.append(end)
            for begin, finish in itertools.pairwise(cuts):
                self.split_marks(begin, finish, result)
        return result

    def split_marks(self, start: int, end: int, result: list[Line]) -> None:
        position = start
        for mark in _TRUNCATION.finditer(self.text, start, end):
            before = trim(self.text, position, mark.start())
            if before:
                result.append(Line(*before))
            result.append(Line(mark.start(), mark.end(), marker=True))
            position = mark.end()
        rest = trim(self.text, position, end)
        if rest:
            result.append(Line(*rest))

    def blocks(self, lines: list[Line]) -> list[Block]:
        recorder = self.recorder
        blocks = [Block(FRONT)]
        for index, line in enumerate(lines):
            current = blocks[-1]
            start, end = line.start, line.end
            if line.marker:
                recorder.claim(start, end)
                self.truncated = True
                recorder.warn(
                    "truncated",
                    "原文在此处被截断（“" + self.text[start:end] + "”），之后的规定正文缺失。",
                    (start, end),
                )
                current.end_reason = END_TRUNCATION
                blocks.append(Block(APPENDIX))
                continue
            if _URL_LINE.fullmatch(self.text, start, end):
                recorder.skip(start, end, "来源网址")
                continue
            if _is_separator(self.text[start:end]):
                recorder.skip(start, end, "分隔行或说明行")
                current.end_reason = END_SEPARATOR
                blocks.append(Block(APPENDIX))
                continue
            header = self.header(line)
            if header is None and current.topic in (FRONT, APPENDIX):
                following = lines[index + 1] if index + 1 < len(lines) else None
                header = self.lead_in(line, following)
            if header is not None:
                current.end_reason = END_HEADER
                blocks.append(header)
                continue
            current.lines.append(line)
        return blocks

    def check_end(self, blocks: list[Block]) -> None:
        """A regulation whose last sentence stops mid-way was cut even without a mark."""
        last = blocks[-1]
        if last.topic in (FRONT, APPENDIX) or not block_cut(self.text, last):
            return
        self.truncated = True
        final = last.lines[-1]
        self.recorder.warn(
            "truncated", "原文末尾的句子不完整，文本可能被截断。", (final.start, final.end)
        )

    def header(self, line: Line) -> Block | None:
        text, start, end = self.text, line.start, line.end
        article = _ARTICLE.match(text, start, end)
        if article:
            block = Block(UNKNOWN, FORM_2018, Line(start, article.end()))
            block.number = parse_number(article.group(1))
            header_end = article.end()
            rest = after_punctuation(text, header_end, end)
            # "第五条 人员编制。…": an explicit topic label decides the article and is no content.
            label = _TOPIC_LABEL.match(text, rest[0], rest[1]) if rest else None
            if label:
                block.topic = SECTION_TOPICS[label.group(1)]
                header_end = label.end()
                rest = after_punctuation(text, header_end, end)
            return self.open_block(block, start, header_end, rest)
        section = _SECTION.match(text, start, end)
        if section:
            block = Block(SECTION_TOPICS[section.group(2)], FORM_2008, Line(start, section.end()))
            block.number = parse_number(section.group(1))
            header_end = section.end()
            rest = after_punctuation(text, header_end, end)
            # "三、内设机构和领导职数" is still a heading; a real sentence after it is body text.
            if rest and rest[1] - rest[0] <= 12 and "。" not in text[rest[0] : rest[1]]:
                header_end, rest = end, None
            return self.open_block(block, start, header_end, rest)
        return None

    def open_block(self, block: Block, start: int, header_end: int, rest: Range | None) -> Block:
        self.recorder.claim(start, header_end)
        if rest:
            block.lines.append(Line(*rest))
        return block

    def lead_in(self, line: Line, following: Line | None) -> Block | None:
        """``主要职责是：（一）…`` or ``设下列内设机构：（一）…`` outside any section."""
        text = self.text
        for pattern, topic in ((DUTIES_LEAD_IN, DUTIES), (UNITS_LEAD_IN, UNITS)):
            match = pattern.search(text, line.start, line.end)
            if match is None:
                continue
            rest = trim(text, match.end(), line.end)
            if rest:
                opens_list = PAREN_MARKER.match(text, rest[0], rest[1]) is not None
            else:
                opens_list = following is not None and bool(
                    PAREN_MARKER.match(text, following.start, following.end)
                )
            if not opens_list:
                continue
            block = Block(topic)
            block.lines.append(Line(line.start, match.end()))
            if rest:
                block.lines.append(Line(*rest))
            return block
        return None

    def classify_article(self, block: Block) -> str:
        """Decide what a 第N条 is about from its first words (before any （一） list)."""
        head_parts: list[str] = []
        for line in block.lines:
            if head_parts and PAREN_MARKER.match(self.text, line.start, line.end):
                break
            head_parts.append(self.text[line.start : line.end])
            if sum(len(part) for part in head_parts) > 400:
                break
        head = "".join(head_parts)[:400]
        if DUTIES_LEAD_IN.search(head):
            return DUTIES
        if head.startswith("职能转变"):
            return ADJUSTMENT
        if UNITS_INTRO.search(head) or head.startswith("内设机构"):
            return UNITS
        checks = (
            ("主要职责", DUTIES),
            (_STAFFING_HEAD, STAFFING),
            (DIVISION, OTHER),
            (_CLOSING_HEAD, CLOSING),
            (RANK, NATURE),
            (TYPE_AFTER_SHI, NATURE),
            (_BASIS_HEAD, GENERAL),
            (_OTHER_HEAD, OTHER),
        )
        for check, topic in checks:
            found = check in head if isinstance(check, str) else check.search(head)
            if found:
                return topic
        return UNKNOWN
