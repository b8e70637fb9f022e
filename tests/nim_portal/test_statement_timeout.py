"""A page stopped by the web processes' statement timeout answers 503 "busy", not 500."""

import json
import subprocess
import sys

import pytest
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from nim_portal.middleware import StatementTimeoutMiddleware
from tests.factories import UserFactory
from tests.nim_portal.test_settings_production import ROOT, bare_env

pytestmark = pytest.mark.django_db


def _middleware():
    return StatementTimeoutMiddleware(lambda request: None)


def _request():
    request = RequestFactory().get("/products/")
    request.user = UserFactory()
    return request


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_statement_past_the_timeout_answers_503_with_retry_after():
    with (
        pytest.raises(OperationalError) as stopped,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")

    response = _middleware().process_exception(_request(), stopped.value)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Sorry, the service is busy" in response.content


def test_other_database_errors_are_left_to_the_error_page():
    assert _middleware().process_exception(_request(), OperationalError("disk I/O error")) is None
    assert _middleware().process_exception(_request(), ValueError("not a database error")) is None


def _database_options(**env: str) -> str:
    """The default database's OPTIONS as a fresh process with `env` reads them."""
    script = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**bare_env(), "DJANGO_SETTINGS_MODULE": "nim_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_web_setting_caps_postgresql_statements_and_nothing_else():
    url = "postgres://nim@db.invalid:5432/nim_portal"

    capped = _database_options(DATABASE_URL=url, NIM_DB_STATEMENT_TIMEOUT_MS="10000")

    assert capped["options"] == "-c jit=off -c statement_timeout=10000"
    assert _database_options(DATABASE_URL=url)["options"] == "-c jit=off"
    assert "options" not in _database_options(NIM_DB_STATEMENT_TIMEOUT_MS="10000")
