"""Suite-wide fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: tests that share ``setUpTestData`` share the
    change-log head too, and some tests write past the services on purpose."""
    from django.core.cache import cache

    cache.clear()
