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


def _process_group() -> dict[str, Any]:
    from qingdan.processes.models import Process

    return {
        "title": "流程",
        "separator": True,
        "items": [
            _model_item("流程图", "account_tree", "processes", "process"),
            {
                "title": "新建流程",
                "icon": "add_chart",
                "link": reverse("processes:new"),
                "permission": lambda request: can(request.user, "add", Process),
            },
            {
                "title": "流程再造成效",
                "icon": "trending_down",
                "link": reverse("processes:metrics"),
                "permission": lambda request: can(request.user, "view", Process),
            },
        ],
    }


def sidebar(request: HttpRequest) -> list[dict[str, Any]]:
    from qingdan.duties.models import DutyItem
    from qingdan.oversight.navigation import review_group

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
                {
                    "title": "统计分析",
                    "icon": "bar_chart",
                    "link": reverse("statistics:index"),
                    "permission": lambda request: can(request.user, "view", DutyItem),
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
            "title": "履职清单",
            "separator": True,
            "items": [
                _model_item("三定规定", "gavel", "duties", "mandate"),
                {
                    "title": "接收三定规定",
                    "icon": "upload_file",
                    "link": reverse("duties:sanding"),
                    "permission": lambda request: can(request.user, "add", DutyItem),
                },
                _model_item("职责事项", "checklist", "duties", "dutyitem"),
                _model_item("工作任务", "task_alt", "duties", "task"),
                _model_item("任务岗位", "assignment_ind", "duties", "taskposition"),
                {
                    "title": "Excel导入导出",
                    "icon": "table_view",
                    "link": reverse("duties:excel"),
                    "permission": lambda request: can(request.user, "view", DutyItem),
                },
                {
                    "title": "覆盖与工作量",
                    "icon": "monitoring",
                    "link": reverse("duties:coverage"),
                    "permission": lambda request: can(request.user, "view", DutyItem),
                },
                {
                    "title": "清单检索",
                    "icon": "search",
                    "link": reverse("duties:search"),
                    "permission": lambda request: can(request.user, "view", DutyItem),
                },
                {
                    "title": "部门管理手册",
                    "icon": "menu_book",
                    "link": reverse("handbook:index"),
                    "permission": lambda request: can(request.user, "view", DutyItem),
                },
                _model_item("手册模板", "description", "documents", "handbooktemplate"),
            ],
        },
        review_group(_model_item),
        _process_group(),
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
