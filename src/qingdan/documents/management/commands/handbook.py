"""``qingdan handbook --department CODE [--region CODE] --format docx|pdf --out FILE``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qingdan.documents.handbook import FORMATS, FontMissing
from qingdan.documents.handbook.sandbox import TemplateRefused
from qingdan.documents.handbook.services import render_department
from qingdan.documents.handbook.template import MAX_TEMPLATE_BYTES
from qingdan.org.models import Department, Region
from qingdan.oversight.models import ListVersion


class Command(BaseCommand):
    help = (
        "生成一个部门的部门管理手册（履职清单）：Word（公文格式，流程图可编辑）或 PDF（内嵌中文字体）。"
        "默认使用当前工作清单；--list-version N 或 --published 使用已发布的清单版本。Word 文件使用所在行政区划的手册模板"
        "（如有），--template 可指定其他模板。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--department", metavar="CODE", required=True, help="部门编码")
        parser.add_argument("--region", metavar="CODE", help="行政区划代码（多个区划同码时须指定）")
        parser.add_argument(
            "--format", choices=FORMATS, default="docx", help="输出格式：docx 或 pdf（默认 docx）"
        )
        parser.add_argument("--out", metavar="FILE", required=True, help="输出文件路径")
        parser.add_argument(
            "--list-version",
            metavar="N",
            type=int,
            help="已发布的清单版本号；不指定则用当前工作清单",
        )
        parser.add_argument("--published", action="store_true", help="使用最新发布的清单版本")
        parser.add_argument("--template", metavar="FILE.docx", help="使用此 Word 模板（仅 docx）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        department = self._department(options["department"], options["region"])
        version = self._version(department, options["list_version"], options["published"])
        template = None
        if options["template"]:
            if options["format"] != "docx":
                raise CommandError("--template 只用于 Word（--format docx）。")
            path = Path(options["template"])
            if not path.is_file():
                raise CommandError(f"模板文件“{path}”不存在。")
            if path.stat().st_size > MAX_TEMPLATE_BYTES:
                raise CommandError("模板文件超过 5 MB 上限。")
            template = path.read_bytes()
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"输出目录“{out.parent}”不存在。")
        try:
            data = render_department(
                department, options["format"], version=version, template=template
            )
        except TemplateRefused as exc:
            raise CommandError(f"模板不能使用：{exc}") from None
        except FontMissing as exc:
            raise CommandError(str(exc)) from None
        out.write_bytes(data)
        self.stdout.write(
            f"已生成 {department.name}部门管理手册（{options['format'].upper()}）：{out}，"
            f"{len(data) / 1024:,.0f} KB，用时 {time.perf_counter() - started:.1f} 秒"
        )

    def _department(self, code: str, region_code: str | None) -> Department:
        depts = Department.objects.filter(code=code).select_related("region")
        if region_code:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                raise CommandError(f"行政区划代码“{region_code}”不存在。")
            depts = depts.filter(region__path__startswith=region.path)
        found = list(depts[:2])
        if not found:
            raise CommandError(f"部门编码“{code}”不存在。")
        if len(found) > 1:
            raise CommandError(f"部门编码“{code}”在多个行政区划中存在，请同时指定 --region。")
        return found[0]

    def _version(self, department: Department, number: int | None, latest: bool) -> Any:
        if number is None and not latest:
            return None
        qs = ListVersion.objects.filter(department=department).order_by("-number")
        version = qs.filter(number=number).first() if number is not None else qs.first()
        if version is None:
            which = f"第{number}版" if number is not None else "已发布的版本"
            raise CommandError(f"{department.name}没有{which}清单。")
        return version
