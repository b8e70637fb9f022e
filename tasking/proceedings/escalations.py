"""Escalations: a sitting meeting passes an issue beyond its unit's resources to the T&CG of the
unit directly above it, whose chair adopts it (the receiving unit owns the threat from then) or
returns it (the raising unit keeps it).

The meeting's chair raises it (tasking.meetings.policy); a chair of the receiving unit, or of its
receiving meeting, decides it (tasking.proceedings.policy). Each service takes `acting_user=` and
everything else by keyword; a refusal raises PermissionDenied or ValidationError with a message
fit to show, and changes nothing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, NotificationKind
from nim_portal.lifecycle import Lifecycle, save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record, notify
from nim_portal.validation import required_text
from tasking.meetings.choices import AgendaItemKind, MeetingKind, MeetingStatus
from tasking.meetings.models import AgendaItem, Meeting
from tasking.meetings.policy import require_chair
from tasking.meetings.services import meeting_locked, meeting_screen_changed
from tasking.proceedings.choices import ESCALATION_TRANSITIONS, EscalationStatus
from tasking.proceedings.models import Decision, Escalation
from tasking.proceedings.policy import can_decide_escalation
from tasking.proceedings.services import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    clean_marking,
    require_in_session,
    require_item_of,
)
from tasking.resources.models import CapabilityCommitment
from tasking.resources.services import shortfall_of


def receiving_meeting_of(unit: Unit) -> Meeting | None:
    """The next TT&CG of `unit` that has not closed (the one sitting, else the next scheduled): the
    meeting that decides what another T&CG sends it (an escalation, a sideways request)."""
    return (
        Meeting.objects.filter(unit=unit, kind=MeetingKind.TACTICAL)
        .exclude(status=MeetingStatus.CLOSED)
        .order_by(
            Case(When(status=MeetingStatus.IN_SESSION, then=Value(0)), default=Value(1)),
            "starts_at",
        )
        .first()
    )


@transaction.atomic
def escalation_raise(
    *,
    acting_user: User,
    meeting: Meeting,
    title: str,
    reason: str,
    agenda_item: AgendaItem | None = None,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    request: HttpRequest | None = None,
) -> Escalation:
    """Pass an issue beyond the unit's resources to the T&CG of the unit directly above it (BCU
    to force, force to region, region to national); its chairs are told."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, "escalate its business")
    require_in_session(meeting, "escalate an issue")
    require_item_of(meeting, agenda_item)
    parent = Unit.objects.get_parent(meeting.unit)
    if parent is None:
        raise ValidationError(
            f"{meeting.unit} is at the top of the hierarchy: there is no T&CG above it."
        )
    if not parent.is_active:
        raise ValidationError(f"{parent} is inactive: its T&CG cannot receive the escalation.")
    escalation = Escalation(
        from_unit=meeting.unit,
        from_meeting=meeting,
        agenda_item=agenda_item,
        to_unit=parent,
        receiving_meeting=receiving_meeting_of(parent),
        title=required_text(
            title, field="title", message="Enter what is escalated.", max_length=TITLE_MAX_LENGTH
        ),
        reason=required_text(
            reason,
            field="reason",
            message="Enter why it is beyond the unit's resources.",
            max_length=TEXT_MAX_LENGTH,
        ),
        marking=clean_marking(marking, acting_user),
        raised_by=acting_user,
    )
    save_with_history(escalation, acting_user=acting_user, reason=f"Escalated to {parent}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=meeting,
        request=request,
        detail={"escalated": {"escalation": escalation.pk, "to": parent.pk}},
    )
    notify(
        access.chairs_of(parent),
        kind=NotificationKind.ESCALATION_RAISED,
        message=f"{meeting.unit} escalated an issue to the T&CG of {parent}.",
        link="/tasking/meetings/escalations/",
    )
    meeting_screen_changed(meeting.pk)
    if escalation.receiving_meeting_id:
        meeting_screen_changed(escalation.receiving_meeting_id)
    return escalation


