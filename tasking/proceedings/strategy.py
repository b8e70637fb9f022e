"""The ST&CG's decisions on its unit's control strategy and intelligence requirement: approved or
returned at the sitting, each decision recorded there under its agenda item. An approval belongs
to the sitting and carries it (tasking.strategy.services refuses one given anywhere else); a
return leaves the draft as it was, with the reason in the decision.

Only who may chair the meeting decides, while it sits (tasking.proceedings.services), as at the
priorities' evaluation (tasking.proceedings.evaluation): stcg_sitting_locked checks both.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from nim_portal.models import Unit, User
from tasking.meetings.choices import AgendaItemKind, MeetingKind
from tasking.meetings.models import Meeting
from tasking.meetings.policy import require_chair
from tasking.meetings.services import meeting_locked
from tasking.proceedings.models import Decision
from tasking.proceedings.selectors import REQUIREMENT, STRATEGY
from tasking.proceedings.services import TEXT_MAX_LENGTH, decision_record, require_in_session
from tasking.strategy.models import ControlStrategy
from tasking.strategy.requirement import intelligence_requirement_approve
from tasking.strategy.services import control_strategy_approve


def stcg_sitting_locked(
    *,
    acting_user: User,
    meeting: Meeting,
    unit: Unit,
    what: str,
    doing: str = "approve or return",
    does: str = "approves or returns",
) -> Meeting:
    """The meeting, locked, once it is the sitting ST&CG of `unit` and `acting_user` may decide
    there (who may chair it); refused otherwise (PermissionDenied, ValidationError), with what is
    done (`doing` `what`) in the message."""
    meeting = meeting_locked(meeting.pk)
    require_chair(acting_user, meeting, f"decide on {what}")
    require_in_session(meeting, f"{doing} {what}")
    if meeting.kind != MeetingKind.STRATEGIC:
        raise ValidationError(f"Only an ST&CG {does} {what}.")
    if unit.pk != meeting.unit_id:
        raise ValidationError(f"The ST&CG of {meeting.unit} decides only on {what} of its unit.")
    return meeting


def _decide(
    *,
    acting_user: User,
    meeting: Meeting,
    strategy: ControlStrategy,
    approve: bool,
    note: str,
    what: str,
    subject: str,
    agenda_kind: str,
    approval: Callable[..., object],
    request: HttpRequest | None,
) -> Decision:
    meeting = stcg_sitting_locked(
        acting_user=acting_user, meeting=meeting, unit=strategy.unit, what=what
    )
    note = (note or "").strip()
    subject = subject.format(title=strategy.title)
    if len(note) > TEXT_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note under {TEXT_MAX_LENGTH} characters."})
    if approve:
        approval(acting_user=acting_user, strategy=strategy, sitting=meeting, request=request)
        text = f"{subject} approved."
    else:
        if not note:
            raise ValidationError({"note": "Say why it is returned."})
        text = f"{subject} returned for more work."
    item = meeting.agenda_items.filter(kind=agenda_kind).order_by("position").first()
    return decision_record(
        acting_user=acting_user,
        meeting=meeting,
        agenda_item=item,
        text=f"{text} {note}".strip(),
        marking=strategy.marking,
        request=request,
    )


@transaction.atomic
def sitting_strategy_decide(
    *,
    acting_user: User,
    meeting: Meeting,
    strategy: ControlStrategy,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> Decision:
    """The sitting ST&CG approves (or returns, with its reason) its unit's draft control
    strategy; the decision is recorded under its "Control strategy" item."""
    return _decide(
        acting_user=acting_user,
        meeting=meeting,
        strategy=strategy,
        approve=approve,
        note=note,
        what="the control strategy",
        subject="The control strategy “{title}”",
        agenda_kind=AgendaItemKind.CONTROL_STRATEGY,
        approval=control_strategy_approve,
        request=request,
    )


@transaction.atomic
def sitting_requirement_decide(
    *,
    acting_user: User,
    meeting: Meeting,
    strategy: ControlStrategy,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> Decision:
    """The sitting ST&CG approves (or returns, with its reason) the intelligence requirement of
    its unit's approved control strategy, under its "Intelligence requirement" item."""
    return _decide(
        acting_user=acting_user,
        meeting=meeting,
        strategy=strategy,
        approve=approve,
        note=note,
        what="the intelligence requirement",
        subject="The intelligence requirement of “{title}”",
        agenda_kind=AgendaItemKind.INTELLIGENCE_REQUIREMENT,
        approval=intelligence_requirement_approve,
        request=request,
    )


SITTING_DECIDERS = {STRATEGY: sitting_strategy_decide, REQUIREMENT: sitting_requirement_decide}
