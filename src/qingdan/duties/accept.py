"""接收三定规定: turn a reviewed parse of a 三定 regulation into list rows, in one transaction.

The reviewer sees a :class:`Plan` (what would be created, updated, left alone or retired) and
chooses what to take; :func:`accept_sanding` then writes through the services:

* the :class:`~qingdan.duties.models.Mandate` — a new version, or the latest one when the very
  same text is accepted again;
* a DutyItem per selected main duty (code ZZ001…, source 三定条目, clause 主要职责（N）). A newer
  text updates the existing items — matched first by identical text, then by clause — instead of
  adding duplicates; items no longer in the text are retired when the reviewer agrees (a draft
  without tasks is deleted, anything else revoked);
* the units (内设机构), matched by name: missing ones created, the duties text of existing ones
  updated — only where the user may maintain units (部门管理员, 编办); others are told;
* the department's StaffingQuota (编制 and 领导职数) through ``org.services.create_quota`` — only
  for users who own quotas (编办); a clerk's accept skips it with a notice.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count

from qingdan.core.access import ensure_in_scope, restrict
from qingdan.core.choices import Action
from qingdan.duties import services
from qingdan.duties.choices import DutySource, ListStatus, MandateForm
from qingdan.duties.models import DutyItem, Mandate
from qingdan.duties.sanding import SandingDocument
from qingdan.duties.sanding.numerals import format_number
from qingdan.duties.scope import department_allows
from qingdan.org import services as org_services
from qingdan.org.choices import Rank
from qingdan.org.choices import Status as OrgStatus
from qingdan.org.models import Department, StaffingQuota, Unit

_SPACE = re.compile(r"\s+")


def clause_label(number: int) -> str:
    return f"主要职责（{format_number(number)}）"


def _same(a: str, b: str) -> bool:
    return _SPACE.sub("", a) == _SPACE.sub("", b)


def unit_duties_text(duties: list[str]) -> str:
    return "\n".join(f"（{format_number(i)}）{text}" for i, text in enumerate(duties, start=1))


def rank_value(label: str | None) -> str:
    """The Rank choice for a parsed 规格 label (正科级 → zhengke), or ""."""
    if not label:
        return ""
    aliases = {"正县级": "正处级", "副县级": "副处级", "正乡科级": "正科级", "副乡科级": "副科级"}
    label = aliases.get(label, label)
    return next((value for value, text in Rank.choices if text == label), "")


@dataclass
class QuotaFigures:
    """编制 and 领导职数 as read from the text (editable by the 编办 reviewer)."""

    administrative: int = 0
    institution: int = 0
    logistics: int = 0
    leader_principal: int = 0
    leader_deputy: int = 0
    leader_unit: int = 0

    FIELDS = (
        ("administrative", "行政编制"),
        ("institution", "事业编制"),
        ("logistics", "工勤编制"),
        ("leader_principal", "正职领导职数"),
        ("leader_deputy", "副职领导职数"),
        ("leader_unit", "内设机构领导职数"),
    )

    def describe(self) -> str:
        return "，".join(f"{label}{getattr(self, name)}名" for name, label in self.FIELDS)


def quota_from_document(doc: SandingDocument) -> QuotaFigures | None:
    """Read the staffing section: the first head post is the 正职, other posts count as 副职
    (副局长, 总农艺师 …), 领导职数 by level (科级/股级/司局级) as 内设机构领导职数."""
    s = doc.staffing
    if s.is_empty():
        return None
    principal = deputy = 0
    for post in s.posts:
        if principal == 0 and "副" not in post.label:
            principal = post.count
        else:
            deputy += post.count
    return QuotaFigures(
        administrative=s.administrative_total or 0,
        institution=s.public_institution_total or 0,
        logistics=s.logistics_total or 0,
        leader_principal=principal,
        leader_deputy=deputy,
        leader_unit=sum(p.count for p in s.level_posts),
    )


@dataclass
class PlanDuty:
    index: int
    number: int
    clause: str
    text: str
    action: str  # create | update | unchanged
    existing: DutyItem | None = None

    @property
    def label(self) -> str:
        return f"（{format_number(self.number)}）"


@dataclass
class PlanUnit:
    index: int
    name: str
    duties: list[str]
    action: str  # create | update | unchanged | denied
    existing: Unit | None = None


@dataclass
class Plan:
    """What accepting the parse into ``department`` would do (computed without writing)."""

    department: Department
    duties: list[PlanDuty]
    units: list[PlanUnit]
    retire: list[DutyItem]  # items from an earlier text that are not in this one any more
    task_counts: dict[int, int]
    quota: QuotaFigures | None
    may_units: bool
    may_quota: bool
    latest: Mandate | None
    same_text: bool


@dataclass
class Selection:
    """The reviewer's choices: indices of main duties and units, items to retire, the quota."""

    duties: set[int] | None = None  # None: all
    units: set[int] | None = None
    retire: set[int] | None = None  # DutyItem ids; None: all proposed
    quota: QuotaFigures | None = None


