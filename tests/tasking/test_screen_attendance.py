"""Attendance taken on the chair's view of the screen (issue 13, point 9): the chair marks an
invitee present with one press and the screens follow; a member is refused and a bad choice is
told, nothing changed either way."""

import pytest
from django.test import Client
from django.urls import reverse

from tasking.meetings.choices import Attendance
from tests.tasking.screen_helpers import ScreenCast

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def screen(hierarchy):
    return ScreenCast(hierarchy)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invitee_of(screen):
    return screen.meeting.invitees.get(user=screen.member)


def post(user, screen, data, **extra):
    url = reverse("tasking:meeting_screen_attendance", args=[screen.meeting.pk])
    return signed_in(user).post(url, data, **extra)


def test_the_chair_marks_a_member_present_and_the_screens_follow(screen):
    invitee = invitee_of(screen)
    html = signed_in(screen.chair).get(
        reverse("tasking:meeting_screen_private", args=[screen.meeting.pk])
    )
    assert 'id="nim-attendance"' in html.content.decode()
    response = post(
        screen.chair, screen, {"invitee": invitee.pk, "attendance": Attendance.PRESENT}, **HTMX
    )
    assert response.status_code == 204
    assert "nim-screen-changed" in response["HX-Trigger"]
    invitee.refresh_from_db()
    assert invitee.attendance == Attendance.PRESENT


def test_without_javascript_the_chair_comes_back_to_the_attendance(screen):
    invitee = invitee_of(screen)
    response = post(screen.chair, screen, {"invitee": invitee.pk, "attendance": "apologies"})
    assert response.status_code == 302
    assert response["Location"].endswith("/chair/#nim-attendance")
    invitee.refresh_from_db()
    assert invitee.attendance == Attendance.APOLOGIES


def test_a_member_is_refused_and_nothing_changes(screen):
    invitee = invitee_of(screen)
    response = post(screen.member, screen, {"invitee": invitee.pk, "attendance": "present"})
    assert response.status_code == 403
    invitee.refresh_from_db()
    assert invitee.attendance == Attendance.INVITED
    shared = signed_in(screen.member).get(
        reverse("tasking:meeting_screen", args=[screen.meeting.pk])
    )
    assert 'id="nim-attendance"' not in shared.content.decode()


def test_a_bad_choice_is_told_and_nothing_changes(screen):
    invitee = invitee_of(screen)
    chair = signed_in(screen.chair)
    url = reverse("tasking:meeting_screen_attendance", args=[screen.meeting.pk])
    response = chair.post(url, {"invitee": invitee.pk, "attendance": "asleep"})
    assert response.status_code == 302
    page = chair.get(response["Location"].split("#")[0])
    assert "Choose somebody invited and their attendance." in page.content.decode()
    invitee.refresh_from_db()
    assert invitee.attendance == Attendance.INVITED
