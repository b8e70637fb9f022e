"""The meeting screen's poll: "nothing changed" in two queries through the real middleware stack,
and no answer that says more than "changed" or "reload" to a ticket or session that does not fit.

Answers: 204 with no header (nothing new), 204 with HX-Trigger (the live region fetches itself
through the normal stack), HX-Refresh (the whole page goes back through the normal stack)."""

import json
import time
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client
from django.urls import reverse

from nim_portal.middleware import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from nim_portal.models import Membership
from tasking.meetings.services import meeting_screen_changed
from tasking.proceedings.poll import TICKET_MAX_AGE_SECONDS, TICKET_SALT
from tests.tasking.screen_helpers import ScreenCast, poll_url_of, verified

pytestmark = pytest.mark.django_db

CHANGED = "nim-screen-changed"


@pytest.fixture
def second_factor_required(settings):
    settings.NIM_REQUIRE_SECOND_FACTOR = True


@pytest.fixture
def screen(hierarchy, second_factor_required):
    return ScreenCast(hierarchy)


def screen_url(meeting, name="tasking:meeting_screen"):
    return reverse(name, args=[meeting.pk])


def poll_of(client, meeting, name="tasking:meeting_screen") -> str:
    response = client.get(screen_url(meeting, name))
    assert response.status_code == 200
    return poll_url_of(response)


def is_unchanged(response) -> bool:
    return response.status_code == 204 and "HX-Trigger" not in response


def is_changed(response) -> bool:
    return response.status_code == 204 and CHANGED in json.loads(response.get("HX-Trigger", "{}"))


def is_reload(response) -> bool:
    return response.get("HX-Refresh") == "true"


def says_nothing(response) -> bool:
    """A poll answer carries no meeting content, whatever it says."""
    return response.content in (b"", b"\n")


def test_nothing_changed_costs_two_queries_through_the_middleware(
    client, screen, django_assert_max_num_queries
):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    with django_assert_max_num_queries(2):
        response = client.get(poll)

    assert is_unchanged(response)
    assert says_nothing(response)
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_chairs_private_view_polls_in_two_queries_too(
    client, screen, django_assert_max_num_queries
):
    poll = poll_of(verified(client, screen.chair), screen.meeting, "tasking:meeting_screen_private")

    with django_assert_max_num_queries(2):
        assert is_unchanged(client.get(poll))


