"""The demo's past sittings held by their chairs: attendance, a decision, the business of the
day (each unit's ST&CG approving its control strategy and intelligence requirement, so that the
approvals are dated at their sittings; Birmingham East's actions, a problem profile commissioned
and an issue escalated to the force; Birmingham West's escalation adopted by the force), minutes
written and frozen, the PDF printed by Celery; and the demo partner invited to the force's next
ST&CG."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from partners.models import AgencyMembership
from tasking.actions.demo import actions_at_sitting
from tasking.demo_cast import EAST_ANALYST, DemoCast, DemoResult
from tasking.meetings.choices import AgendaItemKind, Attendance, MeetingKind, MeetingStatus
from tasking.meetings.models import AgendaItem, Meeting, MeetingInvitee
from tasking.proceedings import escalations
from tasking.proceedings import services as proceedings
from tasking.proceedings.choices import CommissionKind, EscalationStatus
from tasking.proceedings.models import Escalation
from tasking.proceedings.partner_attendees import partner_attendee_invite
from tasking.proceedings.strategy import sitting_requirement_decide, sitting_strategy_decide
from tasking.strategy.choices import ControlStrategyStatus
from tasking.strategy.demo import DEMO_STRATEGIES
from tasking.strategy.models import ControlStrategy


def seed_partner_attendee(cast: DemoCast, result: DemoResult) -> None:
    """The demo partner is invited to the force's next ST&CG (partners attend the strategic)."""
    meeting = (
        Meeting.objects.filter(
            unit=cast.force, kind=MeetingKind.STRATEGIC, starts_at__gt=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None or not AgencyMembership.objects.filter(user=cast.partner).exists():
        return
    if MeetingInvitee.objects.filter(meeting=meeting, user=cast.partner).exists():
        result.present.append(f"partner invited to {meeting}")
        return
    partner_attendee_invite(acting_user=meeting.chair, meeting=meeting, partner_user=cast.partner)
    result.created.append(f"partner invited to {meeting}")


# What the past sittings did: attendance, decisions, actions, commissions, escalations, minutes.

# Birmingham East's profile commissioned, and issue escalated to the force, at its last sitting.
DEMO_COMMISSION_TITLE = "Problem profile: storage and export of cars stolen in Stechford burglaries"
DEMO_ESCALATION_TITLE = "Controllers of the Hodge Hill county lines outside Birmingham East"
# Birmingham West's escalation, adopted by the force's TT&CG of the same day.
DEMO_ADOPTED_TITLE = "Cannabis supply groups working across both Birmingham BCUs"


@dataclass(frozen=True)
class DemoSitting:
    decision: str
    minutes: str


TTCG_SITTINGS = (
    DemoSitting(
        "Burglary series in Stechford and Shard End adopted as the BCU's first tactical concern.",
        "The tactical assessment set out the Stechford burglary series and the Hodge Hill lines. "
        "Actions raised against the burglary, county lines and street dealing priorities.",
    ),
    DemoSitting(
        "Youth violence at the Alum Rock Road shops to be tackled by prevention first.",
        "The action log was reviewed; the test purchase action closed with two dealers charged. "
        "New actions raised on youth violence, stolen-car storage and safeguarding.",
    ),
    DemoSitting(
        "The storage of stolen cars to be understood before any enforcement.",
        "The key-safe visits closed. The warrant is overdue for want of a search team. "
        "A problem profile commissioned on the storage and export of stolen cars; the county "
        "lines controllers escalated to the force T&CG.",
    ),
)
STCG_SITTING = DemoSitting(
    "The strategic assessment accepted as the basis of the control strategy for 2026 to 2027.",
    "The strategic assessment presented and discussed; priorities ranked with MoRiLE, the chair's "
    "override recorded; the intelligence requirement approved.",
)
OTHER_TTCG_SITTING = DemoSitting(
    "The tactical assessment's recommendations accepted.",
    "The tactical assessment presented; the action log reviewed; no new escalations.",
)


def _item(meeting: Meeting, kind: str) -> AgendaItem | None:
    return meeting.agenda_items.filter(kind=kind).first()


def _sit(meeting: Meeting, sitting: DemoSitting, business=None) -> None:
    """Hold a past meeting: open it, take attendance, record its decision and the `business` of
    the day, write the minutes and close it (freezing them; Celery prints the PDF)."""
    chair = meeting.chair
    meeting = proceedings.meeting_open(acting_user=chair, meeting=meeting)
    for number, invitee in enumerate(meeting.invitees.order_by("user__username")):
        # One invitee sends apologies to every other sitting.
        absent = number == 1 and meeting.starts_at.toordinal() % 2 == 1
        attendance = Attendance.APOLOGIES if absent else Attendance.PRESENT
        proceedings.attendance_record(
            acting_user=chair, meeting=meeting, invitee=invitee, attendance=attendance
        )
    kind = (
        AgendaItemKind.TACTICAL_ASSESSMENT
        if meeting.kind == MeetingKind.TACTICAL
        else AgendaItemKind.CONTROL_STRATEGY
    )
    proceedings.decision_record(
        acting_user=chair, meeting=meeting, agenda_item=_item(meeting, kind), text=sitting.decision
    )
    if business is not None:
        business(meeting)
    meeting = Meeting.objects.get(pk=meeting.pk)
    proceedings.minutes_save(
        acting_user=chair,
        meeting=meeting,
        text=sitting.minutes,
        expected_version=meeting.minutes_version,
    )
    proceedings.meeting_close(acting_user=chair, meeting=meeting)


def _east_business(index: int, people: dict, cast: DemoCast):
    def business(meeting: Meeting) -> None:
        actions_at_sitting(index, meeting, people, cast)
        if index != len(TTCG_SITTINGS) - 1:
            return
        proceedings.profile_commission(
            acting_user=meeting.chair,
            meeting=meeting,
            kind=CommissionKind.PROBLEM_PROFILE,
            title=DEMO_COMMISSION_TITLE,
            owner=people[EAST_ANALYST.username],
            agenda_item=_item(meeting, AgendaItemKind.BIDS_AND_COMMISSIONS),
            purpose="Show where cars stolen in the Stechford burglaries are kept and how they "
            "leave the force area, to target the enforcement.",
        )
        escalations.escalation_raise(
            acting_user=meeting.chair,
            meeting=meeting,
            title=DEMO_ESCALATION_TITLE,
            reason="The lines are run from Wolverhampton and into Shropshire: their controllers "
            "are beyond Birmingham East's resources and reach.",
            agenda_item=_item(meeting, AgendaItemKind.ESCALATIONS),
        )

    return business


def _west_business(meeting: Meeting) -> None:
    escalations.escalation_raise(
        acting_user=meeting.chair,
        meeting=meeting,
        title=DEMO_ADOPTED_TITLE,
        reason="The two groups supply both Birmingham BCUs: one BCU alone cannot disrupt them.",
        agenda_item=_item(meeting, AgendaItemKind.ESCALATIONS),
    )


def _stcg_business(meeting: Meeting) -> None:
    """The ST&CG approves its unit's demo control strategy, then its intelligence requirement."""
    strategy = ControlStrategy.objects.filter(
        unit=meeting.unit,
        title__in=[demo.title for demo in DEMO_STRATEGIES],
        status=ControlStrategyStatus.DRAFT,
    ).first()
    if strategy is None:
        return
    for decide in (sitting_strategy_decide, sitting_requirement_decide):
        decide(acting_user=meeting.chair, meeting=meeting, strategy=strategy, approve=True)


def _force_business(meeting: Meeting) -> None:
    for escalation in Escalation.objects.filter(
        receiving_meeting=meeting, status=EscalationStatus.RAISED
    ):
        escalations.escalation_adopt(
            acting_user=meeting.chair,
            escalation=escalation,
            decision_text="Operation Harrier's team takes both groups on; the BCUs keep "
            "feeding intelligence.",
        )


def hold_past_meetings(cast: DemoCast, people: dict, result: DemoResult) -> None:
    """Each past meeting of the demo units held and closed, in date order. Birmingham East's
    first TT&CGs tell the story of its action log; on the day of the last of them, Birmingham
    West's TT&CG sits before the force's (which adopts its escalation) and Birmingham East's after
    it (its escalation waits for the force's next TT&CG)."""
    order = {cast.west.pk: 0, cast.force.pk: 1, cast.bcu.pk: 2}
    past = sorted(
        Meeting.objects.filter(unit__in=list(order), starts_at__lt=timezone.now()).select_related(
            "unit", "chair"
        ),
        key=lambda m: (m.starts_at, order[m.unit_id]),
    )
    east = [m for m in past if m.unit_id == cast.bcu.pk and m.kind == MeetingKind.TACTICAL]
    story = {m.pk: index for index, m in enumerate(east[: len(TTCG_SITTINGS)])}
    escalation_day = east[len(TTCG_SITTINGS) - 1].starts_at
    for meeting in past:
        if meeting.status != MeetingStatus.SCHEDULED:
            result.present.append(f"held: {meeting}")
            continue
        sitting, business = STCG_SITTING, _stcg_business
        if meeting.kind == MeetingKind.TACTICAL:
            sitting = OTHER_TTCG_SITTING
            if meeting.pk in story:
                index = story[meeting.pk]
                sitting, business = TTCG_SITTINGS[index], _east_business(index, people, cast)
            elif meeting.unit_id == cast.force.pk:
                business = _force_business
            elif meeting.starts_at == escalation_day:
                business = _west_business
        with transaction.atomic():
            _sit(meeting, sitting, business)
        result.created.append(f"held: {meeting}")
