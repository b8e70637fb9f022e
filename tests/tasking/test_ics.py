"""Invitations: an e-mail per invitee carrying a valid .ics, parsed back here."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import F
from icalendar import Calendar

from nim_portal import jobs
from nim_portal.choices import Role
from nim_portal.models import Job, JobState
from tasking.meetings.cadence import schedule_meetings
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.meetings.ics import meeting_invitation_ics, meeting_uid
from tasking.meetings.invitations import MEETING_INVITATION_JOB, invitation_send
from tasking.meetings.services import meeting_reschedule
from tasking.models import Meeting, MeetingInvitee
from tests.factories import member
from tests.tasking.proceedings_helpers import scheduled_as_by_beat

NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)
ONE_DAY = timedelta(days=1)


@pytest.fixture
def chair(hierarchy):
    return member(hierarchy.bcu, Role.CHAIR, username="chair", email="chair@police.example")


@pytest.fixture
def attendee(hierarchy):
    return member(hierarchy.bcu, Role.MEMBER, username="member", email="member@police.example")


@pytest.fixture
def meeting(hierarchy, chair, attendee):
    member(hierarchy.bcu, Role.ANALYST, username="analyst")
    scheduled_as_by_beat(now=NOW)
    return (
        Meeting.objects.filter(unit=hierarchy.bcu, kind=MeetingKind.TACTICAL)
        .select_related("unit", "chair")
        .first()
    )


def _invitations(to=None):
    return [
        message
        for message in mail.outbox
        if "nvitation" in message.subject and (to is None or message.to == [to])
    ]


def _any_invitation_sent_again(meeting) -> bool:
    """Whether any invitee's job, run again, sends anything."""
    return any(invitation_send(pk) for pk in meeting.invitees.values_list("pk", flat=True))


def _event(message):
    (name, content, mimetype) = message.attachments[0]
    assert name == "invitation.ics"
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_ics_parses_back_with_uid_sequence_times_method_and_attendee(meeting, attendee):
    calendar = Calendar.from_ical(meeting_invitation_ics(meeting, attendee))
    (event,) = calendar.walk("VEVENT")

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == meeting_uid(meeting) == f"{meeting.uid}@nim-portal"
    assert int(event["SEQUENCE"]) == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == meeting.starts_at and end == meeting.starts_at + timedelta(minutes=120)
    assert start.utcoffset() == timedelta(0)
    assert event["DTSTART"].to_ical().endswith(b"Z")
    assert str(event["SUMMARY"]) == f"TT&CG — {meeting.unit}"
    assert str(event["ORGANIZER"]) == "mailto:chair@police.example"
    address = event["ATTENDEE"]
    assert not isinstance(address, list), "each invitee's .ics names only its recipient"
    assert str(address) == "mailto:member@police.example"
    assert address.params["PARTSTAT"] == "NEEDS-ACTION"


def test_the_ics_carries_no_business_of_the_meeting(meeting, attendee):
    meeting.minutes = "Nominal 14 seen at the address"
    meeting.save()
    item = meeting.agenda_items.first()
    item.notes = "Operation Kestrel"
    item.save()
    text = meeting_invitation_ics(meeting, attendee).decode()

    assert "Nominal" not in text and "Kestrel" not in text
    assert "Tactical assessment" not in text


def test_scheduling_e_mails_each_invitee_a_valid_ics_once(
    hierarchy, chair, attendee, django_capture_on_commit_callbacks
):
    member(hierarchy.bcu, Role.ANALYST, username="analyst")
    with django_capture_on_commit_callbacks(execute=True):
        schedule_meetings(now=NOW)
    meeting = Meeting.objects.filter(unit=hierarchy.bcu, kind=MeetingKind.TACTICAL).first()
    sent = _invitations()

    uids = {str(_event(message)[1]["UID"]) for message in _invitations("member@police.example")}
    assert meeting_uid(meeting) in uids
    assert len(uids) == Meeting.objects.filter(unit=hierarchy.bcu).count()
    invitee = meeting.invitees.get(user=attendee)
    assert invitee.invitation_sequence == 0 and invitee.invitation_sent_at is not None
    message = next(m for m in sent if str(_event(m)[1]["UID"]) == meeting_uid(meeting))
    assert "TT&CG" in message.subject and "Birmingham" in message.subject
    assert "no details of the business" in message.body

    # A second run sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        schedule_meetings(now=NOW)
    assert len(_invitations()) == len(sent)
    assert not _any_invitation_sent_again(meeting)


