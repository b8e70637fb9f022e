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
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Max, Q
from django.http import HttpRequest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, Role, UserKind
from nim_portal.jobs import jobs_enqueue_for
from nim_portal.lifecycle import save_with_history
from nim_portal.models import AuditEvent, Membership, Unit, User
from nim_portal.services import audit_event, audit_record
from products.choices import ProductKind
from products.services import product_commission
from tasking.ics import meeting_invitation_ics
from tasking.meetings.choices import (
    DEFAULT_CADENCES,
    STANDARD_AGENDAS,
    AgendaItemKind,
    Attendance,
    IntervalUnit,
    MeetingKind,
    MeetingStatus,
)
from tasking.models import AgendaItem, CadencePolicy, Meeting, MeetingInvitee, MeetingReminder
from tasking.search import refresh_meeting_vector, refresh_search_vectors
from tasking.selectors.proceedings import people_invitable_to
from tasking.services.proceedings import meeting_screen_changed

SCHEDULED_REASON = "Scheduled by the cadence"
MEETING_INVITATION_JOB = "tasking.meeting_invitation"
MEETING_REMINDER_JOB = "tasking.meeting_reminder"
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
    existing = set(CadencePolicy.objects.values_list("unit_kind", "meeting_kind"))
    for (unit_kind, meeting_kind), (count, unit, enabled) in DEFAULT_CADENCES.items():
        if (unit_kind, meeting_kind) in existing:
            continue
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


@dataclass
class UnitRoster:
    """The people of one unit the schedule needs, holding their role in the unit itself."""

    chair_id: int | None = None
    analyst_id: int | None = None
    invitee_ids: list[int] = field(default_factory=list)


def _unit_rosters(unit_ids) -> dict[int, UnitRoster]:
    """The rosters of the given units in one query: each unit's invitees (its active police
    chairs and members) and its first chair and analyst (the longest-standing holder, then the
    lowest id, so that every run picks the same person)."""
    rosters = {unit_id: UnitRoster() for unit_id in unit_ids}
    if not rosters:
        return rosters
    invitees: dict[int, set[int]] = {unit_id: set() for unit_id in rosters}
    memberships = (
        Membership.objects.filter(
            unit_id__in=list(rosters),
            role__in=[Role.CHAIR, Role.MEMBER, Role.ANALYST],
            user__is_active=True,
            user__kind=UserKind.POLICE,
        )
        .order_by("granted_at", "user_id")
        .values_list("unit_id", "role", "user_id")
    )
    for unit_id, role, user_id in memberships:
        roster = rosters[unit_id]
        if role == Role.ANALYST:
            roster.analyst_id = roster.analyst_id or user_id
            continue
        if role == Role.CHAIR:
            roster.chair_id = roster.chair_id or user_id
        invitees[unit_id].add(user_id)
    for unit_id, people in invitees.items():
        rosters[unit_id].invitee_ids = sorted(people)
    return rosters


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


def _last_cadence_slots() -> dict[tuple[int, str], date]:
    """Every unit's last scheduled cadence slot of each kind of meeting, in one query."""
    return {
        (unit_id, kind): last
        for unit_id, kind, last in Meeting.objects.filter(cadence_slot__isnull=False)
        .order_by()
        .values("unit_id", "kind")
        .annotate(last=Max("cadence_slot"))
        .values_list("unit_id", "kind", "last")
    }


def _free_slots(
    unit: Unit,
    policies: list[CadencePolicy],
    last_slots: dict[tuple[int, str], date],
    now: datetime,
) -> list[tuple[CadencePolicy, date]]:
    """The unit's cadence slots up to each policy's horizon that follow its last scheduled one
    and have not started yet."""
    today = timezone.localdate(now)
    free = []
    for policy in policies:
        last_slot = last_slots.get((unit.pk, policy.meeting_kind))
        until = today + timedelta(days=policy.horizon_days)
        free.extend(
            (policy, slot)
            for slot in _cadence_slots(policy, last_slot, today, until)
            if _local_start(slot, policy) > now
        )
    return free


def _audit_scheduled(meetings: list[Meeting]) -> None:
    """One audit event per meeting created, as audit_record writes it for a system job, in one
    insert."""
    AuditEvent.objects.bulk_create(
        audit_event(
            actor=None,
            verb=AuditVerb.CREATE,
            obj=meeting,
            detail={"system": True, "cadence_slot": meeting.cadence_slot.isoformat()},
        )
        for meeting in meetings
    )


