"""Handbook services: which template a department's handbook uses, rendering it, and storing a
region's own template (checked and trial-rendered first, so a broken one is never saved)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from qingdan.core.services import create_object, update_object

from .content import build
from .docx import render_docx
from .sample import sample_input
from .sandbox import TemplateRefused
from .template import inspect_package


def region_template(region: Any) -> bytes | None:
    """The template of the nearest region on ``region``'s path (itself first, then upwards)
    that has one; None: the built-in 公文 template."""
    from qingdan.documents.models import HandbookTemplate

    ids = [int(x) for x in region.path.strip("/").split("/") if x.isdigit()] or [region.pk]
    found = dict(
        HandbookTemplate.objects.filter(region_id__in=ids).values_list("region_id", "data")
    )
    for rid in reversed(ids):
        if rid in found:
            return bytes(found[rid])
    return None


def render_department(
    department: Any,
    fmt: str,
    *,
    version: Any = None,
    template: bytes | None = None,
) -> bytes:
    """``department``'s handbook as ``docx`` or ``pdf`` (the caller has checked access). The
    Word file uses ``template`` if given, else its region's template, else the built-in one."""
    from . import handbook_content, render_handbook

    hb = handbook_content(department, version)
    if fmt == "docx" and template is None:
        template = region_template(department.region)
    return render_handbook(hb, fmt, template=template)


def check_template(data: bytes) -> None:
    """Raise :class:`TemplateRefused` (Chinese message) unless ``data`` is a safe .docx template
    that renders a sample handbook."""
    inspect_package(data)
    render_docx(build(sample_input(tasks=4)), data)


@transaction.atomic
def save_template(obj: Any, *, acting_user: Any, reason: str = "") -> Any:
    """Create or update a region's ``HandbookTemplate`` whose ``data`` holds the uploaded bytes
    (checked again here: every caller goes through this)."""
    data = bytes(obj.data or b"")
    try:
        check_template(data)
    except TemplateRefused as exc:
        raise ValidationError({"data": str(exc)}) from None
    obj.size = len(data)
    obj.sha256 = hashlib.sha256(data).hexdigest()
    if obj.pk is None:
        return create_object(obj, acting_user=acting_user, reason=reason or "上传手册模板")
    return update_object(obj, acting_user=acting_user, reason=reason or "更换手册模板")


def delete_template(obj: Any, *, acting_user: Any, reason: str = "") -> None:
    """Remove a region's template: its departments go back to the built-in one."""
    from qingdan.core.services import delete_object

    delete_object(obj, acting_user=acting_user, reason=reason or "删除手册模板")
