"""The one place that reads the process environment; every setting module imports from here."""

import os

from django.core.exceptions import ImproperlyConfigured

DEMO_SECRET_KEY = "demo-only-not-secret-nim-portal-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


DJANGO_ENV = env_str("DJANGO_ENV", "demo").strip().lower()
if DJANGO_ENV not in {"demo", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'demo' or 'production', not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
