"""The "done when" of issue 3 in real headless Chromium: a clerk of a fresh department goes from a
三定 text to a published 履职清单 — reviewed twice, no gaps flagged — once through the pages
and once through Excel (template → openpyxl → upload → background job)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

from qingdan.core.choices import Role, Scope
from qingdan.core.models import Job
from qingdan.duties.models import DutyItem, Task
from qingdan.org.models import Department, Position, Unit
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import ListVersion, Submission
from qingdan.oversight.seed import create_seed_programme
from tests.builders import PASSWORD, assign, department, person, position, quota, region, unit
from tests.builders import user as make_user
from tests.core.test_jobs import run_worker
from tests.duties.excel_helpers import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SANDING = """东川市档案局职能配置、内设机构和人员编制规定

第一条 根据《东川市机构改革方案》，制定本规定。
第二条 东川市档案局是市人民政府直属机构，为正处级。
第三条 东川市档案局负责贯彻落实党中央关于档案工作的方针政策和决策部署。主要职责是：
（一）贯彻执行档案工作法律法规，拟订全市档案事业发展规划并组织实施。
（二）负责全市档案资源的收集、整理、保管和开发利用工作。
第四条 东川市档案局设下列内设机构：
（一）办公室。负责机关日常运转，承担文电、会务、机要等工作。
（二）档案业务科。负责档案收集、整理、保管和利用工作。
第五条 东川市档案局机关行政编制6名。设局长1名，副局长1名；科级领导职数2名。
第六条 本规定由市委机构编制委员会办公室负责解释。
"""


@dataclass
class Fresh:
    dept: Department
    office: Unit
    archive: Unit
    planner: Position
    keeper: Position
    submission: Submission


def build_fresh_department() -> Fresh:
    """A department whose org data the 编办 has entered — units, posts, people — but no list
    yet; its clerk, its leader and the 编办 reviewer; this year's programme."""
    city = region("860100", "东川市", "city")
    dept = department(city, "D01", "东川市档案局", short_name="市档案局")
    quota(dept, administrative=6, leader_principal=1, leader_deputy=1, leader_unit=2)
    office, archive = unit(dept, "U01", "办公室"), unit(dept, "U02", "档案业务科")
    planner = position(dept, office, "G01", "综合规划岗")
    keeper = position(dept, archive, "G02", "档案管理岗")
    assign(person(dept, "P01", "李敏"), planner)
    assign(person(dept, "P02", "赵磊"), keeper)
    bianban = make_user("bianban", city, (Role.BIANBAN_ADMIN, Scope.ALL, city, None))
    make_user("clerk", city, (Role.DEPT_CLERK, Scope.DEPT, city, dept))
    make_user("leader", city, (Role.DEPT_LEADER, Scope.DEPT, city, dept))
    programme = create_seed_programme(
        city, dt.date.today().year, acting_user=bianban, departments=[dept]
    )
    return Fresh(dept, office, archive, planner, keeper, programme.submissions.get())


def login(pg, base: str, username: str) -> None:
    pg.set_default_timeout(15_000)
    pg.context.clear_cookies()
    pg.goto(f"{base}/admin/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/admin/")


def act(pg, base: str, sub: Submission, to: str, comment: str = "") -> None:
    """Press one 二报二审 button on the submission page and check the new status."""
    pg.goto(f"{base}/review/submissions/{sub.pk}/")
    form = pg.locator("form", has=pg.locator(f'button[data-to="{to}"]'))
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator("button").click()
    pg.wait_for_load_state()
    sub.refresh_from_db()
    assert sub.status == to, pg.locator("body").inner_text()[:2000]


def accept_sanding_text(pg, base: str, fresh: Fresh) -> None:
    pg.goto(f"{base}/duties/sanding/")
    pg.select_option("select[name=department]", str(fresh.dept.pk))
    pg.fill("textarea[name=text]", SANDING)
    pg.click("button[name=parse]")
    # The preview: both main duties and both units recognised, ticked by default.
    assert pg.locator("input[name=duty]:checked").count() == 2
    assert pg.locator("input[name=unit]").count() == 2
    pg.click("button[name=accept]")
    pg.wait_for_url("**/admin/duties/mandate/*/change/")
    assert DutyItem.objects.filter(department=fresh.dept).count() == 2


def review_twice_and_publish(pg, base: str, sub: Submission) -> None:
    """Clerk submits → leader approves → 编办 returns with a comment → clerk answers and
    resubmits → leader approves → 编办 审定 → 编办 publishes."""
    act(pg, base, sub, S.PENDING_APPROVAL)
    login(pg, base, "leader")
    act(pg, base, sub, S.SUBMITTED)

    login(pg, base, "bianban")
    pg.goto(f"{base}/review/submissions/{sub.pk}/")
    general = pg.locator("#comments-general")
    general.locator("summary", has_text="提出审核意见").click()
    general.locator("textarea[name=text]").fill("请补充档案开发利用任务的办理时限。")
    general.locator("button", has_text="记录意见").click()
    pg.wait_for_load_state()
    act(pg, base, sub, S.RETURNED)

    login(pg, base, "clerk")
    pg.goto(f"{base}/review/submissions/{sub.pk}/")
    assert "初审退回" in pg.locator("#current-status").inner_text()
    comment = pg.locator(".qd-comment", has_text="请补充档案开发利用任务的办理时限。")
    comment.locator("summary", has_text="答复").click()
    comment.locator("textarea[name=text]").fill("已补充，办理时限为二十个工作日。")
    comment.locator("input[name=fixed]").check()
    comment.locator("button", has_text="保存答复").click()
    pg.wait_for_load_state()
    act(pg, base, sub, S.PENDING_APPROVAL)

    login(pg, base, "leader")
    act(pg, base, sub, S.RESUBMITTED)
    login(pg, base, "bianban")
    act(pg, base, sub, S.FINAL)
    act(pg, base, sub, S.PUBLISHED)
    version = ListVersion.objects.get(submission=sub)
    pg.goto(f"{base}/review/versions/{version.pk}/")
    assert "东川市档案局" in pg.locator("body").inner_text()


