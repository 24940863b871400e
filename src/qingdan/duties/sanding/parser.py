"""Parse the text of a 三定 regulation into a reviewable :class:`SandingDocument`.

The text is read in four steps:

1. normalize (traditional → simplified, site garbage removed) while keeping an origin map
   (:mod:`.normalize`);
2. group the lines into topic blocks at 2008-form sections, 2018-form articles, lead-ins,
   truncation marks and separators (:mod:`.structure`);
3. read each block according to its topic: numbered lists (:mod:`.lists`), staffing sentences
   (:mod:`.staffing`), the nature sentence, units;
4. merge the staffing figures found in different places and run consistency checks.

Every character of the input ends up in an extracted item, in consumed structure (headers,
connectives) or in ``unparsed`` with a reason; :meth:`Recorder.sweep` guarantees it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from .lists import SUB_MARKER, ItemList, RawItem, continues_item, parse_items
from .model import (
    FORM_UNKNOWN,
    Nature,
    ParseWarning,
    SandingDocument,
    Span,
    TextItem,
    Unit,
    UnparsedItem,
)
from .normalize import CJK, normalize
from .numerals import format_number, parse_number
from .patterns import DIVISION, RANK, TYPE_AFTER_SHI
from .report import Recorder
from .staffing import SentenceReading, Source, is_historical, merge_sources, read_sentence
from .structure import (
    ADJUSTMENT,
    APPENDIX,
    CLOSING,
    DUTIES,
    FRONT,
    GENERAL,
    NATURE,
    OTHER,
    STAFFING,
    UNITS,
    UNKNOWN,
    Block,
    Line,
    block_cut,
    segment,
)
from .textutil import (
    Range,
    after_punctuation,
    ends_complete,
    protected_ranges,
    split_sentences,
    trim,
)

logger = logging.getLogger(__name__)

# Larger inputs are refused: a real 三定 regulation is a few tens of thousands of characters.
MAX_INPUT_CHARS = 2_000_000

_NOTE_LINE = re.compile(r"[（(][^\n]{0,2000}[）)]")
_UNIT_COUNT = re.compile(
    r"([零〇一二两三四五六七八九十百\d]{1,4})个(?:内设机构|职能科室|科室|处室|股室|司局|机构)"
)
_UNIT_RANK = re.compile(r"[（(]((?:正|副)(?:部|厅|司局|局|县处|处|县|乡科|科|股)级|股级)[）)]")
_ESTABLISH = re.compile(
    r"设立(?P<org>[^，。；\n]{2,40})[，,]为(?P<type>[^。；\n]{2,80}?)(?=[。；]|$)"
)
_STANDALONE_RANK = re.compile(r"^(?:机构)?(?:规格|级别)?为?(?P<rank>(?:正|副)\S{1,3}级|股级)")
_TITLE = re.compile(r"(?:职能配置|主要职责|内设机构|人员编制|机构编制)[^。\n]{0,60}规定")
_TITLE_TAIL = re.compile(r"^(?:职能配置|主要职责|内设机构)")
_TITLE_IN_NOTICE = re.compile(r"《([^《》\n]{4,80}规定)》")
_DOCUMENT_NUMBER = re.compile(rf"[{CJK}]{{1,12}}[〔\[［(（]\d{{4}}[〕\]］)）]\d{{1,4}}号")
_METADATA_LINE = re.compile(r"发布|印发|文号|字号|发文")
_NUMBER_LEAD = re.compile(r"^(?:发布于|发布|印发|发文字号|文号|字号|于)+")
_BRACKETED = re.compile(r"[（(][^（）()]{0,80}[）)]")
_TRANSFORMATION = re.compile(r"职能转变")
_DIVISION_HEADING = re.compile(r"有关职责分工[。：:]?")
_UNNUMBERED_UNIT = re.compile(
    r"(?!负责|承担)[^，。：；、\s]{1,20}?(?:党委|党组|工会|团委|办公室|办公厅|中心|委员会|局|司|处|科|股|室|厅)"
    r"[。：:](?=负责|承担|主要负责|协助)"
)
_DUTY_VERBS = re.compile(
    r"(?:负责|承担|拟订|拟定|组织|研究|指导|协调|贯彻|参与|办理|起草|制定|监督|管理)"
)
_LIST_SIGNALS = re.compile(
    r"权力清单|责任清单|权责清单|权力事项|职权类别|权力类型|追责情形|责任事项"
)


def parse_sanding(text: str) -> SandingDocument:
    """Parse a 三定 regulation (pasted or uploaded text) into a reviewable document.

    Never raises on bad content: empty, oversized, non-三定 or garbled input yields a document
    whose ``warnings`` say (in Chinese) what is wrong and whose ``unparsed`` lists the text.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_sanding() expects str, got {type(text).__name__}")
    document = SandingDocument(source_length=len(text))
    if len(text) > MAX_INPUT_CHARS:
        document.warnings.append(
            ParseWarning(
                "too_long",
                f"文本过长：共{len(text)}个字符，超过上限{MAX_INPUT_CHARS}个字符，未解析。"
                "请只上传三定规定正文，或拆分后再上传。",
            )
        )
        return document
    if not text:
        document.warnings.append(ParseWarning("empty", "文本为空，没有可解析的内容。"))
        return document
    if not text.strip():
        document.warnings.append(ParseWarning("blank", "文本只包含空白字符，没有可解析的内容。"))
        return document
    try:
        _Parser(text, document).run()
    except Exception:  # A bug must not lose the user's text: report it and keep everything.
        logger.exception("三定 parser failed on a %d-character input", len(text))
        document = SandingDocument(source_length=len(text))
        document.warnings.append(
            ParseWarning(
                "internal_error", "解析时发生内部错误，未能完成解析；全文列在未解析内容中。"
            )
        )
        document.unparsed.append(UnparsedItem(text, Span(0, len(text)), "解析出错"))
    return document


