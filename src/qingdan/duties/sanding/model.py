"""Result types of the 三定 parser.

Everything the parser extracts keeps the span it came from, as offsets into the *original* input
text, so a reviewer can always go back to the words that produced an item. Texts are in
simplified characters (the parser normalizes traditional characters and site garbage first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Document forms. "2008": 一、职责调整 二、主要职责 … sections; "2018": 第N条 articles;
# "unknown": neither (e.g. a summary of a regulation).
FORM_2008 = "2008"
FORM_2018 = "2018"
FORM_UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` in the original input text."""

    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass(slots=True)
class TextItem:
    """A piece of regulation text: a main duty, a unit duty, a 分工 clause, a paragraph.

    ``number`` is the list number when the text had a marker such as （三）; ``truncated`` is set
    when the source was cut off in the middle of this item.
    """

    text: str
    span: Span
    number: int | None = None
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "span": self.span.to_dict(),
            "truncated": self.truncated,
        }


@dataclass(slots=True)
class Unit:
    """An internal unit (内设机构: 司/局/处/科/股/室) and the duties the regulation gives it."""

    name: str
    name_span: Span
    span: Span
    number: int | None = None
    duties: list[TextItem] = field(default_factory=list)
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "name_span": self.name_span.to_dict(),
            "span": self.span.to_dict(),
            "duties": [duty.to_dict() for duty in self.duties],
            "truncated": self.truncated,
        }


@dataclass(slots=True)
class CountItem:
    """A counted figure: a quota (行政编制805名), a post (局长1名) or a 领导职数.

    ``label`` is the cleaned title (秘书长); ``raw_label`` what preceded the number in the text
    (国务院秘书长). ``breakdown`` holds the parenthesised 含…N名 parts; ``note`` any other
    parenthesised remark after the number.
    """

    label: str
    count: int
    span: Span
    raw_label: str = ""
    breakdown: list[CountItem] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "raw_label": self.raw_label,
            "count": self.count,
            "span": self.span.to_dict(),
            "breakdown": [part.to_dict() for part in self.breakdown],
            "note": self.note,
        }


@dataclass(slots=True)
class Staffing:
    """人员编制: quotas by kind, leadership posts and 领导职数.

    Quotas are lists because one regulation may give several figures of the same kind
    (全额拨款事业编制3名、差额拨款事业编制2名); the totals are what the JSON reports.
    ``posts`` are individual posts (局长1名); ``level_posts`` the 领导职数 by level
    (司局级领导职数120名, 股级职数17名). ``historical`` keeps figures the text attributes to an
    earlier regulation (原规定); they are never used as the current figures.
    """

    administrative: list[CountItem] = field(default_factory=list)
    public_institution: list[CountItem] = field(default_factory=list)
    logistics: list[CountItem] = field(default_factory=list)
    other_quotas: list[CountItem] = field(default_factory=list)
    posts: list[CountItem] = field(default_factory=list)
    level_posts: list[CountItem] = field(default_factory=list)
    historical: list[CountItem] = field(default_factory=list)
    sources: list[Span] = field(default_factory=list)

    @property
    def administrative_total(self) -> int | None:
        return _total(self.administrative)

    @property
    def public_institution_total(self) -> int | None:
        return _total(self.public_institution)

    @property
    def logistics_total(self) -> int | None:
        return _total(self.logistics)

    def is_empty(self) -> bool:
        return not (
            self.administrative
            or self.public_institution
            or self.logistics
            or self.other_quotas
            or self.posts
            or self.level_posts
        )

    def leadership_in_text_order(self) -> list[CountItem]:
        """Posts and 领导职数 together, in the order the text gives them."""
        return sorted([*self.posts, *self.level_posts], key=lambda item: item.span.start)

    def to_dict(self) -> dict[str, Any]:
        def items(values: list[CountItem]) -> list[dict[str, Any]]:
            return [value.to_dict() for value in values]

        return {
            "administrative": self.administrative_total,
            "public_institution": self.public_institution_total,
            "logistics": self.logistics_total,
            "administrative_items": items(self.administrative),
            "public_institution_items": items(self.public_institution),
            "logistics_items": items(self.logistics),
            "other_quotas": items(self.other_quotas),
            "posts": items(self.posts),
            "level_posts": items(self.level_posts),
            "historical": items(self.historical),
            "sources": [source.to_dict() for source in self.sources],
        }


