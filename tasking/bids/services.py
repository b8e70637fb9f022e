"""Every change of a bid: submitting it before a TT&CG, ranking it, and the meeting's decision
(accepted as an action that commits the hours asked for, declined or deferred with a reason).

Each function takes the acting user (keyword-only), checks permission (tasking.bids.policy), locks
the bid, refuses a change sent over an older `version` than the one saved (StaleBid: nothing
changed) and moves its status only through BID_LIFECYCLE. A decision is recorded as a decision
of the sitting meeting (tasking.proceedings.services.decision_record), so it is in the minutes;
an accepted bid becomes an action through tasking.actions.services.action_raise. A refusal raises
PermissionDenied or ValidationError with a message fit to show, and changes nothing.

A bid whose hours do not fit what is left of the capability in the meeting's cycle is accepted
only with an escalation of the unit that carries the shortfall to the T&CG above.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.lifecycle import Lifecycle, StaleVersion, require_version, save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from products.models import Product
from tasking.actions.choices import ActionType
from tasking.actions.services import action_raise, readable_product
from tasking.bids.choices import BID_TRANSITIONS, BidStatus
from tasking.bids.models import Bid
from tasking.bids.policy import require_bid_decider, require_bidder
from tasking.meetings.choices import AgendaItemKind, MeetingKind, MeetingStatus
from tasking.meetings.models import AgendaItem, Meeting
from tasking.meetings.services import meeting_screen_changed
from tasking.proceedings.choices import EscalationStatus
from tasking.proceedings.models import Escalation
from tasking.proceedings.services import clean_marking, decision_record, require_not_closed
from tasking.resources.models import Capability
from tasking.resources.selectors import active_capabilities_of
from tasking.resources.services import (
    clean_hours,
    collect_errors,
    hours_ask,
    hours_commit,
    shortfall_of,
)
from tasking.strategy.models import Priority
from tasking.strategy.selectors import priorities_for_unit

TEXT_MAX_LENGTH = 10_000
TITLE_MAX_LENGTH = 200
MAX_RANK = 999

BID_LIFECYCLE = Lifecycle(BID_TRANSITIONS, subject=lambda bid: f"Bid {bid.reference} is")


class StaleBid(StaleVersion):
    """Somebody changed the bid after the sender loaded it: nothing was changed."""

    code = "stale_bid"

    @staticmethod
    def what(bid: Bid) -> str:
        return f"Bid {bid.reference}"


class BeyondCapability(ValidationError):
    """The hours a bid asks for do not fit what is left of the capability, and no escalation
    carries the shortfall."""

    def __init__(self, bid: Bid, shortfall: int):
        self.shortfall = shortfall
        commitment = bid.commitment
        super().__init__(
            {
                "escalation": (
                    f"Bid {bid.reference} asks for {commitment.hours} hours of "
                    f"{commitment.capability.name}: {shortfall} more than {bid.unit} has left "
                    "in this cycle. Escalate the shortfall to the T&CG above and accept the bid "
                    "with that escalation, or decline or defer it."
                )
            },
            code="beyond_capability",
        )


def _text(value, field: str, message: str, max_length: int = TEXT_MAX_LENGTH):
    return lambda: required_text(value, field=field, message=message, max_length=max_length)


def _choose(value, allowed, field: str, message: str):
    def check():
        if value not in allowed:
            raise ValidationError({field: message})
        return value

    return check


def _lock(bid: Bid) -> Bid:
    return (
        Bid.objects.select_for_update(of=("self",))
        .select_related("meeting", "unit", "commitment__capability")
        .get(pk=bid.pk)
    )


def _audit(acting_user, verb, bid, request, **detail) -> None:
    audit_record(actor=acting_user, verb=verb, obj=bid, request=request, detail=detail)


# Submitting.


@transaction.atomic
def bid_submit(
    *,
    acting_user: User,
    meeting: Meeting,
    priority: Priority | None,
    title: str,
    activity: str,
    action_type: str,
    justification: str,
    capability: Capability | None,
    hours,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    product: Product | None = None,
    request: HttpRequest | None = None,
) -> Bid:
    """Propose tactical activity to a TT&CG of the unit before it sits: against a priority of
    the control strategy the unit works under today, asking for hours of one of its
    capabilities, with the justification and, when one exists, the product that justifies it
    (one the proposer may read)."""
    access.require_police(acting_user, "submit a bid")
    require_bidder(acting_user, meeting)
    if meeting.kind != MeetingKind.TACTICAL:
        raise ValidationError("Bids go to a TT&CG: this meeting is an ST&CG.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            "The meeting has opened: bids are submitted before it sits. Bid to the next TT&CG."
        )
    unit = meeting.unit
    cleaned = collect_errors(
        {
            "priority": _choose(
                priority,
                priorities_for_unit(acting_user, unit),
                "priority",
                f"Choose a priority of the control strategy {unit} works under today.",
            ),
            "title": _text(title, "title", "Enter a short title.", TITLE_MAX_LENGTH),
            "activity": _text(activity, "activity", "Describe the activity proposed."),
            "action_type": _choose(
                action_type,
                ActionType.values,
                "action_type",
                "Choose the type: prevention, intelligence, enforcement or reassurance.",
            ),
            "justification": _text(
                justification, "justification", "Say why the activity is needed."
            ),
            "marking": lambda: clean_marking(marking, acting_user),
            "product": lambda: readable_product(acting_user, product),
            "capability": _choose(
                capability,
                active_capabilities_of(unit),
                "capability",
                f"Choose an active capability on {unit}'s register.",
            ),
            "hours": lambda: clean_hours(hours, field="hours", what="the hours asked for"),
        }
    )
    capability = cleaned.pop("capability")
    hours = cleaned.pop("hours")
    bid = Bid(meeting=meeting, unit=unit, proposed_by=acting_user, **cleaned)
    save_with_history(bid, acting_user=acting_user, reason="Submitted")
    hours_ask(acting_user=acting_user, capability=capability, meeting=meeting, hours=hours, bid=bid)
    _audit(acting_user, AuditVerb.CREATE, bid, request, meeting=meeting.pk, hours=hours)
    return bid


# Ranking.


@transaction.atomic
def bid_rank(
    *,
    acting_user: User,
    bid: Bid,
    rank,
    expected_version,
    request: HttpRequest | None = None,
) -> Bid:
    """The chair places a bid in the meeting's order (1 first), before or at the sitting; a bid
    ranked already takes its new place."""
    bid = _lock(bid)
    require_bid_decider(acting_user, bid.meeting, "rank its bids")
    require_not_closed(bid.meeting, "rank its bids")
    require_version(bid, expected_version, StaleBid)
    if not bid.is_open:
        BID_LIFECYCLE.check(bid, BidStatus.RANKED)
    if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= MAX_RANK:
        raise ValidationError({"rank": f"Enter the rank as a whole number from 1 to {MAX_RANK}."})
    before = bid.rank
    bid.rank = rank
    bid.version += 1
    reason = f"Ranked {rank}"
    if bid.status == BidStatus.SUBMITTED:
        BID_LIFECYCLE.move(
            bid,
            BidStatus.RANKED,
            acting_user=acting_user,
            reason=reason,
            request=request,
            audit_detail={"rank": rank},
        )
    else:
        save_with_history(bid, acting_user=acting_user, reason=reason)
        _audit(acting_user, AuditVerb.UPDATE, bid, request, rank=[before, rank])
    meeting_screen_changed(bid.meeting_id)
    return bid


# The meeting's decision.


def _bids_item(meeting: Meeting) -> AgendaItem | None:
    """The agenda item the decisions on bids are recorded under ("New bids and commissions")."""
    return meeting.agenda_items.filter(kind=AgendaItemKind.BIDS_AND_COMMISSIONS).first()


def _lock_for_decision(acting_user: User, bid: Bid, expected_version, to: str) -> Bid:
    access.require_police(acting_user, "decide a bid")
    bid = _lock(bid)
    require_bid_decider(acting_user, bid.meeting, "decide its bids")
    BID_LIFECYCLE.check(bid, to)
    require_version(bid, expected_version, StaleBid)
    if bid.meeting.status != MeetingStatus.IN_SESSION:
        raise ValidationError(
            "The meeting is not sitting: its bids are decided at the sitting, in its minutes."
        )
    return bid


def _decide(acting_user: User, bid: Bid, to: str, *, decision: str, request, **detail) -> Bid:
    """Record the decision in the meeting's minutes and move the bid."""
    decision_record(
        acting_user=acting_user,
        meeting=bid.meeting,
        agenda_item=_bids_item(bid.meeting),
        text=decision,
        marking=bid.marking,
        request=request,
    )
    bid.decided_by = acting_user
    bid.decided_at = timezone.now()
    bid.version += 1
    BID_LIFECYCLE.move(
        bid,
        to,
        acting_user=acting_user,
        reason=BidStatus(to).label,
        request=request,
        audit_detail=detail,
    )
    return bid


