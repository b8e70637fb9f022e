"""The demo's past sittings held by their chairs: each TT&CG's tactical assessment published by
the unit's analyst and reviewer before it opens, attendance, a decision, the business of the day
(each unit's ST&CG approving its control strategy and intelligence requirement, so that the
approvals are dated at their sittings; Birmingham East's and Staffordshire's actions, a problem
profile commissioned and an issue escalated to the force; Birmingham West's escalation adopted by
the force; what later concepts add, such as sideways requests), minutes written item by item and
frozen, the PDF printed by Celery; and the demo partner invited to the force's next ST&CG."""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from nim_portal.demo.clock import demo_clock
from partners.models import AgencyMembership
from products import services as product_services
from products.choices import ReviewStandard
from products.demo import BCU, FORCE, agree_terms, write_sections
from tasking.actions.demo import NEIGHBOUR_ACTIONS, actions_at_sitting
from tasking.demo_cast import EAST_ANALYST, NEIGHBOUR, WEST_BCU, DemoCast, DemoResult
from tasking.meetings import cadence
from tasking.meetings.choices import AgendaItemKind, Attendance, MeetingKind, MeetingStatus
from tasking.meetings.models import AgendaItem, CadencePolicy, Meeting, MeetingInvitee
from tasking.proceedings import escalations
from tasking.proceedings import services as proceedings
from tasking.proceedings.choices import CommissionKind, EscalationStatus
from tasking.proceedings.demo_sittings import (
    STCG_SITTINGS,
    TTCG_SITTINGS,
    DemoSitting,
    minutes_of,
)
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


# What the past sittings did: attendance, decisions, actions, commissions, escalations, minutes
# (what each said: tasking.proceedings.demo_sittings).

# Birmingham East's profile commissioned, and issue escalated to the force, at its last sitting.
DEMO_COMMISSION_TITLE = "Problem profile: storage and export of cars stolen in Stechford burglaries"
DEMO_ESCALATION_TITLE = "Controllers of the Hodge Hill county lines outside Birmingham East"
# Birmingham West's escalation, adopted by the force's TT&CG of the same day.
DEMO_ADOPTED_TITLE = "Cannabis supply groups working across both Birmingham BCUs"
# Who develops each unit's tactical assessments (the unit's own analyst, or the force's for
# Birmingham West, which has none of its own), and who reviews them.
ASSESSMENT_ANALYSTS = {BCU: EAST_ANALYST.username, NEIGHBOUR: "staffsanalyst"}
ASSESSMENT_REVIEWERS = {NEIGHBOUR: "staffsreviewer"}


def _item(meeting: Meeting, kind: str) -> AgendaItem | None:
    return meeting.agenda_items.filter(kind=kind).first()


def _publish_tactical_assessment(meeting: Meeting, sitting: DemoSitting, people: dict) -> None:
    """The TT&CG's tactical assessment, commissioned as the schedule commissions it, on the day
    its window opens; its terms agreed, written by the unit's analyst and approved by its
    reviewer on its due date, days before the sitting: published before it, so that it informs
    it (each step dated as of its day, by the demo's clock)."""
    code = meeting.unit.code
    analyst = people[ASSESSMENT_ANALYSTS.get(code, "analyst")]
    reviewer = people[ASSESSMENT_REVIEWERS.get(code, "reviewer")]
    policy = CadencePolicy.objects.get(unit_kind=meeting.unit.kind, meeting_kind=meeting.kind)
    chairs = {meeting.chair_id: meeting.chair}
    commissioned = meeting.starts_at - datetime.timedelta(days=policy.assessment_commission_days)
    with demo_clock(commissioned):
        cadence._assessments_commission(
            [meeting], policy, analyst, chairs, cadence.ScheduleResult()
        )
        product = Meeting.objects.get(pk=meeting.pk).tactical_assessment
        agree_terms(
            product,
            drafted_by=meeting.chair,
            questions="What has changed since the last sitting, and what should be tasked?",
            scope=f"{meeting.unit}; the fortnight since the last sitting.",
        )
    with demo_clock(meeting.starts_at - datetime.timedelta(days=policy.assessment_due_days)):
        write_sections(
            product,
            analyst,
            {
                "General picture": sitting.notes[AgendaItemKind.TACTICAL_ASSESSMENT],
                "Emerging series and hotspots": sitting.hotspots,
                "Recommendations": sitting.recommendations,
            },
        )
        product_services.product_submit(acting_user=analyst, product=product)
        product_services.product_approve(
            acting_user=reviewer, product=product, standards=ReviewStandard.values
        )


