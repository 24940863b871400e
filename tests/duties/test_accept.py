"""接收三定规定, end to end in the test client: paste → preview → accept → rows; and bad input."""

from __future__ import annotations

import io
import re

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from qingdan.core.models import ChangeLogEntry
from qingdan.duties.models import DutyItem, Mandate
from qingdan.org.models import StaffingQuota, Unit
from tests.builders import build_world
from tests.duties import helpers as h

URL = "/duties/sanding/"


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


class AcceptFlowTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def preview(self, user, text: str = h.SANDING_TEXT, department=None):
        self.client.force_login(user)
        response = self.client.post(
            URL, {"department": (department or self.w.dept_a).pk, "text": text, "parse": "1"}
        )
        return response

    def accept_data(self, response, **overrides) -> dict:
        html = response.content.decode()
        data = {
            "department": hidden(html, "department"),
            "payload": hidden(html, "payload"),
            "digest": hidden(html, "digest"),
            "title": "东川市教育局职能配置、内设机构和人员编制规定",
            "doc_number": "东编〔2024〕5号",
            "effective_date": "2024-03-01",
            "duty": ["0", "1", "2"],
            "unit": ["0", "1", "2"],
            "take_quota": "on",
            "administrative": "12",
            "institution": "0",
            "logistics": "0",
            "leader_principal": "1",
            "leader_deputy": "3",
            "leader_unit": "6",
            "accept": "1",
        }
        data.update(overrides)
        return data

    def test_preview_shows_every_part_with_its_source_highlighted(self) -> None:
        response = self.preview(self.w.bianban)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for text in (
            "东川市教育局职能配置、内设机构和人员编制规定",
            "2018年以后体例",
            "正处级",
            "负责全市各级各类教育的统筹规划和协调管理",
            "教育督导科",
            "机关行政编制",
            "副局长 3名",
            "科级领导职数 6名",
            "未解析内容（0处）",
            "确认接收",
        ):
            self.assertIn(text, html)
        # Each main duty links to its words, marked in the original text.
        self.assertIn('href="#src-d1"', html)
        self.assertRegex(html, r'<mark class="qd-mark-duty" id="src-d1"[^>]*>负责全市各级')
        self.assertIn(
            '<mark class="qd-mark-unparsed"',
            self.preview(self.w.bianban, "扫码关注\n" + h.SANDING_TEXT).content.decode(),
        )
        # Existing unit 基础教育科 is recognised; the others would be created.
        self.assertIn("更新职责", html)
        self.assertIn("新建", html)
        self.assertEqual(Mandate.objects.count(), 0)  # preview writes nothing

    def test_bianban_accepts_everything_in_one_go(self) -> None:
        response = self.client.post(URL, self.accept_data(self.preview(self.w.bianban)))
        mandate = Mandate.objects.get(department=self.w.dept_a)
        self.assertRedirects(
            response,
            reverse("admin:duties_mandate_change", args=[mandate.pk]),
            fetch_redirect_response=False,
        )
        self.assertEqual(
            (mandate.version, mandate.form, mandate.doc_number), (1, "2018", "东编〔2024〕5号")
        )
        items = list(DutyItem.objects.filter(department=self.w.dept_a).order_by("code"))
        self.assertEqual([i.code for i in items], ["ZZ001", "ZZ002", "ZZ003"])
        self.assertEqual(
            [i.clause for i in items], ["主要职责（一）", "主要职责（二）", "主要职责（三）"]
        )
        self.assertTrue(all(i.source == "mandate" and i.mandate_id == mandate.pk for i in items))
        units = {u.name: u for u in Unit.objects.filter(department=self.w.dept_a)}
        self.assertEqual(set(units), {"基础教育科", "办公室", "教育督导科"})
        self.assertEqual(units["基础教育科"].pk, self.w.unit_a.pk)  # updated, not duplicated
        self.assertIn("（一）负责义务教育和学前教育", units["基础教育科"].duties)
        quota = StaffingQuota.objects.get(department=self.w.dept_a, effective_from="2024-03-01")
        self.assertEqual(
            (quota.administrative, quota.leader_principal, quota.leader_deputy, quota.leader_unit),
            (12, 1, 3, 6),
        )
        self.assertEqual(quota.doc_number, "东编〔2024〕5号")
        self.assertTrue(
            ChangeLogEntry.objects.filter(model="duties.dutyitem", kind="create").exists()
        )

    def test_deselected_items_are_not_written(self) -> None:
        data = self.accept_data(self.preview(self.w.bianban), duty=["0", "2"], unit=["2"])
        data.pop("take_quota")
        self.client.post(URL, data)
        self.assertEqual(DutyItem.objects.filter(department=self.w.dept_a).count(), 2)
        self.assertEqual(
            set(Unit.objects.filter(department=self.w.dept_a).values_list("name", flat=True)),
            {"基础教育科", "教育督导科"},
        )
        self.assertFalse(StaffingQuota.objects.filter(effective_from="2024-03-01").exists())

    def test_clerk_accept_skips_units_and_quota_with_a_notice(self) -> None:
        response = self.preview(self.w.clerk_a)
        self.assertContains(response, "编制由编办核定")
        self.assertNotContains(response, 'name="take_quota"')
        response = self.client.post(URL, self.accept_data(response), follow=True)
        self.assertEqual(DutyItem.objects.filter(department=self.w.dept_a).count(), 3)
        self.assertFalse(StaffingQuota.objects.filter(effective_from="2024-03-01").exists())
        self.assertEqual(Unit.objects.filter(department=self.w.dept_a).count(), 1)
        text = response.content.decode()
        self.assertIn("已接收", text)
        self.assertIn("您没有维护内设机构的权限", text)

    def test_reaccepting_a_newer_text_updates_instead_of_duplicating(self) -> None:
        self.client.post(URL, self.accept_data(self.preview(self.w.bianban)))
        first = {i.clause: i for i in DutyItem.objects.filter(department=self.w.dept_a)}
        newer = h.SANDING_TEXT.replace(
            "负责学校防汛安全工作", "负责学校防汛和消防安全工作"
        ).replace("（三）负责教育系统信访工作，统筹推进教育督导评估。\n", "")
        response = self.preview(self.w.bianban, newer)
        self.assertContains(response, "原有职责事项不在新文本中（1项）")
        self.assertContains(response, "接收后将作为第2版")
        data = self.accept_data(response, duty=["0", "1"], effective_date="2025-01-01")
        data["retire"] = [str(first["主要职责（三）"].pk)]
        self.client.post(URL, data)
        mandates = list(Mandate.objects.filter(department=self.w.dept_a).order_by("version"))
        self.assertEqual([m.version for m in mandates], [1, 2])
        items = {i.clause: i for i in DutyItem.objects.filter(department=self.w.dept_a)}
        self.assertEqual(
            set(items), {"主要职责（一）", "主要职责（二）"}
        )  # the draft 三 was deleted
        self.assertEqual(items["主要职责（二）"].pk, first["主要职责（二）"].pk)
        self.assertIn("防汛和消防", items["主要职责（二）"].text)
        self.assertEqual(items["主要职责（一）"].mandate_id, mandates[1].pk)
        self.assertEqual(Unit.objects.filter(department=self.w.dept_a).count(), 3)

    def test_hand_entered_items_are_matched_but_never_retired(self) -> None:
        same = h.duty(self.w.dept_a, "负责教育系统信访工作，统筹推进教育督导评估。")
        other = h.duty(self.w.dept_a, "负责上级交办的其他事项。")
        response = self.preview(self.w.bianban)
        self.assertNotContains(response, "原有职责事项不在新文本中")
        self.assertContains(response, f"更新 {same.code}")  # same text, clause to be added
        self.client.post(URL, self.accept_data(response))
        same.refresh_from_db()
        self.assertEqual((same.clause, same.mandate.version), ("主要职责（三）", 1))
        self.assertEqual(DutyItem.objects.get(pk=other.pk).status, "draft")
        self.assertEqual(DutyItem.objects.filter(department=self.w.dept_a).count(), 4)

    def test_same_text_again_keeps_the_version(self) -> None:
        self.client.post(URL, self.accept_data(self.preview(self.w.bianban)))
        response = self.preview(self.w.bianban)
        self.assertContains(response, "不新建版本")
        self.client.post(URL, self.accept_data(response))
        self.assertEqual(Mandate.objects.filter(department=self.w.dept_a).count(), 1)
        self.assertEqual(DutyItem.objects.filter(department=self.w.dept_a).count(), 3)

    def test_a_failing_part_writes_nothing(self) -> None:
        before = ChangeLogEntry.objects.count()
        # Units' quotas would no longer fit: the department quota is cut to 0 administrative posts
        # while one person is in post (and no reason is given): the whole accept is refused.
        response = self.client.post(
            URL, self.accept_data(self.preview(self.w.bianban), administrative="0")
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "未写入任何数据", status_code=400)
        self.assertContains(response, "编制核定", status_code=400)
        self.assertEqual(ChangeLogEntry.objects.count(), before)
        self.assertFalse(Mandate.objects.exists())
        self.assertFalse(DutyItem.objects.exists())

    def test_other_department_and_readers_cannot_accept(self) -> None:
        response = self.preview(self.w.clerk_b)  # A is not among B's departments
        self.assertEqual(response.status_code, 400)
        data = self.accept_data(self.preview(self.w.clerk_a))
        self.client.force_login(self.w.clerk_b)
        self.client.post(URL, data)
        self.assertFalse(Mandate.objects.exists())
        self.client.force_login(self.w.supervisor)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_tampered_payload_is_refused(self) -> None:
        data = self.accept_data(self.preview(self.w.bianban))
        data["digest"] = "0" * 64
        response = self.client.post(URL, data)
        self.assertContains(response, "预览已失效", status_code=400)
        self.assertFalse(Mandate.objects.exists())

    def test_upload_txt_in_gbk_and_docx(self) -> None:
        self.client.force_login(self.w.bianban)
        gbk = SimpleUploadedFile("sanding.txt", h.SANDING_TEXT.encode("gb18030"))
        response = self.client.post(URL, {"department": self.w.dept_a.pk, "upload": gbk})
        self.assertContains(response, "教育督导科")
        document = docx.Document()
        for line in h.SANDING_TEXT.splitlines():
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        upload = SimpleUploadedFile("sanding.docx", buffer.getvalue())
        response = self.client.post(URL, {"department": self.w.dept_a.pk, "upload": upload})
        self.assertContains(response, "负责教育系统信访工作")
        self.client.post(URL, self.accept_data(response))
        self.assertEqual(DutyItem.objects.count(), 3)


class BadInputTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def post(self, **data):
        self.client.force_login(self.w.bianban)
        data.setdefault("department", self.w.dept_a.pk)
        return self.client.post(URL, data)

    def assertError(self, response, fragment: str) -> None:
        self.assertEqual(response.status_code, 400, response.content[:500])
        self.assertContains(response, fragment, status_code=400)
        self.assertFalse(Mandate.objects.exists())
        self.assertFalse(ChangeLogEntry.objects.filter(model__startswith="duties.").exists())

    def test_empty(self) -> None:
        self.assertError(self.post(text="   \n "), "内容为空")

    def test_huge_text(self) -> None:
        self.assertError(self.post(text="职责" * 260_000), "文本过长")

    def test_oversized_upload(self) -> None:
        big = SimpleUploadedFile("big.txt", ("负责" * 400_000).encode())
        self.assertError(self.post(upload=big), "文件过大")

    def test_wrong_extension(self) -> None:
        self.assertError(
            self.post(upload=SimpleUploadedFile("sanding.pdf", b"%PDF-1.4")), "不支持的文件类型"
        )
        self.assertError(
            self.post(upload=SimpleUploadedFile("old.doc", b"\xd0\xcf\x11\xe0")), ".docx"
        )

    def test_binary_upload(self) -> None:
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
        self.assertError(self.post(upload=SimpleUploadedFile("a.txt", png)), "不是文本文件")
        self.assertError(
            self.post(upload=SimpleUploadedFile("a.docx", b"PK\x03\x04garbage")), "Word"
        )

    def test_both_paste_and_upload(self) -> None:
        upload = SimpleUploadedFile("a.txt", h.SANDING_TEXT.encode())
        self.assertError(self.post(text=h.SANDING_TEXT, upload=upload), "二者选其一")

    def test_not_a_sanding_text(self) -> None:
        response = self.post(text="今天天气很好，我们去公园散步。\n明天可能下雨。")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "未识别出三定规定的任何内容")
        self.assertNotContains(response, "确认接收")

    def test_markup_is_shown_escaped(self) -> None:
        text = (
            h.SANDING_TEXT.replace(
                "（三）教育督导科。", "（三）教育督导科<script>alert(1)</script>。"
            )
            + "\n<img src=x onerror=alert(2)>"
        )
        response = self.post(text=text)
        html = response.content.decode()
        self.assertNotIn("<script>alert(1)", html)
        self.assertNotIn("<img src=x", html)
