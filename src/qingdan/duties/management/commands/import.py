"""``qingdan import FILE --department CODE [--skip-bad] [--dry-run]``: 导入履职清单 from the console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qingdan.core.models import User
from qingdan.duties.importers import (
    ImportOptions,
    OnExisting,
    annotated_workbook,
    import_list,
)
from qingdan.org.models import Department, Region


class Command(BaseCommand):
    help = (
        "从Excel导入一个部门的履职清单（职责事项、工作任务、承办岗位）：逐行按后台录入的规则校验，"
        "全部无误才写入（或用 --skip-bad 跳过有错误的行），每条新增或修改均记入变更日志。"
        "有错误时逐条列出并以非零状态退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="填写好的履职清单工作簿（.xlsx）")
        parser.add_argument("--department", metavar="CODE", required=True, help="部门编码")
        parser.add_argument(
            "--region", metavar="CODE", help="行政区划代码（多个区划有同一部门编码时指定）"
        )
        parser.add_argument(
            "--on-existing",
            choices=[c.value for c in OnExisting],
            default=OnExisting.UPDATE.value,
            help="已有事项的处理：update 更新（默认）、skip 保持原样、stop 有改动则报错",
        )
        parser.add_argument("--skip-bad", action="store_true", help="跳过有错误的行，导入其余行")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="以该用户的身份和数据范围导入（默认以系统管理员身份，不受数据范围限制）",
        )
        parser.add_argument(
            "--annotate",
            metavar="OUT.xlsx",
            help="有错误时把标注了错误的工作簿写到该文件",
        )
        parser.add_argument("--reason", default="", help="变更原因（记入变更日志）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        department = self._department(options["department"], options["region"])
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户“{options['user']}”不存在或已停用。")
        data = path.read_bytes()
        import_options = ImportOptions(
            on_existing=options["on_existing"],
            skip_bad=options["skip_bad"],
            dry_run=options["dry_run"],
            reason=options["reason"] or f"命令行导入：{path.name}",
        )
        try:
            result = import_list(data, department, acting_user=user, options=import_options)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        for line in result.messages(None):
            self.stderr.write(line)
        if result.errors and options["annotate"]:
            annotated = annotated_workbook(data, result)
            if annotated is not None:
                Path(options["annotate"]).write_bytes(annotated)
                self.stderr.write(f"已写出标注了错误的工作簿：{options['annotate']}")
        self.stdout.write(f"{department.name}：{result.summary()}")
        if result.errors and not result.skipped_rows:
            raise CommandError(f"共{len(result.errors)}处问题，未写入任何数据。")

    def _department(self, code: str, region_code: str | None) -> Department:
        departments = Department.objects.filter(code=code)
        if region_code:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                raise CommandError(f"行政区划代码“{region_code}”不存在。")
            departments = departments.filter(region=region)
        found = list(departments[:2])
        if not found:
            raise CommandError(f"部门编码“{code}”不存在。")
        if len(found) > 1:
            raise CommandError(f"部门编码“{code}”在多个行政区划中存在，请同时指定 --region。")
        return found[0]
