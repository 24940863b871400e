"""Suite-wide fixtures, including the one real headless Chromium (Debian's package) that every
browser test shares, driven by Playwright; no browser is downloaded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: tests that share ``setUpTestData`` share the
    change-log head too, and some tests write past the services on purpose."""
    from django.conf import settings

    if not settings.configured:  # pure-module tests may run with -p no:django
        return
    from django.core.cache import cache

    cache.clear()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run ./dev setup (installs Debian's chromium)")
    # Playwright's sync API runs an event loop; Django must allow ORM calls from this thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    path = Path(os.environ.get("QINGDAN_DATA_DIR", "var/test")) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