@transaction.atomic
def _meetings_create_for_slots(
    unit: Unit, slots: list[tuple[CadencePolicy, date]], roster: UnitRoster
) -> list[Meeting]:
    """Create the unit's meetings of these cadence slots with their standard agendas, the unit's
    chairs and members invited (the upcoming ones' invitations a job each) and a reminder each,
    one insert a table; returns those created.

    A slot that another run created first is left to it: the unique constraint on (unit, kind,
    cadence slot) refuses the second row (the insert waits for the other run's transaction, then
    skips the row), and the rows inserted here are found again by the uid given to each. Both
    runs insert in the same order, (kind, slot), so that neither waits on the other in a cycle.
    """
    planned = {}
    for policy, slot in sorted(slots, key=lambda pair: (pair[0].meeting_kind, pair[1])):
        meeting = Meeting(
            unit=unit,
            kind=policy.meeting_kind,
            starts_at=_local_start(slot, policy),
            duration_minutes=policy.duration_minutes,
            chair_id=roster.chair_id,
            cadence_slot=slot,
        )
        planned[meeting.uid] = (meeting, policy)
    Meeting.objects.bulk_create([meeting for meeting, _ in planned.values()], ignore_conflicts=True)
    meetings = list(Meeting.objects.filter(uid__in=list(planned)).order_by("kind", "cadence_slot"))
    if not meetings:
        return []
    for meeting in meetings:
        meeting.unit = unit
        meeting._history_user = None
    Meeting.history.bulk_history_create(meetings, default_change_reason=SCHEDULED_REASON)
    bulk_create_with_history(
        [
            AgendaItem(
                meeting=meeting,
                position=position,
                kind=kind,
                title=AgendaItemKind(kind).label,
                title_marking=GSCMarking.OFFICIAL,
            )
            for meeting in meetings
            for position, kind in enumerate(STANDARD_AGENDAS[meeting.kind], start=1)
        ],
        AgendaItem,
        default_change_reason="Standard agenda",
    )
    refresh_search_vectors(Meeting.objects.filter(pk__in=[meeting.pk for meeting in meetings]))
    bulk_create_with_history(
        [
            MeetingInvitee(meeting=meeting, user_id=user_id)
            for meeting in meetings
            for user_id in roster.invitee_ids
        ],
        MeetingInvitee,
        default_change_reason="Invited by the cadence",
    )
    bulk_create_with_history(
        [
            MeetingReminder(
                meeting=meeting,
                due_at=meeting.starts_at - timedelta(hours=planned[meeting.uid][1].reminder_hours),
            )
            for meeting in meetings
        ],
        MeetingReminder,
        default_change_reason=SCHEDULED_REASON,
    )
    _audit_scheduled(meetings)
    if roster.invitee_ids:
        now = timezone.now()
        invitations_ask([meeting.pk for meeting in meetings if meeting.starts_at > now])
    return meetings


def _meeting_create_for_slot(unit: Unit, policy: CadencePolicy, slot: date) -> Meeting | None:
    """The meeting of one cadence slot, made as the schedule makes it (the demo's past sittings);
    None when it exists already."""
    created = _meetings_create_for_slots(unit, [(policy, slot)], _unit_rosters([unit.pk])[unit.pk])
    return created[0] if created else None


def _assessment_flag(meeting: Meeting, flag: str) -> None:
    flag = flag[: Meeting._meta.get_field("assessment_flag").max_length]
    if meeting.assessment_flag != flag:
        meeting.assessment_flag = flag
        save_with_history(meeting, acting_user=None, reason="Tactical assessment not commissioned")


def _no_analyst_flag(unit: Unit) -> str:
    return (
        f"{unit} has no analyst to develop the tactical assessment: "
        "add one and the schedule commissions it."
    )[: Meeting._meta.get_field("assessment_flag").max_length]


def _tactical_assessments_commission(
    meetings: list[Meeting],
    policy: CadencePolicy,
    analyst: User | None,
    people: dict[int, User],
    result: ScheduleResult,
) -> None:
    """Commission the tactical assessment of each of one unit's TT&CGs in their window, once
    (under the meetings' row locks, taken in one order).

    Owner: the unit's first analyst; requester: the chair, or that analyst when the meeting has
    no active chair (a product always has a police requester). No analyst (or one whose vetting
    does not fit): the meeting is flagged instead, and the next run tries again; a meeting
    already flagged for want of an analyst costs nothing more until one is added.
    """
    unit = meetings[0].unit
    if analyst is None:
        flag = _no_analyst_flag(unit)
        result.flagged.extend(meeting.pk for meeting in meetings)
        meetings = [meeting for meeting in meetings if meeting.assessment_flag != flag]
        if not meetings:
            return
    with transaction.atomic():
        locked = (
            Meeting.objects.select_for_update(of=("self",))
            .filter(
                pk__in=[meeting.pk for meeting in meetings],
                status=MeetingStatus.SCHEDULED,
                tactical_assessment__isnull=True,
            )
            .order_by("starts_at", "pk")
        )
        for meeting in locked:
            meeting.unit = unit
            if analyst is None:
                _assessment_flag(meeting, flag)
                continue
            chair = people.get(meeting.chair_id) or meeting.chair
            day = timezone.localtime(meeting.starts_at).date()
            try:
                product = product_commission(
                    acting_user=None,
                    system=True,
                    unit=unit,
                    kind=ProductKind.TACTICAL_ASSESSMENT,
                    title=f"Tactical assessment for the TT&CG of {unit}, {day:%d %B %Y}",
                    owner=analyst,
                    requester=chair if chair is not None and chair.is_active else analyst,
                    due_date=day - timedelta(days=policy.assessment_due_days),
                    purpose=(
                        f"Short-term issues since the last sitting, for the TT&CG of "
                        f"{day:%d %B %Y}."
                    ),
                )
            except (ValidationError, PermissionDenied) as exc:
                message = "; ".join(getattr(exc, "messages", [str(exc)]))
                result.flagged.append(meeting.pk)
                _assessment_flag(
                    meeting, f"The tactical assessment could not be commissioned: {message}"
                )
                continue
            meeting.tactical_assessment = product
            meeting.assessment_flag = ""
            save_with_history(meeting, acting_user=None, reason="Tactical assessment commissioned")
            result.commissioned.append(product.pk)