def assert_no_gaps(pg, base: str, dept: Department) -> None:
    pg.goto(f"{base}/duties/coverage/?department={dept.pk}")
    assert pg.locator(".qd-gap").count() == 0, pg.locator("body").inner_text()[:2000]
    assert pg.locator(".qd-gap-zero").count() > 0


def pick(pg, select_name: str, text: str) -> None:
    """Choose ``text`` in an admin autocomplete (select2) field."""
    pg.locator(f"select[name='{select_name}'] + .select2 .select2-selection").click()
    pg.locator(".select2-container--open .select2-search__field").fill(text[:2])
    pg.locator(".select2-results__option", has_text=text).first.click()


def add_task(pg, base: str, item: DutyItem, lead: Unit, name: str, position: Position) -> None:
    pg.goto(f"{base}/admin/duties/task/add/?duty_item={item.pk}&lead_unit={lead.pk}")
    pg.fill("input[name=name]", name)
    pg.select_option("select[name=frequency]", "monthly")
    pg.fill("input[name=unit_hours]", "6")
    pick(pg, "assignments-0-position", position.name)
    pg.select_option("select[name='assignments-0-role']", "lead")
    pg.click("[name=_save]")
    pg.wait_for_url(f"{base}/admin/duties/task/")
    assert Task.objects.filter(name=name, assignments__role="lead").exists()


def test_clerk_takes_a_sanding_text_to_a_published_list_in_the_browser(
    live_server, page, screenshot_dir: Path
) -> None:
    fresh = build_fresh_department()
    base = live_server.url
    login(page, base, "clerk")
    accept_sanding_text(page, base, fresh)
    plan, keep = DutyItem.objects.filter(department=fresh.dept).order_by("code")
    add_task(page, base, plan, fresh.office, "编制全市档案事业发展五年规划", fresh.planner)
    add_task(page, base, keep, fresh.archive, "接收进馆档案并整理编目", fresh.keeper)
    assert_no_gaps(page, base, fresh.dept)
    page.screenshot(path=str(screenshot_dir / "journey-coverage.png"), full_page=True)
    review_twice_and_publish(page, base, fresh.submission)


def fill_template(data: bytes, fresh: Fresh) -> bytes:
    """What a clerk does in Excel: one task row under each accepted duty item, 主办 position from
    the dropdown."""
    items = list(DutyItem.objects.filter(department=fresh.dept).order_by("code"))
    tasks = [
        (fresh.office, "编制全市档案事业发展五年规划", fresh.planner),
        (fresh.archive, "接收进馆档案并整理编目", fresh.keeper),
    ]
    rows = [
        {
            "item_code": item.code,
            "source": "三定条目",
            "clause": item.clause,
            "item_text": item.text,
            "task_name": name,
            "lead_unit": lead.name,
            "frequency": "每月",
            "unit_hours": 6,
            "lead_position": post.name,
        }
        for item, (lead, name, post) in zip(items, tasks, strict=True)
    ]
    return fill(data, rows)


def test_clerk_takes_a_sanding_text_to_a_published_list_through_excel(
    live_server, page, screenshot_dir: Path, tmp_path: Path
) -> None:
    fresh = build_fresh_department()
    base = live_server.url
    media = tempfile.mkdtemp(prefix="qingdan-journey-")
    with override_settings(MEDIA_ROOT=media):
        login(page, base, "clerk")
        accept_sanding_text(page, base, fresh)

        page.goto(f"{base}/duties/excel/?department={fresh.dept.pk}")
        with page.expect_download() as download:
            page.click("text=下载空白模板")
        template = download.value.path().read_bytes()
        filled = tmp_path / "档案局履职清单.xlsx"
        filled.write_bytes(fill_template(template, fresh))
        page.set_input_files("input[type=file][name=upload]", str(filled))
        page.click("text=上传并导入")
        page.wait_for_url("**/jobs/*/")
        run_worker()  # the real task worker, as in production (one batch)
        page.wait_for_function(
            "() => document.querySelector('#job-status').textContent.includes('已完成')"
        )
        assert "100%" in page.locator("#job-bar").get_attribute("style")
        job = Job.objects.get()
        assert job.status == "succeeded", job.errors
        page.screenshot(path=str(screenshot_dir / "journey-excel-job.png"), full_page=True)
        assert Task.objects.filter(department=fresh.dept, assignments__role="lead").count() == 2
        assert_no_gaps(page, base, fresh.dept)
        review_twice_and_publish(page, base, fresh.submission)
    shutil.rmtree(media, ignore_errors=True)
