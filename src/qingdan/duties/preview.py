"""The review screen of a parsed 三定 regulation: items with their source spans marked in the text.

A pure context builder (no Django): :func:`build_preview` turns the parser's ``to_review_dict()``
into the lists the template shows, and cuts the original text into segments so each extracted
item's words are highlighted where they stand, with an anchor to jump to them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

KIND_LABELS = {
    "title": "标题",
    "nature": "机构性质",
    "duty": "主要职责",
    "unit": "内设机构",
    "unit_duty": "科室职责",
    "staffing": "人员编制",
    "clause": "其他事项",
    "unparsed": "未解析",
}


@dataclass
class Mark:
    key: str
    kind: str
    start: int
    end: int


@dataclass
class Segment:
    text: str
    kind: str = ""
    key: str = ""
    anchors: list[str] = field(default_factory=list)  # other marks starting here
    starts: bool = False  # this piece begins its own mark (the mark element carries the id)


@dataclass
class Preview:
    title: str
    form: str
    rank: str
    nature: str
    document_number: str
    main_duties: list[dict[str, Any]]
    units: list[dict[str, Any]]
    staffing: list[dict[str, Any]]
    leadership: list[dict[str, Any]]
    clauses: list[dict[str, Any]]
    unparsed: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    segments: list[Segment]
    declared_unit_count: int | None
    truncated: bool

    @property
    def empty(self) -> bool:
        return not (self.main_duties or self.units or self.staffing or self.leadership)


FORM_LABELS = {"2008": "2008年体例（一、二、三…）", "2018": "2018年以后体例（第N条）"}


def build_preview(text: str, review: dict[str, Any]) -> Preview:
    marks: list[Mark] = []

    def mark(kind: str, key: str, span: dict[str, int] | None) -> str:
        if span and 0 <= span["start"] < span["end"] <= len(text):
            marks.append(Mark(key, kind, span["start"], span["end"]))
            return key
        return ""

    title = review.get("title") or {}
    if title:
        mark("title", "title", title.get("span"))
    nature = review.get("nature") or {}
    if nature:
        mark("nature", "nature", nature.get("span"))

    duties = [
        {**d, "index": i, "key": mark("duty", f"d{i}", d["span"])}
        for i, d in enumerate(review.get("main_duties", []))
    ]
    units = []
    for i, u in enumerate(review.get("units", [])):
        unit_duties = [
            {**d, "key": mark("unit_duty", f"u{i}d{j}", d["span"])}
            for j, d in enumerate(u.get("duties", []))
        ]
        units.append(
            {**u, "index": i, "key": mark("unit", f"u{i}", u["name_span"]), "duties": unit_duties}
        )
    staffing_review = review.get("staffing") or {}
    staffing = []
    for group, label in (
        ("administrative_items", "行政编制"),
        ("public_institution_items", "事业编制"),
        ("logistics_items", "工勤编制"),
        ("other_quotas", "其他编制"),
    ):
        for j, item in enumerate(staffing_review.get(group, [])):
            key = mark("staffing", f"s{group[:3]}{j}", item["span"])
            staffing.append({**item, "kind_label": label, "key": key})
    leadership = [
        {**item, "key": mark("staffing", f"p{j}", item["span"])}
        for j, item in enumerate(
            sorted(
                [*staffing_review.get("posts", []), *staffing_review.get("level_posts", [])],
                key=lambda x: x["span"]["start"],
            )
        )
    ]
    clauses = [
        {**c, "key": mark("clause", f"c{i}", c["span"])}
        for i, c in enumerate(review.get("clauses", []))
    ]
    unparsed = [
        {**u, "key": mark("unparsed", f"x{i}", u["span"])}
        for i, u in enumerate(review.get("unparsed", []))
    ]
    return Preview(
        title=title.get("text") or "",
        form=FORM_LABELS.get(review.get("form", ""), "未识别"),
        rank=nature.get("rank") or "",
        nature=nature.get("text") or "",
        document_number=review.get("document_number") or "",
        main_duties=duties,
        units=units,
        staffing=staffing,
        leadership=leadership,
        clauses=clauses,
        unparsed=unparsed,
        warnings=review.get("warnings", []),
        segments=segments(text, marks),
        declared_unit_count=review.get("declared_unit_count"),
        truncated=bool(review.get("truncated")),
    )


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Cut ``text`` at every mark boundary; each piece takes the innermost (shortest) mark over it.

    Anchors for every mark go on the piece where the mark starts, so each item can be jumped to
    even when smaller items cover all of its words.
    """
    bounds = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    by_start: dict[int, list[Mark]] = {}
    for m in sorted(marks, key=lambda m: (m.start, -(m.end - m.start))):
        by_start.setdefault(m.start, []).append(m)
    active: list[Mark] = []  # marks covering the current piece (rarely more than two)
    result: list[Segment] = []
    for a, b in itertools.pairwise(bounds):
        active = [m for m in active if m.end > a] + by_start.get(a, [])
        inner = min(active, key=lambda m: m.end - m.start, default=None)
        starting = [m.key for m in by_start.get(a, [])]
        own = inner is not None and inner.key in starting
        result.append(
            Segment(
                text[a:b],
                inner.kind if inner else "",
                inner.key if inner else "",
                [k for k in starting if not (own and inner is not None and k == inner.key)],
                own,
            )
        )
    return result
