"""The meeting cadence and the schedule that keeps it: the cadence policies (each unit kind's
interval for each kind of meeting), and the system job that creates every unit's meetings of the
coming cadence slots and commissions the assessment each meeting rests on: the tactical assessment
of each TT&CG and the strategic assessment of each ST&CG.

System jobs (run by Celery beat) say so in their name and docstring, write history with no user
and audit with `system: True`; a service a person calls takes `acting_user=` and checks permission
itself (tasking.meetings.policy).

Who is invited: the people holding the chair or member role in the meeting's unit itself. Roles
are inherited down the tree for reading, but a force chair does not sit on every BCU's T&CG, so
inherited roles do not make an invitee. Partners are never invited by the schedule: they attend
an ST&CG only when the chair adds them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import attrgetter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from nim_portal.choices import AuditVerb, GSCMarking, Role, UserKind
from nim_portal.lifecycle import save_with_history
from nim_portal.models import AuditEvent, Membership, Unit, User
from nim_portal.services import audit_event, audit_record
from products.choices import ProductKind
from products.services import product_commission
from tasking.meetings.choices import (
    DEFAULT_CADENCES,
    STANDARD_AGENDAS,
    AgendaItemKind,
    IntervalUnit,
    MeetingKind,
    MeetingStatus,
)
from tasking.meetings.invitations import invitations_ask
from tasking.meetings.models import (
    AgendaItem,
    CadencePolicy,
    Meeting,
    MeetingInvitee,
    MeetingReminder,
)
from tasking.meetings.policy import require_cadence_changer
from tasking.meetings.search import refresh_meeting_vectors

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


# A new ST&CG policy's window (days before the meeting: commissioned, due): a strategic assessment
# takes weeks, a tactical one days.
STRATEGIC_ASSESSMENT_WINDOW = (56, 14)


@dataclass(frozen=True)
class AssessmentOfKind:
    """The assessment a kind of meeting rests on: the meeting's field holding it, its product kind
    and how it is named and described."""

    field: str
    product_kind: str
    label: str
    purpose: str

    def title(self, meeting: Meeting, day: date) -> str:
        return (
            f"{self.label} for the {meeting.get_kind_display()} of {meeting.unit}, {day:%d %B %Y}"
        )


ASSESSMENT_OF_MEETING: dict[str, AssessmentOfKind] = {
    MeetingKind.TACTICAL: AssessmentOfKind(
        "tactical_assessment",
        ProductKind.TACTICAL_ASSESSMENT,
        "Tactical assessment",
        "Short-term issues since the last sitting, for the TT&CG of {day:%d %B %Y}.",
    ),
    MeetingKind.STRATEGIC: AssessmentOfKind(
        "strategic_assessment",
        ProductKind.STRATEGIC_ASSESSMENT,
        "Strategic assessment",
        "The longer-term threats and how the priorities of the ending period fared, for the "
        "ST&CG of {day:%d %B %Y} to set the control strategy and intelligence requirement.",
    ),
}


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
        defaults = {"interval_count": count, "interval_unit": unit, "is_enabled": enabled}
        if meeting_kind == MeetingKind.STRATEGIC:
            commission, due = STRATEGIC_ASSESSMENT_WINDOW
            defaults |= {"assessment_commission_days": commission, "assessment_due_days": due}
        policy, was_created = CadencePolicy.objects.get_or_create(
            unit_kind=unit_kind, meeting_kind=meeting_kind, defaults=defaults
        )
        if was_created:
            created.append(policy)
    return created


@transaction.atomic
def cadence_policy_update(
    *, acting_user: User, policy: CadencePolicy, request: HttpRequest | None = None, **changes
) -> CadencePolicy:
    """Change a cadence policy (system administrators only: it applies to every unit of a kind)."""
    require_cadence_changer(acting_user)
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
    refresh_meeting_vectors(Meeting.objects.filter(pk__in=[meeting.pk for meeting in meetings]))
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
        label = ASSESSMENT_OF_MEETING[meeting.kind].label
        save_with_history(meeting, acting_user=None, reason=f"{label} not commissioned")


def _no_analyst_flag(unit: Unit, assessment: AssessmentOfKind) -> str:
    return (
        f"{unit} has no analyst to develop the {assessment.label.lower()}: "
        "add one and the schedule commissions it."
    )[: Meeting._meta.get_field("assessment_flag").max_length]


def _assessments_commission(
    meetings: list[Meeting],
    policy: CadencePolicy,
    analyst: User | None,
    people: dict[int, User],
    result: ScheduleResult,
) -> None:
    """Commission the assessment of each of one unit's meetings of one kind in their window, once
    (under the meetings' row locks, taken in one order).

    Owner: the unit's first analyst; requester: the chair, or that analyst when the meeting has
    no active chair (a product always has a police requester). No analyst (or one whose vetting
    does not fit): the meeting is flagged instead, and the next run tries again; a meeting
    already flagged for want of an analyst costs nothing more until one is added.
    """
    unit = meetings[0].unit
    assessment = ASSESSMENT_OF_MEETING[policy.meeting_kind]
    if analyst is None:
        flag = _no_analyst_flag(unit, assessment)
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
                **{f"{assessment.field}__isnull": True},
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
                    kind=assessment.product_kind,
                    title=assessment.title(meeting, day),
                    owner=analyst,
                    requester=chair if chair is not None and chair.is_active else analyst,
                    due_date=day - timedelta(days=policy.assessment_due_days),
                    purpose=assessment.purpose.format(day=day),
                )
            except (ValidationError, PermissionDenied) as exc:
                message = "; ".join(getattr(exc, "messages", [str(exc)]))
                result.flagged.append(meeting.pk)
                _assessment_flag(
                    meeting,
                    f"The {assessment.label.lower()} could not be commissioned: {message}",
                )
                continue
            setattr(meeting, assessment.field, product)
            meeting.assessment_flag = ""
            save_with_history(meeting, acting_user=None, reason=f"{assessment.label} commissioned")
            result.commissioned.append(product.pk)


def _assessments_commission_due(
    policies: list[CadencePolicy],
    now: datetime,
    rosters: dict[int, UnitRoster],
    result: ScheduleResult,
) -> None:
    """Commission the assessment of every meeting entering its commissioning window (the tactical
    one of a TT&CG, the strategic one of an ST&CG), the meetings found in one query and the
    people they need in two more, whatever their number."""
    by_kinds = {(p.unit_kind, p.meeting_kind): p for p in policies}
    if not by_kinds:
        return
    window = Q()
    for policy in by_kinds.values():
        field_name = ASSESSMENT_OF_MEETING[policy.meeting_kind].field
        window |= Q(
            unit__kind=policy.unit_kind,
            kind=policy.meeting_kind,
            starts_at__lte=now + timedelta(days=policy.assessment_commission_days),
            **{f"{field_name}__isnull": True},
        )
    due = list(
        Meeting.objects.filter(
            window,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
            unit__is_active=True,
        )
        .select_related("unit")
        .order_by("unit__path", "kind", "starts_at", "pk")
    )
    if not due:
        return
    rosters.update(_unit_rosters({meeting.unit_id for meeting in due} - rosters.keys()))
    wanted = {rosters[meeting.unit_id].analyst_id for meeting in due}
    wanted |= {meeting.chair_id for meeting in due if rosters[meeting.unit_id].analyst_id}
    # One instance a person: each caches the reading of its vetting across commissions.
    people = User.objects.in_bulk([pk for pk in wanted if pk is not None])
    for (unit_id, kind), meetings in groupby(due, key=attrgetter("unit_id", "kind")):
        meetings = list(meetings)
        _assessments_commission(
            meetings,
            by_kinds[(meetings[0].unit.kind, kind)],
            people.get(rosters[unit_id].analyst_id),
            people,
            result,
        )


def schedule_meetings(*, now: datetime | None = None) -> ScheduleResult:
    """System job (Celery beat, hourly): keep every active unit's meetings scheduled.

    For each enabled cadence policy and each active unit of its kind: create the meetings of the
    missing cadence slots up to the horizon, with the standard agenda, the unit's chairs and
    members invited (each invitation sent by a job of its own) and a reminder; commission
    the assessment of each meeting entering its commissioning window (the tactical assessment of
    a TT&CG, the strategic assessment of an ST&CG). Safe to run twice
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
    _assessments_commission_due(policies, now, rosters, result)
    return result
