"""Strict readers for settings taken from the environment.

Every helper refuses a value it cannot interpret instead of guessing, so a typo in a deployment's
environment stops the process at start-up with a message naming the variable (the healthchecks way).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum {maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


# Values that have appeared in this repository or in Django's templates: never a real secret.
_PLACEHOLDER_KEYS = {"", "changeme", "secret", "insecure", "django-insecure"}


def secret_key(*, debug: bool) -> str:
    """Return the secret key, refusing to run in production without a real one."""
    key = os.environ.get("QINGDAN_SECRET_KEY", "")
    if debug:
        return key or "qingdan-development-only-key-never-use-in-production"
    if (
        key.strip().lower() in _PLACEHOLDER_KEYS
        or key.startswith("django-insecure")
        or len(key) < 40
    ):
        raise ImproperlyConfigured(
            "QINGDAN_SECRET_KEY must be set to a random value of at least 40 characters when "
            "QINGDAN_DEBUG is off (generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')"
        )
    return key