def test_a_change_tells_the_screen_to_fetch_itself(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    meeting_screen_changed(screen.meeting.pk)
    response = client.get(poll)

    assert is_changed(response)
    assert says_nothing(response)
    refreshed = client.get(screen_url(screen.meeting, "tasking:meeting_screen_live"))
    assert is_unchanged(client.get(poll_url_of(refreshed)))


def test_the_poll_does_not_keep_an_idle_session_alive(client, screen, settings):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = last_seen = time.time() - 120
    session.save()

    assert is_unchanged(client.get(poll))
    assert client.session[SESSION_LAST_SEEN_KEY] == last_seen

    session = client.session
    session[SESSION_LAST_SEEN_KEY] = time.time() - settings.NIM_SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get(poll)

    assert is_reload(response) and says_nothing(response)
    # The whole page, back through the normal stack, signs the idle session out.
    assert client.get(screen_url(screen.meeting)).url.startswith(reverse("login"))


def test_a_session_past_its_absolute_limit_is_told_to_reload(client, screen, settings):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.NIM_SESSION_ABSOLUTE_SECONDS - 5
    session.save()

    assert is_reload(client.get(poll))


def test_a_signed_out_session_is_told_to_reload(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    client.logout()
    response = client.get(poll)

    assert is_reload(response) and says_nothing(response)


def test_a_revoked_session_is_told_to_reload(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    Session.objects.all().delete()

    assert is_reload(client.get(poll))


def test_another_users_ticket_is_worth_nothing_in_my_session(client, screen):
    chairs_poll = poll_of(verified(Client(), screen.chair), screen.meeting)
    verified(client, screen.outsider)

    response = client.get(chairs_poll)

    assert is_reload(response) and says_nothing(response)
    assert client.get(screen_url(screen.meeting)).status_code == 404


def test_a_ticket_copied_to_another_session_of_the_same_user_is_refused(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    assert is_reload(verified(Client(), screen.member).get(poll))


def test_a_session_that_now_belongs_to_somebody_else_is_refused(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    session = client.session
    session[SESSION_KEY] = str(screen.chair.pk)
    session.save()

    assert is_reload(client.get(poll))


def test_a_session_without_its_second_factor_is_refused(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    session = client.session
    session.pop("otp_device_id")
    session.save()

    assert is_reload(client.get(poll))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda ticket: ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB"),
        lambda ticket: "x" + ticket,
        lambda ticket: "",
    ],
    ids=["signature", "payload", "missing"],
)
def test_a_tampered_ticket_gets_the_same_404_as_a_forbidden_meeting(client, screen, tamper):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    path, ticket = poll.split("?ticket=")

    response = client.get(path, {"ticket": tamper(ticket)})

    assert response.status_code == 404
    assert not is_reload(response)


def test_a_ticket_forged_for_another_meeting_is_refused(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    other = screen.cast.hierarchy.bcu.meetings.exclude(pk=screen.meeting.pk).first()
    ticket = poll.split("?ticket=")[1]

    response = client.get(
        reverse("tasking:meeting_screen_poll", args=[other.pk]), {"ticket": ticket}
    )

    assert response.status_code == 404


def _expired(ticket: str) -> str:
    """The same claim, signed long enough ago to have expired."""
    payload = signing.loads(ticket, salt=TICKET_SALT)
    past = time.time() - TICKET_MAX_AGE_SECONDS - 60
    with mock.patch("django.core.signing.time.time", return_value=past):
        return signing.dumps(payload, salt=TICKET_SALT)


def test_an_expired_ticket_refetches_the_screen_which_mints_a_new_one(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    path, ticket = poll.split("?ticket=")

    response = client.get(path, {"ticket": _expired(ticket)})

    assert is_changed(response)


def test_an_expired_ticket_of_a_signed_out_session_is_told_to_reload(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)
    path, ticket = poll.split("?ticket=")
    client.logout()

    assert is_reload(client.get(path, {"ticket": _expired(ticket)}))


def test_a_member_taken_off_the_meeting_is_told_to_reload_and_then_refused(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    Membership.objects.filter(user=screen.member).delete()
    screen.meeting.invitees.filter(user=screen.member).delete()
    response = client.get(poll)

    assert is_reload(response) and says_nothing(response)
    assert client.get(screen_url(screen.meeting)).status_code == 404
    assert client.get(screen_url(screen.meeting, "tasking:meeting_screen_live")).status_code == 404


def test_a_deactivated_user_is_told_to_reload(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    type(screen.member).objects.filter(pk=screen.member.pk).update(is_active=False)

    assert is_reload(client.get(poll))


def test_an_anonymous_poll_is_told_to_reload_without_a_redirect(client, screen):
    poll = poll_of(verified(Client(), screen.member), screen.meeting)

    response = client.get(poll)

    assert is_reload(response) and says_nothing(response)


def test_the_poll_answers_only_get(client, screen):
    poll = poll_of(verified(client, screen.member), screen.meeting)

    assert client.post(poll).status_code in (403, 405)


def test_other_pages_still_get_the_session_limits_and_second_factor(client, screen, settings):
    verified(client, screen.member)
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = time.time() - settings.NIM_SESSION_IDLE_SECONDS - 5
    session.save()

    assert client.get(screen_url(screen.meeting)).url.startswith(reverse("login"))

    unverified = Client()
    unverified.force_login(screen.member)
    response = unverified.get(screen_url(screen.meeting))
    assert response.url.startswith(reverse("second_factor"))
