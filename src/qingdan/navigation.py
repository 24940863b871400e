"""The back office sidebar, grouped by the loop of work (DESIGN.md §1).

Items link to admin changelists and custom pages; each is shown only to users the gate lets see it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from qingdan.core.access import can


def _model_item(title: str, icon: str, app: str, model: str) -> dict[str, Any]:
    from django.apps import apps

    model_cls = apps.get_model(app, model)
    return {
        "title": title,
        "icon": icon,
        "link": reverse(f"admin:{app}_{model}_changelist"),
        "permission": lambda request: can(request.user, "view", model_cls),
    }


def sidebar(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "title": "概览",
            "separator": False,
            "items": [
                {"title": "工作台", "icon": "dashboard", "link": reverse("admin:index")},
                {
                    "title": "组织机构树",
                    "icon": "account_tree",
                    "link": reverse("admin:org_tree"),
                },
            ],
        },
        {
            "title": "机构编制",
            "separator": True,
            "items": [
                _model_item("行政区划", "map", "org", "region"),
                _model_item("部门", "apartment", "org", "department"),
                _model_item("内设机构", "workspaces", "org", "unit"),
                _model_item("编制核定", "badge", "org", "staffingquota"),
                _model_item("岗位", "work", "org", "position"),
                _model_item("工作人员", "group", "org", "person"),
                _model_item("任职", "assignment_ind", "org", "assignment"),
            ],
        },
        {
            "title": "系统",
            "separator": True,
            "items": [
                _model_item("用户", "person", "core", "user"),
                _model_item("角色授权", "admin_panel_settings", "core", "rolegrant"),
                _model_item("变更日志", "history", "core", "changelogentry"),
                _model_item("后台任务", "pending_actions", "core", "job"),
            ],
        },
    ]
