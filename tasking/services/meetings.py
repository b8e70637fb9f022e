"""Every state change of meetings: the cadence, scheduling, the tactical assessment commissioned
for each TT&CG, invitations (with .ics), reminders and rescheduling.

Services a person calls take `acting_user=` and check permission themselves; system jobs (run by
Celery beat) say so in their name and docstring, write history with no user and audit with
`system: True`. A refusal raises PermissionDenied or ValidationError with a message fit to show,
and changes nothing.

Who is invited: the people holding the chair or member role in the meeting's unit itself. Roles
are inherited down the tree for reading, but a force chair does not sit on every BCU's T&CG, so
inherited roles do not make an invitee. Partners are never invited by the schedule: they attend
an ST&CG only when the chair adds them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from nim_portal import access
from nim_portal.choices import AuditVerb, Role, UserKind
from nim_portal.lifecycle import save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from products.choices import ProductKind
from products.services import product_commission
from tasking import tasks
from tasking.choices_meetings import (
    DEFAULT_CADENCES,
    STANDARD_AGENDAS,
    AgendaItemKind,
    Attendance,
    IntervalUnit,
    MeetingKind,
    MeetingStatus,
)
from tasking.ics import meeting_invitation_ics
from tasking.models import AgendaItem, CadencePolicy, Meeting, MeetingInvitee, MeetingReminder
from tasking.search import refresh_meeting_vector
from tasking.selectors.meetings import meetings_awaiting_invitations
from tasking.selectors.proceedings import people_invitable_to
from tasking.services.proceedings import meeting_screen_changed

SCHEDULED_REASON = "Scheduled by the cadence"
# The fields of a cadence policy an administrator may change.
POLICY_FIELDS = (
    "interval_count",
    "interval_unit",
    "is_enabled",
    "anchor_date",
    "start_time",
    "duration_minutes",
    "horizon_days",
    "assessment_commission_days",
    "assessment_due_days",
    "reminder_hours",
    "grace_days",
)


@dataclass
class ScheduleResult:
    """What one run of the schedule did (ids), for the task's log and the tests."""

    created: list[int] = field(default_factory=list)
    commissioned: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)


# Cadence policies.


def cadence_policies_default() -> list[CadencePolicy]:
    """System job: create the seed's cadence policies that are missing; returns those created.

    Existing rows are left as administrators configured them (turn a policy off, never delete it).
    """
    created = []
    for (unit_kind, meeting_kind), (count, unit, enabled) in DEFAULT_CADENCES.items():
        policy, was_created = CadencePolicy.objects.get_or_create(
            unit_kind=unit_kind,
            meeting_kind=meeting_kind,
            defaults={"interval_count": count, "interval_unit": unit, "is_enabled": enabled},
        )
        if was_created:
            created.append(policy)
    return created


@transaction.atomic
def cadence_policy_update(
    *, acting_user: User, policy: CadencePolicy, request: HttpRequest | None = None, **changes
) -> CadencePolicy:
    """Change a cadence policy (system administrators only: it applies to every unit of a kind)."""
    if not (acting_user.is_authenticated and acting_user.is_active and acting_user.is_superuser):
        raise PermissionDenied("Only a system administrator can change the meeting cadence.")
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    policy = CadencePolicy.objects.select_for_update().get(pk=policy.pk)
    before = {name: str(getattr(policy, name)) for name in changes}
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.full_clean()
    after = {name: str(getattr(policy, name)) for name in changes}
    if before == after:
        return policy
    save_with_history(policy, acting_user=acting_user, reason="Cadence changed")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=policy,
        request=request,
        detail={"before": before, "after": after},
    )
    return policy


# Scheduling (system job).


def _first_holder(unit: Unit, role: str) -> User | None:
    """The longest-standing active police holder of `role` in `unit` itself (deterministic)."""
    return (
        User.objects.filter(
            memberships__unit=unit, memberships__role=role, is_active=True, kind=UserKind.POLICE
        )
        .order_by("memberships__granted_at", "pk")
        .first()
    )


def _invitable_people(unit: Unit) -> list[User]:
    """The chairs and members of `unit` itself (see the module's docstring)."""
    return list(
        User.objects.filter(
            memberships__unit=unit,
            memberships__role__in=[Role.CHAIR, Role.MEMBER],
            is_active=True,
            kind=UserKind.POLICE,
        )
        .distinct()
        .order_by("pk")
    )


