"""Production mode, checked the way it starts: `manage.py check --deploy` in a clean environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from nim_portal.settings.env import DEMO_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]


def bare_env() -> dict[str, str]:
    """Nothing from the caller's environment but where to find programs."""
    return {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}


def production_env(**overrides: str | None) -> dict[str, str]:
    env = {
        **bare_env(),
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "nim.police.example",
        "DATABASE_URL": "postgres://nim:secret@db.invalid:5432/nim_portal",
        "REDIS_URL": "redis://redis.invalid:6379/0",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_with_proper_values_passes_check_deploy():
    result = check_deploy(production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_behind_a_tls_proxy_passes_check_deploy():
    result = check_deploy(
        production_env(DJANGO_BEHIND_TLS_PROXY="true", NIM_TRUSTED_PROXY_COUNT="1")
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be off"),
        ({"DJANGO_SECRET_KEY": DEMO_SECRET_KEY}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "short-secret"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS must name"),
        ({"DJANGO_ALLOWED_HOSTS": " , "}, "DJANGO_ALLOWED_HOSTS must name"),
        ({"DATABASE_URL": None}, "DATABASE_URL must point at PostgreSQL"),
        ({"DATABASE_URL": "sqlite:///portal.sqlite3"}, "DATABASE_URL must point at PostgreSQL"),
        ({"REDIS_URL": None}, "REDIS_URL must point at Redis"),
    ],
    ids=[
        "debug-on",
        "demo-secret-key",
        "no-secret-key",
        "short-secret-key",
        "no-allowed-hosts",
        "blank-allowed-hosts",
        "no-database",
        "sqlite-database",
        "no-redis",
    ],
)
def test_production_refuses_to_start_with_unsafe_values(overrides, problem):
    result = check_deploy(production_env(**overrides))

    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert problem in result.stderr


def test_demo_mode_starts_with_no_environment_at_all():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_run_mode_is_refused():
    result = check_deploy(production_env(DJANGO_ENV="staging"))

    assert result.returncode != 0
    assert "DJANGO_ENV must be 'demo' or 'production'" in result.stderr