@dataclass
class MandateMeta:
    title: str
    doc_number: str = ""
    effective_date: dt.date | None = None


@dataclass
class AcceptResult:
    mandate: Mandate
    new_version: bool
    created: list[DutyItem] = field(default_factory=list)
    updated: list[DutyItem] = field(default_factory=list)
    unchanged: int = 0
    revoked: list[DutyItem] = field(default_factory=list)
    deleted: int = 0
    units_created: list[Unit] = field(default_factory=list)
    units_updated: list[Unit] = field(default_factory=list)
    quota: StaffingQuota | None = None
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"已接收《{self.mandate.title}》（第{self.mandate.version}版）",
            f"新增职责事项{len(self.created)}项",
            f"更新{len(self.updated)}项",
            f"未变{self.unchanged}项",
        ]
        if self.revoked or self.deleted:
            parts.append(f"撤销{len(self.revoked)}项、删除{self.deleted}项")
        if self.units_created or self.units_updated:
            parts.append(
                f"新增内设机构{len(self.units_created)}个、更新{len(self.units_updated)}个"
            )
        if self.quota is not None:
            parts.append("已写入编制核定")
        return "，".join(parts) + "。"


def has_content(doc: SandingDocument) -> bool:
    return bool(doc.main_duties or doc.units or not doc.staffing.is_empty())


def plan_acceptance(department: Department, doc: SandingDocument, user: Any, text: str) -> Plan:
    existing = list(
        DutyItem.objects.filter(department=department, source=DutySource.MANDATE)
        .exclude(status=ListStatus.REVOKED)
        .order_by("order", "id")
    )
    by_text = {_SPACE.sub("", item.text): item for item in existing}
    by_clause = {item.clause: item for item in existing if item.clause}
    used: set[int] = set()
    duties: list[PlanDuty] = []
    numbered = [(i, d.number or i + 1, d.text) for i, d in enumerate(doc.main_duties)]
    matches: dict[int, DutyItem] = {}
    for i, _number, body in numbered:  # identical texts first, so a shifted list still matches
        item = by_text.get(_SPACE.sub("", body))
        if item is not None and item.pk not in used:
            matches[i] = item
            used.add(item.pk)
    for i, number, body in numbered:
        clause = clause_label(number)
        item = matches.get(i)
        if item is None:
            candidate = by_clause.get(clause)
            if candidate is not None and candidate.pk not in used:
                item = candidate
                used.add(item.pk)
        if item is None:
            action = "create"
        elif _same(item.text, body) and item.clause == clause:
            action = "unchanged"
        else:
            action = "update"
        duties.append(PlanDuty(i, number, clause, body, action, item))
    # Only items that came from an earlier text are proposed for retirement; items entered by
    # hand (no regulation behind them) are left alone.
    retire = [item for item in existing if item.pk not in used and item.mandate_id is not None]
    task_counts = dict(
        DutyItem.objects.filter(pk__in=[i.pk for i in retire])
        .annotate(n=Count("tasks"))
        .values_list("pk", "n")
    )

    may_add_units = department_allows(user, Action.ADD, department, "org.units")
    changeable = set(
        restrict(Unit.objects.filter(department=department), user, Action.CHANGE).values_list(
            "pk", flat=True
        )
    )
    current_units = {
        u.name: u for u in Unit.objects.filter(department=department, status=OrgStatus.ACTIVE)
    }
    units: list[PlanUnit] = []
    for i, parsed in enumerate(doc.units):
        names = [d.text for d in parsed.duties]
        unit = current_units.get(parsed.name)
        if unit is None:
            action = "create" if may_add_units else "denied"
        elif unit.duties.strip() == unit_duties_text(names).strip() or not names:
            action = "unchanged"
        else:
            action = "update" if unit.pk in changeable else "denied"
        units.append(PlanUnit(i, parsed.name, names, action, unit))

    latest = Mandate.objects.filter(department=department).order_by("-version").first()
    return Plan(
        department=department,
        duties=duties,
        units=units,
        retire=retire,
        task_counts=task_counts,
        quota=quota_from_document(doc),
        may_units=may_add_units or bool(changeable),
        may_quota=department_allows(user, Action.ADD, department, "org.structure"),
        latest=latest,
        same_text=latest is not None and latest.full_text == text,
    )


