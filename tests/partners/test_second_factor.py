"""Partner users give a second factor like police users when it is required (production): until
their session is verified by a one-time password they reach no partner page, download or API;
without the requirement (the demo) a password is enough."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent
from partners.models import HandlingAcknowledgement
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PARTNER_API = "/api/v1/partner/releases/"


@pytest.fixture
def second_factor_required(settings):
    settings.NIM_REQUIRE_SECOND_FACTOR = True


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def partner_urls(release) -> list[str]:
    return [
        reverse("partners:area_releases"),
        reverse("partners:area_release", args=[release.pk]),
        reverse("partners:area_download", args=[release.pk]),
    ]


def accept_and_download(client, release, capture_on_commit):
    """Accepting renders the partner's own copy (its job runs once the change commits)."""
    with capture_on_commit(execute=True):
        client.post(reverse("partners:area_acknowledge", args=[release.pk]))
    return client.get(reverse("partners:area_download", args=[release.pk]))


def downloads(release):
    return AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD, object_id=str(release.pk))


@pytest.mark.usefixtures("second_factor_required")
def test_a_partner_signed_in_with_a_password_alone_reaches_nothing(client, cast, available):
    sign_in(client, cast.partner_a)

    for url in partner_urls(available):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("second_factor")), url
    accept = client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    assert accept.url.startswith(reverse("second_factor"))
    api = client.get(PARTNER_API)
    assert api.status_code == 403
    assert "second factor" in api.json()["detail"]
    assert not HandlingAcknowledgement.objects.exists()
    assert not downloads(available).exists()


@pytest.mark.usefixtures("second_factor_required")
def test_a_partner_enrols_an_authenticator_and_then_downloads(
    client, cast, available, django_capture_on_commit_callbacks
):
    sign_in(client, cast.partner_a)
    page = client.get(reverse("second_factor")).content.decode()
    device = TOTPDevice.objects.get(user=cast.partner_a, confirmed=False)

    verified = client.post(reverse("second_factor"), {"token": current_code(device)})
    download = accept_and_download(client, available, django_capture_on_commit_callbacks)

    assert "Set up your authenticator app" in page
    assert verified.url == reverse("dashboard")
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(
        verb=AuditVerb.ENROL_SECOND_FACTOR, actor=cast.partner_a
    ).exists()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert downloads(available).get().actor == cast.partner_a
    assert client.get(PARTNER_API).status_code == 200


@pytest.mark.usefixtures("second_factor_required")
def test_an_enrolled_partner_is_asked_for_a_code_before_the_partner_area(
    client, cast, available, django_capture_on_commit_callbacks
):
    device = TOTPDevice.objects.create(user=cast.partner_a, name="Phone", confirmed=True)
    sign_in(client, cast.partner_a)

    before = client.get(reverse("partners:area_releases"))
    page = client.get(before.url).content.decode()
    verified = client.post(before.url, {"token": current_code(device)})

    assert before.url.startswith(reverse("second_factor"))
    assert "Enter your security code" in page
    assert verified.url == reverse("partners:area_releases")
    assert client.get(verified.url).status_code == 200
    assert (
        accept_and_download(client, available, django_capture_on_commit_callbacks).status_code
        == 200
    )


def test_without_the_requirement_a_partner_signs_in_with_a_password(
    client, cast, available, settings, django_capture_on_commit_callbacks
):
    settings.NIM_REQUIRE_SECOND_FACTOR = False

    response = sign_in(client, cast.partner_a)

    assert not response.url.startswith(reverse("second_factor"))
    for url in partner_urls(available)[:2]:
        assert client.get(url).status_code == 200, url
    assert (
        accept_and_download(client, available, django_capture_on_commit_callbacks).status_code
        == 200
    )
    assert not TOTPDevice.objects.exists()
