"""Sign-in, sign-out, lockout, password change, session timeouts and the second factor."""

import re
import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nim_portal.choices import AuditVerb, Role
from nim_portal.middleware import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from nim_portal.models import AuditEvent
from tests.factories import TEST_PASSWORD, PartnerUserFactory, UserFactory, member

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
API_ME = "/api/v1/me/"


def sign_in(client, username, password=TEST_PASSWORD, *, address="127.0.0.1", **extra):
    data = {"username": username, "password": password, **extra}
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def current_token(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` time steps later)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{code:0{device.digits}d}"


def events(verb):
    return AuditEvent.objects.filter(verb=verb)


# Sign-in ---------------------------------------------------------------------------------------


def test_the_sign_in_page_is_a_labelled_form_with_autocomplete_hints(client):
    html = client.get(LOGIN).content.decode()

    assert '<label class="govuk-label govuk-label--s" for="id_username">' in html
    assert '<label class="govuk-label govuk-label--s" for="id_password">' in html
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*id="id_username"', html)
    assert re.search(r'<input[^>]*type="password"[^>]*autocomplete="current-password"', html)
    assert "govuk-error-summary" not in html
    assert "<title>Sign in \N{EN DASH} NIM Portal</title>" in html


def test_signing_in_reaches_the_dashboard_and_is_audited(client, hierarchy):
    user = member(hierarchy.force)

    response = sign_in(client, user.username)

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    event = events(AuditVerb.SIGN_IN).get()
    assert event.actor == user
    assert event.ip_address == "127.0.0.1"


def test_a_wrong_password_shows_an_error_summary_and_is_audited(client, hierarchy):
    user = member(hierarchy.force)

    response = sign_in(client, user.username, "not-the-password")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in \N{EN DASH} NIM Portal</title>" in html
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_username">Enter a correct username and password.' in html
    assert "_auth_user_id" not in client.session
    event = events(AuditVerb.FAILED_SIGN_IN).get()
    assert event.actor is None
    assert event.actor_username == user.username


def test_empty_fields_are_named_in_the_error_summary(client):
    html = sign_in(client, "", "").content.decode()

    assert '<a href="#id_username">This field is required.</a>' in html
    assert '<a href="#id_password">This field is required.</a>' in html
    assert 'aria-describedby="id_username-error"' in html


def test_sign_in_never_redirects_off_the_site(client, hierarchy):
    user = member(hierarchy.force)

    response = sign_in(client, user.username, next="https://attacker.example/")

    assert response.url == reverse("dashboard")


def test_sign_in_returns_to_the_page_asked_for(client, hierarchy):
    user = member(hierarchy.force)

    response = sign_in(client, user.username, next="/accounts/password/")

    assert response.url == "/accounts/password/"


def test_repeated_failures_lock_the_account_for_a_while(client, hierarchy, settings):
    user = member(hierarchy.force)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, user.username, "wrong").status_code == 200

    locked = sign_in(client, user.username, "wrong")

    html = locked.content.decode()
    assert locked.status_code == 429
    assert "Your account is locked" in html
    assert "You can try again in 30 minutes." in html
    assert "contact your force's NIM Portal administrator" in html
    assert events(AuditVerb.LOCKED_OUT).filter(actor_username=user.username).exists()
    assert events(AuditVerb.FAILED_SIGN_IN).count() == settings.AXES_FAILURE_LIMIT
    # Even the right password is refused while the lock lasts.
    assert sign_in(client, user.username).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_lock_other_usernames_elsewhere(client, hierarchy, settings):
    locked, other = member(hierarchy.force), member(hierarchy.force)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, locked.username, "wrong")

    assert sign_in(client, other.username, address="10.9.9.9").status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, hierarchy, settings):
    people = [member(hierarchy.force) for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    for person in people[: settings.AXES_FAILURE_LIMIT - 1]:
        assert sign_in(client, person.username, "wrong", address="10.1.1.1").status_code == 200
    locking = people[settings.AXES_FAILURE_LIMIT - 1]
    assert sign_in(client, locking.username, "wrong", address="10.1.1.1").status_code == 429

    refused = sign_in(client, people[-1].username, address="10.1.1.1")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert sign_in(client, people[-1].username, address="10.2.2.2").status_code == 302


def test_one_username_tried_from_many_addresses_is_locked(client, hierarchy, settings):
    user = member(hierarchy.force)
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, user.username, "wrong", address=f"10.3.3.{n + 1}")

    assert sign_in(client, user.username, address="10.4.4.4").status_code == 429
    assert "_auth_user_id" not in client.session


# Sign-out and password -------------------------------------------------------------------------


def test_signing_out_is_a_post_that_is_audited(client, hierarchy):
    user = member(hierarchy.force)
    client.force_login(user)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert events(AuditVerb.SIGN_OUT).get().actor == user
    assert "You have signed out." in client.get(response.url).content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_password_change_keeps_the_user_signed_in_with_the_new_password(client, hierarchy):
    user = member(hierarchy.force)
    client.force_login(user)
    new_password = "Another-Long-Passphrase-42"

    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Your password has been changed." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_a_weak_new_password_is_refused_with_the_reason(client, hierarchy):
    user = member(hierarchy.force)
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short." in html
    assert '<a href="#id_new_password2">' in html
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_a_wrong_old_password_changes_nothing(client, hierarchy):
    user = member(hierarchy.force)
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "Another-Long-Passphrase-42",
            "new_password2": "Another-Long-Passphrase-42",
        },
    )

    assert '<a href="#id_old_password">' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# Session timeouts ------------------------------------------------------------------------------


def age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_an_idle_session_is_signed_out_with_a_message(client, hierarchy, settings):
    client.force_login(member(hierarchy.force))
    client.get(reverse("dashboard"))
    age_session(client, **{SESSION_LAST_SEEN_KEY: settings.NIM_SESSION_IDLE_SECONDS + 5})

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "next=%2F" in response.url
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "You were signed out after a period without activity." in page


def test_a_session_past_its_absolute_limit_is_signed_out(client, hierarchy, settings):
    client.force_login(member(hierarchy.force))
    client.get(reverse("dashboard"))
    age_session(
        client,
        **{
            SESSION_STARTED_KEY: settings.NIM_SESSION_ABSOLUTE_SECONDS + 5,
            SESSION_LAST_SEEN_KEY: 1,
        },
    )

    response = client.get(reverse("dashboard"))

    assert response.url.startswith(reverse("login"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your session reached its time limit: sign in again."
    ]


def test_an_active_session_within_its_limits_stays_signed_in(client, hierarchy, settings):
    client.force_login(member(hierarchy.force))
    client.get(reverse("dashboard"))
    age_session(client, **{SESSION_LAST_SEEN_KEY: settings.NIM_SESSION_IDLE_SECONDS - 60})

    assert client.get(reverse("dashboard")).status_code == 200


# Second factor ---------------------------------------------------------------------------------


@pytest.fixture
def second_factor_required(settings):
    settings.NIM_REQUIRE_SECOND_FACTOR = True


@pytest.fixture
def police_user(hierarchy):
    return member(hierarchy.force, Role.ANALYST)


@pytest.fixture
def enrolled(police_user):
    return TOTPDevice.objects.create(user=police_user, name="Phone", confirmed=True)


@pytest.mark.usefixtures("second_factor_required")
def test_an_unverified_user_is_sent_to_the_second_factor(client, police_user):
    client.force_login(police_user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url == f"{reverse('second_factor')}?next=%2F"


@pytest.mark.usefixtures("second_factor_required")
def test_the_api_refuses_an_unverified_session_with_json(client, police_user):
    client.force_login(police_user)

    response = client.get(API_ME)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "second factor" in response.json()["detail"]


@pytest.mark.usefixtures("second_factor_required")
def test_an_htmx_request_from_an_unverified_session_is_refused(client, police_user):
    client.force_login(police_user)

    response = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")

    assert response.status_code == 403


@pytest.mark.usefixtures("second_factor_required")
def test_first_sign_in_enrols_an_app_with_a_qr_code_and_a_typed_key(client, police_user):
    client.force_login(police_user)

    html = client.get(reverse("second_factor")).content.decode()

    device = TOTPDevice.objects.get(user=police_user)
    assert not device.confirmed
    assert "Set up your authenticator app" in html
    assert "govuk-service-navigation" not in html, "no links that would only lead back here"
    assert re.search(r'<div class="nim-qr-code"><svg aria-hidden="true"[^>]*><path d="M', html)
    secret = re.search(r'<p class="nim-secret-key" id="secret-key">([A-Z2-7 ]+)</p>', html)
    assert secret.group(1).replace(" ", "") in device.config_url
    # Loading the page again keeps the same key, so a code from the scanned QR code still works.
    client.get(reverse("second_factor"))
    assert list(TOTPDevice.objects.filter(user=police_user)) == [device]


@pytest.mark.usefixtures("second_factor_required")
def test_enrolment_with_a_real_code_reaches_the_dashboard_and_is_audited(client, police_user):
    client.force_login(police_user)
    client.get(reverse("second_factor"))
    device = TOTPDevice.objects.get(user=police_user)

    response = client.post(reverse("second_factor"), {"token": current_token(device), "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    device.refresh_from_db()
    assert device.confirmed
    event = events(AuditVerb.ENROL_SECOND_FACTOR).get()
    assert event.actor == police_user
    assert event.object_id == str(device.pk)
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Your authenticator app is set up." in dashboard.content.decode()
    assert client.get(API_ME).status_code == 200


@pytest.mark.usefixtures("second_factor_required")
def test_an_enrolled_user_is_asked_for_a_code_and_a_right_one_lets_them_in(
    client, police_user, enrolled
):
    client.force_login(police_user)

    page = client.get(reverse("second_factor")).content.decode()
    response = client.post(reverse("second_factor"), {"token": current_token(enrolled)})

    assert "Enter your security code" in page
    assert "nim-qr-code" not in page
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert not events(AuditVerb.ENROL_SECOND_FACTOR).exists()


@pytest.mark.usefixtures("second_factor_required")
def test_a_wrong_code_is_refused_and_the_next_try_must_wait(client, police_user, enrolled):
    client.force_login(police_user)
    wrong = f"{(int(current_token(enrolled)) + 1) % 1_000_000:06d}"

    refused = client.post(reverse("second_factor"), {"token": wrong})
    throttled = client.post(reverse("second_factor"), {"token": current_token(enrolled)})

    assert refused.status_code == 200
    assert "That security code is not right." in refused.content.decode()
    assert "<title>Error: Enter your security code \N{EN DASH} NIM Portal</title>" in (
        refused.content.decode()
    )
    assert "Too many wrong security codes. Wait 1 second" in throttled.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 1


@pytest.mark.usefixtures("second_factor_required")
def test_a_code_that_is_not_six_digits_is_refused_without_using_a_try(
    client, police_user, enrolled
):
    client.force_login(police_user)

    response = client.post(reverse("second_factor"), {"token": "12ab"})

    assert "Enter the security code as 6 digits" in response.content.decode()
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 0


@pytest.mark.usefixtures("second_factor_required")
def test_a_code_cannot_be_used_twice(client, police_user, enrolled):
    token = current_token(enrolled)
    client.force_login(police_user)
    client.post(reverse("second_factor"), {"token": token})
    client.post(reverse("logout"))
    client.force_login(police_user)

    response = client.post(reverse("second_factor"), {"token": token})

    assert response.status_code == 200
    assert "That security code is not right." in response.content.decode()


@pytest.mark.usefixtures("second_factor_required")
def test_the_second_factor_never_redirects_off_the_site(client, police_user, enrolled):
    client.force_login(police_user)

    response = client.post(
        reverse("second_factor"),
        {"token": current_token(enrolled), "next": "https://attacker.example/"},
    )

    assert response.url == reverse("dashboard")


@pytest.mark.usefixtures("second_factor_required")
def test_partner_users_need_the_second_factor_too(client):
    client.force_login(PartnerUserFactory())

    assert client.get(reverse("dashboard")).url.startswith(reverse("second_factor"))


def test_the_second_factor_page_needs_a_signed_in_user(client):
    response = client.get(reverse("second_factor"))

    assert response.url.startswith(reverse("login"))


def test_without_the_requirement_a_password_sign_in_is_enough(client, settings):
    settings.NIM_REQUIRE_SECOND_FACTOR = False
    client.force_login(UserFactory())

    assert client.get(reverse("dashboard")).status_code == 200