def _tactical_assessments_commission_due(
    policies: list[CadencePolicy],
    now: datetime,
    rosters: dict[int, UnitRoster],
    result: ScheduleResult,
) -> None:
    """Commission the tactical assessment of every TT&CG entering its commissioning window, the
    meetings found in one query and the people they need in two more, whatever their number."""
    tactical = {p.unit_kind: p for p in policies if p.meeting_kind == MeetingKind.TACTICAL}
    if not tactical:
        return
    window = Q()
    for policy in tactical.values():
        window |= Q(
            unit__kind=policy.unit_kind,
            starts_at__lte=now + timedelta(days=policy.assessment_commission_days),
        )
    due = list(
        Meeting.objects.filter(
            window,
            kind=MeetingKind.TACTICAL,
            status=MeetingStatus.SCHEDULED,
            tactical_assessment__isnull=True,
            starts_at__gt=now,
            unit__is_active=True,
        )
        .select_related("unit")
        .order_by("unit__path", "starts_at", "pk")
    )
    if not due:
        return
    rosters.update(_unit_rosters({meeting.unit_id for meeting in due} - rosters.keys()))
    wanted = {rosters[meeting.unit_id].analyst_id for meeting in due}
    wanted |= {meeting.chair_id for meeting in due if rosters[meeting.unit_id].analyst_id}
    # One instance a person: each caches the reading of its vetting across commissions.
    people = User.objects.in_bulk([pk for pk in wanted if pk is not None])
    for unit_id, meetings in groupby(due, key=attrgetter("unit_id")):
        meetings = list(meetings)
        _tactical_assessments_commission(
            meetings,
            tactical[meetings[0].unit.kind],
            people.get(rosters[unit_id].analyst_id),
            people,
            result,
        )


def schedule_meetings(*, now: datetime | None = None) -> ScheduleResult:
    """System job (Celery beat, hourly): keep every active unit's meetings scheduled.

    For each enabled cadence policy and each active unit of its kind: create the meetings of the
    missing cadence slots up to the horizon, with the standard agenda, the unit's chairs and
    members invited (each invitation sent by a job of its own) and a reminder; commission
    the tactical assessment of each TT&CG entering its commissioning window. Safe to run twice
    and concurrently: a slot is created once (unique constraint, the loser's row skipped) and an
    assessment commissioned once (under the meeting's row lock).

    Set-based: the units, their last slots, the people and the meetings due an assessment are
    read once for the whole run, so a run that creates nothing costs a few queries whatever the
    size of the hierarchy; each unit with slots to fill is written in its own transaction, in a
    few inserts whatever the number of its meetings and people.
    """
    now = now or timezone.now()
    cadence_policies_default()
    result = ScheduleResult()
    policies = list(CadencePolicy.objects.filter(is_enabled=True))
    by_unit_kind: dict[str, list[CadencePolicy]] = {}
    for policy in policies:
        by_unit_kind.setdefault(policy.unit_kind, []).append(policy)
    last_slots = _last_cadence_slots()
    units = Unit.objects.filter(kind__in=list(by_unit_kind), is_active=True).order_by("path")
    to_fill = [
        (unit, slots)
        for unit in units
        if (slots := _free_slots(unit, by_unit_kind[unit.kind], last_slots, now))
    ]
    rosters = _unit_rosters([unit.pk for unit, _ in to_fill])
    for unit, slots in to_fill:
        created = _meetings_create_for_slots(unit, slots, rosters[unit.pk])
        result.created.extend(meeting.pk for meeting in created)
    _tactical_assessments_commission_due(policies, now, rosters, result)
    return result


# Invitations and reminders.


def _when(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%A %d %B %Y at %H:%M}"


INVITATION_BODY = (
    "You are invited to the {kind} of {unit} on {when} ({minutes} minutes).\n"
    "Where: {where}\n\n"
    "The agenda and papers are in NIM Portal: {url}/\n\n"
    "This e-mail carries no details of the business on purpose: read them in the portal."
)


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
    invitations_ask([meeting.pk])
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
