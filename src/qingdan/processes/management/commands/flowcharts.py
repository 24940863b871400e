"""``qingdan flowcharts render --out DIR [--format svg|bpmn] [--department CODE]``: every process's
flowchart as a file, named by department code and process code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qingdan.org.models import Department, Region
from qingdan.processes.flowchart import FlowchartTooLarge, layout, render_svg, to_bpmn
from qingdan.processes.graph import draft_to_graph, load_drafts
from qingdan.processes.lanes import directories
from qingdan.processes.models import Process

BATCH = 500


class Command(BaseCommand):
    help = "流程图工具：render 将数据库中的流程绘制为文件（SVG 或 BPMN 2.0），每个流程一个文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        render = sub.add_parser(
            "render",
            help="绘制流程图文件",
            description="将流程绘制为文件，文件名为“部门编码_流程编码.扩展名”；报告数量和失败项，"
            "有失败时以非零状态退出。",
        )
        render.add_argument("--out", required=True, metavar="DIR", help="输出目录（不存在时创建）")
        render.add_argument(
            "--format",
            choices=["svg", "bpmn"],
            default="svg",
            help="文件格式：svg（泳道流程图，默认）或 bpmn（BPMN 2.0 XML）",
        )
        render.add_argument("--department", metavar="CODE", help="只绘制该部门（部门编码）的流程")
        render.add_argument("--region", metavar="CODE", help="行政区划代码（含下级区划）")
        render.add_argument(
            "--all-versions",
            action="store_true",
            help="同时绘制历史版本（文件名后加“_v版本号”）；默认只绘制当前版本",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"无法创建输出目录“{out}”：{exc.strerror or exc}") from exc
        qs = Process.objects.select_related("department", "region").order_by(
            "region__code", "department__order", "department_id", "code", "version"
        )
        if not options["all_versions"]:
            qs = qs.filter(is_current=True)
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"行政区划代码“{options['region']}”不存在。")
            qs = qs.filter(region__path__startswith=region.path)
        if options["department"]:
            depts = Department.objects.filter(code=options["department"])
            if region is not None:
                depts = depts.filter(region__path__startswith=region.path)
            found = list(depts[:2])
            if not found:
                raise CommandError(f"部门编码“{options['department']}”不存在。")
            if len(found) > 1:
                raise CommandError(
                    f"部门编码“{options['department']}”在多个行政区划中存在，请同时指定 --region。"
                )
            qs = qs.filter(department=found[0])
        ext = options["format"]
        self.verbosity = options["verbosity"]
        written, failures = self._render(list(qs), out, ext, options["all_versions"])
        self.stdout.write(f"已写入{written}个{ext.upper()}文件到“{out}”。")
        if failures:
            for name, reason in failures[:50]:
                self.stderr.write(f"  失败：{name}：{reason}")
            raise CommandError(f"共有{len(failures)}个流程绘制失败。")

    def _render(
        self, processes: list[Process], out: Path, ext: str, versions: bool
    ) -> tuple[int, list[tuple[str, str]]]:
        written = 0
        total = len(processes)
        failures: list[tuple[str, str]] = []
        used: set[str] = set()
        dirs = directories({p.department_id for p in processes})
        for start in range(0, len(processes), BATCH):
            batch = processes[start : start + BATCH]
            drafts = load_drafts(batch)
            for p in batch:
                stem = f"{p.department.code}_{p.code}" + (f"_v{p.version}" if versions else "")
                if stem in used:  # department codes are unique per region only
                    stem = f"{p.region.code}_{stem}"
                used.add(stem)
                name = f"{stem}.{ext}"
                try:
                    graph = draft_to_graph(drafts[p.pk], dirs[p.department_id])
                    drawing = layout(graph)
                    text = (
                        render_svg(drawing, legend=True)
                        if ext == "svg"
                        else to_bpmn(graph, drawing)
                    )
                    (out / name).write_text(text, encoding="utf-8")
                except OSError as exc:
                    failures.append((name, f"写入失败（{exc.strerror or exc}）"))
                    continue
                except FlowchartTooLarge as exc:
                    failures.append((name, str(exc)))
                    continue
                except Exception as exc:  # one broken process must not stop the others
                    failures.append((name, f"绘制出错（{type(exc).__name__}：{exc}）"[:300]))
                    continue
                written += 1
            if self.verbosity >= 1 and total > BATCH:
                done = start + len(batch)
                self.stderr.write(
                    f"进度：{done}/{total}（{100 * done // total}%），失败{len(failures)}个",
                    style_func=None,
                )
        return written, failures
