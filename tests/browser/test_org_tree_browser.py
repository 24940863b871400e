"""In a real browser: log in, see the org tree with staffing bars in Chinese, within one's scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_bianban_sees_the_whole_tree_with_bars(live_server, page, screenshot_dir: Path) -> None:
    build_world()
    login(page, live_server.url, "bianban")
    assert "工作台" in page.title()
    page.click("text=组织机构树")
    page.wait_for_url("**/admin/org/department/tree/")
    assert page.locator("h2", has_text="组织机构树").is_visible()
    for name in ("东川市教育局", "东川市市场监督管理局", "河西区教育和体育局", "东川市教育考试院"):
        assert page.locator(".qd-dept-name", has_text=name).count() == 1
    # The bar of 市教育局: 5 approved, 1 in post → a filled part of 20%.
    dept = page.locator(
        "details.qd-dept", has=page.locator(".qd-dept-name", has_text="东川市教育局")
    )
    assert "核定5 · 实有1" in dept.locator(".qd-bars").inner_text()
    width = dept.locator(".qd-bar-filled").first.evaluate("e => e.style.width")
    assert width == "20%"
    # Units, positions and people appear on expanding the department.
    assert not dept.locator("text=王芳").is_visible()
    dept.locator("summary").click()
    assert dept.locator("text=王芳").is_visible()
    assert dept.locator("text=基础教育业务岗").is_visible()
    page.screenshot(path=str(screenshot_dir / "org-tree-bianban.png"), full_page=True)
    # Chinese throughout: the page declares it and the navigation is Chinese.
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("nav", has_text="机构编制").count() >= 1


def test_other_department_clerk_sees_only_their_department(live_server, page) -> None:
    world = build_world()
    login(page, live_server.url, "clerk_b")
    page.goto(f"{live_server.url}/admin/org/department/tree/")
    names = page.locator(".qd-dept-name").all_inner_texts()
    assert names == ["东川市市场监督管理局"]
    response = page.goto(f"{live_server.url}/admin/org/unit/{world.unit_a.pk}/change/")
    assert response.status == 404


def test_department_tree_filters_the_list(live_server, page) -> None:
    world = build_world()
    login(page, live_server.url, "bianban")
    page.goto(f"{live_server.url}/admin/org/position/")
    page.locator(".qd-tree a", has_text="市教育局").click()
    page.wait_for_url(f"**/admin/org/position/?dept={world.dept_a.pk}")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "基础教育业务岗" in rows.first.inner_text()