@transaction.atomic
def shortfall_draft(*, acting_user: User, meeting: Meeting, bid_id) -> dict[str, str] | None:
    """What an escalation of a bid's shortfall says before its chair changes a word: the hours
    the bid of `meeting` (by id) asks for beyond what is left of its capability in the cycle,
    as the refusal of its acceptance said. None when the bid is not this meeting's, is decided,
    is marked above the reader's vetting, or fits."""
    commitment = (
        CapabilityCommitment.objects.filter(
            bid_id=bid_id, meeting=meeting, action__isnull=True, bid__isnull=False
        )
        .select_related("capability", "bid")
        .first()
    )
    if commitment is None or not access.may_read_marking(acting_user, commitment.bid.marking):
        return None
    shortfall = shortfall_of(commitment)
    if not shortfall:
        return None
    bid = commitment.bid
    capability = commitment.capability
    return {
        "title": f"{shortfall} hours of {capability.name} for bid {bid.reference}",
        "reason": (
            f"Beyond the unit's resources: bid {bid.reference} ({bid.title}) asks for "
            f"{commitment.hours} hours of {capability.name}, {shortfall} more than "
            f"{meeting.unit} has left in this TT&CG's cycle."
        ),
        "marking": bid.marking,
    }


ESCALATION_LIFECYCLE = Lifecycle(
    ESCALATION_TRANSITIONS, subject=lambda escalation: "The escalation is"
)


def _escalation_decide(
    acting_user: User,
    escalation: Escalation,
    decision_text: str,
    target: str,
    request: HttpRequest | None,
) -> Escalation:
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("to_unit", "from_unit", "receiving_meeting", "from_meeting__chair")
        .get(pk=escalation.pk)
    )
    verb = "adopt" if target == EscalationStatus.ADOPTED else "return"
    if not can_decide_escalation(acting_user, escalation):
        raise PermissionDenied(
            f"Only a chair of {escalation.to_unit} can {verb} an escalation to its T&CG."
        )
    ESCALATION_LIFECYCLE.check(escalation, target)
    text = required_text(
        decision_text,
        field="decision_text",
        message="Enter the decision and who owns the threat.",
        max_length=TEXT_MAX_LENGTH,
    )
    escalation.decision_text = text
    escalation.decided_by = acting_user
    escalation.decided_at = timezone.now()
    escalation.owner_unit = (
        escalation.to_unit if target == EscalationStatus.ADOPTED else escalation.from_unit
    )
    label = EscalationStatus(target).label
    ESCALATION_LIFECYCLE.move(
        escalation,
        target,
        acting_user=acting_user,
        reason=f"{label} by {escalation.to_unit}",
        request=request,
    )
    receiving = escalation.receiving_meeting
    if receiving is not None and receiving.status == MeetingStatus.IN_SESSION:
        # Recorded as a decision of the T&CG that triaged it, under its escalations item.
        item = receiving.agenda_items.filter(kind=AgendaItemKind.ESCALATIONS).first()
        decision = Decision(
            meeting=receiving,
            agenda_item=item,
            text=f"{label}: {escalation.title}. {text}",
            marking=escalation.marking,
            escalation=escalation,
            recorded_by=acting_user,
        )
        save_with_history(decision, acting_user=acting_user, reason=f"Escalation {label.lower()}")
        meeting_screen_changed(receiving.pk)
    notify(
        [escalation.raised_by, escalation.from_meeting.chair],
        kind=NotificationKind.ESCALATION_DECIDED,
        message=f"The T&CG of {escalation.to_unit} {label.lower()} an escalation of "
        f"{escalation.from_unit}.",
        link="/tasking/meetings/escalations/",
    )
    meeting_screen_changed(escalation.from_meeting_id)
    return escalation


@transaction.atomic
def escalation_adopt(
    *,
    acting_user: User,
    escalation: Escalation,
    decision_text: str,
    request: HttpRequest | None = None,
) -> Escalation:
    """The receiving T&CG takes the issue on: it owns the threat from now."""
    return _escalation_decide(
        acting_user, escalation, decision_text, EscalationStatus.ADOPTED, request
    )


@transaction.atomic
def escalation_return(
    *,
    acting_user: User,
    escalation: Escalation,
    decision_text: str,
    request: HttpRequest | None = None,
) -> Escalation:
    """The receiving T&CG hands the issue back: the unit that raised it keeps the threat."""
    return _escalation_decide(
        acting_user, escalation, decision_text, EscalationStatus.RETURNED, request
    )
