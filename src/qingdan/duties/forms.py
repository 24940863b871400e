"""Forms of the 三定 accept flow: the input (paste or upload) and the reviewed acceptance."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from qingdan.core.validators import plain_text
from qingdan.duties import uploads
from qingdan.duties.accept import QuotaFigures


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode_payload(text: str) -> str:
    """The text carried from the preview to the accept step, byte-exact (base64 of UTF-8)."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.region.name} · {obj.name}" if hasattr(obj, "region") else str(obj)


class SandingInputForm(forms.Form):
    """Step 1: choose the department, paste the text or upload a .txt/.docx file (≤ 2 MB)."""

    department = DepartmentChoiceField(queryset=None, label="部门", empty_label="请选择部门")
    text = forms.CharField(
        label="粘贴三定规定全文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "qd-textarea"}),
        strip=False,
    )
    upload = forms.FileField(
        label="或上传文件",
        required=False,
        help_text="支持 .txt（UTF-8/GBK）和 .docx，最大 2 MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx"}),
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if departments.count() == 1:
            self.fields["department"].initial = departments.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text, upload = data.get("text") or "", data.get("upload")
        if text.strip() and upload:
            raise ValidationError("请只粘贴文本或只上传文件，二者选其一。")
        if upload:
            if upload.size > uploads.MAX_UPLOAD_BYTES:
                raise ValidationError(
                    {"upload": f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限为2 MB。"}
                )
            try:
                data["source_text"] = uploads.read_upload(upload.name, upload.read())
            except ValidationError as exc:
                raise ValidationError({"upload": exc.messages}) from exc
        else:
            try:
                data["source_text"] = uploads.check_text(text)
            except ValidationError as exc:
                raise ValidationError({"text": exc.messages}) from exc
        return data


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100000,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
        widget=forms.NumberInput(attrs={"class": "qd-number"}),
    )


class AcceptForm(forms.Form):
    """Step 2: the reviewed acceptance, posted from the preview page."""

    department = DepartmentChoiceField(queryset=None, widget=forms.HiddenInput)
    payload = forms.CharField(widget=forms.HiddenInput, max_length=4 * 1024 * 1024)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    title = forms.CharField(label="标题", max_length=200, validators=[plain_text])
    doc_number = forms.CharField(
        label="文号", max_length=100, required=False, validators=[plain_text]
    )
    effective_date = forms.DateField(
        label="印发日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label="变更原因",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="将记入变更日志；核减编制至实有人数以下时必须填写。",
    )
    take_quota = forms.BooleanField(label="写入编制核定", required=False)
    administrative = _count("行政编制")
    institution = _count("事业编制")
    logistics = _count("工勤编制")
    leader_principal = _count("正职领导职数")
    leader_deputy = _count("副职领导职数")
    leader_unit = _count("内设机构领导职数")

    QUOTA_FIELDS = [name for name, _ in QuotaFigures.FIELDS]

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        payload = data.get("payload")
        if payload is None:
            return data
        try:
            text = base64.b64decode(payload.encode("ascii"), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError, ValueError) as exc:
            raise ValidationError("预览数据已损坏，请重新粘贴或上传。") from exc
        if digest(text) != data.get("digest"):
            raise ValidationError("预览已失效（文本与预览时不一致），请重新解析。")
        data["text"] = uploads.check_text(text)
        return data

    def quota_figures(self) -> QuotaFigures | None:
        if not self.cleaned_data.get("take_quota"):
            return None
        return QuotaFigures(**{n: self.cleaned_data.get(n) or 0 for n in self.QUOTA_FIELDS})

    def bound_quota_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.QUOTA_FIELDS]
