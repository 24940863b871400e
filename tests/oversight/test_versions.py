"""Published versions: the canonical snapshot and its hash, immutability in the back office and
the API, and the pure diff by stable code."""

from __future__ import annotations

from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from qingdan.oversight import diff
from qingdan.oversight.choices import SubmissionStatus as S
from qingdan.oversight.models import ListVersion
from qingdan.oversight.versions import activate_drafts, build_snapshot, verify_version
from tests.oversight.helpers import build_review_world, drive_to

GOLDEN = {
    "format": 1,
    "department": {"code": "A01", "name": "东川市教育局"},
    "duty_items": [{"code": "ZZ001", "text": "拟订规划", "units": ["U01"], "is_core": True}],
    "tasks": [{"code": "ZZ001-01", "duty_item": "ZZ001", "occurrences": "12.0"}],
    "task_positions": [],
}


class CanonicalFormTests(SimpleTestCase):
    def test_hash_of_a_known_snapshot_never_changes(self) -> None:
        self.assertEqual(
            diff.canonical_json(GOLDEN).decode(),
            '{"department":{"code":"A01","name":"东川市教育局"},"duty_items":[{"code":"ZZ001",'
            '"is_core":true,"text":"拟订规划","units":["U01"]}],"format":1,"task_positions":[],'
            '"tasks":[{"code":"ZZ001-01","duty_item":"ZZ001","occurrences":"12.0"}]}',
        )
        self.assertEqual(
            diff.snapshot_hash(GOLDEN),
            "94c01ef7264ac154e9578211c2e76e63e3f728714243b58f4a14465065653e0a",
        )

    def test_key_order_does_not_matter(self) -> None:
        shuffled = {k: GOLDEN[k] for k in reversed(list(GOLDEN))}
        self.assertEqual(diff.snapshot_hash(shuffled), diff.snapshot_hash(GOLDEN))


class DiffTests(SimpleTestCase):
    old = {
        "duty_items": [
            {"code": "A", "text": "甲", "units": ["U1"]},
            {"code": "B", "text": "乙", "units": []},
        ],
        "tasks": [{"code": "A-1", "duty_item": "A", "name": "任务一", "is_supervision": False}],
        "task_positions": [
            {"task": "A-1", "position_code": "P1", "position_name": "岗一", "role": "lead"}
        ],
    }
    new = {
        "duty_items": [
            {"code": "A", "text": "甲（修订）", "units": ["U1", "U2"]},
            {"code": "C", "text": "丙", "units": []},
        ],
        "tasks": [{"code": "A-1", "duty_item": "A", "name": "任务一", "is_supervision": True}],
        "task_positions": [
            {"task": "A-1", "position_code": "P1", "position_name": "岗一", "role": "assist"},
            {"task": "A-1", "position_code": "P2", "position_name": "岗二", "role": "lead"},
        ],
    }

    def test_added_removed_and_changed_by_code(self) -> None:
        result = diff.diff_snapshots(self.old, self.new)
        items = result.section("duty_items")
        self.assertEqual([r["code"] for r in items.added], ["C"])
        self.assertEqual([r["code"] for r in items.removed], ["B"])
        [changed] = items.changed
        self.assertEqual(changed.key, "A")
        self.assertEqual(
            [(c.field, c.label, c.old, c.new) for c in changed.changes],
            [("text", "职责内容", "甲", "甲（修订）"), ("units", "承担科室", ["U1"], ["U1", "U2"])],
        )
        [task] = result.section("tasks").changed
        self.assertEqual(
            [(c.field, c.old, c.new) for c in task.changes], [("is_supervision", False, True)]
        )
        links = result.section("task_positions")
        self.assertEqual([r["position_code"] for r in links.added], ["P2"])
        self.assertEqual(
            [(r.key, [c.field for c in r.changes]) for r in links.changed], [("A-1/P1", ["role"])]
        )
        self.assertEqual(result.count, 2 + 1 + 1 + 2)

    def test_identical_snapshots_have_no_diff(self) -> None:
        self.assertTrue(diff.diff_snapshots(self.new, self.new).is_empty)
        self.assertEqual(diff.diff_snapshots({}, {}).count, 0)


class SnapshotTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()

    def test_snapshot_content_is_codes_and_names_without_ids(self) -> None:
        activate_drafts(self.rw.w.dept_a, acting_user=None, reason="测试")
        today = timezone.localdate().isoformat()
        data = build_snapshot(self.rw.w.dept_a)
        self.assertEqual(data["department"], {"code": "A01", "name": "东川市教育局"})
        self.assertEqual([d["code"] for d in data["duty_items"]], ["ZZ001", "ZZ002"])
        self.assertEqual(
            data["duty_items"][0],
            {
                "code": "ZZ001",
                "clause": "",
                "source": "mandate",
                "text": "拟订全市教育发展规划并组织实施。",
                "category": "policy",
                "is_core": False,
                "units": [],
                "valid_from": today,
                "valid_to": None,
                "order": 0,
            },
        )
        task = data["tasks"][1]
        self.assertEqual(
            {k: task[k] for k in ("code", "duty_item", "lead_unit", "lead_unit_name", "frequency")},
            {
                "code": "ZZ002-01",
                "duty_item": "ZZ002",
                "lead_unit": "U01",
                "lead_unit_name": "基础教育科",
                "frequency": "quarterly",
            },
        )
        self.assertEqual(
            (task["occurrences"], task["unit_hours"], task["annual_hours"]),
            ("4.0", "4.00", "16.000"),
        )
        self.assertEqual(
            data["task_positions"][0],
            {
                "task": "ZZ001-01",
                "position_code": "G01",
                "position_name": "基础教育业务岗",
                "unit_code": "U01",
                "unit_name": "基础教育科",
                "role": "lead",
            },
        )
        self.assertNotIn('"id"', diff.canonical_json(data).decode())

    def test_drafts_are_not_in_a_snapshot_until_published(self) -> None:
        data = build_snapshot(self.rw.w.dept_a)
        self.assertEqual((data["duty_items"], data["tasks"], data["task_positions"]), ([], [], []))

    def test_hash_is_stable_across_builds_and_storage(self) -> None:
        drive_to(self.rw.sub_a, S.PUBLISHED, self.rw)
        version = ListVersion.objects.get()
        self.assertEqual(version.sha256, diff.snapshot_hash(build_snapshot(self.rw.w.dept_a)))
        self.assertEqual(diff.snapshot_hash(build_snapshot(self.rw.w.dept_a)), version.sha256)
        fresh = ListVersion.objects.get(pk=version.pk)  # read back from the JSON column
        self.assertTrue(verify_version(fresh))
        self.assertEqual(fresh.snapshot, build_snapshot(self.rw.w.dept_a))


class ImmutabilityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.rw = build_review_world()
        drive_to(cls.rw.sub_a, S.PUBLISHED, cls.rw)
        cls.version = ListVersion.objects.get()

    def test_back_office_shows_it_read_only(self) -> None:
        client = self.client_class()
        client.force_login(self.rw.w.bianban)
        change = reverse("admin:oversight_listversion_change", args=[self.version.pk])
        self.assertEqual(client.get(change).status_code, 200)
        self.assertEqual(client.post(change, {"number": 9}).status_code, 403)
        delete = reverse("admin:oversight_listversion_delete", args=[self.version.pk])
        self.assertEqual(client.get(delete).status_code, 403)
        self.assertEqual(client.post(delete, {"post": "yes"}).status_code, 403)
        add = reverse("admin:oversight_listversion_add")
        self.assertEqual(client.get(add).status_code, 403)
        for name in ("submission", "submissionevent", "reviewcomment"):
            with self.subTest(model=name):
                self.assertEqual(
                    client.get(reverse(f"admin:oversight_{name}_add")).status_code, 403
                )
        event = self.rw.sub_a.events.first()
        url = reverse("admin:oversight_submissionevent_delete", args=[event.pk])
        self.assertEqual(client.post(url, {"post": "yes"}).status_code, 403)
        self.version.refresh_from_db()
        self.assertEqual(self.version.number, 1)
        self.assertTrue(verify_version(self.version))

    def test_api_is_read_only(self) -> None:
        client = APIClient()
        client.force_authenticate(self.rw.w.bianban)
        url = reverse("api:version-detail", args=[self.version.pk])
        data = client.get(url).json()
        self.assertEqual(data["sha256"], self.version.sha256)
        self.assertEqual(len(data["snapshot"]["tasks"]), 2)
        for method in ("put", "patch", "delete"):
            with self.subTest(method=method):
                self.assertEqual(
                    getattr(client, method)(url, {"number": 5}, format="json").status_code, 405
                )
        self.assertEqual(
            client.post(reverse("api:version-list"), {}, format="json").status_code, 405
        )
        listed = client.get(reverse("api:version-list")).json()["results"]
        self.assertNotIn("snapshot", listed[0])
        self.assertTrue(ListVersion.objects.filter(pk=self.version.pk, number=1).exists())

    def test_pages_are_scoped(self) -> None:
        detail = reverse("oversight:version", args=[self.version.pk])
        for user, status in (
            (self.rw.w.clerk_a, 200),
            (self.rw.w.supervisor, 200),
            (self.rw.w.clerk_b, 404),
        ):
            client = self.client_class()
            client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(client.get(detail).status_code, status)
                listing = client.get(reverse("oversight:versions"))
                self.assertEqual(
                    len(listing.context["page"].object_list), 1 if status == 200 else 0
                )
        client = self.client_class()
        client.force_login(self.rw.w.clerk_a)
        self.assertContains(client.get(detail), "快照完整")
        self.assertContains(client.get(detail), "中小学办学行为专项检查")