class _Parser:
    """One parse: fills ``document`` from ``original`` (see the module docstring for the steps)."""

    def __init__(self, original: str, document: SandingDocument) -> None:
        self.norm = normalize(original)
        self.text = self.norm.text
        self.doc = document
        self.recorder = Recorder(self.norm)
        self.sources: list[Source] = []
        self.title_from_notice = False

    # -- helpers -------------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        return self.norm.span(start, end)

    def claim(self, start: int, end: int) -> None:
        self.recorder.claim(start, end)

    def skip(self, start: int, end: int, reason: str) -> None:
        self.recorder.skip(start, end, reason)

    def warn(self, code: str, message: str, where: Range | None = None) -> None:
        self.recorder.warn(code, message, where)

    def item(self, start: int, end: int, number: int | None = None) -> TextItem:
        self.claim(start, end)
        return TextItem(self.text[start:end], self.span(start, end), number)

    def joined_item(self, pieces: list[Range], number: int | None = None) -> TextItem:
        """One item from several line pieces (a duty continued on the next line)."""
        for start, end in pieces:
            self.claim(start, end)
        value = "".join(self.text[start:end] for start, end in pieces)
        return TextItem(value, self.span(pieces[0][0], pieces[-1][1]), number)

    def items(self, block: Block, continues: Callable[[RawItem, Range], bool]) -> ItemList:
        return parse_items(self.recorder, block.lines, continues)

    def continues_duty(self, previous: RawItem, line: Range) -> bool:
        return continues_item(self.text, previous, line)

    # -- driver --------------------------------------------------------------------------------

    def run(self) -> None:
        if self.norm.html_stripped:
            self.warn("html_stripped", "文本中含有HTML标记，已去除标记后解析，请核对结果。")
        segmentation = segment(self.recorder)
        self.doc.truncated = segmentation.truncated
        readers: dict[str, Callable[[Block], None]] = {
            FRONT: self.read_front,
            APPENDIX: self.read_appendix,
            GENERAL: self.read_general,
            NATURE: self.read_nature,
            ADJUSTMENT: self.read_adjustment,
            DUTIES: self.read_duties,
            UNITS: self.read_units,
            STAFFING: self.read_staffing,
            OTHER: self.read_other,
            CLOSING: self.read_closing,
            UNKNOWN: self.read_unknown,
        }
        for block in segmentation.blocks:
            readers[block.topic](block)
        for conflict in merge_sources(self.sources, self.doc.staffing, self.norm):
            figure = conflict.figure
            self.warn(
                "staffing_conflict",
                f"人员编制数字不一致：“{figure.raw_label or figure.label}”此处为{figure.count}名，"
                f"与先前读到的{conflict.taken}名不同；已采用先前的数字，请核对。",
                (figure.start, figure.end),
            )
            self.skip(figure.start, figure.end, "与已采用的编制数字不一致")
        self.check(segmentation.forms)
        self.recorder.sweep()
        self.doc.warnings.extend(self.recorder.warnings)
        self.doc.unparsed = self.recorder.unparsed_items()

    # -- front matter, appendix and free sentences ---------------------------------------------

    def read_front(self, block: Block) -> None:
        """Title, document metadata and preamble before the first section or article."""
        text = self.text
        held: Line | None = None  # a short line that may be the first half of a two-line title
        for line in block.lines:
            value = text[line.start : line.end]
            title = self.doc.title
            # A 印发…的通知 line gives the title first; the regulation's own title line repeats it.
            if _is_title(value) and (
                title is None or (self.title_from_notice and value == title.text)
            ):
                start = line.start
                if held is not None and _TITLE_TAIL.match(value):
                    start, held = held.start, None
                self.set_title(start, line.end)
                continue
            if self.doc.document_number is None and _DOCUMENT_NUMBER.fullmatch(value):
                self.doc.document_number = value
                self.claim(line.start, line.end)
                continue
            if held is not None:
                self.read_free_line(held, front=True)
                held = None
            if self.doc.title is None and _could_be_title_head(value):
                held = line
                continue
            self.read_free_line(line, front=True)
        if held is not None:
            self.read_free_line(held, front=True)

    def set_title(self, start: int, end: int) -> None:
        self.claim(start, end)
        value = self.text[start:end]
        inner = _TITLE_IN_NOTICE.search(value)
        self.title_from_notice = bool(inner and "印发" in value)
        if inner and self.title_from_notice:
            start, end = start + inner.start(1), start + inner.end(1)
        elif value.startswith("《") and value.endswith("》"):
            start, end = start + 1, end - 1
        title = self.text[start:end].replace("\n", "")
        self.doc.title = TextItem(title, self.span(start, end))

    def read_appendix(self, block: Block) -> None:
        """Text after a truncation mark or separator: only staffing figures are taken from it."""
        for line in block.lines:
            self.read_free_line(line, front=False)

    def read_free_line(self, line: Line, *, front: bool) -> None:
        """Sentence by sentence: nature (front only), staffing, otherwise unparsed."""
        value = self.text[line.start : line.end]
        if _NOTE_LINE.fullmatch(value):
            self.skip(line.start, line.end, "说明文字")
            return
        if front and self.doc.document_number is None and _METADATA_LINE.search(value):
            number = _DOCUMENT_NUMBER.search(value)
            if number:
                self.doc.document_number = _NUMBER_LEAD.sub("", number.group())
        reason = "未能归入任何部分的文字" if front else "正文之后的附加文字（未采用）"
        self.read_sentences(line.start, line.end, allow_nature=front, reason=reason)

    def read_sentences(
        self, start: int, end: int, *, allow_nature: bool, reason: str, from_section: bool = False
    ) -> None:
        """Take the nature sentence and staffing figures; report every other sentence."""
        text = self.text
        readings: list[SentenceReading] = []
        historical = False
        for sentence_start, sentence_end in split_sentences(text, start, end):
            consumed = False
            if allow_nature and self.doc.nature is None:
                nature = self.read_nature_sentence(sentence_start, sentence_end, rank_alone=False)
                if nature is not None:
                    self.doc.nature = nature
                    self.claim(sentence_start, sentence_end)
                    consumed = True
            # Once a paragraph turns to an earlier regulation (原规定), the rest is history.
            historical = historical or is_historical(text[sentence_start:sentence_end])
            # Every staffing figure is counted in 名; skip the clause analysis without one.
            if "名" in text[sentence_start:sentence_end]:
                reading = read_sentence(text, sentence_start, sentence_end)
            else:
                reading = SentenceReading(sentence_start, sentence_end)
            if reading.has_figures and historical:
                reading.historical = True
                self.doc.staffing.historical.extend(
                    figure.to_item(self.norm) for figure in reading.figures
                )
                self.skip(sentence_start, sentence_end, "历史编制数字（原规定），未采用为现行数字")
            elif reading.has_figures:
                readings.append(reading)
                self.claim(sentence_start, sentence_end)
                if not consumed:
                    for unread_start, unread_end in reading.unread:
                        self.skip(unread_start, unread_end, "人员编制语句中未能识别的部分")
            elif not consumed:
                self.skip(sentence_start, sentence_end, reason)
        if readings:
            self.sources.append(Source(from_section, readings))

    def read_nature_sentence(self, start: int, end: int, *, rank_alone: bool) -> Nature | None:
        """``XX是县人民政府工作部门，为正科级`` or ``设立XX，为…的机构``."""
        text = self.text
        organization: str | None = None
        department_type: str | None = None
        typed = TYPE_AFTER_SHI.search(text, start, end)
        if typed:
            department_type = typed.group("type")
            organization = self.subject_before(start, typed.start())
        else:
            established = _ESTABLISH.search(text, start, end)
            if established:
                organization = _BRACKETED.sub("", established.group("org")).strip() or None
                department_type = established.group("type")
        rank_match = RANK.search(text, start, end)
        if department_type is None and not (rank_alone and rank_match):
            return None
        return Nature(
            text=text[start:end],
            span=self.span(start, end),
            organization=organization,
            department_type=department_type,
            rank=rank_match.group() if rank_match else None,
        )

    def subject_before(self, start: int, position: int) -> str | None:
        """The organization named right before 是, without its （以下简称…） aside."""
        value = _BRACKETED.sub("", self.text[start:position])
        value = re.split(r"[，,；;：:]", value)[-1].strip()
        return value if 2 <= len(value) <= 40 else None

    # -- sections and articles -----------------------------------------------------------------

    def read_general(self, block: Block) -> None:
        for line in block.lines:
            self.doc.general.append(self.item(line.start, line.end))

    def read_nature(self, block: Block) -> None:
        text = self.text
        for line in block.lines:
            for start, end in split_sentences(text, line.start, line.end):
                if self.doc.nature is None:
                    nature = self.read_nature_sentence(start, end, rank_alone=True)
                    if nature is not None:
                        self.doc.nature = nature
                        self.claim(start, end)
                        continue
                rank = _STANDALONE_RANK.match(text, start, end)
                if self.doc.nature is not None and self.doc.nature.rank is None and rank:
                    self.doc.nature.rank = rank.group("rank")
                    self.claim(start, end)
                    continue
                self.doc.general.append(self.item(start, end))

    def read_adjustment(self, block: Block) -> None:
        parsed = self.items(block, self.continues_duty)
        for start, end in parsed.intro:
            self.doc.adjustments.append(self.item(start, end))
        for raw in parsed.items:
            if raw.pieces:
                self.doc.adjustments.append(self.joined_item(raw.pieces, raw.number))
        for start, end in parsed.orphans:
            self.doc.adjustments.append(self.item(start, end))

    def read_duties(self, block: Block) -> None:
        parsed = self.items(block, self.continues_duty)
        if parsed.intro:
            self.doc.duties_intro = self.item(parsed.intro[0][0], parsed.intro[-1][1])
        cut = block_cut(self.text, block)
        last_end = block.lines[-1].end if block.lines else -1
        for raw in parsed.items:
            if not raw.pieces:
                self.skip(raw.marker_start, raw.marker_start + 1, "空的职责编号")
                continue
            item = self.joined_item(raw.pieces, raw.number)
            item.truncated = cut and raw.end == last_end
            # National 2018 texts list 职能转变 and 有关职责分工 as the last numbered duties.
            if item.text.startswith("职能转变"):
                self.doc.adjustments.append(item)
            elif DIVISION.match(item.text):
                self.doc.clauses.extend(self.division_clauses(raw, item))
            else:
                self.doc.main_duties.append(item)
            if item.truncated:
                label = f"主要职责第（{format_number(item.number)}）项"
                self.report_truncated(label, (raw.start, raw.end))
        for start, end in parsed.orphans:
            value = self.text[start:end]
            if _TRANSFORMATION.match(value):
                self.doc.adjustments.append(self.item(start, end))
            elif DIVISION.match(value):
                self.doc.clauses.append(self.item(start, end))
            else:
                self.read_sentences(
                    start, end, allow_nature=False, reason="主要职责部分中无法归入某项职责的文字"
                )

    def division_clauses(self, raw: RawItem, item: TextItem) -> list[TextItem]:
        """``（二十）有关职责分工。`` followed by ``1.与…分工。…`` lines: one clause per line."""
        heading_start, heading_end = raw.pieces[0]
        heading = self.text[heading_start:heading_end]
        subs = raw.pieces[1:]
        markers = [SUB_MARKER.match(self.text, start, end) for start, end in subs]
        if not subs or not all(markers) or not _DIVISION_HEADING.fullmatch(heading):
            return [item]
        clauses = []
        for (start, end), marker in zip(subs, markers, strict=True):
            assert marker is not None
            number = parse_number(re.sub(r"\D", "", marker.group()))
            body = after_punctuation(self.text, marker.end(), end)
            if body is None:
                continue
            self.claim(start, marker.end())
            clauses.append(self.item(*body, number=number))
        return clauses

    def report_truncated(self, label: str, where: Range) -> None:
        self.warn("truncated_item", f"{label}在原文中被截断，内容不完整。", where)
        self.skip(*where, f"{label}被截断，内容不完整")

    def read_units(self, block: Block) -> None:
        parsed = self.items(block, self.continues_unit)
        text = self.text
        if parsed.intro:
            intro_start, intro_end = parsed.intro[0][0], parsed.intro[-1][1]
            self.doc.units_intro = self.item(intro_start, intro_end)
            intro = text[intro_start:intro_end]
            count = _UNIT_COUNT.search(intro)
            if count:
                self.doc.declared_unit_count = parse_number(count.group(1))
            rank = _UNIT_RANK.search(intro)
            if rank:
                self.doc.unit_rank = rank.group(1)
            if not parsed.items:
                self.read_unit_name_list(intro_start, intro_end)
        cut = block_cut(self.text, block)
        last_end = block.lines[-1].end if block.lines else -1
        for raw in parsed.items:
            unit = self.read_unit(raw, truncated=cut and raw.end == last_end)
            if unit is not None:
                self.doc.units.append(unit)
        for start, end in parsed.orphans:
            if _UNNUMBERED_UNIT.match(text, start, end):
                unit = self.read_unit(RawItem(0, start, [(start, end)]), truncated=False)
                if unit is not None:
                    unit.number = None
                    self.doc.units.append(unit)
                    continue
            self.read_sentences(
                start, end, allow_nature=False, reason="内设机构部分中无法归入某个机构的文字"
            )

    def continues_unit(self, previous: RawItem, line: Range) -> bool:
        """Everything after a heading-style unit ("（一）秘书一局") is that unit's duties.

        Except a line that is itself a unit: national texts list 机关党委。负责… and
        离退休干部局。负责… without numbers after the numbered units.
        """
        if _UNNUMBERED_UNIT.match(self.text, line[0], line[1]):
            return False
        if previous.pieces:
            first_start, first_end = previous.pieces[0]
            if self.unit_name(first_start, first_end) == ((first_start, first_end), first_end):
                return True
        return self.continues_duty(previous, line)

    def read_unit_name_list(self, start: int, end: int) -> None:
        """``设下列内设机构：办公室、政策法规科、财务科。`` — names only, no duties."""
        text = self.text
        colon = max(text.rfind("：", start, end), text.rfind(":", start, end))
        if colon < 0:
            return
        position = colon + 1
        for match in re.finditer(r"[^、，,；;。]+", text[position:end]):
            name = trim(text, position + match.start(), position + match.end())
            if name and name[1] - name[0] <= 30:
                self.claim(*name)
                name_span = self.span(*name)
                self.doc.units.append(Unit(text[name[0] : name[1]], name_span, name_span))

    def read_unit(self, raw: RawItem, *, truncated: bool) -> Unit | None:
        text = self.text
        if not raw.pieces:
            self.skip(raw.marker_start, raw.marker_start + 1, "空的内设机构编号")
            return None
        first_start, first_end = raw.pieces[0]
        split = self.unit_name(first_start, first_end)
        if split is None:
            self.skip(raw.start, raw.end, "未能识别内设机构名称")
            return None
        (name_start, name_end), rest_start = split
        self.claim(name_start, name_end)
        # A heading-style unit ("（一）秘书一局") has its duties in the following lines only.
        duty_pieces = raw.pieces[1:]
        if rest_start < first_end:
            duty_pieces.insert(0, (rest_start, first_end))
        unit = Unit(
            name=text[name_start:name_end],
            name_span=self.span(name_start, name_end),
            span=self.span(raw.start, raw.end),
            number=raw.number,
            truncated=truncated,
        )
        last_duty: Range | None = None
        for piece_start, piece_end in duty_pieces:
            trimmed = after_punctuation(text, piece_start, piece_end)
            if trimmed is None:
                continue
            for start, end in split_sentences(text, *trimmed):
                unit.duties.append(self.item(start, end))
                last_duty = (start, end)
        if truncated:
            if unit.duties:
                unit.duties[-1].truncated = True
            self.report_truncated(f"内设机构“{unit.name}”的职责", last_duty or (raw.start, raw.end))
        return unit

    def unit_name(self, start: int, end: int) -> tuple[Range, int] | None:
        """Split ``办公室。负责…`` into the name range and where the duties start."""
        text = self.text
        protected = protected_ranges(text, start, min(end, start + 60))
        separator = None
        for position in range(start, min(end, start + 40)):
            if text[position] in "。：:，,；;" and not any(a <= position < b for a, b in protected):
                separator = position
                break
        if separator is None:
            # A whole short line without a full stop is a heading: "（一）秘书一局".
            if end - start > 30 or ends_complete(text[start:end]):
                return None
            name, rest = (start, end), end
        else:
            found = trim(text, start, separator)
            if found is None:
                return None
            name, rest = found, separator + 1
        value = text[name[0] : name[1]]
        if len(value) > 30 or _DUTY_VERBS.match(value):
            return None
        return name, rest

    def read_staffing(self, block: Block) -> None:
        for line in block.lines:
            self.read_sentences(
                line.start,
                line.end,
                allow_nature=False,
                reason="人员编制部分中未能识别的文字",
                from_section=True,
            )

    def read_other(self, block: Block) -> None:
        parsed = self.items(block, self.continues_duty)
        if not parsed.items:
            for start, end in parsed.intro:
                self.doc.clauses.append(self.item(start, end))
            return
        for start, end in parsed.intro:
            self.doc.general.append(self.item(start, end))
        for raw in parsed.items:
            if raw.pieces:
                self.doc.clauses.append(self.joined_item(raw.pieces, raw.number))
        for start, end in parsed.orphans:
            self.doc.clauses.append(self.item(start, end))

    def read_closing(self, block: Block) -> None:
        for line in block.lines:
            self.doc.closing.append(self.item(line.start, line.end))

    def read_unknown(self, block: Block) -> None:
        label = f"第{format_number(block.number)}条" if block.number else "条款"
        if block.header is not None:
            self.skip(block.header.start, block.header.end, f"未能识别的条款（{label}）")
        for line in block.lines:
            self.skip(line.start, line.end, f"未能识别的条款（{label}）")

    # -- checks --------------------------------------------------------------------------------

    def check(self, forms: list[str]) -> None:
        doc = self.doc
        distinct = set(forms)
        if len(distinct) > 1:
            self.warn(
                "mixed_form",
                "文本同时含有2008年体例（一、二、…）和2018年体例（第N条）的章节，已分别解析，请核对。",
            )
            doc.form = max(distinct, key=lambda form: (forms.count(form), -forms.index(form)))
        else:
            doc.form = next(iter(distinct), FORM_UNKNOWN)
        found_anything = (
            doc.main_duties or doc.units or doc.nature or doc.title or not doc.staffing.is_empty()
        )
        if not found_anything:
            if _LIST_SIGNALS.search(self.text):
                message = (
                    "文本看起来是权力清单或责任清单（权责清单），不是三定规定，未能按三定规定解析。"
                )
            else:
                message = (
                    "文本不像三定规定：未识别到主要职责、内设机构、人员编制或机构性质等内容，"
                    "请确认上传的是“职能配置、内设机构和人员编制规定”。"
                )
            self.warn("not_sanding", message)
        if not doc.main_duties:
            self.warn("no_main_duties", "未识别到“主要职责”部分。")
        declared = doc.declared_unit_count
        # 机关党委 and 离退休干部局 are often listed unnumbered and left out of the count.
        numbered = sum(1 for unit in doc.units if unit.number is not None)
        if (
            declared is not None
            and not doc.truncated
            and declared not in (len(doc.units), numbered)
        ):
            self.warn(
                "unit_count",
                f"内设机构数量不一致：文中写明设{declared}个，实际识别到{len(doc.units)}个。",
            )


def _is_title(value: str) -> bool:
    if len(value) > 120 or value[0] in "（(" or "。" in value:
        return False
    return bool(_TITLE.search(value))


def _could_be_title_head(value: str) -> bool:
    """A short line without punctuation, such as the organ name above "职能配置…规定"."""
    return len(value) <= 40 and not any(char in value for char in "，。；：,;:（(")
