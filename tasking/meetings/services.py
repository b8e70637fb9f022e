"""Every change the chair makes to a meeting before it sits: rescheduling it (its invitations go
out again) and the police invitees beyond the unit's own chairs and members; and the one way to
tell the screens following a meeting that what they show has changed.

Each service takes `acting_user=` and checks permission itself (tasking.meetings.policy). A
refusal raises PermissionDenied or ValidationError with a message fit to show, and changes
nothing; every change writes its history reason and an audit event.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.choices import AuditVerb, UserKind
from nim_portal.lifecycle import Lifecycle, StaleChange, save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from tasking.meetings.choices import MEETING_TRANSITIONS, Attendance, MeetingStatus
from tasking.meetings.invitations import invitations_ask
from tasking.meetings.models import Meeting, MeetingInvitee, MeetingReminder
from tasking.meetings.policy import require_chair
from tasking.meetings.search import refresh_meeting_vector
from tasking.meetings.selectors import people_invitable_to


def meeting_screen_changed(meeting_id: int) -> None:
    """Tell the meeting screen's poll that what it shows has changed (one UPDATE, no race)."""
    Meeting.objects.filter(pk=meeting_id).update(screen_revision=F("screen_revision") + 1)


MEETING_LIFECYCLE = Lifecycle(MEETING_TRANSITIONS, subject=lambda meeting: "The meeting is")


def meeting_locked(meeting_id: int) -> Meeting:
    """The meeting's row locked for this transaction, with its unit and chair."""
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("unit", "chair")
        .get(pk=meeting_id)
    )


@transaction.atomic
def meeting_reschedule(
    *,
    acting_user: User,
    meeting: Meeting,
    starts_at: datetime,
    duration_minutes: int | None = None,
    place: str | None = None,
    call_link: str | None = None,
    expected_sequence: int | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Move a scheduled meeting (time, length, place or call link) and re-issue its invitations
    with a higher SEQUENCE; the reminder moves with it. Given the `expected_sequence` the sender
    loaded, a meeting moved since then is refused and left as it is."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "reschedule it")
    if expected_sequence is not None and expected_sequence != meeting.sequence:
        now_at = timezone.localtime(meeting.starts_at)
        raise StaleChange(
            "The meeting was moved by somebody else after you opened this page (it is now "
            f"{now_at.day} {now_at:%B %Y, %H:%M}): nothing was changed. "
            "Check the new time, then make your change again.",
            code="stale_meeting",
        )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            f"The meeting is {meeting.get_status_display().lower()}: only a scheduled meeting "
            "can be rescheduled."
        )
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "Give the new date and time with its time zone."})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Choose a time in the future."})
    fields = ("starts_at", "duration_minutes", "place", "call_link")
    before = {name: getattr(meeting, name) for name in fields}
    meeting.starts_at = starts_at
    if duration_minutes is not None:
        meeting.duration_minutes = duration_minutes
    if place is not None:
        meeting.place = place.strip()
    if call_link is not None:
        meeting.call_link = call_link.strip()
    meeting.full_clean(exclude=["unit", "chair", "tactical_assessment"])
    after = {name: getattr(meeting, name) for name in fields}
    if before == after:
        return meeting
    meeting.sequence += 1
    save_with_history(
        meeting,
        acting_user=acting_user,
        reason=f"Rescheduled to {timezone.localtime(starts_at):%d %b %Y %H:%M}",
    )
    refresh_meeting_vector(meeting.pk)
    reminder = MeetingReminder.objects.select_for_update().filter(meeting=meeting).first()
    if reminder is not None:
        reminder.due_at += starts_at - before["starts_at"]
        if reminder.due_at > timezone.now():
            reminder.sent_at = None
        save_with_history(reminder, acting_user=acting_user, reason="Moved with the meeting")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=meeting,
        request=request,
        detail={
            "before": {name: str(value) for name, value in before.items()},
            "after": {name: str(value) for name, value in after.items()},
            "sequence": meeting.sequence,
        },
    )
    invitations_ask([meeting.pk])
    return meeting


@transaction.atomic
def police_invitee_add(
    *, acting_user: User, meeting: Meeting, person: User, request: HttpRequest | None = None
) -> MeetingInvitee:
    """Invite a police colleague the cadence did not (a neighbouring unit's lead, a force
    specialist) to a meeting that is not closed. They read the meeting as an invitee, within their
    vetting, and are sent the invitation with its .ics after commit."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "invite people to it")
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError("The meeting is closed: nobody more can be invited.")
    if person is None or not person.is_active or person.kind != UserKind.POLICE:
        raise ValidationError(
            {"person": "Choose an active police user (partners are invited as attendees)."}
        )
    if MeetingInvitee.objects.filter(meeting=meeting, user=person).exists():
        raise ValidationError({"person": f"{person} is already invited."})
    if not people_invitable_to(meeting).filter(pk=person.pk).exists():
        where = f"{meeting.unit}, a unit beside or below it, or a unit above it"
        raise ValidationError({"person": f"{person} holds no role in {where}."})
    invitee = MeetingInvitee(meeting=meeting, user=person)
    save_with_history(invitee, acting_user=acting_user, reason="Invited by the chair")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=meeting,
        request=request,
        detail={"invited": {"user": person.pk, "invitee": invitee.pk}},
    )
    invitations_ask([meeting.pk])
    # Before attendance is taken the invitees are the shared screen's audience.
    meeting_screen_changed(meeting.pk)
    return invitee


@transaction.atomic
def police_invitee_remove(
    *, acting_user: User, invitee: MeetingInvitee, request: HttpRequest | None = None
) -> None:
    """Take back a police invitation to a meeting that is not closed (someone recorded present
    stays: attendance is part of the record). An invitee with no role over the unit no longer
    reads the meeting."""
    meeting = meeting_locked(invitee.meeting_id)
    require_chair(acting_user, meeting, "change who is invited to it")
    invitee = MeetingInvitee.objects.select_for_update().filter(pk=invitee.pk).first()
    if invitee is None or invitee.is_partner_attendee:
        raise ValidationError("That person is not a police invitee of this meeting.")
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError("The meeting is closed: its attendance is part of its record.")
    if invitee.attendance == Attendance.PRESENT:
        raise ValidationError(
            f"{invitee.user} is recorded present: the attendance stays in the record."
        )
    invitation_take_back(
        acting_user=acting_user,
        meeting=meeting,
        invitee=invitee,
        reason="Invitation taken back by the chair",
        audit_detail={"invitation_taken_back": {"user": invitee.user_id}},
        request=request,
    )


def invitation_take_back(
    *,
    acting_user: User,
    meeting: Meeting,
    invitee: MeetingInvitee,
    reason: str,
    audit_detail: dict,
    request: HttpRequest | None = None,
) -> None:
    """Delete an invitee (both rows locked by the caller, who checked the rules), with the
    chair's reason in its history and the event audited on the meeting; the shared screen is
    told, since its audience may widen."""
    invitee._history_user = acting_user
    invitee._change_reason = reason
    invitee.delete()
    audit_record(
        actor=acting_user, verb=AuditVerb.UPDATE, obj=meeting, request=request, detail=audit_detail
    )
    meeting_screen_changed(meeting.pk)
