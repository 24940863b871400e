"""Back office: a region's handbook template (手册模板), uploaded by the 编办."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from qingdan.core import access
from qingdan.core.admin_base import ReasonForm, ScopedAdmin
from qingdan.core.choices import Action
from qingdan.documents.models import HandbookTemplate

from . import services
from .sandbox import TemplateRefused
from .template import MAX_TEMPLATE_BYTES, inspect_package

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class HandbookTemplateForm(ReasonForm):
    upload = forms.FileField(
        label="Word 模板（.docx）",
        required=False,
        help_text=(
            f"不超过{MAX_TEMPLATE_BYTES // (1024 * 1024)} MB。在单独一段中写 {{{{p body}}}} 放置目录和正文，"
            "封面、页眉页脚可使用 {{ department }}、{{ date }} 等变量（见使用说明）。"
            "上传时会用示例部门试排一次，无法使用的模板不会保存。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )

    class Meta:
        model = HandbookTemplate
        fields = ["region", "name"]

    def clean_upload(self) -> Any:
        f = self.cleaned_data.get("upload")
        if f is None:
            if self.instance.pk is None:
                raise forms.ValidationError("请选择要上传的 Word 模板文件。")
            return None
        if f.size > MAX_TEMPLATE_BYTES:
            try:
                inspect_package(b"x" * (MAX_TEMPLATE_BYTES + 1))
            except TemplateRefused as exc:
                raise forms.ValidationError(str(exc)) from None
        data = f.read(MAX_TEMPLATE_BYTES + 1)
        try:
            services.check_template(data)
        except TemplateRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        self.instance.data = data
        self.instance.file_name = PurePath(f.name or "").name[:200]
        return f


@admin.register(HandbookTemplate)
class HandbookTemplateAdmin(ScopedAdmin):
    form = HandbookTemplateForm
    list_display = ["region", "name", "file_name", "size", "updated_at", "download_link"]
    search_fields = ["name", "region__name"]
    department_field = None
    fields = ["region", "name", "upload"]
    create_service = staticmethod(services.save_template)
    update_service = staticmethod(services.save_template)
    delete_service = staticmethod(services.delete_template)

    def get_urls(self) -> list:
        extra = [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download),
                name="documents_handbooktemplate_download",
            )
        ]
        return extra + super().get_urls()

    def download(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = access.get_for_user(HandbookTemplate.objects.all(), request.user, Action.VIEW, pk=pk)
        response = HttpResponse(bytes(obj.data), content_type=DOCX)
        response["Content-Disposition"] = "attachment; filename=handbook-template.docx"
        return response

    @admin.display(description="下载")
    def download_link(self, obj: HandbookTemplate) -> str:
        url = reverse("admin:documents_handbooktemplate_download", args=[obj.pk])
        return format_html('<a href="{}">下载模板</a>', url)