def _in_context(label: str, exc: ValidationError) -> ValidationError:
    return ValidationError([f"{label}：{message}" for message in exc.messages])


@transaction.atomic
def accept_sanding(
    *,
    department: Department,
    text: str,
    document: SandingDocument,
    meta: MandateMeta,
    selection: Selection,
    acting_user: Any,
    reason: str = "",
) -> AcceptResult:
    """Write the reviewed parse into ``department`` — everything or, on any error, nothing."""
    Department.objects.select_for_update().filter(pk=department.pk).first()
    if not department_allows(acting_user, Action.ADD, department):
        raise PermissionDenied("您没有在该部门录入清单的权限。")
    if not text.strip() or not has_content(document):
        raise ValidationError(
            "未识别出三定规定的内容（主要职责、内设机构或人员编制），未写入任何数据。"
        )
    title = (meta.title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写三定规定标题。"})
    plan = plan_acceptance(department, document, acting_user, text)
    log_reason = reason or f"接收三定规定《{title}》"
    review = document.to_review_dict()

    # The regulation itself: a new version, unless the same text is accepted again.
    if plan.same_text and plan.latest is not None:
        mandate, new_version = plan.latest, False
        if mandate.status == ListStatus.REVOKED:
            raise ValidationError("该文本对应的三定规定已撤销，不能再次接收。")
        mandate.title, mandate.doc_number = title, meta.doc_number
        mandate.effective_date = meta.effective_date or mandate.effective_date
        services.update_mandate(mandate, acting_user=acting_user, reason=log_reason)
    else:
        mandate = Mandate(
            department=department,
            title=title,
            doc_number=meta.doc_number,
            effective_date=meta.effective_date,
            form=document.form if document.form in MandateForm.values else MandateForm.UNKNOWN,
            full_text=text,
            parsed=review,
        )
        try:
            services.create_mandate(mandate, acting_user=acting_user, reason=log_reason)
        except ValidationError as exc:
            raise _in_context("三定规定", exc) from exc
        new_version = True
    ensure_in_scope(acting_user, mandate, Action.ADD if new_version else Action.CHANGE)
    result = AcceptResult(mandate, new_version)

    chosen = selection.duties
    for planned in plan.duties:
        if chosen is not None and planned.index not in chosen:
            continue
        label = planned.clause
        try:
            if planned.existing is None:
                item = DutyItem(
                    department=department,
                    mandate=mandate,
                    source=DutySource.MANDATE,
                    clause=planned.clause,
                    text=planned.text,
                    order=planned.number,
                )
                services.create_duty_item(item, acting_user=acting_user, reason=log_reason)
                result.created.append(item)
            elif planned.action == "unchanged" and planned.existing.mandate_id == mandate.pk:
                result.unchanged += 1
            else:
                item = planned.existing
                item.text, item.clause, item.order = planned.text, planned.clause, planned.number
                item.mandate = mandate
                services.update_duty_item(item, acting_user=acting_user, reason=log_reason)
                if planned.action == "unchanged":
                    result.unchanged += 1
                else:
                    result.updated.append(item)
        except ValidationError as exc:
            raise _in_context(label, exc) from exc

    to_retire = selection.retire
    for item in plan.retire:
        if to_retire is not None and item.pk not in to_retire:
            continue
        reason_retire = f"三定规定《{title}》已无此职责"
        if item.status == ListStatus.DRAFT and not plan.task_counts.get(item.pk):
            services.delete_duty_item(item, acting_user=acting_user, reason=reason_retire)
            result.deleted += 1
        else:
            services.revoke_duty_item(item, acting_user=acting_user, reason=reason_retire)
            result.revoked.append(item)

    _accept_units(plan, selection, document, result, acting_user=acting_user, reason=log_reason)
    _accept_quota(plan, selection, meta, result, acting_user=acting_user, reason=reason)
    return result


def _accept_units(
    plan: Plan,
    selection: Selection,
    document: SandingDocument,
    result: AcceptResult,
    *,
    acting_user: Any,
    reason: str,
) -> None:
    denied = []
    rank = rank_value(document.unit_rank)
    for planned in plan.units:
        if selection.units is not None and planned.index not in selection.units:
            continue
        if planned.action == "denied":
            denied.append(planned.name)
            continue
        try:
            if planned.action == "create":
                unit = Unit(
                    department=plan.department,
                    code=services.next_code(Unit, plan.department.pk, "U", 2),
                    name=planned.name,
                    rank=rank,
                    duties=unit_duties_text(planned.duties),
                    order=planned.index + 1,
                )
                org_services.create_unit(unit, acting_user=acting_user, reason=reason)
                result.units_created.append(unit)
            elif planned.action == "update" and planned.existing is not None:
                unit = planned.existing
                unit.duties = unit_duties_text(planned.duties)
                org_services.update_unit(unit, acting_user=acting_user, reason=reason)
                result.units_updated.append(unit)
        except ValidationError as exc:
            raise _in_context(f"内设机构“{planned.name}”", exc) from exc
    if denied:
        result.notices.append(
            f"您没有维护内设机构的权限，以下内设机构未写入：{'、'.join(denied)}。"
            "请联系部门管理员或编办。"
        )


def _accept_quota(
    plan: Plan,
    selection: Selection,
    meta: MandateMeta,
    result: AcceptResult,
    *,
    acting_user: Any,
    reason: str,
) -> None:
    figures = selection.quota
    if figures is None:
        return
    if not plan.may_quota:
        result.notices.append(
            f"编制由编办核定，本次未写入编制（{figures.describe()}）。如有变化请联系编办。"
        )
        return
    errors = {}
    if not meta.doc_number:
        errors["doc_number"] = "写入编制需要填写文号。"
    if not meta.effective_date:
        errors["effective_date"] = "写入编制需要填写印发日期（作为编制生效日期）。"
    if errors:
        raise ValidationError(errors)
    quota = StaffingQuota.objects.filter(
        department=plan.department, unit__isnull=True, effective_from=meta.effective_date
    ).first() or StaffingQuota(department=plan.department, unit=None)
    for name, _label in QuotaFigures.FIELDS:
        setattr(quota, name, getattr(figures, name))
    quota.doc_number = meta.doc_number[:100]
    quota.doc_date = meta.effective_date
    quota.effective_from = meta.effective_date
    try:
        # The user's own reason decides whether a cut below the people in post is acknowledged.
        org_services.validate_quota(quota, reason=reason)
        log_reason = reason or f"依据三定规定《{result.mandate.title}》核定编制"
        if quota.pk:
            org_services.update_quota(quota, acting_user=acting_user, reason=log_reason)
        else:
            org_services.create_quota(quota, acting_user=acting_user, reason=log_reason)
    except ValidationError as exc:
        raise _in_context("编制核定", exc) from exc
    ensure_in_scope(acting_user, quota, Action.ADD)
    result.quota = quota
