"""The content of a 部门管理手册（履职清单）, built from plain data — no Django, no file format.

``build(HandbookInput) -> Handbook`` decides everything the reader sees: the cover, the chapters
and their order, every table row, task card and flowchart (as the engine's ``Layout``). The Word
and PDF renderers only typeset this tree, so both formats always carry the same content and the
builder is unit-tested without rendering anything.

Chapters (seed 000: "制定部门管理手册（履职清单），作为今后设定岗位、明确岗位职责、规范流程的依据"):

一、部门概况（三定规定摘要）  nature, rank, 三定规定, main duties, internal units
二、内设机构、岗位和编制      编制 vs 实有 per unit, leadership posts, positions
三、职责任务清单              duty → task list per unit
四、工作任务说明              a task card per task (工作规范, 时限, 依据, 频次, 主办/协办/AB角)
五、办理流程图                the flowcharts of tasks that have a process        (when present)
六、职责边界事项              the boundary items the department takes part in    (when present)
七、风险点及防控措施          risk points of the processes                       (when present)

Optional chapters that have nothing to show are left out and the others renumbered, as a clerk
would. Headings follow GB/T 9704-2012's order of numbering: 一、 （一） 1. （1）.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from qingdan.processes.flowchart import FlowchartTooLarge, Layout, layout

from .inputs import HandbookInput, ProcessIn, TaskIn

HANDBOOK_TITLE = "部门管理手册（履职清单）"
EMPTY = "—"
CN_DIGITS = "〇一二三四五六七八九"
ROLE_LABELS = {"lead": "主办岗位", "assist": "协办岗位", "backup": "AB角（备岗）"}
RISK_ORDER = {"高": 0, "中": 1, "低": 2}


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一, 105 → 一百〇五 (chapter and section numbers)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("〇" + CN_DIGITS[rest] if rest < 10 else cn_number(rest))
    return CN_DIGITS[n // 100] + "百" + tail


def cn_date(year: int, month: int, day: int | None = None) -> str:
    """A date as GB/T 9704-2012 prints 成文日期: Arabic numerals, no leading zeros (2026年11月5日)."""
    return f"{year}年{month}月" + (f"{day}日" if day else "")


def days_text(days: float | None) -> str:
    if days is None:
        return ""
    whole = float(days).is_integer()
    return "当场办结" if days <= 0 else f"{int(days) if whole else days:g}个工作日"


# --- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """封面: department, title, region, date (Arabic, GB/T 9704-2012) and version."""

    department: str
    title: str
    region: str
    date_text: str
    version_text: str
    issuer: str = ""
    short_name: str = ""


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 chapter (一、), 2 section (（一）), 3 item (1.); levels 1–2 go in the TOC."""

    level: int
    text: str


@dataclass(frozen=True)
class Para:
    """A paragraph: ``body`` (2-character first-line indent), ``note`` (smaller), ``plain``."""

    text: str
    kind: Literal["body", "note", "plain"] = "body"


@dataclass(frozen=True)
class Column:
    title: str
    weight: float
    align: Literal["left", "center", "right"] = "left"


@dataclass(frozen=True)
class Table:
    """A ruled table with a header row; ``total`` is a final 合计 row set in bold."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    total: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Card:
    """A task card (任务说明): label/value rows in a two-column table."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Figure:
    """A flowchart: ``图N　caption``, the laid-out chart, and the notes printed under it."""

    number: int
    caption: str
    layout: Layout | None  # None: too large to draw (the notes say so)
    notes: tuple[str, ...] = ()


Block = Heading | Para | Table | Card | Figure


@dataclass(frozen=True)
class Chapter:
    key: str  # profile | staffing | tasks | cards | flowcharts | boundaries | risks
    number: int
    title: str
    blocks: tuple[Block, ...]

    @property
    def heading(self) -> str:
        return f"{cn_number(self.number)}、{self.title}"


@dataclass(frozen=True)
class Counts:
    """The figures a template may print (``{{ counts.tasks }}`` …) and the compilation sums."""

    units: int = 0
    positions: int = 0
    duty_items: int = 0
    tasks: int = 0
    flowcharts: int = 0
    risks: int = 0
    boundaries: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class UnitSummary:
    """One line per 内设机构 for templates: ``{% for u in units %}{{ u.name }} {{ u.tasks }}…``."""

    name: str
    approved: int | None
    filled: int
    positions: int
    tasks: int


