"""Meeting invitations (with their .ics) and reminders, each e-mailed by a job of the pipeline
(nim_portal.jobs) for one invitee, once for each SEQUENCE of the meeting: a meeting moved sends
its invitations again. The e-mails carry no details of the business: it is read in the portal.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from nim_portal.jobs import jobs_enqueue_for
from nim_portal.lifecycle import save_with_history
from tasking.meetings.choices import Attendance, MeetingStatus
from tasking.meetings.ics import meeting_invitation_ics
from tasking.meetings.models import Meeting, MeetingInvitee, MeetingReminder

MEETING_INVITATION_JOB = "tasking.meeting_invitation"


MEETING_REMINDER_JOB = "tasking.meeting_reminder"


def _when(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%A %d %B %Y at %H:%M}"


INVITATION_BODY = (
    "You are invited to the {kind} of {unit} on {when} ({minutes} minutes).\n"
    "Where: {where}\n\n"
    "The agenda and papers are in NIM Portal: {url}/\n"
    "The invitation is attached for your calendar; you can also download it: {ics_url}\n\n"
    "This e-mail carries no details of the business on purpose: read them in the portal."
)


def _ics_url(meeting: Meeting, invitee: MeetingInvitee) -> str:
    """Where the invitee downloads their .ics again: the partner area, or the police page."""
    name = "tasking:partner_meeting_ics" if invitee.is_partner_attendee else "tasking:meeting_ics"
    return f"{settings.NIM_PORTAL_URL}{reverse(name, args=[meeting.pk])}"


def _invitation_message(meeting: Meeting, invitee: MeetingInvitee) -> EmailMessage:
    kind = meeting.get_kind_display()
    prefix = "Updated invitation" if meeting.sequence else "Invitation"
    message = EmailMessage(
        subject=f"{prefix}: {kind} of {meeting.unit}, {_when(meeting)}",
        body=INVITATION_BODY.format(
            kind=kind,
            unit=meeting.unit,
            when=_when(meeting),
            minutes=meeting.duration_minutes,
            where=meeting.location or "to be confirmed",
            url=settings.NIM_PORTAL_URL,
            ics_url=_ics_url(meeting, invitee),
        ),
        to=[invitee.user.email],
    )
    message.attach("invitation.ics", meeting_invitation_ics(meeting, invitee.user), "text/calendar")
    return message


def _invitations_mark_sent(meeting: Meeting, invitees: list[MeetingInvitee], now: datetime) -> None:
    """Record the invitations sent: one update and one insert of history, whatever their number."""
    if not invitees:
        return
    MeetingInvitee.objects.filter(pk__in=[invitee.pk for invitee in invitees]).update(
        invitation_sent_at=now, invitation_sequence=meeting.sequence
    )
    for invitee in invitees:
        invitee.invitation_sent_at = now
        invitee.invitation_sequence = meeting.sequence
        invitee._history_user = None
    MeetingInvitee.history.bulk_history_create(
        invitees,
        update=True,
        default_change_reason=f"Invitation sent (sequence {meeting.sequence})",
    )


def _not_sent_current_sequence(sequence_field: str, now: datetime) -> Q:
    """Invitees of a scheduled, upcoming meeting, with an address, whose `sequence_field` holds
    none or an older SEQUENCE than the meeting's (never sent, or the meeting moved since)."""
    return (
        (
            Q(**{f"{sequence_field}__isnull": True})
            | Q(**{f"{sequence_field}__lt": F("meeting__sequence")})
        )
        & Q(
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gt=now,
            user__is_active=True,
        )
        & ~Q(user__email="")
    )


def _invitations_pending(now: datetime) -> Q:
    """Invitees to send the meeting's current SEQUENCE to."""
    return _not_sent_current_sequence("invitation_sequence", now)


def invitations_ask(meeting_ids: list[int]) -> None:
    """Ask, in the caller's transaction, for the pending invitations of the meetings: a job each
    (MEETING_INVITATION_JOB), so that one address that fails never sends the others twice."""
    pending = MeetingInvitee.objects.filter(
        _invitations_pending(timezone.now()), meeting_id__in=meeting_ids
    )
    jobs_enqueue_for(MEETING_INVITATION_JOB, pending)


@transaction.atomic
def invitation_send(invitee_id: int, *, now: datetime | None = None) -> bool:
    """Job (MEETING_INVITATION_JOB): e-mail one invitee the meeting's invitation with its .ics,
    once for each SEQUENCE of the meeting. False when there is nothing to send (sent already, the
    meeting cancelled, held or past, the person gone)."""
    now = now or timezone.now()
    invitee = (
        MeetingInvitee.objects.select_for_update(of=("self",))
        .select_related("user", "meeting__unit", "meeting__chair")
        .filter(_invitations_pending(now), pk=invitee_id)
        .first()
    )
    if invitee is None:
        return False
    _invitation_message(invitee.meeting, invitee).send()
    _invitations_mark_sent(invitee.meeting, [invitee], now)
    return True


REMINDER_BODY = (
    "Reminder: the {kind} of {unit} meets on {when}.\n"
    "Where: {where}\n\n"
    "The agenda and papers are in NIM Portal: {url}/"
)


def _reminders_pending(now: datetime) -> Q:
    """Invitees to remind of the meeting's current SEQUENCE: its reminder issued, no apologies
    sent."""
    return (
        _not_sent_current_sequence("reminder_sequence", now)
        & Q(meeting__reminder__sent_at__isnull=False)
        & ~Q(attendance=Attendance.APOLOGIES)
    )


def reminders_issue_due(*, now: datetime | None = None) -> int:
    """System job (Celery beat, every minute): issue each reminder that is due, once, as a job
    for each invitee to remind (MEETING_REMINDER_JOB). Returns the number of meetings reminded."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            MeetingReminder.objects.select_for_update(of=("self",), skip_locked=True).filter(
                sent_at__isnull=True,
                due_at__lte=now,
                meeting__status=MeetingStatus.SCHEDULED,
                meeting__starts_at__gt=now,
            )
        )
        for reminder in due:
            reminder.sent_at = now
            save_with_history(reminder, acting_user=None, reason="Reminder issued")
        invitees = MeetingInvitee.objects.filter(
            _reminders_pending(now), meeting_id__in=[reminder.meeting_id for reminder in due]
        )
        jobs_enqueue_for(MEETING_REMINDER_JOB, invitees)
    return len(due)


@transaction.atomic
def reminder_send(invitee_id: int, *, now: datetime | None = None) -> bool:
    """Job (MEETING_REMINDER_JOB): e-mail one invitee the meeting's reminder, once for each
    SEQUENCE of the meeting. False when there is nothing to send."""
    now = now or timezone.now()
    invitee = (
        MeetingInvitee.objects.select_for_update(of=("self",))
        .select_related("user", "meeting__unit")
        .filter(_reminders_pending(now), pk=invitee_id)
        .first()
    )
    if invitee is None:
        return False
    meeting = invitee.meeting
    kind = meeting.get_kind_display()
    EmailMessage(
        subject=f"Reminder: {kind} of {meeting.unit}, {_when(meeting)}",
        body=REMINDER_BODY.format(
            kind=kind,
            unit=meeting.unit,
            when=_when(meeting),
            where=meeting.location or "to be confirmed",
            url=settings.NIM_PORTAL_URL,
        ),
        to=[invitee.user.email],
    ).send()
    invitee.reminder_sequence = meeting.sequence
    save_with_history(invitee, acting_user=None, reason="Reminder sent")
    return True