def _carrying_escalation(bid: Bid, escalation: Escalation | None) -> Escalation | None:
    """An escalation may carry a bid's shortfall when the bid's unit raised it and the unit
    above has not returned it."""
    if escalation is None:
        return None
    if escalation.from_unit_id != bid.unit_id or escalation.status == EscalationStatus.RETURNED:
        raise ValidationError(
            {
                "escalation": f"Choose an escalation {bid.unit} raised that the T&CG above has "
                "not returned."
            }
        )
    return escalation


@transaction.atomic
def bid_accept(
    *,
    acting_user: User,
    bid: Bid,
    expected_version,
    due_date,
    owner_user: User | None = None,
    owner_unit: Unit | None = None,
    escalation: Escalation | None = None,
    covert: bool = False,
    request: HttpRequest | None = None,
    **authority: str,
) -> Bid:
    """The sitting meeting accepts a bid: it becomes an action on the unit's log (raised at the
    meeting, by its chair: tasking.actions.services.action_raise), naming the product that
    justified the bid, and the hours it asked for are committed to that action. Hours beyond what
    is left of the capability in the cycle are refused (BeyondCapability) unless `escalation`
    carries the shortfall. Covert activity is accepted only with its authority (`covert`,
    `authority`: as for action_raise)."""
    bid = _lock_for_decision(acting_user, bid, expected_version, BidStatus.ACCEPTED)
    escalation = _carrying_escalation(bid, escalation)
    commitment = bid.commitment
    shortfall = shortfall_of(commitment)
    if shortfall and escalation is None:
        raise BeyondCapability(bid, shortfall)
    action = action_raise(
        acting_user=acting_user,
        unit=bid.unit,
        priority=bid.priority,
        action_type=bid.action_type,
        description=bid.activity,
        owner_user=owner_user,
        owner_unit=owner_unit,
        due_date=due_date,
        meeting=bid.meeting,
        marking=bid.marking,
        product=bid.product,
        covert=covert,
        request=request,
        **authority,
    )
    hours_commit(acting_user=acting_user, commitment=commitment, action=action, request=request)
    bid.action = action
    bid.escalation = escalation
    decision = (
        f"Bid {bid.reference} ({bid.title}) accepted as action {action.reference}: "
        f"{commitment.hours} hours of {commitment.capability.name} committed."
    )
    if shortfall:
        decision += (
            f" {shortfall} hours beyond the unit's capability, escalated to {escalation.to_unit}."
        )
    return _decide(
        acting_user,
        bid,
        BidStatus.ACCEPTED,
        decision=decision,
        request=request,
        action=action.pk,
        shortfall=shortfall,
        escalation=escalation.pk if escalation else None,
    )


def _decide_with_reason(acting_user, bid, expected_version, reason, to, verb, request) -> Bid:
    bid = _lock_for_decision(acting_user, bid, expected_version, to)
    bid.decision_reason = required_text(
        reason,
        field="reason",
        message=f"Say why the bid is {verb}.",
        max_length=TEXT_MAX_LENGTH,
    )
    return _decide(
        acting_user,
        bid,
        to,
        decision=f"Bid {bid.reference} ({bid.title}) {verb}: {bid.decision_reason}",
        request=request,
    )


@transaction.atomic
def bid_decline(*, acting_user: User, bid: Bid, reason: str, expected_version, request=None) -> Bid:
    """The sitting meeting declines a bid, with the reason (required); nothing is committed."""
    return _decide_with_reason(
        acting_user, bid, expected_version, reason, BidStatus.DECLINED, "declined", request
    )


@transaction.atomic
def bid_defer(*, acting_user: User, bid: Bid, reason: str, expected_version, request=None) -> Bid:
    """The sitting meeting defers a bid, with the reason (required): it may be proposed again to
    a later TT&CG; nothing is committed now."""
    return _decide_with_reason(
        acting_user, bid, expected_version, reason, BidStatus.DEFERRED, "deferred", request
    )
