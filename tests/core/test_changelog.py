"""The change log records every write, chains entries by hash, and detects tampering."""

from __future__ import annotations

import itertools
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from qingdan.core.changelog import compute_hash, verify_chain
from qingdan.core.models import ChainHead, ChangeLogEntry
from qingdan.org import services
from qingdan.org.models import Unit
from tests.builders import build_world


class ChangeLogTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_every_create_update_and_delete_is_logged_with_before_and_after(self) -> None:
        unit = services.create_unit(
            Unit(department=self.w.dept_a, code="U09", name="督导室"), acting_user=self.w.bianban
        )
        unit.name = "教育督导室"
        services.update_unit(unit, acting_user=self.w.bianban, reason="机构更名")
        services.delete_unit(unit, acting_user=self.w.bianban, reason="撤并")
        entries = list(
            ChangeLogEntry.objects.filter(model="org.unit", object_id=str(unit.pk)).order_by("seq")
        )
        self.assertEqual([e.kind for e in entries], ["create", "update", "delete"])
        self.assertEqual(entries[0].after["name"], "督导室")
        self.assertEqual(
            (entries[1].before["name"], entries[1].after["name"]), ("督导室", "教育督导室")
        )
        self.assertEqual(entries[1].reason, "机构更名")
        self.assertEqual(entries[2].after, None)
        self.assertEqual({e.username for e in entries}, {"bianban"})
        self.assertEqual({e.department_id_snapshot for e in entries}, {self.w.dept_a.pk})

    def test_stored_entries_hash_to_what_was_recorded_for_awkward_content(self) -> None:
        # record_many joins the canonical text from pieces and stores that text; reading the
        # entry back and hashing it the slow way must agree, whatever the snapshot holds.
        from qingdan.core.changelog import Change, record_many

        unit = self.w.unit_a
        odd = {
            "name": '引号"与\\反斜杠\n换行\u2028 𠀀',
            "nested": {"b": [1, None, True, "二"], "a": {"z": 0, "y": -1}},
            "empty": {},
        }
        written = record_many(
            [
                Change("update", unit, {"name": "旧"}, odd),
                Change("delete", unit, odd, None),
                Change("create", self.w.bianban, None, {"x": 1}),
            ],
            acting_user=None,
            reason="理由：含“引号”",
        )
        self.assertEqual(written, 3)
        entries = list(ChangeLogEntry.objects.order_by("-seq")[:3])[::-1]
        self.assertEqual([e.kind for e in entries], ["update", "delete", "create"])
        self.assertEqual(entries[0].after, odd)
        self.assertEqual(entries[1].before, odd)
        self.assertIsNone(entries[1].after)
        self.assertIsNone(entries[2].before)
        self.assertEqual(entries[0].username, "system")
        for entry in entries:
            self.assertEqual(compute_hash(entry), entry.entry_hash)
        self.assertTrue(verify_chain().ok)
        self.assertEqual(record_many([], acting_user=None), 0)

    def test_an_update_that_changes_nothing_is_not_logged(self) -> None:
        before = ChangeLogEntry.objects.count()
        services.update_unit(self.w.unit_a, acting_user=self.w.bianban)
        self.assertEqual(ChangeLogEntry.objects.count(), before)

    def test_passwords_never_reach_the_log(self) -> None:
        entry = ChangeLogEntry.objects.filter(model="core.user").first()
        self.assertNotIn("password", entry.after)

    def test_entries_are_chained(self) -> None:
        entries = list(ChangeLogEntry.objects.order_by("seq"))
        self.assertEqual([e.seq for e in entries], list(range(1, len(entries) + 1)))
        for prev, entry in itertools.pairwise(entries):
            self.assertEqual(entry.prev_hash, prev.entry_hash)
            self.assertEqual(compute_hash(entry), entry.entry_hash)
        head = ChainHead.objects.get()
        self.assertEqual((head.last_seq, head.last_hash), (entries[-1].seq, entries[-1].entry_hash))

    def test_intact_chain_verifies(self) -> None:
        result = verify_chain()
        self.assertTrue(result.ok)
        self.assertEqual(result.checked, ChangeLogEntry.objects.count())
        out = StringIO()
        call_command("verify_log", stdout=out)
        self.assertIn("校验通过", out.getvalue())

    def test_tampered_entry_is_named(self) -> None:
        victim = ChangeLogEntry.objects.order_by("seq")[5]
        after = dict(victim.after)
        after["name"] = "篡改后的名称"
        ChangeLogEntry.objects.filter(pk=victim.pk).update(after=after)
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.first_bad_seq, victim.seq)
        self.assertIn("篡改", result.problem)
        with self.assertRaises(CommandError) as ctx:
            call_command("verify_log", stdout=StringIO())
        self.assertIn(f"第{victim.seq}条", str(ctx.exception))
        self.assertEqual(ctx.exception.returncode, 2)

    def test_rehashed_tampering_breaks_the_link_to_the_next_entry(self) -> None:
        victim = ChangeLogEntry.objects.order_by("seq")[3]
        victim.reason = "事后补写的原因"
        victim.entry_hash = compute_hash(victim)  # a careful forger recomputes this entry's hash
        victim.save()
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.first_bad_seq, victim.seq + 1)

    def test_deleted_entry_is_detected(self) -> None:
        victim = ChangeLogEntry.objects.order_by("seq")[7]
        victim.delete()
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.first_bad_seq, victim.seq + 1)
        self.assertIn(f"第{victim.seq}条日志缺失", result.problem)

    def test_deleted_last_entry_is_detected(self) -> None:
        ChangeLogEntry.objects.order_by("-seq").first().delete()
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertIn("链尾缺失", result.problem)

    def test_change_log_admin_is_read_only(self) -> None:
        self.client.force_login(self.w.bianban)
        entry = ChangeLogEntry.objects.first()
        self.assertEqual(
            self.client.get(f"/admin/core/changelogentry/{entry.pk}/change/").status_code, 200
        )
        self.assertEqual(
            self.client.post(f"/admin/core/changelogentry/{entry.pk}/change/", {}).status_code, 403
        )
        self.assertEqual(
            self.client.get(f"/admin/core/changelogentry/{entry.pk}/delete/").status_code, 403
        )
        self.assertEqual(self.client.get("/admin/core/changelogentry/add/").status_code, 403)

    def test_request_id_is_recorded_for_web_changes(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.post(
            f"/admin/org/unit/{self.w.unit_a.pk}/change/",
            {
                "department": self.w.dept_a.pk,
                "code": "U01",
                "name": "基础教育一科",
                "order": 0,
                "status": "active",
                "change_reason": "更名",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        entry = (
            ChangeLogEntry.objects.filter(model="org.unit", object_id=str(self.w.unit_a.pk))
            .order_by("-seq")
            .first()
        )
        self.assertEqual(entry.reason, "更名")
        self.assertEqual(entry.request_id, response["X-Request-ID"])