def _local_start(slot: date, policy: CadencePolicy) -> datetime:
    return timezone.make_aware(datetime.combine(slot, policy.start_time))


def _cadence_slots(policy: CadencePolicy, last_slot: date | None, today: date, until: date):
    """The cadence dates from `today` to `until`: following the unit's last scheduled slot, or
    for a unit with none, aligned on the policy's anchor date."""
    base = last_slot or policy.anchor_date
    step = 1
    if last_slot is None:
        # Start a step before today (never after it), then walk forward.
        if policy.interval_unit == IntervalUnit.MONTHS:
            months = (today.year - base.year) * 12 + today.month - base.month
            step = months // policy.interval_count - 1
        else:
            step = (today - base).days // policy.interval_count - 1
    slot = policy.slot_after(base, step)
    while slot < today:
        step += 1
        slot = policy.slot_after(base, step)
    while slot <= until:
        yield slot
        step += 1
        slot = policy.slot_after(base, step)


def _meeting_create_for_slot(unit: Unit, policy: CadencePolicy, slot: date) -> Meeting | None:
    """Create the meeting of one cadence slot with its agenda, invitees and reminder; None when
    another run created it first (the unique constraint refuses the second insert)."""
    starts_at = _local_start(slot, policy)
    meeting = Meeting(
        unit=unit,
        kind=policy.meeting_kind,
        starts_at=starts_at,
        duration_minutes=policy.duration_minutes,
        chair=_first_holder(unit, Role.CHAIR),
        cadence_slot=slot,
    )
    try:
        with transaction.atomic():
            save_with_history(meeting, acting_user=None, reason=SCHEDULED_REASON)
    except IntegrityError:
        return None
    bulk_create_with_history(
        [
            AgendaItem(
                meeting=meeting, position=position, kind=kind, title=AgendaItemKind(kind).label
            )
            for position, kind in enumerate(STANDARD_AGENDAS[policy.meeting_kind], start=1)
        ],
        AgendaItem,
        default_change_reason="Standard agenda",
    )
    refresh_meeting_vector(meeting.pk)
    bulk_create_with_history(
        [MeetingInvitee(meeting=meeting, user=person) for person in _invitable_people(unit)],
        MeetingInvitee,
        default_change_reason="Invited by the cadence",
    )
    save_with_history(
        MeetingReminder(meeting=meeting, due_at=starts_at - timedelta(hours=policy.reminder_hours)),
        acting_user=None,
        reason=SCHEDULED_REASON,
    )
    audit_record(
        actor=None,
        verb=AuditVerb.CREATE,
        obj=meeting,
        detail={"system": True, "cadence_slot": slot.isoformat()},
    )
    return meeting


