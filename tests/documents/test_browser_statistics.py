"""In real headless Chromium: a 编办 user reads the city's statistics (the charts drawn by the
Chart.js django-unfold ships) and compiles the city's 汇编, downloading the zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from qingdan.core.models import User
from qingdan.duties.choices import ListStatus
from qingdan.duties.models import DutyItem, Task
from tests.builders import PASSWORD
from tests.documents.test_compilation import demo_with_published, run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("departments", "staffing", "saturation", "review")

# Whether a canvas has any pixel drawn (Chart.js draws on a transparent canvas).
DRAWN = """(canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
  return false;
}"""


def login(pg, base: str, username: str) -> None:
    user = User.objects.get(username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    pg.goto(f"{base}/admin/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/admin/")


def test_bianban_sees_the_city_figures_and_charts_then_compiles_the_city(
    live_server, page, screenshot_dir: Path
) -> None:
    published = demo_with_published()
    login(page, live_server.url, "bianban")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/statistics/")
    page.wait_for_function("() => typeof window.Chart !== 'undefined'")
    sentence = page.locator(".qd-stat-sentence").inner_text()
    items = DutyItem.objects.exclude(status=ListStatus.REVOKED).count()
    tasks = Task.objects.exclude(status=ListStatus.REVOKED).count()
    assert f"梳理职责事项{items}项" in sentence, sentence
    assert f"分解细化为{tasks}项具体工作任务" in sentence, sentence
    for key in CHARTS:
        canvas = page.locator(f'canvas[data-qd-chart="{key}"]')
        canvas.scroll_into_view_if_needed()
        page.wait_for_function(
            "(key) => window.Chart.getChart(document.querySelector(`canvas[data-qd-chart='${key}']`))",
            arg=key,
        )
        assert canvas.evaluate(DRAWN), f"chart {key} is blank"
    # Chart.js is the one django-unfold ships, served from our static files (no CDN).
    sources = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    chart_js = [s for s in sources if s.endswith("chart.js")]
    assert chart_js and all(s.startswith(live_server.url) for s in chart_js), chart_js
    page.screenshot(path=str(screenshot_dir / "statistics.png"), full_page=True)

    # From the statistics page to the compilation, start it, and download the zip.
    page.click("text=清单汇编")
    page.wait_for_url("**/compilation/")
    page.locator("tr", has_text="东川市部门管理手册").first.locator("button").click()
    page.wait_for_url("**/jobs/*/")
    run_worker()
    page.wait_for_selector("#job-download:not([hidden])", timeout=30_000)
    assert page.locator("#job-bar").evaluate("el => el.style.width") == "100%"
    assert "已汇编3个部门" in page.locator("#job-message").inner_text()
    with page.expect_download() as info:
        page.click("#job-download a")
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    names = archive.namelist()
    for dept in published:
        assert any(dept.name in n and n.endswith(".pdf") for n in names), dept.name
    assert any(n.endswith("（合订本）.docx") for n in names)
    page.screenshot(path=str(screenshot_dir / "compilation-job.png"), full_page=True)
    assert not errors, errors