def _total(values: list[CountItem]) -> int | None:
    return sum(value.count for value in values) if values else None


@dataclass(slots=True)
class Nature:
    """The sentence giving the department's nature and 规格 (是县人民政府工作部门，为正科级)."""

    text: str
    span: Span
    organization: str | None = None
    department_type: str | None = None
    rank: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "span": self.span.to_dict(),
            "organization": self.organization,
            "department_type": self.department_type,
            "rank": self.rank,
        }


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something a reviewer must know about the input; ``message`` is in Chinese for users."""

    code: str
    message: str
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "span": self.span.to_dict() if self.span else None,
        }


@dataclass(frozen=True, slots=True)
class UnparsedItem:
    """Input text the parser could not attribute or interpret, with the reason (in Chinese)."""

    text: str
    span: Span
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "span": self.span.to_dict(), "reason": self.reason}


@dataclass(slots=True)
class SandingDocument:
    """A parsed 三定 regulation (职能配置、内设机构和人员编制规定) ready for human review.

    ``general`` holds text that was read but has no structure of its own (the basis article
    第一条, 对外保留…牌子); ``adjustments`` the 职责调整/职能转变 text; ``clauses`` the 其他事项
    (职责分工) clauses; ``closing`` the 附则. ``form`` is one of :data:`FORM_2008`,
    :data:`FORM_2018`, :data:`FORM_UNKNOWN`.
    """

    source_length: int
    form: str = FORM_UNKNOWN
    title: TextItem | None = None
    document_number: str | None = None
    nature: Nature | None = None
    general: list[TextItem] = field(default_factory=list)
    adjustments: list[TextItem] = field(default_factory=list)
    duties_intro: TextItem | None = None
    main_duties: list[TextItem] = field(default_factory=list)
    units_intro: TextItem | None = None
    declared_unit_count: int | None = None
    unit_rank: str | None = None
    units: list[Unit] = field(default_factory=list)
    staffing: Staffing = field(default_factory=Staffing)
    clauses: list[TextItem] = field(default_factory=list)
    closing: list[TextItem] = field(default_factory=list)
    truncated: bool = False
    warnings: list[ParseWarning] = field(default_factory=list)
    unparsed: list[UnparsedItem] = field(default_factory=list)

    def warning_codes(self) -> list[str]:
        return [warning.code for warning in self.warnings]

    def to_json(self) -> dict[str, Any]:
        """The stable, minimal shape printed by ``qingdan sanding parse FILE --json``."""
        return {
            "title": self.title.text if self.title else None,
            "main_duties": [duty.text for duty in self.main_duties],
            "units": [
                {"name": unit.name, "duties": [duty.text for duty in unit.duties]}
                for unit in self.units
            ],
            "staffing": {
                "administrative": self.staffing.administrative_total,
                "public_institution": self.staffing.public_institution_total,
                "logistics": self.staffing.logistics_total,
            },
            "leadership_posts": [
                {"title": item.label, "count": item.count}
                for item in self.staffing.leadership_in_text_order()
            ],
            "unparsed": [item.text for item in self.unparsed],
        }

    def to_review_dict(self) -> dict[str, Any]:
        """Everything, with spans, for the review screen."""

        def items(values: list[TextItem]) -> list[dict[str, Any]]:
            return [value.to_dict() for value in values]

        return {
            "source_length": self.source_length,
            "form": self.form,
            "title": self.title.to_dict() if self.title else None,
            "document_number": self.document_number,
            "nature": self.nature.to_dict() if self.nature else None,
            "general": items(self.general),
            "adjustments": items(self.adjustments),
            "duties_intro": self.duties_intro.to_dict() if self.duties_intro else None,
            "main_duties": items(self.main_duties),
            "units_intro": self.units_intro.to_dict() if self.units_intro else None,
            "declared_unit_count": self.declared_unit_count,
            "unit_rank": self.unit_rank,
            "units": [unit.to_dict() for unit in self.units],
            "staffing": self.staffing.to_dict(),
            "clauses": items(self.clauses),
            "closing": items(self.closing),
            "truncated": self.truncated,
            "warnings": [warning.to_dict() for warning in self.warnings],
            "unparsed": [item.to_dict() for item in self.unparsed],
        }
