"""Settings refuse bad values; production refuses to start without a real key; login throttling."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import TestCase, override_settings

from qingdan import env
from tests.builders import PASSWORD, build_world


def test_env_bool_refuses_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QINGDAN_X", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="QINGDAN_X"):
        env.env_bool("QINGDAN_X", False)
    monkeypatch.setenv("QINGDAN_X", "yes")
    assert env.env_bool("QINGDAN_X", False) is True


def test_env_int_refuses_garbage_and_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QINGDAN_N", "12a")
    with pytest.raises(ImproperlyConfigured):
        env.env_int("QINGDAN_N", 1)
    monkeypatch.setenv("QINGDAN_N", "0")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env.env_int("QINGDAN_N", 1, minimum=1)


@pytest.mark.parametrize(
    "key", ["", "changeme", "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789", "short"]
)
def test_production_refuses_placeholder_keys(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("QINGDAN_SECRET_KEY", key)
    with pytest.raises(ImproperlyConfigured, match="QINGDAN_SECRET_KEY"):
        env.secret_key(debug=False)


def _start(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QINGDAN_")}
    clean.update({"QINGDAN_DATA_DIR": os.environ.get("QINGDAN_DATA_DIR", "var/test"), **extra_env})
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qingdan.settings'; django.setup(); print('started')",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_process_will_not_start_without_a_secret_key_when_debug_is_off() -> None:
    result = _start({})
    assert result.returncode != 0
    assert "QINGDAN_SECRET_KEY must be set" in result.stderr


def test_process_starts_with_a_real_key_or_in_debug() -> None:
    assert "started" in _start({"QINGDAN_SECRET_KEY": "k" * 50}).stdout
    assert "started" in _start({"QINGDAN_DEBUG": "1"}).stdout


def test_process_refuses_a_malformed_database_url() -> None:
    result = _start({"QINGDAN_DEBUG": "1", "QINGDAN_DATABASE_URL": "mysql://x@y/z"})
    assert result.returncode != 0


class SecurityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = build_world()

    def test_cookies_are_secure_when_debug_is_off(self) -> None:
        from django.conf import settings

        self.assertTrue(settings.SESSION_COOKIE_SECURE)
        self.assertTrue(settings.CSRF_COOKIE_SECURE)
        self.assertTrue(settings.SESSION_COOKIE_HTTPONLY)

    def test_forms_need_a_csrf_token(self) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.w.bianban)
        response = client.post(
            "/admin/org/unit/add/", {"department": self.w.dept_a.pk, "code": "U9", "name": "新科"}
        )
        self.assertEqual(response.status_code, 403)

    def test_login_is_throttled_after_repeated_failures(self) -> None:
        url = "/admin/login/?next=/admin/"
        for _ in range(4):
            response = self.client.post(url, {"username": "clerk_a", "password": "wrong"})
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "errornote", status_code=200)
        # The fifth failure locks the account at this address; so does any further attempt.
        self.assertEqual(
            self.client.post(url, {"username": "clerk_a", "password": "wrong"}).status_code, 429
        )
        response = self.client.post(url, {"username": "clerk_a", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "登录失败次数过多", status_code=429)
        # Another account from the same address is not locked by clerk_a's failures.
        response = self.client.post(url, {"username": "clerk_b", "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_api_token_login_is_throttled_too(self) -> None:
        for _ in range(5):
            self.client.post("/api/token/", {"username": "supervisor", "password": "wrong"})
        response = self.client.post("/api/token/", {"username": "supervisor", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertIn("临时锁定", response.json()["detail"])
        ok = self.client.post("/api/token/", {"username": "clerk_b", "password": PASSWORD})
        self.assertEqual(ok.status_code, 200)
        self.assertEqual(len(ok.json()["token"]), 40)

    def test_successful_login(self) -> None:
        response = self.client.post(
            "/admin/login/?next=/admin/", {"username": "clerk_a", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
    def test_oversized_request_bodies_are_refused(self) -> None:
        self.client.force_login(self.w.bianban)
        response = self.client.post(
            "/admin/org/unit/add/",
            {"department": self.w.dept_a.pk, "code": "U9", "name": "新科", "duties": "职" * 5000},
        )
        self.assertEqual(response.status_code, 400)

    def test_responses_carry_security_headers(self) -> None:
        response = self.client.get("/admin/login/")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertTrue(response["X-Request-ID"])
