"""Presentation mode (issue 13, point 2): the shared screen for the room's display, with no site
chrome but the marking banners, the current item, the meeting's assessment and the priorities of
the unit's control strategy, each shown by the shared screen's one rule (the lowest vetting
present); it follows the meeting with the same poll, and outsiders get the same 404."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from nim_portal.choices import GSCMarking, VettingLevel
from tasking.meetings.choices import Attendance
from tasking.proceedings.services import attendance_record
from tests.tasking.screen_helpers import ScreenCast, poll_url_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def screen(hierarchy):
    return ScreenCast(hierarchy)


def page(user, meeting, name="meeting_presentation") -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(f"tasking:{name}", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_room_sees_the_item_the_assessment_and_the_priorities_without_site_chrome(screen):
    assessment = screen.meeting.tactical_assessment
    assert assessment is not None
    html = page(screen.member, screen.meeting)
    assert 'class="govuk-header"' not in html and "govuk-service-navigation" not in html
    assert html.count('aria-label="Protective marking"') == 2
    assert "data-nim-fullscreen" in html
    assert screen.meeting.current_agenda_item.title in html
    assert escape(assessment.title) in html
    assert screen.priority.theme in html
    client = Client()
    client.force_login(screen.member)
    response = client.get(reverse("tasking:meeting_presentation", args=[screen.meeting.pk]))
    assert poll_url_of(response).startswith(f"/tasking/screen/{screen.meeting.pk}/poll/")


def test_the_assessment_is_held_back_when_somebody_present_may_not_read_it(screen):
    assessment = screen.meeting.tactical_assessment
    type(screen.member).objects.filter(pk=screen.member.pk).update(vetting_level=VettingLevel.RV)
    for invitee in screen.meeting.invitees.all():
        attendance_record(
            acting_user=screen.chair,
            meeting=screen.meeting,
            invitee=invitee,
            attendance=Attendance.PRESENT,
        )
    type(assessment).objects.filter(pk=assessment.pk).update(marking=GSCMarking.SECRET)
    for name in ("meeting_presentation", "meeting_presentation_live"):
        html = page(screen.chair, screen.meeting, name)
        assert escape(assessment.title) not in html
        assert 'aria-label="Protective marking"' in html


def test_outsiders_get_404(screen):
    client = Client()
    client.force_login(screen.outsider)
    for name in ("meeting_presentation", "meeting_presentation_live"):
        response = client.get(reverse(f"tasking:{name}", args=[screen.meeting.pk]))
        assert response.status_code == 404
