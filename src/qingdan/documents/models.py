"""Models of the documents app."""

from __future__ import annotations

from django.db import models

from qingdan.core.base import TrackedModel
from qingdan.core.querysets import RestrictedQuerySet
from qingdan.core.validators import plain_text
from qingdan.org.models import Region


class HandbookTemplate(TrackedModel):
    """A region's own Word template (手册模板) for the 部门管理手册: its page setup, styles, header
    and cover. Used for the handbooks of the region's departments and of the regions below it
    that have none of their own. Only a template that passed ``handbook.template.inspect_package``
    and a trial render is stored (``handbook.services.save_template``)."""

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="行政区划"
    )
    name = models.CharField("模板名称", max_length=100, validators=[plain_text])
    file_name = models.CharField("文件名", max_length=200, blank=True, editable=False, default="")
    data = models.BinaryField("模板文件", editable=False)
    size = models.PositiveIntegerField("文件大小（字节）", default=0, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False, default="")

    objects = RestrictedQuerySet.as_manager()
    # The 编办 writes region settings; departments may read them.
    access_group = "org.structure"
    scope_region_field = "region_id"
    scope_department_field = None
    # The file is kept here; the change log records its hash and size, not a second copy.
    changelog_exclude = ("data",)

    class Meta:
        verbose_name = "手册模板"
        verbose_name_plural = "手册模板"
        ordering = ["region__path"]

    def __str__(self) -> str:
        return f"{self.region}：{self.name}"
