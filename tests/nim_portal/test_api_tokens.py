"""API tokens (django-rest-knox): stored only as a digest, expiring after NIM_API_TOKEN_TTL_HOURS,
one per police user, refused once replaced, expired or held by a deactivated person."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from nim_portal import services
from nim_portal.choices import Role
from tests.factories import PartnerUserFactory, UserFactory, member

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ME = "/api/v1/me/"
TOKEN = "/api/v1/me/token/"


@pytest.fixture
def analyst(hierarchy):
    return member(hierarchy.bcu, Role.ANALYST, username="token-analyst")


def new_token(user) -> dict:
    client = APIClient()
    client.force_login(user)
    response = client.post(TOKEN)
    assert response.status_code == 201
    return response.data


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_fresh_token_works_with_the_usual_header(analyst):
    token = new_token(analyst)["token"]

    response = with_token(token).get(ME)

    assert response.status_code == 200
    assert response.data["username"] == "token-analyst"


def test_the_database_holds_a_digest_never_the_token(analyst):
    token = new_token(analyst)["token"]

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")  # noqa: S608  (our own name)
        rows = cursor.fetchall()

    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert AuthToken.objects.get().digest != token


def test_the_token_expires_after_the_configured_hours(analyst, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(hours=2)}

    data = new_token(analyst)

    stored = AuthToken.objects.get(user=analyst)
    assert parse_datetime(data["expires_at"]) == stored.expiry
    lifetime = stored.expiry - stored.created
    assert abs(lifetime - datetime.timedelta(hours=2)) < datetime.timedelta(seconds=5)


def test_the_default_lifetime_is_thirty_days(analyst):
    data = new_token(analyst)

    lifetime = parse_datetime(data["expires_at"]) - parse_datetime(data["created"])
    assert abs(lifetime - datetime.timedelta(days=30)) < datetime.timedelta(seconds=5)


def test_an_expired_token_is_refused_and_removed(analyst):
    token = new_token(analyst)["token"]
    AuthToken.objects.filter(user=analyst).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = with_token(token).get(ME)

    assert response.status_code == 403
    assert response.data["detail"] == "Invalid token."
    assert not AuthToken.objects.filter(user=analyst).exists()


def test_a_token_still_in_date_works_until_then(analyst):
    token = new_token(analyst)["token"]
    AuthToken.objects.filter(user=analyst).update(
        expiry=timezone.now() + datetime.timedelta(minutes=1)
    )

    assert with_token(token).get(ME).status_code == 200


def test_replacing_the_token_ends_the_old_one(analyst):
    old = new_token(analyst)["token"]
    new = new_token(analyst)["token"]

    assert with_token(old).get(ME).status_code == 403
    assert with_token(new).get(ME).status_code == 200
    assert AuthToken.objects.filter(user=analyst).count() == 1


def test_a_deactivated_persons_token_is_refused(analyst):
    token = new_token(analyst)["token"]
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])

    response = with_token(token).get(ME)

    assert response.status_code == 403
    assert response.data["detail"] == "User inactive or deleted."


@pytest.mark.parametrize("who", ["partner", "inactive"])
def test_only_active_police_users_may_hold_a_token(hierarchy, who):
    if who == "partner":
        user = PartnerUserFactory()
    else:
        user = member(hierarchy.bcu, Role.ANALYST, is_active=False)

    with pytest.raises(PermissionDenied):
        services.api_token_replace(acting_user=user)

    assert not AuthToken.objects.exists()


def test_the_admin_can_neither_list_nor_issue_tokens(client, analyst):
    new_token(analyst)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert not admin.site.is_registered(AuthToken)
    assert client.get("/admin/knox/authtoken/").status_code == 404
    assert client.get("/admin/knox/authtoken/add/").status_code == 404


def test_the_schema_says_the_token_expires(analyst):
    client = APIClient()
    client.force_login(analyst)

    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/me/token/"]["post"]
    assert "expires at `expires_at`" in operation["description"]
    assert "expires_at" in schema["components"]["schemas"]["Token"]["properties"]


def settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    program = "from nim_portal import settings; print(settings.REST_KNOX['TOKEN_TTL'])"
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_lifetime_comes_from_the_environment():
    result = settings_in_a_fresh_process(NIM_API_TOKEN_TTL_HOURS="6")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "6:00:00"


def test_a_lifetime_under_an_hour_is_refused_at_start():
    result = settings_in_a_fresh_process(NIM_API_TOKEN_TTL_HOURS="0")

    assert result.returncode != 0
    assert "NIM_API_TOKEN_TTL_HOURS must be at least 1" in result.stderr
