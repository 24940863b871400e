"""The demo's processes: one per task with ``has_process``, valid, mapped onto the department,
logged once each, re-engineered on a tenth with the seed-style totals, deterministic by seed."""

from __future__ import annotations

import hashlib
from collections import Counter

from django.db import transaction
from django.test import TestCase
from lxml import etree

from qingdan.core.changelog import verify_chain
from qingdan.core.models import ChangeLogEntry
from qingdan.demo.generator import generate
from qingdan.demo.processes import generate_processes
from qingdan.duties.models import Task
from qingdan.processes import services
from qingdan.processes.flowchart import from_bpmn, layout, render_svg, to_bpmn
from qingdan.processes.flowchart.quality import measure_layout
from qingdan.processes.graph import (
    draft_to_graph,
    graph_to_draft,
    load_charts,
    load_draft,
    load_drafts,
)
from qingdan.processes.lanes import directories
from qingdan.processes.metrics import reengineering_report
from qingdan.processes.models import Process, Step
from qingdan.processes.rules import check_all, errors
from tests.processes.helpers import bpmn_schema


def digest() -> str:
    h = hashlib.sha256()
    rows = Process.objects.order_by("task_id", "version").values_list(
        "task_id", "version", "name", "kind", "step_count", "material_count", "path_days"
    )
    for row in rows:
        h.update(repr(row).encode())
    for row in Step.objects.order_by("process__task_id", "process__version", "order").values_list(
        "code", "name", "lane_unit_id", "lane_position_id", "lane_label", "time_limit_days"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


class Rollback(Exception):
    pass


class DemoProcessTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        generate("small", 7)
        if not Process.objects.exists():  # until the duties demo marks tasks itself
            Task.objects.exclude(status="revoked").update(has_process=True)
            generate_processes(7)

    def test_every_flagged_task_has_one_current_process_of_its_department(self) -> None:
        flagged = Task.objects.filter(has_process=True).exclude(status="revoked")
        current = Process.objects.filter(is_current=True)
        self.assertEqual(
            sorted(flagged.values_list("id", "department_id")),
            sorted(current.values_list("task_id", "department_id")),
        )

    def test_processes_are_valid_and_lanes_belong_to_the_department(self) -> None:
        processes = list(Process.objects.all())
        drafts = load_drafts(processes)
        dirs = directories({p.department_id for p in processes})
        codes: Counter[str] = Counter()
        for p in processes:
            d = dirs[p.department_id]
            for problem in errors(check_all(drafts[p.pk], d)):
                codes[problem.code] += 1
            units = {s.lane.unit_id for s in drafts[p.pk].steps if s.lane.unit_id}
            self.assertLessEqual(units, set(d.units))
        # As in real audits, some processes take longer than the law allows; nothing else is wrong.
        self.assertLessEqual(set(codes), {"exceeds_legal_limit"})
        self.assertLess(codes["exceeds_legal_limit"], len(processes) / 4)

    def test_a_tenth_is_re_engineered_with_seed_proportional_totals(self) -> None:
        current = Process.objects.filter(is_current=True).count()
        afters = Process.objects.filter(before__isnull=False)
        self.assertEqual(afters.count(), round(current * 0.1))
        self.assertFalse(Process.objects.filter(afters__isnull=False, is_current=True).exists())
        f = reengineering_report(None).figures
        self.assertEqual(f.steps_removed, round(1963 * current / 24897))
        self.assertEqual(f.materials_removed, round(1568 * current / 24897))
        self.assertGreater(f.days_saved, 0)
        self.assertEqual(f.processes, current)

    def test_every_process_draws_cleanly_and_its_bpmn_validates_and_imports_back_unchanged(
        self,
    ) -> None:
        """The issue's "done when", on every process of the small demo (befores included)."""
        processes = list(Process.objects.order_by("pk"))
        drafts = load_drafts(processes)
        dirs = directories({p.department_id for p in processes})
        schema = bpmn_schema()
        for p in processes:
            draft, d = drafts[p.pk], dirs[p.department_id]
            graph = draft_to_graph(draft, d)
            drawing = layout(graph)
            quality = measure_layout(drawing, crossings=False)
            self.assertEqual(quality.node_overlaps, 0, p.name)
            self.assertEqual(quality.edges_through_nodes, 0, p.name)
            self.assertEqual(len(drawing.lanes), len(graph.lanes), p.name)
            svg = render_svg(drawing)
            self.assertTrue(svg.startswith("<svg"), p.name)
            xml = to_bpmn(graph, drawing)
            doc = etree.fromstring(xml.encode("utf-8"))
            self.assertTrue(schema.validate(doc), f"{p.name}: {schema.error_log}")
            back = from_bpmn(xml.encode("utf-8"))
            self.assertEqual(back, graph, p.name)
            # What import_bpmn would save: the same steps, lanes, flows, materials and risks.
            self.assertEqual(graph_to_draft(back, d, previous=draft), draft, p.name)

    def test_charts_read_for_display_are_the_drafts_graphs_and_risks(self) -> None:
        """``load_charts`` (the handbook's reader) gives what ``draft_to_graph`` gives from the
        editable drafts, and each step's risk points in order, given the processes or a query
        holding more of them."""
        processes = list(Process.objects.order_by("pk"))
        drafts = load_drafts(processes)
        dirs = directories({p.department_id for p in processes})
        seen: Counter[str] = Counter()
        for department_id, d in dirs.items():
            mine = [p for p in processes if p.department_id == department_id]
            wanted = mine[::2]  # the query below holds the others too: they are left out
            among = Process.objects.filter(department_id=department_id).values("id")
            for charts in (load_charts(wanted, d), load_charts(wanted, d, among=among)):
                self.assertEqual(set(charts), {p.pk for p in wanted})
                for p in wanted:
                    draft = drafts[p.pk]
                    graph = charts[p.pk].graph
                    self.assertEqual(graph, draft_to_graph(draft, d), p.name)
                    risks = tuple(
                        (s.name, r.level, r.description, r.controls, r.person_id)
                        for s in draft.steps
                        for r in s.risks
                    )
                    self.assertEqual(charts[p.pk].risks, risks, p.name)
                    seen["label lanes"] += sum(lane.id.startswith("label") for lane in graph.lanes)
                    seen["risks"] += len(risks)
                    seen["materials"] += sum(n.materials_count for n in graph.nodes)
                    seen["days"] += sum(n.time_limit_days is not None for n in graph.nodes)
                    seen["labelled flows"] += sum(bool(e.label) for e in graph.edges)
        # The demo exercises every kind of row the reader handles.
        self.assertTrue(all(seen[k] for k in ("label lanes", "risks", "materials", "days")), seen)
        self.assertTrue(seen["labelled flows"], seen)

    def test_importing_a_demo_process_export_gives_the_same_process(self) -> None:
        for process in Process.objects.filter(is_current=True, before__isnull=False)[:2]:
            fresh = services.import_bpmn(
                process, services.export_bpmn(process).encode(), acting_user=None
            )
            self.assertEqual(fresh.version, process.version + 1)
            self.assertEqual(load_draft(fresh), load_draft(process))
            self.assertEqual(
                (fresh.step_count, fresh.material_count, fresh.risk_count, fresh.path_days),
                (process.step_count, process.material_count, process.risk_count, process.path_days),
            )

    def test_metrics_page_reads_the_seed_style_sentence_from_the_data(self) -> None:
        from django.contrib.auth import get_user_model
        from django.urls import reverse

        f = reengineering_report(None).figures
        expected = (
            f"减少办事环节{f.steps_removed}个、精简办事手续{f.materials_removed}项、"
            f"压缩办理时限{f.days_saved.normalize():f}个工作日"
        )
        self.assertEqual(f.sentence, expected)
        admin = get_user_model().objects.filter(is_superuser=True).first()
        if admin is None:
            admin = get_user_model().objects.create_superuser("metrics-admin", "", "x")
        self.client.force_login(admin)
        page = self.client.get(reverse("processes:metrics"))
        self.assertContains(page, expected)

    def test_one_log_entry_per_process_and_the_chain_verifies(self) -> None:
        entries = ChangeLogEntry.objects.filter(model="processes.process")
        self.assertEqual(entries.count(), Process.objects.count())
        entry = entries.order_by("seq").first()
        process = Process.objects.get(pk=entry.object_id)
        self.assertEqual(len(entry.after["steps"]), process.steps.count())
        self.assertTrue(verify_chain().ok)

    def test_same_seed_gives_the_same_processes(self) -> None:
        first = digest()
        try:
            with transaction.atomic():
                Process.objects.filter(before__isnull=False).delete()
                Process.objects.all().delete()
                generate_processes(7)
                self.assertEqual(digest(), first)
                raise Rollback
        except Rollback:
            pass