def _sit(meeting: Meeting, sitting: DemoSitting, business=None) -> None:
    """Hold a past meeting: open it, take attendance, record its decision and the `business` of
    the day, write the minutes of every agenda item and close it (freezing them; Celery prints
    the PDF)."""
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
        text=minutes_of(meeting, sitting),
        expected_version=meeting.minutes_version,
    )
    proceedings.meeting_close(acting_user=chair, meeting=meeting)


def _east_business(meeting: Meeting, index: int, people: dict, cast: DemoCast) -> None:
    actions_at_sitting(index, meeting, people, cast)
    if index != len(TTCG_SITTINGS[BCU]) - 1:
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


def _west_business(meeting: Meeting, index: int, people: dict, cast: DemoCast) -> None:
    # On the day of Birmingham East's last sitting, before the force's TT&CG that adopts it.
    if index != len(TTCG_SITTINGS[WEST_BCU]) - 1:
        return
    escalations.escalation_raise(
        acting_user=meeting.chair,
        meeting=meeting,
        title=DEMO_ADOPTED_TITLE,
        reason="The two groups supply both Birmingham BCUs: one BCU alone cannot disrupt them.",
        agenda_item=_item(meeting, AgendaItemKind.ESCALATIONS),
    )


def _force_business(meeting: Meeting, index: int, people: dict, cast: DemoCast) -> None:
    for escalation in Escalation.objects.filter(
        receiving_meeting=meeting, status=EscalationStatus.RAISED
    ):
        escalations.escalation_adopt(
            acting_user=meeting.chair,
            escalation=escalation,
            decision_text="Operation Harrier's team takes both groups on; the BCUs keep "
            "feeding intelligence.",
        )


def _neighbour_business(meeting: Meeting, index: int, people: dict, cast: DemoCast) -> None:
    actions_at_sitting(index, meeting, people, cast, NEIGHBOUR_ACTIONS)


TTCG_BUSINESS = {
    BCU: _east_business,
    WEST_BCU: _west_business,
    FORCE: _force_business,
    NEIGHBOUR: _neighbour_business,
}


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


# A TT&CG's business that a later concept adds (tasking.requests.demo): called with the sitting
# meeting and its index among its unit's past TT&CGs.
SittingHook = Callable[[Meeting, int], None]


def hold_past_meetings(
    cast: DemoCast, people: dict, result: DemoResult, more_business: SittingHook | None = None
) -> None:
    """Each past meeting of the demo units held and closed, in date order, each TT&CG's tactical
    assessment published first. Birmingham East's TT&CGs tell the story of its action log and
    Staffordshire's of its own; on each cadence day Birmingham West's TT&CG sits first,
    Staffordshire's next, then the force's (which adopts Birmingham West's escalation of the
    last day, and asks Staffordshire's next TT&CG for help at its first), and Birmingham East's
    last (its escalation waits for the force's next TT&CG)."""
    order = {cast.west.pk: 0, cast.neighbour.pk: 1, cast.force.pk: 2, cast.bcu.pk: 3}
    past = sorted(
        Meeting.objects.filter(unit__in=list(order), starts_at__lt=timezone.now()).select_related(
            "unit", "chair"
        ),
        key=lambda m: (m.starts_at, order[m.unit_id]),
    )
    tactical_index: dict[int, int] = {}
    for meeting in past:
        if meeting.kind == MeetingKind.TACTICAL:
            index = tactical_index[meeting.unit_id] = tactical_index.get(meeting.unit_id, -1) + 1
        if meeting.status != MeetingStatus.SCHEDULED:
            result.present.append(f"held: {meeting}")
            continue
        code = meeting.unit.code
        if meeting.kind == MeetingKind.TACTICAL and index >= len(TTCG_SITTINGS[code]):
            # A sitting the demo tells no story of (the seed run again days later): as it was.
            result.present.append(f"not held: {meeting}")
            continue
        with transaction.atomic():
            if meeting.kind == MeetingKind.STRATEGIC:
                # Held on its day, so that the approvals carry the sitting's date.
                with demo_clock(meeting.starts_at):
                    _sit(meeting, STCG_SITTINGS[code], _stcg_business)
            else:
                sitting = TTCG_SITTINGS[code][index]
                _publish_tactical_assessment(meeting, sitting, people)

                def business(meeting, index=index, code=code):
                    TTCG_BUSINESS[code](meeting, index, people, cast)
                    if more_business is not None:
                        more_business(meeting, index)

                _sit(meeting, sitting, business)
        result.created.append(f"held: {meeting}")
