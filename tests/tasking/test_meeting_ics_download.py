"""A police invitee downloads their own .ics from the meeting's page, as a partner attendee does
from the partner area; the invitation e-mail links to it as well as attaching it. Anybody not
invited gets 404."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from nim_portal.choices import Role
from tasking.meetings.choices import MeetingKind
from tasking.meetings.invitations import invitation_send
from tasking.models import Meeting
from tests.factories import PartnerUserFactory, member
from tests.tasking.proceedings_helpers import scheduled_as_by_beat

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def attendee(hierarchy):
    return member(hierarchy.bcu, Role.MEMBER, username="member", email="member@police.example")


@pytest.fixture
def meeting(hierarchy, attendee):
    member(hierarchy.bcu, Role.CHAIR, username="chair", email="chair@police.example")
    scheduled_as_by_beat(now=NOW)
    return Meeting.objects.filter(unit=hierarchy.bcu, kind=MeetingKind.TACTICAL).first()


def ics_url(meeting) -> str:
    return reverse("tasking:meeting_ics", args=[meeting.pk])


def test_an_invitee_downloads_their_own_invitation(client, meeting, attendee):
    assert meeting.invitees.filter(user=attendee).exists()
    client.force_login(attendee)

    response = client.get(ics_url(meeting))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith('attachment; filename="meeting-')
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:member@police.example"
    assert str(event["SUMMARY"]) == f"TT&CG — {meeting.unit}"


def test_the_meeting_page_offers_it_to_an_invitee_only(client, meeting, attendee, hierarchy):
    client.force_login(attendee)
    page = client.get(reverse("tasking:meeting_detail", args=[meeting.pk])).content.decode()
    assert f'href="{ics_url(meeting)}"' in page

    reader = member(hierarchy.force, Role.MEMBER, username="force-member")
    assert not meeting.invitees.filter(user=reader).exists()
    client.force_login(reader)
    page = client.get(reverse("tasking:meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert ics_url(meeting) not in page.content.decode()


def test_somebody_not_invited_gets_404(client, meeting, hierarchy):
    # Reads the meeting (a role above its unit), but is not invited to it.
    client.force_login(member(hierarchy.force, Role.MEMBER, username="force-member"))
    assert client.get(ics_url(meeting)).status_code == 404

    client.force_login(member(hierarchy.other_bcu, Role.MEMBER, username="stoke-member"))
    assert client.get(ics_url(meeting)).status_code == 404


def test_a_partner_gets_404(client, meeting):
    client.force_login(PartnerUserFactory())
    assert client.get(ics_url(meeting)).status_code == 404


def test_the_invitation_e_mail_attaches_and_links_it(meeting, attendee):
    invitee = meeting.invitees.get(user=attendee)
    invitee.invitation_sequence = None
    invitee.save()
    mail.outbox.clear()

    assert invitation_send(invitee.pk, now=NOW)

    (message,) = mail.outbox
    assert message.attachments[0][0] == "invitation.ics"
    assert f"{ics_url(meeting)}\n" in message.body