@dataclass(frozen=True)
class Handbook:
    """One department's 部门管理手册（履职清单）: the cover, the chapters, and its figures."""

    department_code: str
    cover: Cover
    chapters: tuple[Chapter, ...]
    counts: Counts
    version: int | None = None
    units: tuple[UnitSummary, ...] = ()

    def toc(self) -> list[tuple[int, str]]:
        """(level, text) of the table of contents: chapters and their sections."""
        out: list[tuple[int, str]] = []
        for chapter in self.chapters:
            out.append((1, chapter.heading))
            out.extend(
                (2, b.text) for b in chapter.blocks if isinstance(b, Heading) and b.level == 2
            )
        return out

    def text(self) -> str:
        """All the words, one block a line: what the plain-text baseline of the benchmark
        writes, and a handy thing to search in tests."""
        lines = [self.cover.department, self.cover.title, self.cover.region, self.cover.date_text]
        for chapter in self.chapters:
            lines.append(chapter.heading)
            for b in chapter.blocks:
                if isinstance(b, Heading | Para):
                    lines.append(b.text)
                elif isinstance(b, Table):
                    lines.append("\t".join(c.title for c in b.columns))
                    lines.extend("\t".join(r) for r in b.rows)
                    if b.total:
                        lines.append("\t".join(b.total))
                elif isinstance(b, Card):
                    lines.extend(f"{k}\t{v}" for k, v in b.rows)
                elif isinstance(b, Figure):
                    lines.append(f"图{b.number}　{b.caption}")
                    if b.layout is not None:
                        lines.extend(line.text for n in b.layout.nodes for line in n.lines)
                    lines.extend(b.notes)
        return "\n".join(lines)


# --- the builder ---------------------------------------------------------------------------------


def _num(value: int | None) -> str:
    return EMPTY if value is None else str(value)


def _or_empty(text: str) -> str:
    return text.strip() or EMPTY