def _tactical_assessment_commission(
    meeting_id: int, policy: CadencePolicy, result: ScheduleResult
) -> None:
    """Commission the tactical assessment of one TT&CG, once (under the meeting's row lock).

    Owner: an analyst of the unit itself; requester: the chair, or that analyst when the meeting
    has no chair (a product always has a police requester). No analyst (or one whose vetting
    does not fit): the meeting is flagged instead, and the next run tries again.
    """
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("unit", "chair")
        .get(pk=meeting_id)
    )
    if meeting.tactical_assessment_id is not None or meeting.status != MeetingStatus.SCHEDULED:
        return
    analyst = _first_holder(meeting.unit, Role.ANALYST)
    flag = ""
    if analyst is None:
        flag = (
            f"{meeting.unit} has no analyst to develop the tactical assessment: "
            "add one and the schedule commissions it."
        )
    else:
        chair = meeting.chair if meeting.chair and meeting.chair.is_active else None
        day = timezone.localtime(meeting.starts_at).date()
        try:
            product = product_commission(
                acting_user=None,
                system=True,
                unit=meeting.unit,
                kind=ProductKind.TACTICAL_ASSESSMENT,
                title=f"Tactical assessment for the TT&CG of {meeting.unit}, {day:%d %B %Y}",
                owner=analyst,
                requester=chair or analyst,
                due_date=day - timedelta(days=policy.assessment_due_days),
                purpose=(
                    f"Short-term issues since the last sitting, for the TT&CG of {day:%d %B %Y}."
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            message = "; ".join(getattr(exc, "messages", [str(exc)]))
            flag = f"The tactical assessment could not be commissioned: {message}"
        else:
            meeting.tactical_assessment = product
            meeting.assessment_flag = ""
            save_with_history(meeting, acting_user=None, reason="Tactical assessment commissioned")
            result.commissioned.append(product.pk)
            return
    result.flagged.append(meeting.pk)
    flag = flag[: Meeting._meta.get_field("assessment_flag").max_length]
    if meeting.assessment_flag != flag:
        meeting.assessment_flag = flag
        save_with_history(meeting, acting_user=None, reason="Tactical assessment not commissioned")


def _schedule_unit(
    unit: Unit, policy: CadencePolicy, now: datetime, result: ScheduleResult
) -> None:
    today = timezone.localdate(now)
    until = today + timedelta(days=policy.horizon_days)
    with transaction.atomic():
        taken = set(
            Meeting.objects.filter(
                unit=unit, kind=policy.meeting_kind, cadence_slot__isnull=False
            ).values_list("cadence_slot", flat=True)
        )
        for slot in _cadence_slots(policy, max(taken, default=None), today, until):
            if slot in taken or _local_start(slot, policy) <= now:
                continue
            meeting = _meeting_create_for_slot(unit, policy, slot)
            if meeting is not None:
                result.created.append(meeting.pk)
        if policy.meeting_kind != MeetingKind.TACTICAL:
            return
        due = Meeting.objects.filter(
            unit=unit,
            kind=MeetingKind.TACTICAL,
            status=MeetingStatus.SCHEDULED,
            tactical_assessment__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(days=policy.assessment_commission_days),
        ).order_by("starts_at")
        for meeting_id in due.values_list("pk", flat=True):
            _tactical_assessment_commission(meeting_id, policy, result)


def schedule_meetings(*, now: datetime | None = None) -> ScheduleResult:
    """System job (Celery beat, hourly): keep every active unit's meetings scheduled.

    For each enabled cadence policy and each active unit of its kind: create the meetings of the
    missing cadence slots up to the horizon, with the standard agenda, the unit's chairs and
    members invited and a reminder; commission the tactical assessment of each TT&CG entering its
    commissioning window; then send the invitations not yet sent (also a sweep for any that a
    broker outage left behind). Safe to run twice and concurrently: a slot is created once (unique
    constraint, the loser's insert rolled back in its savepoint) and an assessment commissioned
    once (under the meeting's row lock).
    """
    now = now or timezone.now()
    cadence_policies_default()
    result = ScheduleResult()
    for policy in CadencePolicy.objects.filter(is_enabled=True):
        units = Unit.objects.filter(kind=policy.unit_kind, is_active=True).order_by("path")
        for unit in units:
            _schedule_unit(unit, policy, now, result)
    for meeting_id in meetings_awaiting_invitations(now=now).values_list("pk", flat=True):
        _enqueue_invitations(meeting_id)
    return result


# Invitations and reminders.


def _enqueue_invitations(meeting_id: int) -> None:
    """Send the invitations after commit, by id. A broker that is away is logged, not the user's
    failure: the invitees stay pending and the hourly schedule run sends them."""
    transaction.on_commit(lambda: tasks.send_meeting_invitations.delay(meeting_id), robust=True)


def _when(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%A %d %B %Y at %H:%M}"


INVITATION_BODY = (
    "You are invited to the {kind} of {unit} on {when} ({minutes} minutes).\n"
    "Where: {where}\n\n"
    "The agenda and papers are in NIM Portal: {url}/\n\n"
    "This e-mail carries no details of the business on purpose: read them in the portal."
)


def _invitation_message(meeting: Meeting, invitee: MeetingInvitee, connection) -> EmailMessage:
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
        ),
        to=[invitee.user.email],
        connection=connection,
    )
    message.attach("invitation.ics", meeting_invitation_ics(meeting, invitee.user), "text/calendar")
    return message


