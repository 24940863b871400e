"""``qingdan coverage [--region CODE] [--department CODE] [--json]``: 覆盖与工作量 from the console."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qingdan.duties import coverage_data
from qingdan.duties.coverage import CoverageReport
from qingdan.org.models import Department, Region


class Command(BaseCommand):
    help = (
        "履职清单覆盖与工作量分析：三定职责无任务、任务无主办岗位、岗位无任务/无人、人员无岗位，"
        "各科室和岗位的工作饱和度，以及依据工作量分配行政编制的建议。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", metavar="CODE", help="行政区划代码（含下级区划）")
        parser.add_argument(
            "--department", metavar="CODE", help="部门编码（多个区划同码时须同时指定 --region）"
        )
        parser.add_argument("--json", action="store_true", help="以JSON输出完整结果")

    def handle(self, *args: Any, **options: Any) -> None:
        region_id = department_id = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"行政区划代码“{options['region']}”不存在。")
            region_id = region.pk
        if options["department"]:
            depts = Department.objects.filter(code=options["department"])
            if region_id is not None:
                depts = depts.filter(region__path__startswith=region.path)
            found = list(depts[:2])
            if not found:
                raise CommandError(f"部门编码“{options['department']}”不存在。")
            if len(found) > 1:
                raise CommandError(
                    f"部门编码“{options['department']}”在多个行政区划中存在，请同时指定 --region。"
                )
            department_id = found[0].pk
        # The console runs with the operator's rights: no data-scope restriction.
        report = coverage_data.coverage_report(
            None, region_id=region_id, department_id=department_id
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            self._summary(report)

    def _summary(self, report: CoverageReport) -> None:
        out = self.stdout.write
        load = report.load
        pct = f"{load.percent}%" if load.percent is not None else "—"
        out(
            f"共{len(report.departments)}个部门，年工作量{load.hours:,.0f}小时，在岗{load.people}人，"
            f"工作饱和度{pct}（{load.band_label}）"
        )
        out("缺口：" + "，".join(f"{label}{n}" for _, label, n in report.gaps.items()))
        for dept in report.departments:
            d = dept.load
            pct = f"{d.percent}%" if d.percent is not None else "—"
            gaps = "，".join(f"{label}{n}" for _, label, n in dept.gaps.items() if n)
            out(
                f"  {dept.name}：{d.hours:,.0f}小时，{d.people}人，{pct}（{d.band_label}）{'；' + gaps if gaps else ''}"
            )