class _Builder:
    def __init__(self, inp: HandbookInput) -> None:
        self.inp = inp
        self.unit_names = {u.code: u.name for u in inp.units}
        self.duties = {d.code: d for d in inp.duties}
        self.process_of: dict[str, ProcessIn] = {}
        for p in inp.processes:
            self.process_of.setdefault(p.task_code, p)
        self.duty_index = {d.code: i for i, d in enumerate(inp.duties)}
        self.figure_of: dict[str, int] = {}
        self.flowchart_blocks: list[Block] = []
        self.chapters: list[Chapter] = []

    def add(self, key: str, title: str, blocks: list[Block]) -> None:
        self.chapters.append(Chapter(key, len(self.chapters) + 1, title, tuple(blocks)))

    # -- grouping tasks by lead unit, in unit order, unknown units (abolished since) at the end --
    def tasks_by_unit(self) -> list[tuple[str, list[TaskIn]]]:
        groups: dict[str, list[TaskIn]] = defaultdict(list)
        names: dict[str, str] = {}
        for t in self.inp.tasks:
            groups[t.lead_unit].append(t)
            names.setdefault(t.lead_unit, t.lead_unit_name)
        ordered = [u.code for u in self.inp.units if u.code in groups]
        ordered += sorted(k for k in groups if k not in self.unit_names)
        return [(self.unit_names.get(k) or names[k] or k, groups[k]) for k in ordered]

    # -- chapters ---------------------------------------------------------------------------------
    def profile(self) -> None:
        d, m = self.inp.department, self.inp.mandate
        blocks: list[Block] = [Heading(2, "（一）机构性质和规格")]
        nature = m.nature.strip() or (
            f"{d.name}是{d.kind or '本级机构'}" + (f"，机构规格为{d.rank}。" if d.rank else "。")
        )
        blocks.append(Para(nature))
        if m.title:
            when = ""
            if m.effective_date:
                e = m.effective_date
                when = f"，{cn_date(e.year, e.month, e.day)}印发"
            number = f"（{m.doc_number}{when}）" if m.doc_number or when else ""
            blocks.append(Para(f"依据：《{m.title.strip('《》')}》{number}。"))
        blocks.append(Heading(2, "（二）主要职责"))
        duties = m.main_duties or tuple(x.text for x in self.inp.duties)
        if duties:
            blocks.extend(Para(f"{i}.{text.strip()}") for i, text in enumerate(duties, start=1))
        else:
            blocks.append(Para("三定规定尚未录入主要职责。"))
        blocks.append(Heading(2, "（三）内设机构"))
        if self.inp.units:
            names = "、".join(u.name for u in self.inp.units)
            blocks.append(Para(f"设{len(self.inp.units)}个内设机构：{names}。"))
        else:
            blocks.append(Para("尚未录入内设机构。"))
        self.add("profile", "部门概况（三定规定摘要）", blocks)

    def staffing(self) -> None:
        s = self.inp.staffing
        blocks: list[Block] = [Heading(2, "（一）编制和领导职数")]
        parts = []
        for label, approved, filled in (
            ("行政编制", s.administrative, s.filled_administrative),
            ("事业编制", s.institution, s.filled_institution),
            ("工勤编制", s.logistics, s.filled_logistics),
        ):
            if approved or filled:
                parts.append(f"{label}{_num(approved)}名，实有{filled}名")
        text = "核定" + "；".join(parts) + "。" if parts else "尚无编制核定记录。"
        leaders = [
            f"{label}{n}名"
            for label, n in (
                ("正职", s.leader_principal),
                ("副职", s.leader_deputy),
                ("内设机构领导职数", s.leader_unit),
            )
            if n
        ]
        if leaders:
            text += "领导职数：" + "，".join(leaders) + "。"
        if s.doc_number:
            text += f"（依据{s.doc_number}）"
        blocks.append(Para(text))
        rows = []
        for i, u in enumerate(self.inp.units, start=1):
            posts = sum(p.headcount for p in u.positions)
            rows.append(
                (
                    str(i),
                    u.name,
                    u.rank or EMPTY,
                    _num(u.approved),
                    str(u.filled),
                    str(len(u.positions)),
                    str(posts),
                )
            )
        approved = [u.approved for u in self.inp.units if u.approved is not None]
        total = (
            "",
            "合计",
            "",
            str(sum(approved)) if approved else EMPTY,
            str(sum(u.filled for u in self.inp.units)),
            str(sum(len(u.positions) for u in self.inp.units)),
            str(sum(p.headcount for u in self.inp.units for p in u.positions)),
        )
        blocks.append(
            Table(
                (
                    Column("序号", 0.6, "center"),
                    Column("内设机构", 2.6),
                    Column("规格", 1.0, "center"),
                    Column("核定编制", 1.0, "center"),
                    Column("实有人数", 1.0, "center"),
                    Column("岗位数", 0.9, "center"),
                    Column("岗位人数", 1.0, "center"),
                ),
                tuple(rows),
                caption="内设机构编制和实有人数",
                total=total if rows else None,
            )
        )
        blocks.append(Heading(2, "（二）岗位设置"))
        position_rows = []
        groups: list[tuple[str, tuple]] = (
            [("部门领导", self.inp.leaders)] if self.inp.leaders else []
        )
        groups += [(u.name, u.positions) for u in self.inp.units]
        for unit_name, positions in groups:
            for p in positions:
                position_rows.append(
                    (
                        str(len(position_rows) + 1),
                        unit_name,
                        p.name,
                        p.category or EMPTY,
                        str(p.headcount),
                        str(p.holders),
                        "是" if p.is_key else "",
                    )
                )
        if position_rows:
            blocks.append(
                Table(
                    (
                        Column("序号", 0.6, "center"),
                        Column("内设机构", 2.0),
                        Column("岗位名称", 2.4),
                        Column("类别", 0.8, "center"),
                        Column("岗位人数", 0.9, "center"),
                        Column("在岗人数", 0.9, "center"),
                        Column("重点岗位", 0.9, "center"),
                    ),
                    tuple(position_rows),
                    caption="岗位设置一览",
                )
            )
        else:
            blocks.append(Para("尚未设置岗位。"))
        self.add("staffing", "内设机构、岗位和编制", blocks)

    def task_list(self, groups: list[tuple[str, list[TaskIn]]]) -> None:
        blocks: list[Block] = []
        if not groups:
            blocks.append(Para("尚未分解工作任务。"))
        for k, (unit_name, tasks) in enumerate(groups, start=1):
            blocks.append(Heading(2, f"（{cn_number(k)}）{unit_name}"))
            rows = []
            last_duty = None
            for t in sorted(tasks, key=lambda t: (self._duty_order(t.duty_code), t.code)):
                duty = ""
                if t.duty_code != last_duty:
                    item = self.duties.get(t.duty_code)
                    duty = f"{t.duty_code} {item.text}" if item else t.duty_code
                    last_duty = t.duty_code
                lead = [p.position for p in t.positions if p.role == "lead"]
                rows.append(
                    (
                        str(len(rows) + 1),
                        duty,
                        f"{t.code} {t.name}",
                        t.frequency or EMPTY,
                        "、".join(lead) or EMPTY,
                    )
                )
            blocks.append(
                Table(
                    (
                        Column("序号", 0.6, "center"),
                        Column("职责事项", 3.2),
                        Column("工作任务", 3.2),
                        Column("频次", 0.9, "center"),
                        Column("主办岗位", 1.6),
                    ),
                    tuple(rows),
                )
            )
        self.add("tasks", "职责任务清单", blocks)

    def _duty_order(self, code: str) -> int:
        return self.duty_index.get(code, len(self.duty_index))

    def cards(self, groups: list[tuple[str, list[TaskIn]]]) -> None:
        blocks: list[Block] = []
        if not groups:
            blocks.append(Para("尚未分解工作任务。"))
        for k, (unit_name, tasks) in enumerate(groups, start=1):
            blocks.append(Heading(2, f"（{cn_number(k)}）{unit_name}"))
            for i, t in enumerate(tasks, start=1):
                blocks.append(Heading(3, f"{i}.{t.name}"))
                blocks.append(self.card(t))
        self.add("cards", "工作任务说明", blocks)

    def card(self, t: TaskIn) -> Card:
        item = self.duties.get(t.duty_code)
        limit = (
            f"{t.time_limit_days}个工作日" if t.time_limit_days is not None else ""
        ) + t.time_limit_note
        rows: list[tuple[str, str]] = [
            ("任务编码", t.code),
            ("职责事项", f"{t.duty_code} {item.text}" if item else t.duty_code),
            ("承办科室", t.lead_unit_name or EMPTY),
        ]
        if t.cooperating_units:
            rows.append(("协办科室", "、".join(t.cooperating_units)))
        rows += [
            ("任务内容", _or_empty(t.description)),
            ("工作规范", _or_empty(t.work_spec)),
            ("办理时限", limit or EMPTY),
            ("法律依据", _or_empty(t.legal_basis)),
            ("履职频次", t.frequency or EMPTY),
        ]
        if t.annual_hours:
            rows.append(("年工作量", f"{t.annual_hours:g}小时"))
        for role, label in ROLE_LABELS.items():
            names = [
                f"{p.unit}·{p.position}" if p.unit and p.unit != t.lead_unit_name else p.position
                for p in t.positions
                if p.role == role
            ]
            if names or role == "lead":
                rows.append((label, "、".join(names) or EMPTY))
        if t.output_templates.strip():
            rows.append(("文本样板", t.output_templates.strip()))
        figure = self.figure_of.get(t.code)
        if figure is not None:
            rows.append(("办理流程", f"见图{figure}"))
        return Card(tuple(rows))

    def flowcharts(self, groups: list[tuple[str, list[TaskIn]]]) -> None:
        blocks: list[Block] = []
        k = 0
        for unit_name, tasks in groups:
            figures: list[Block] = []
            for t in tasks:
                process = self.process_of.get(t.code)
                if process is None:
                    continue
                number = len(self.figure_of) + 1
                self.figure_of[t.code] = number
                figures.append(self.figure(number, t, process))
            if figures:
                k += 1
                blocks.append(Heading(2, f"（{cn_number(k)}）{unit_name}"))
                blocks.extend(figures)
        self.flowchart_blocks = blocks

    def figure(self, number: int, t: TaskIn, p: ProcessIn) -> Figure:
        notes = []
        try:
            drawn: Layout | None = layout(p.graph)
        except FlowchartTooLarge as exc:
            drawn = None
            notes.append(f"{exc}（流程图未绘制）")
        if p.legal_limit_days is not None:
            notes.append(f"法定时限：{days_text(p.legal_limit_days)}。")
        if p.supervision.strip():
            notes.append(f"监督制约：{p.supervision.strip()}")
        if p.complaint.strip():
            notes.append(f"投诉渠道：{p.complaint.strip()}")
        return Figure(number, f"{t.name}办理流程图", drawn, tuple(notes))

    def boundaries(self) -> None:
        rows = tuple(
            (
                str(i),
                b.matter,
                b.role or EMPTY,
                "、".join(b.partners) or EMPTY,
                _or_empty(b.division),
                _or_empty(b.mechanism),
            )
            for i, b in enumerate(self.inp.boundaries, start=1)
        )
        table = Table(
            (
                Column("序号", 0.6, "center"),
                Column("管理事项", 2.2),
                Column("本部门", 0.9, "center"),
                Column("相关部门", 1.6),
                Column("职责分工", 3.0),
                Column("协调配合机制", 2.2),
            ),
            rows,
        )
        self.add("boundaries", "职责边界事项", [table])

    def risks(self, groups: list[tuple[str, list[TaskIn]]]) -> int:
        rows = []
        for _unit, tasks in groups:
            for t in tasks:
                p = self.process_of.get(t.code)
                if p is None:
                    continue
                for r in sorted(p.risks, key=lambda r: RISK_ORDER.get(r.level, 3)):
                    rows.append(
                        (
                            str(len(rows) + 1),
                            t.name,
                            r.step or EMPTY,
                            r.level,
                            _or_empty(r.description),
                            _or_empty(r.controls),
                            r.person or EMPTY,
                        )
                    )
        if rows:
            table = Table(
                (
                    Column("序号", 0.6, "center"),
                    Column("工作任务", 2.0),
                    Column("环节", 1.4),
                    Column("等级", 0.6, "center"),
                    Column("风险描述", 2.4),
                    Column("防控措施", 2.6),
                    Column("责任人", 0.9, "center"),
                ),
                tuple(rows),
            )
            self.add("risks", "风险点及防控措施", [table])
        return len(rows)


