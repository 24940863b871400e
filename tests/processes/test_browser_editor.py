"""In real headless Chromium: the swimlane flowchart of a process, and the step table redrawing it
as the user types, before anything is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from qingdan.processes.models import Step
from tests.builders import PASSWORD
from tests.processes.helpers import build_process_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(pg, base: str, username: str) -> None:
    pg.goto(f"{base}/admin/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/admin/")


def test_edit_a_step_name_and_see_the_chart_redrawn_before_saving(
    live_server,
    page,
    screenshot_dir: Path,
) -> None:
    pw = build_process_world()
    process = pw.process_a
    login(page, live_server.url, "clerk_a")

    # The process page: the swimlane chart with its lanes and steps.
    page.goto(f"{live_server.url}/processes/{process.pk}/")
    chart = page.locator("#qd-flowchart svg")
    assert chart.is_visible()
    lanes = chart.locator("g.lanes text").all_text_contents()
    for lane in ("申请人", "基础教育科", "副局长"):
        assert lane in lanes, lanes
    steps = " ".join(chart.locator("g.nodes text").all_text_contents())
    assert "接收申请材料" in steps
    assert "作出许可决定" in steps
    page.screenshot(path=str(screenshot_dir / "process-detail.png"), full_page=True)

    # The editor: change a step's name in the table; the chart beside it follows.
    page.click("text=编辑环节")
    page.wait_for_url(f"**/processes/{process.pk}/edit/")
    preview = page.locator("#qd-preview svg")
    assert "审查申请材料" in " ".join(preview.locator("g.nodes text").all_text_contents())
    name = page.locator('tbody.qd-step[data-key="review"] input[name=name]')
    name.fill("")
    name.type("现场核查并出具审查意见")
    page.wait_for_function(
        "() => document.querySelector('#qd-preview svg').textContent.includes('现场核查并出具审查意见')"
    )
    assert page.locator("#qd-dirty").is_visible()
    assert "校验通过" in page.locator("#qd-problems").inner_text()
    # Nothing is saved yet.
    assert Step.objects.get(process=process, code="review").name == "审查申请材料，必要时现场核查"

    # A decision left with one exit is reported beside the table and its row is marked.
    grant = page.locator('tbody.qd-step[data-key="grant"]')
    grant.locator(".qd-exit button[data-action=del-exit]").first.click()
    page.wait_for_function(
        "() => document.querySelector('#qd-problems').textContent.includes('至少需要两个出口')"
    )
    assert "qd-row-error" in (grant.get_attribute("class") or "")
    page.screenshot(path=str(screenshot_dir / "process-editor.png"), full_page=True)
    assert Step.objects.get(process=process, code="review").name == "审查申请材料，必要时现场核查"
