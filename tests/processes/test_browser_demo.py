"""In real headless Chromium, on the small demo: a re-engineered process's page shows its swimlane
flowchart (every lane and step of the stored process), links to its before version, and its SVG
and BPMN downloads are a drawing and a schema-valid BPMN file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from lxml import etree

from qingdan.demo.generator import generate
from qingdan.processes.graph import draft_to_graph, load_draft
from qingdan.processes.lanes import directory
from qingdan.processes.models import Process
from tests.builders import PASSWORD
from tests.processes.helpers import bpmn_schema
from tests.processes.test_browser_editor import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_process_page_shows_its_swimlane_flowchart_and_downloads(
    live_server,
    page,
    screenshot_dir: Path,
) -> None:
    generate("small", 7)
    get_user_model().objects.create_superuser("demo-viewer", "", PASSWORD)
    process = Process.objects.filter(is_current=True, before__isnull=False).order_by("pk").first()
    assert process is not None, "the small demo re-engineers a tenth of its processes"
    graph = draft_to_graph(load_draft(process), directory(process.department_id))
    login(page, live_server.url, "demo-viewer")

    page.goto(f"{live_server.url}/processes/{process.pk}/")
    chart = page.locator("#qd-flowchart svg")
    assert chart.is_visible()
    lanes = chart.locator("g.lanes text").all_text_contents()
    for lane in graph.lanes:
        assert "".join(lane.name.split()) in "".join(lanes), (lane.name, lanes)
    tooltips = chart.locator("g.nodes title").all_text_contents()
    for node in graph.nodes:
        if node.kind in ("action", "decision"):
            assert any(t.startswith(node.label) for t in tooltips), node.label
    assert page.locator(f'a[href="/processes/{process.before_id}/"]').count() >= 1
    page.screenshot(path=str(screenshot_dir / "process-demo-detail.png"), full_page=True)

    svg = page.request.get(f"{live_server.url}/processes/{process.pk}/svg/")
    assert svg.ok and svg.text().startswith("<svg")
    bpmn = page.request.get(f"{live_server.url}/processes/{process.pk}/bpmn/")
    assert bpmn.ok
    schema = bpmn_schema()
    assert schema.validate(etree.fromstring(bpmn.body())), schema.error_log
