"""检索: two-character Chinese words on SQLite and PostgreSQL alike, inside the data scope."""

from __future__ import annotations

from django.test import SimpleTestCase, TestCase
from rest_framework.test import APIClient

from qingdan.duties import textsearch
from qingdan.duties.models import DutyItem, Task
from qingdan.duties.search import apply_search, search
from tests.builders import build_world
from tests.duties import helpers as h


class TextSearchTests(SimpleTestCase):
    def test_index_text_holds_folded_text_and_space_delimited_bigrams(self) -> None:
        value = textsearch.index_text("ZZ001", "負責全市防汛抗旱工作")
        self.assertIn("负责全市防汛抗旱工作", value)
        self.assertIn(" 防汛 ", value)
        self.assertIn(" zz001 ", value)

    def test_tokens_are_each_runs_bigrams_and_words_in_order_of_first_appearance(self) -> None:
        # The definition, character by character, against the regex the index uses.
        import random
        import unicodedata

        def reference(text: str) -> list[str]:
            folded = "".join(
                c if len(f := unicodedata.normalize("NFKC", c).lower()) != 1 else f for c in text
            )
            found: dict[str, None] = {}
            run, kind = "", ""
            for char in folded + "\0":
                now = (
                    "cjk"
                    if "\u4e00" <= char <= "\u9fff"
                    else "word"
                    if char.isascii() and char.isalnum()
                    else ""
                )
                if now != kind and run:
                    if kind == "word":
                        found.setdefault(run, None)
                    else:
                        for i in range(len(run) - 1):
                            found.setdefault(run[i : i + 2], None)
                    run = ""
                kind = now
                if now:
                    run += char
            return list(found)

        rng = random.Random(7)
        alphabet = "防汛抗旱信访执法检查工作负责aZ09 、，。\n（）-_Ａ１"
        for _ in range(500):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            self.assertEqual(textsearch.tokens(text), reference(text), text)
        self.assertEqual(textsearch.fold("ＡＢＣ１２３防汛"), "abc123防汛")
        self.assertEqual(textsearch.fold("負責信訪"), "负责信访")

    def test_term_conditions(self) -> None:
        self.assertEqual(textsearch.term_conditions("防汛"), [" 防汛 ", "防汛"])
        self.assertEqual(textsearch.term_conditions("防"), ["防"])
        self.assertEqual(textsearch.term_conditions("zz0"), ["zz0"])

    def test_highlight_keeps_original_characters(self) -> None:
        pieces = textsearch.highlight("負責信訪工作", textsearch.parse_query("信访"))
        self.assertEqual(pieces, [("負責", False), ("信訪", True), ("工作", False)])

    def test_query_is_bounded(self) -> None:
        terms = textsearch.parse_query(" ".join(f"词{i}" for i in range(20)) + " " + "长" * 100)
        self.assertEqual(len(terms), textsearch.MAX_TERMS)
        self.assertEqual(textsearch.parse_query("   "), [])


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()
        cls.flood = h.duty(cls.w.dept_a, "负责学校防汛安全工作，组织汛前检查。")
        cls.petition = h.duty(cls.w.dept_a, "负责教育系统信访工作。")
        cls.both = h.duty(cls.w.dept_a, "统筹防汛和信访维稳。")
        cls.scattered = h.duty(cls.w.dept_a, "负责防止汛情以外的事项。")  # 防…汛 apart
        cls.other_dept = h.duty(cls.w.dept_b, "负责市场监管领域信访工作。")
        cls.task = h.task(cls.flood, cls.w.unit_a, "汛期校舍安全检查", description="每年防汛检查")

    def ids(self, query: str, model=DutyItem) -> set[int]:
        return set(apply_search(model.objects.all(), query).values_list("pk", flat=True))

    def test_two_character_words_are_found(self) -> None:
        self.assertEqual(self.ids("防汛"), {self.flood.pk, self.both.pk})
        self.assertEqual(self.ids("信访"), {self.petition.pk, self.both.pk, self.other_dept.pk})
        self.assertEqual(self.ids("防汛", Task), {self.task.pk})
        self.assertEqual(self.ids("汛期", Task), {self.task.pk})

    def test_terms_are_and_matched_and_phrases_kept_together(self) -> None:
        self.assertEqual(self.ids("防汛 信访"), {self.both.pk})
        self.assertEqual(self.ids("防汛安全"), {self.flood.pk})
        self.assertNotIn(self.scattered.pk, self.ids("防汛"))
        self.assertEqual(self.ids("不存在的词"), set())

    def test_traditional_characters_single_characters_and_codes(self) -> None:
        self.assertEqual(self.ids("信訪"), self.ids("信访"))
        self.assertIn(self.scattered.pk, self.ids("汛"))
        # Codes are folded to lower case; both departments number their first item ZZ001.
        self.assertEqual(self.ids("zz001"), {self.flood.pk, self.other_dept.pk})
        self.assertEqual(self.ids("ZZ001"), self.ids("zz001"))

    def test_wildcards_in_the_query_are_literal(self) -> None:
        self.assertEqual(self.ids("%"), set())
        self.assertEqual(self.ids("_"), set())

    def test_search_respects_the_data_scope(self) -> None:
        ids = {hit.obj.pk for hit in search(self.w.clerk_a, "信访").duty_items}
        self.assertEqual(ids, {self.petition.pk, self.both.pk})
        ids = {hit.obj.pk for hit in search(self.w.clerk_b, "信访").duty_items}
        self.assertEqual(ids, {self.other_dept.pk})
        self.assertEqual(search(self.w.clerk_b, "防汛").task_count, 0)

    def test_search_page_highlights_and_escapes(self) -> None:
        h.duty(self.w.dept_a, "负责<b>防汛</b>宣传。")
        self.client.force_login(self.w.clerk_a)
        response = self.client.get("/duties/search/", {"q": "防汛"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("<mark>防汛</mark>", html)
        self.assertIn("&lt;b&gt;", html)
        self.assertNotIn("<b>防汛</b>", html)
        self.assertNotIn(
            "市场监管领域", self.client.get("/duties/search/", {"q": "信访"}).content.decode()
        )
        self.client.force_login(self.w.clerk_b)
        self.assertNotContains(self.client.get("/duties/search/", {"q": "防汛"}), "学校防汛")

    def test_admin_search_box_and_api_use_the_same_search(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.get("/admin/duties/dutyitem/", {"q": "信访"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "负责教育系统信访工作")
        self.assertNotContains(response, "负责学校防汛安全工作")
        api = APIClient()
        api.force_authenticate(self.w.clerk_a)
        rows = api.get("/api/v1/duty-items/", {"q": "信访"}).json()["results"]
        self.assertEqual({r["id"] for r in rows}, {self.petition.pk, self.both.pk})

    def test_search_text_is_kept_up_to_date(self) -> None:
        from qingdan.duties import services

        item = DutyItem.objects.get(pk=self.petition.pk)
        item.text = "负责教育系统安全生产工作。"
        services.update_duty_item(item, acting_user=None)
        self.assertNotIn(item.pk, self.ids("信访"))
        self.assertIn(item.pk, self.ids("安全生产"))