def build(inp: HandbookInput) -> Handbook:
    """The handbook of one department from its plain data (pure, deterministic)."""
    b = _Builder(inp)
    groups = b.tasks_by_unit()
    b.flowcharts(groups)  # numbers the figures first, so task cards can say "见图N"
    b.profile()
    b.staffing()
    b.task_list(groups)
    b.cards(groups)
    if b.figure_of:
        b.add("flowcharts", "办理流程图", b.flowchart_blocks)
    if inp.boundaries:
        b.boundaries()
    risk_count = b.risks(groups)
    d = inp.department
    version_text = (
        f"第{inp.version}版"
        + (
            f"（{cn_date(inp.published_on.year, inp.published_on.month, inp.published_on.day)}发布）"
            if inp.published_on
            else ""
        )
        if inp.version
        else "工作稿（未发布）"
    )
    cover = Cover(
        department=d.name,
        title=HANDBOOK_TITLE,
        region=d.region,
        date_text=cn_date(inp.on.year, inp.on.month),
        version_text=version_text,
        issuer=d.issuer or d.name,
        short_name=d.short_name,
    )
    counts = Counts(
        units=len(inp.units),
        positions=len(inp.leaders) + sum(len(u.positions) for u in inp.units),
        duty_items=len(inp.duties),
        tasks=len(inp.tasks),
        flowcharts=len(b.figure_of),
        risks=risk_count,
        boundaries=len(inp.boundaries),
    )
    per_unit: dict[str, int] = defaultdict(int)
    for t in inp.tasks:
        per_unit[t.lead_unit] += 1
    units = tuple(
        UnitSummary(u.name, u.approved, u.filled, len(u.positions), per_unit.get(u.code, 0))
        for u in inp.units
    )
    return Handbook(d.code, cover, tuple(b.chapters), counts, inp.version, units)