def invitations_send(meeting_id: int, *, now: datetime | None = None) -> int:
    """System job: e-mail each invitee whose invitation is older than the meeting's SEQUENCE (or
    who has none) an invitation with its .ics. Safe to run twice: each invitee is marked with
    the sequence sent, under its row lock. Returns the number sent."""
    now = now or timezone.now()
    pending = (
        MeetingInvitee.objects.filter(
            meeting_id=meeting_id,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gt=now,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("pk", flat=True)
    )
    sent = 0
    connection = get_connection()
    for invitee_id in list(pending):
        with transaction.atomic():
            invitee = (
                MeetingInvitee.objects.select_for_update(of=("self",))
                .select_related("meeting__unit", "meeting__chair", "user")
                .get(pk=invitee_id)
            )
            meeting = invitee.meeting
            if (
                invitee.invitation_sequence is not None
                and invitee.invitation_sequence >= meeting.sequence
            ):
                continue
            _invitation_message(meeting, invitee, connection).send()
            invitee.invitation_sent_at = now
            invitee.invitation_sequence = meeting.sequence
            save_with_history(
                invitee, acting_user=None, reason=f"Invitation sent (sequence {meeting.sequence})"
            )
            sent += 1
    return sent


REMINDER_BODY = (
    "Reminder: the {kind} of {unit} meets on {when}.\n"
    "Where: {where}\n\n"
    "The agenda and papers are in NIM Portal: {url}/"
)


def reminders_send_due(*, now: datetime | None = None) -> int:
    """System job (Celery beat, every minute): send each reminder that is due, once, to the
    invitees who have not sent apologies. Returns the number of meetings reminded."""
    now = now or timezone.now()
    due = MeetingReminder.objects.filter(
        sent_at__isnull=True,
        due_at__lte=now,
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__starts_at__gt=now,
    ).values_list("pk", flat=True)
    reminded = 0
    connection = get_connection()
    for reminder_id in list(due):
        with transaction.atomic():
            reminder = (
                MeetingReminder.objects.select_for_update(of=("self",))
                .select_related("meeting__unit")
                .filter(pk=reminder_id, sent_at__isnull=True)
                .first()
            )
            if reminder is None:
                continue
            meeting = reminder.meeting
            addresses = (
                meeting.invitees.filter(user__is_active=True)
                .exclude(attendance=Attendance.APOLOGIES)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
            kind = meeting.get_kind_display()
            for address in addresses:
                EmailMessage(
                    subject=f"Reminder: {kind} of {meeting.unit}, {_when(meeting)}",
                    body=REMINDER_BODY.format(
                        kind=kind,
                        unit=meeting.unit,
                        when=_when(meeting),
                        where=meeting.location or "to be confirmed",
                        url=settings.NIM_PORTAL_URL,
                    ),
                    to=[address],
                    connection=connection,
                ).send()
            reminder.sent_at = now
            save_with_history(reminder, acting_user=None, reason="Reminder sent")
            reminded += 1
    return reminded


# Changes by the chair.


def meeting_locked(meeting_id: int) -> Meeting:
    """The meeting's row locked for this transaction, with its unit."""
    return Meeting.objects.select_for_update(of=("self",)).select_related("unit").get(pk=meeting_id)


def _require_chair(acting_user: User, meeting: Meeting, action: str) -> None:
    """The meeting's chair, or whoever holds the chair role over its unit."""
    if not acting_user.is_authenticated or not acting_user.is_active or acting_user.is_partner:
        raise PermissionDenied(f"Only a chair of {meeting.unit} can {action}.")
    if meeting.chair_id != acting_user.pk and not access.holds_role_over(
        acting_user, Role.CHAIR, meeting.unit
    ):
        raise PermissionDenied(f"Only a chair of {meeting.unit} can {action}.")


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
    _require_chair(acting_user, meeting, "reschedule its meetings")
    if expected_sequence is not None and expected_sequence != meeting.sequence:
        now_at = timezone.localtime(meeting.starts_at)
        raise ValidationError(
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
    _enqueue_invitations(meeting.pk)
    return meeting


# Police invitees beyond the unit's own chairs and members.


@transaction.atomic
def police_invitee_add(
    *, acting_user: User, meeting: Meeting, person: User, request: HttpRequest | None = None
) -> MeetingInvitee:
    """Invite a police colleague the cadence did not (a neighbouring unit's lead, a force
    specialist) to a meeting that is not closed. They read the meeting as an invitee, within their
    vetting, and are sent the invitation with its .ics after commit."""
    meeting = meeting_locked(meeting.pk)
    _require_chair(acting_user, meeting, "invite people to its meetings")
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
    if meeting.status == MeetingStatus.SCHEDULED:
        _enqueue_invitations(meeting.pk)
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
    _require_chair(acting_user, meeting, "change who is invited to its meetings")
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
