"""The demo serves with DEBUG off (its static files still served by WhiteNoise), and every error
is the portal's own page: marked, with a way back, never a stack trace or a list of URLs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path, reverse

from nim_portal.choices import Role
from tests.factories import member

ROOT = Path(__file__).resolve().parents[2]
SECRET_IN_THE_CODE = "traceback-canary-5521"

pytestmark = pytest.mark.django_db


def broken(request):
    raise RuntimeError(SECRET_IN_THE_CODE)


def refused(request):
    raise PermissionDenied("Only a chair of this unit may close its meeting.")


urlpatterns = [
    path("broken/", broken),
    path("refused/", refused),
    path("", include("nim_portal.urls")),
]


def demo_settings(*names: str) -> list[str]:
    """Settings as `make demo` reads them: a clean environment, no DJANGO_DEBUG."""
    env = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    shown = "; ".join(f"print(settings.{name})" for name in names)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            f"from django.conf import settings; {shown}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.splitlines()


def test_the_demo_runs_with_debug_off_for_the_local_addresses():
    assert demo_settings("DEBUG", "ALLOWED_HOSTS", "WHITENOISE_USE_FINDERS") == [
        "False",
        "['127.0.0.1', 'localhost', '[::1]']",
        "True",
    ]


def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/build/portal.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def assert_friendly(html: str) -> None:
    assert 'aria-label="Protective marking">OFFICIAL' in html
    assert f'href="{reverse("dashboard")}"' in html
    for debug_only in ("Traceback", "URLconf", "DEBUG = True", SECRET_IN_THE_CODE):
        assert debug_only not in html


def test_a_missing_page_is_the_portals_404(client, hierarchy):
    client.force_login(member(hierarchy.force, Role.MEMBER))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert_friendly(html)


def test_a_record_one_may_not_read_is_the_same_404(client, hierarchy):
    client.force_login(member(hierarchy.force, Role.MEMBER))

    response = client.get(reverse("tasking:meeting_detail", args=[987654]))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_refusal_is_the_portals_403_with_its_reason(client, hierarchy):
    client.force_login(member(hierarchy.force, Role.MEMBER))

    response = client.get("/refused/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do this" in html
    assert "Only a chair of this unit may close its meeting." in html
    assert_friendly(html)


@pytest.mark.urls(__name__)
def test_an_error_is_the_portals_500_without_the_code_behind_it(hierarchy):
    client = Client(raise_request_exception=False)
    client.force_login(member(hierarchy.force, Role.MEMBER))

    response = client.get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert_friendly(html)


def test_a_form_sent_from_an_old_page_is_the_portals_csrf_page(hierarchy):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member(hierarchy.force, Role.MEMBER))

    response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form could not be sent" in html
    assert_friendly(html)