def test_rescheduling_reissues_the_invitation_with_a_higher_sequence(
    meeting, chair, attendee, django_capture_on_commit_callbacks
):
    # The schedule's job sent the first invitations.
    assert set(meeting.invitees.values_list("invitation_sequence", flat=True)) == {0}
    new_start = meeting.starts_at + timedelta(days=1, hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(
            acting_user=chair, meeting=meeting, starts_at=new_start, place="Lloyd House, room 4"
        )
    updates = [m for m in _invitations() if m.subject.startswith("Updated invitation")]

    assert {tuple(m.to) for m in updates} == {
        ("chair@police.example",),
        ("member@police.example",),
    }
    calendar, event = _event(next(m for m in updates if m.to == ["member@police.example"]))
    assert str(event["UID"]) == meeting_uid(meeting)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start
    assert str(event["LOCATION"]) == "Lloyd House, room 4"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert meeting.invitees.get(user=attendee).invitation_sequence == 1
    assert not _any_invitation_sent_again(meeting)


def test_no_invitations_for_a_meeting_that_is_no_longer_scheduled(meeting):
    # Its invitations are out of date (as after a move), but it was closed meanwhile.
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.CLOSED, sequence=F("sequence") + 1
    )
    assert not _any_invitation_sent_again(meeting)
    assert _invitations() == []


def test_without_a_chair_the_portal_organises(meeting, attendee):
    meeting.chair = None
    calendar = Calendar.from_ical(meeting_invitation_ics(meeting, attendee))
    (event,) = calendar.walk("VEVENT")
    assert str(event["ORGANIZER"]) == f"mailto:{settings.DEFAULT_FROM_EMAIL}"


def test_the_schedule_asks_for_each_invitation_and_the_sweep_sends_them(hierarchy, chair, attendee):
    """The broker was away when the schedule committed: nothing is sent until the beat's sweep
    of due jobs hands them over (in-process here), and a second run asks for nothing more."""
    assert schedule_meetings(now=NOW).created
    asked = Job.objects.filter(kind=MEETING_INVITATION_JOB)
    # Only the BCU has people to invite: a job for each of its meetings' invitees.
    invited = MeetingInvitee.objects.filter(meeting__unit=hierarchy.bcu).values_list(
        "pk", flat=True
    )

    assert sorted(asked.values_list("object_id", flat=True)) == sorted(invited)
    assert _invitations() == []
    assert schedule_meetings(now=NOW).created == []
    assert asked.count() == len(invited)

    jobs.jobs_dispatch_due()

    assert set(asked.values_list("state", flat=True)) == {JobState.DONE}
    meetings = Meeting.objects.filter(unit=hierarchy.bcu).count()
    assert len(_invitations("member@police.example")) == meetings
    assert len(_invitations()) == len(invited)
    assert not MeetingInvitee.objects.filter(invitation_sent_at=None).exists()


def test_an_address_that_fails_sends_nobody_else_twice(
    meeting, chair, attendee, django_capture_on_commit_callbacks, monkeypatch
):
    """One job an invitee: a send that fails is that invitee's job's to retry alone."""
    from django.core.mail import EmailMessage

    send = EmailMessage.send

    def refuse_the_member(message, *args, **kwargs):
        if message.to == ["member@police.example"]:
            raise OSError("550 mailbox unavailable")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse_the_member)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(
            acting_user=chair, meeting=meeting, starts_at=meeting.starts_at + ONE_DAY
        )

    assert [m.to for m in _invitations()] == [["chair@police.example"]]
    failed = Job.objects.get(kind=MEETING_INVITATION_JOB, state=JobState.FAILED)
    assert failed.object_id == meeting.invitees.get(user=attendee).pk
    assert "550 mailbox unavailable" in failed.last_error

    # The address works again: the member's job, retried, sends to the member alone.
    monkeypatch.setattr(EmailMessage, "send", send)
    assert invitation_send(failed.object_id) is True
    assert not _any_invitation_sent_again(meeting)
    assert sorted(m.to[0] for m in _invitations()) == [
        "chair@police.example",
        "member@police.example",
    ]
