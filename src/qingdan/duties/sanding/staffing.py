"""Reading 人员编制 sentences: quotas, posts and 领导职数.

A staffing sentence is a list of clauses, most of them "label + number + 名", optionally followed
by a bracketed breakdown: ``机关行政编制805名（含两委人员编制2名、援派机动编制3名）。设局长1名，
副局长4名，司局级领导职数120名（含…）``. Each clause is classified by its label. Clauses that carry
a number we cannot classify, and clauses that say something we do not model (人员只出不进), are
returned as *unread* so the caller can list them for review instead of dropping them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import CountItem, Staffing
from .normalize import NormalizedText
from .numerals import CN_NUMERAL_CHARS, parse_number
from .textutil import Range, protected_ranges, split_clauses, split_top_level, trim

ADMINISTRATIVE = "administrative"
PUBLIC_INSTITUTION = "public_institution"
LOGISTICS = "logistics"
OTHER_QUOTA = "other_quota"
POST = "post"
LEVEL_POST = "level_post"

_COUNT = re.compile(rf"(\d{{1,7}}|[{CN_NUMERAL_CHARS}]{{1,8}})名")
_CLAUSE_MARKER = re.compile(rf"^(?:[（(][{CN_NUMERAL_CHARS}\d]{{1,4}}[）)]|\d{{1,3}}[.．、])")
_LEADING_NOISE = re.compile(r"^(?:其中|另外|此外|另设|共设|设置|设有|设|核定|配备|均为|包括)+")
_TRAILING_NOISE = re.compile(r"(?:总数|核定|共计|合计|共|计|为|是)+$")
_MAX_LABEL = 60
_BREAKDOWN_LEAD = re.compile(r"^(?:其中|包含|内含|含|包括)[：:]?")
_CONNECTIVE = re.compile(
    r"^(?:(?:根据|依据|按照|依照)《[^《》]{0,80}》(?:的?规定)?|据悉|据了解|其中|另外|此外|同时|设|另设"
    r"|《规定》(?:显示|明确|指出)|(?:方案|规定)(?:显示|明确|指出))$"
)
# Figures attributed to an earlier regulation; everything after them in the paragraph is history.
_HISTORICAL = re.compile(
    r"原规定|原“三定”|原三定|改革前|调整前|此前|以前的|原有的?编制|\d{4}年的?原"
)

# Posts a regulation counts one by one; longest first so 副秘书长 wins over 秘书长.
_POST_TITLES = sorted(
    [
        "局长",
        "副局长",
        "部长",
        "副部长",
        "主任",
        "副主任",
        "秘书长",
        "副秘书长",
        "署长",
        "副署长",
        "厅长",
        "副厅长",
        "司长",
        "副司长",
        "处长",
        "副处长",
        "科长",
        "副科长",
        "股长",
        "副股长",
        "院长",
        "副院长",
        "书记",
        "副书记",
        "主席",
        "副主席",
        "会长",
        "副会长",
        "行长",
        "副行长",
        "社长",
        "副社长",
        "总编辑",
        "副总编辑",
        "总经济师",
        "总工程师",
        "总会计师",
        "总农艺师",
        "总畜牧师",
        "总规划师",
        "总兽医师",
        "总师",
        "总督学",
        "督察长",
        "总监",
        "专员",
        "委员",
        "主任委员",
        "副主任委员",
        "组长",
        "副组长",
        "队长",
        "副队长",
        "所长",
        "副所长",
        "站长",
        "副站长",
        "馆长",
        "副馆长",
        "理事长",
        "副理事长",
        "巡视员",
        "副巡视员",
        "调研员",
        "督察员",
        "总队长",
        "副总队长",
        "支队长",
        "副支队长",
        "政委",
        "教导员",
    ],
    key=len,
    reverse=True,
)
# An organization name in front of a post (国务院秘书长) ends like this.
_ORG_SUFFIX = re.compile(r"(?:院|厅|局|部|委|办|署|府|中心|委员会|政府)$")


@dataclass(slots=True)
class Figure:
    """One classified count, still in normalized coordinates (``start``/``end``)."""

    kind: str
    label: str
    raw_label: str
    count: int
    start: int
    end: int
    breakdown: list[Figure] = field(default_factory=list)
    note: str | None = None

    def to_item(self, norm: NormalizedText) -> CountItem:
        return CountItem(
            label=self.label,
            count=self.count,
            span=norm.span(self.start, self.end),
            raw_label=self.raw_label,
            breakdown=[part.to_item(norm) for part in self.breakdown],
            note=self.note,
        )


@dataclass(slots=True)
class SentenceReading:
    """What one sentence says about staffing."""

    start: int
    end: int
    figures: list[Figure] = field(default_factory=list)
    unread: list[Range] = field(default_factory=list)
    historical: bool = False

    @property
    def has_figures(self) -> bool:
        return bool(self.figures)


def is_historical(text: str) -> bool:
    return bool(_HISTORICAL.search(text))


def read_sentence(text: str, start: int, end: int) -> SentenceReading:
    """Classify every clause of ``text[start:end]``."""
    reading = SentenceReading(start, end)
    # Where each bracket closes, computed once: a breakdown （含…） follows a number.
    closes = dict(protected_ranges(text, start, end))
    for clause_start, clause_end in split_clauses(text, start, end):
        _read_clause(text, clause_start, clause_end, reading, closes)
    return reading


def _read_clause(
    text: str, start: int, end: int, reading: SentenceReading, closes: dict[int, int]
) -> None:
    marker = _CLAUSE_MARKER.match(text, start, end)
    if marker:
        start = marker.end()
    position = start
    found = False
    while position < end:
        match = _COUNT.search(text, position, end)
        if match is None:
            break
        count = parse_number(match.group(1))
        label_range = trim(text, position, match.start())
        label_start = label_range[0] if label_range else match.start()
        raw_label = text[label_start : match.start()] if label_range else ""
        figure_end = match.end()
        breakdown: list[Figure] = []
        note: str | None = None
        if figure_end < end and text[figure_end] in "（(":
            close = closes.get(figure_end)
            if close is not None and close <= end:
                breakdown, note = _read_breakdown(text, figure_end + 1, close - 1)
                figure_end = close
        kind, label = classify_label(raw_label)
        if count is None or kind is None:
            # A number we cannot attribute: keep the words for the reviewer.
            reading.unread.append((label_start, figure_end))
        else:
            reading.figures.append(
                Figure(kind, label, raw_label, count, label_start, figure_end, breakdown, note)
            )
            found = True
        position = figure_end
    rest = trim(text, position, end)
    if rest is None:
        return
    if found and _is_ignorable_tail(text[rest[0] : rest[1]]):
        return
    if not found and _CONNECTIVE.match(text[rest[0] : rest[1]]):
        return
    reading.unread.append(rest)


def _is_ignorable_tail(value: str) -> bool:
    return all(char in "。；;，,、：:" or char.isspace() for char in value)


def _read_breakdown(text: str, start: int, end: int) -> tuple[list[Figure], str | None]:
    """Read ``含两委人员编制2名、援派机动编制3名`` (without the brackets)."""
    content = text[start:end]
    lead = _BREAKDOWN_LEAD.match(content)
    if lead is None:
        return [], content.strip() or None
    parts: list[Figure] = []
    leftovers: list[str] = []
    for part_start, part_end in split_top_level(text, start + lead.end(), end, "、，,；;"):
        while part_end > part_start and text[part_end - 1] in "、，,；;":
            part_end -= 1
        match = _COUNT.search(text, part_start, part_end)
        count = parse_number(match.group(1)) if match else None
        if match is None or count is None or match.end() != part_end:
            leftovers.append(text[part_start:part_end])
            continue
        raw_label = text[part_start : match.start()].strip()
        kind, label = classify_label(raw_label)
        parts.append(Figure(kind or OTHER_QUOTA, label, raw_label, count, part_start, match.end()))
    note = "、".join(leftovers) if leftovers else None
    return parts, note


def classify_label(raw_label: str) -> tuple[str | None, str]:
    """The kind of figure a label names, and the label cleaned for display."""
    label = raw_label.strip()
    if len(label) > _MAX_LABEL:
        # Real labels are short; a long run is prose, and bounding it keeps the regexes linear.
        return None, label
    label = _TRAILING_NOISE.sub("", _LEADING_NOISE.sub("", label))
    if not label:
        return None, label
    if "职数" in label:
        return LEVEL_POST, label
    if "编制" in label:
        if "工勤" in label:
            return LOGISTICS, label
        if "行政编制" in label:
            return ADMINISTRATIVE, _quota_label(label, "行政编制")
        if "事业编制" in label:
            return PUBLIC_INSTITUTION, label
        return OTHER_QUOTA, label
    for title in _POST_TITLES:
        if label.endswith(title):
            head = label[: -len(title)]
            # 国务院秘书长 is the 秘书长 post; 机关党委专职副书记 stays as written.
            if head and _ORG_SUFFIX.search(head):
                return POST, title
            return POST, label
    return None, label


def _quota_label(label: str, core: str) -> str:
    """``国家市场监督管理总局机关行政编制`` → ``机关行政编制``: the department name adds nothing."""
    index = label.find(core)
    return "机关" + core if label[:index].endswith("机关") else core


@dataclass(slots=True)
class Source:
    """Staffing sentences read from one place (a staffing section, or one free paragraph)."""

    from_section: bool
    readings: list[SentenceReading]


@dataclass(slots=True)
class Conflict:
    """A figure that disagrees with the one already taken (``taken``)."""

    figure: Figure
    taken: int


def merge_sources(
    sources: list[Source], staffing: Staffing, norm: NormalizedText
) -> list[Conflict]:
    """Fill ``staffing`` from all sources and return the figures that disagree.

    Sources from a staffing section come first, then the others in text order. The first figure
    of each kind wins; later agreeing figures only corroborate. Within one source, figures of a
    kind with different labels add up (全额拨款事业编制 + 差额拨款事业编制), while the same label
    said twice is a repetition, not an addition.
    """
    quotas: dict[str, list[CountItem]] = {
        ADMINISTRATIVE: staffing.administrative,
        PUBLIC_INSTITUTION: staffing.public_institution,
        LOGISTICS: staffing.logistics,
    }
    keyed: dict[str, list[CountItem]] = {
        OTHER_QUOTA: staffing.other_quotas,
        POST: staffing.posts,
        LEVEL_POST: staffing.level_posts,
    }
    conflicts: list[Conflict] = []
    known: dict[tuple[str, str], int] = {}
    ordered = [source for source in sources if source.from_section]
    ordered += [source for source in sources if not source.from_section]
    for source in ordered:
        by_kind: dict[str, dict[str, Figure]] = {}
        for reading in source.readings:
            for figure in reading.figures:
                first = by_kind.setdefault(figure.kind, {}).setdefault(figure.label, figure)
                if first is not figure and first.count != figure.count:
                    conflicts.append(Conflict(figure, first.count))
        for kind, target in quotas.items():
            mine = list(by_kind.get(kind, {}).values())
            if not mine:
                continue
            if not target:
                target.extend(figure.to_item(norm) for figure in mine)
                continue
            taken = sum(item.count for item in target)
            if sum(figure.count for figure in mine) != taken:
                conflicts.extend(Conflict(figure, taken) for figure in mine)
        for kind, target in keyed.items():
            for figure in by_kind.get(kind, {}).values():
                existing = known.get((kind, figure.label))
                if existing is None:
                    known[(kind, figure.label)] = figure.count
                    target.append(figure.to_item(norm))
                elif existing != figure.count:
                    conflicts.append(Conflict(figure, existing))
        staffing.sources.extend(
            norm.span(reading.start, reading.end) for reading in source.readings
        )
    return conflicts
