"""``qingdan flowcharts render``: one file per process, counts, failures and exit status."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from lxml import etree

from qingdan.processes import services
from tests.processes.helpers import bpmn_schema, build_process_world


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("flowcharts", "render", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class RenderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.pw = build_process_world()
        services.new_version(cls.pw.process_a, acting_user=None)  # only the current one is drawn

    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp())

    def test_render_svg_writes_one_file_per_current_process(self) -> None:
        out, _ = run("--out", str(self.dir / "svg"))
        a, b = self.pw.process_a, self.pw.process_b
        names = sorted(p.name for p in (self.dir / "svg").iterdir())
        self.assertEqual(names, sorted([f"A01_{a.code}.svg", f"B01_{b.code}.svg"]))
        self.assertIn("已写入2个SVG文件", out)
        text = (self.dir / "svg" / f"A01_{a.code}.svg").read_text(encoding="utf-8")
        self.assertTrue(text.startswith("<svg"))
        self.assertIn("接收申请材料", text)

    def test_render_bpmn_for_one_department_with_all_versions(self) -> None:
        out, _ = run(
            "--out", str(self.dir), "--format", "bpmn", "--department", "A01", "--all-versions"
        )
        code = self.pw.process_a.code
        names = sorted(p.name for p in self.dir.iterdir())
        self.assertEqual(names, [f"A01_{code}_v1.bpmn", f"A01_{code}_v2.bpmn"])
        doc = etree.parse(str(self.dir / names[0]))
        self.assertTrue(bpmn_schema().validate(doc))
        self.assertIn("已写入2个BPMN文件", out)

    def test_failures_are_reported_and_exit_non_zero(self) -> None:
        from qingdan.processes.management.commands import flowcharts

        real = flowcharts.layout
        calls = []

        def flaky(graph):
            calls.append(graph.title)
            if len(calls) == 1:
                raise RuntimeError("坏数据")
            return real(graph)

        err = StringIO()
        with (
            mock.patch.object(flowcharts, "layout", flaky),
            self.assertRaises(CommandError) as caught,
        ):
            call_command(
                "flowcharts", "render", "--out", str(self.dir), stdout=StringIO(), stderr=err
            )
        self.assertIn("共有1个流程绘制失败", str(caught.exception))
        self.assertIn("绘制出错（RuntimeError：坏数据）", err.getvalue())
        self.assertEqual(len(list(self.dir.iterdir())), 1)

    def test_progress_is_reported_per_batch_on_large_runs(self) -> None:
        from qingdan.processes.management.commands import flowcharts

        with mock.patch.object(flowcharts, "BATCH", 1):
            out, err = run("--out", str(self.dir))
        self.assertIn("进度：1/2（50%），失败0个", err)
        self.assertIn("进度：2/2（100%），失败0个", err)
        self.assertIn("已写入2个SVG文件", out)
        with mock.patch.object(flowcharts, "BATCH", 1):
            quiet = StringIO()
            call_command(
                "flowcharts", "render", "--out", str(self.dir), verbosity=0,
                stdout=StringIO(), stderr=quiet,
            )  # fmt: skip
        self.assertNotIn("进度", quiet.getvalue())

    def test_unknown_region_and_unwritable_directory_are_chinese_errors(self) -> None:
        with self.assertRaisesMessage(CommandError, "行政区划代码“999999”不存在"):
            run("--out", str(self.dir), "--region", "999999")
        blocker = self.dir / "file"
        blocker.write_text("x")
        with self.assertRaisesMessage(CommandError, "无法创建输出目录"):
            run("--out", str(blocker / "sub"))

    def test_unknown_department_is_an_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "部门编码“ZZZ”不存在"):
            run("--out", str(self.dir), "--department", "ZZZ")

    def test_help_is_chinese(self) -> None:
        from qingdan.processes.management.commands.flowcharts import Command

        self.assertIn("流程图工具", Command.help)
