"""Forms of the review pages and of the programme's back-office form."""

from __future__ import annotations

from typing import Any

from django import forms

from qingdan.core.admin_base import ReasonForm
from qingdan.core.validators import free_text
from qingdan.org.models import Department
from qingdan.oversight.choices import Resolution, SubmissionStatus
from qingdan.oversight.models import Programme


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="目标状态", choices=SubmissionStatus.choices)
    comment = forms.CharField(label="说明", required=False, max_length=2000, validators=[free_text])


class CommentForm(forms.Form):
    """``target`` is ``""`` (the list as a whole), ``"dutyitem:<id>"`` or ``"task:<id>"``."""

    target = forms.RegexField(
        label="意见对象",
        regex=r"^((dutyitem|task):\d{1,18})?$",
        required=False,
        error_messages={"invalid": "意见对象不正确。"},
    )
    text = forms.CharField(label="审核意见", max_length=2000, validators=[free_text])

    def target_parts(self) -> tuple[str, int | None]:
        value = self.cleaned_data.get("target") or ""
        if not value:
            return "", None
        kind, _, pk = value.partition(":")
        return kind, int(pk)


class ReplyForm(forms.Form):
    text = forms.CharField(label="答复", required=False, max_length=2000, validators=[free_text])
    fixed = forms.BooleanField(label="已按意见修改", required=False)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="处理方式",
        choices=[(Resolution.ACCEPTED, "审核确认"), (Resolution.WITHDRAWN, "撤回意见")],
        initial=Resolution.ACCEPTED,
    )


class ProgrammeForm(ReasonForm):
    """The programme with its participating departments (kept as their submissions)."""

    participants = forms.ModelMultipleChoiceField(
        label="参与部门",
        queryset=Department.objects.none(),
        required=False,
        help_text="每个参与部门自动建立一份清单报送；已开始报送的部门不能移出。",
    )

    class Meta:
        model = Programme
        fields = ["region", "year", "title", "doc_number", "issued_on", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "participants" in self.fields:
            self.fields["participants"].initial = list(
                self.instance.submissions.values_list("department_id", flat=True)
            )
