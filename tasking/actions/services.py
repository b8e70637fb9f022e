"""Every change of the action log: raising an action, progress updates and RAG ratings (one
action's, or several set to one rating at once, all or none), closing.

Each function takes the acting user (keyword-only), checks permission (tasking.actions.policy),
locks the action, refuses a change sent over an older `version` than the one saved (StaleAction:
nothing changed), and leaves a history reason and an audit event behind. A refusal raises
PermissionDenied or ValidationError with a message fit to show.

Whenever what a meeting screen shows changes (an action raised or closed at a meeting, or an
open action of a unit whose meeting is sitting or due today), the screen is told through
`tasking.meetings.services.meeting_screen_changed`.
"""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, NotificationKind
from nim_portal.dates import planned_date_problem
from nim_portal.lifecycle import Lifecycle, StaleVersion, require_version, save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record, notify
from nim_portal.validation import required_text
from products.models import Product
from products.selectors import visible_products
from tasking.actions.choices import ACTION_TRANSITIONS, ActionStatus, ActionType, Rag
from tasking.actions.models import ActionUpdate, TacticalAction
from tasking.actions.policy import can_update_action, require_action_manager
from tasking.actions.search import refresh_action_vector
from tasking.meetings.choices import MeetingStatus
from tasking.meetings.models import Meeting
from tasking.meetings.policy import require_chair
from tasking.meetings.services import meeting_screen_changed
from tasking.safeguards.services import authority_record, check_authority
from tasking.strategy.models import Priority
from tasking.strategy.selectors import current_control_strategy

TEXT_MAX_LENGTH = 10_000
NO_PRIORITY = (
    "Choose the control-strategy priority this action serves: every action is tied to one."
)
NO_ACTIONS_CHOSEN = "Tick the actions whose RAG rating to change."
NO_RAG_NOTE = "Enter a note: why these actions move to this rating."


class StaleAction(StaleVersion):
    """Somebody changed the action after the sender loaded it: nothing was changed."""

    code = "stale_action"

    @staticmethod
    def what(action: TacticalAction) -> str:
        return f"Action {action.reference}"


# Helpers.


def _require_at_sitting(acting_user: User, meeting: Meeting, unit: Unit, what: str) -> None:
    """At a meeting: its chair, while it sits, for an action of the meeting's own unit."""
    require_chair(acting_user, meeting, what)
    if meeting.unit_id != unit.pk:
        raise ValidationError({"meeting": f"The meeting is not one of {unit}'s: it cannot {what}."})
    if meeting.status != MeetingStatus.IN_SESSION:
        raise ValidationError(
            {"meeting": f"The meeting is not sitting: you can {what} only while it sits."}
        )


def _clean_rag(rag) -> str:
    if rag not in Rag.values:
        raise ValidationError({"rag": "Choose a RAG rating: red, amber or green."})
    return rag


def _lock(action: TacticalAction) -> TacticalAction:
    return (
        TacticalAction.objects.select_for_update(of=("self",))
        .select_related("unit", "owner_unit", "owner_user")
        .get(pk=action.pk)
    )


def _require_open(action: TacticalAction, what: str) -> None:
    if not action.is_open:
        raise ValidationError(
            f"Action {action.reference} is closed: its record is final, so you cannot {what}."
        )


def _screens_changed(action: TacticalAction, *meetings: Meeting | None) -> None:
    """Tell the screens of the meetings that show the action: those it was raised or closed at,
    and the unit's meetings sitting or due today, which carry its open actions."""
    today = timezone.localdate()
    showing = Meeting.objects.filter(unit_id=action.unit_id).filter(
        Q(status=MeetingStatus.IN_SESSION)
        | Q(status=MeetingStatus.SCHEDULED, starts_at__date=today)
    )
    ids = set(showing.values_list("pk", flat=True))
    ids |= {meeting.pk for meeting in meetings if meeting is not None}
    for meeting_id in sorted(ids):
        meeting_screen_changed(meeting_id)


ACTION_LIFECYCLE = Lifecycle(
    ACTION_TRANSITIONS, subject=lambda action: f"Action {action.reference} is"
)


def _audit(acting_user, verb, action, request, **detail) -> None:
    audit_record(actor=acting_user, verb=verb, obj=action, request=request, detail=detail)


# Raising.


def readable_product(user: User, product: Product | None) -> Product | None:
    """The product that justifies an action or a bid: none, or one `user` may read (any other is
    refused as if it did not exist)."""
    if product is not None and not visible_products(user).filter(pk=product.pk).exists():
        raise ValidationError({"product": "Choose a product you may read, or none."})
    return product


def _raise_errors(
    *, unit, priority, action_type, description, owner_user, owner_unit, due_date, marking, user
) -> dict:
    """Every problem with a new action at once, by field, so that a form shows them together."""
    errors: dict[str, str] = {}
    if priority is None:
        errors["priority"] = NO_PRIORITY
    else:
        current = current_control_strategy(unit)
        if current is None:
            errors["priority"] = (
                f"{unit} works under no approved control strategy today: an action must serve "
                "one of its priorities, so approve the control strategy first."
            )
        elif not isinstance(priority, Priority) or priority.control_strategy_id != current.pk:
            errors["priority"] = (
                f"Choose a priority of the control strategy {unit} works under today ({current})."
            )
    if action_type not in ActionType.values:
        errors["action_type"] = "Choose the type: prevention, intelligence, enforcement or "
        errors["action_type"] += "reassurance."
    if not (description or "").strip():
        errors["description"] = "Describe the action."
    elif len(description.strip()) > TEXT_MAX_LENGTH:
        errors["description"] = f"Use {TEXT_MAX_LENGTH} characters or fewer."
    if not isinstance(due_date, date):
        errors["due_date"] = "Enter the date the action is due."
    elif problem := planned_date_problem(due_date, "the date the action is due"):
        errors["due_date"] = problem
    if marking not in GSCMarking.values:
        errors["marking"] = "Choose a GSC marking."
    elif not user.may_read(marking):
        errors["marking"] = f"Your vetting does not allow {GSCMarking(marking).label} material."
    owner_error = _owner_error(unit, owner_user, owner_unit, marking)
    if owner_error:
        errors[owner_error[0]] = owner_error[1]
    return errors


def _owner_error(unit: Unit, owner_user, owner_unit, marking) -> tuple[str, str] | None:
    if (owner_user is None) == (owner_unit is None):
        return "owner_user", "Choose the owner: a person or a unit, not both."
    if owner_unit is not None:
        if not owner_unit.is_active or not owner_unit.path.startswith(unit.path):
            return "owner_unit", f"The owning unit must be {unit} or an active unit below it."
        return None
    if not owner_user.is_active or owner_user.is_partner:
        return "owner_user", f"{owner_user} cannot own an action: choose an active police user."
    if not access.works_in_line_of(owner_user, unit):
        return "owner_user", f"{owner_user} does not work in {unit} or a unit above or below it."
    if marking in GSCMarking.values and not owner_user.may_read(marking):
        return (
            "owner_user",
            f"{owner_user}'s vetting does not allow reading {GSCMarking(marking).label}.",
        )
    return None


@transaction.atomic
def action_raise(
    *,
    acting_user: User,
    unit: Unit,
    priority: Priority | None,
    action_type: str,
    description: str,
    owner_user: User | None = None,
    owner_unit: Unit | None = None,
    due_date: date | None,
    meeting: Meeting | None = None,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    product: Product | None = None,
    covert: bool = False,
    request: HttpRequest | None = None,
    **authority: str,
) -> TacticalAction:
    """Put a new action on `unit`'s log, tied to a priority of the control strategy the unit
    works under today and, when one does, naming the product or commissioned profile that
    justifies it (one the raiser may read). At a meeting its chair raises it; between meetings a
    chair or an administrator over the unit.

    A covert action is refused without its authority (`authority`: the fields of
    tasking.safeguards.services.AUTHORITY_FIELDS), which is recorded with it."""
    access.require_police(acting_user, "raise an action")
    if meeting is not None:
        _require_at_sitting(acting_user, meeting, unit, "raise an action")
    else:
        require_action_manager(acting_user, unit, "raise actions")
    errors = _raise_errors(
        unit=unit,
        priority=priority,
        action_type=action_type,
        description=description,
        owner_user=owner_user,
        owner_unit=owner_unit,
        due_date=due_date,
        marking=marking,
        user=acting_user,
    )
    try:
        readable_product(acting_user, product)
    except ValidationError as refusal:
        errors.update(refusal.message_dict)
    checked = check_authority(covert=covert, marking=marking, **authority)
    errors = {**checked.errors, **errors}
    if errors:
        raise ValidationError(errors)
    action = TacticalAction(
        unit=unit,
        priority=priority,
        action_type=action_type,
        description=description.strip(),
        marking=int(marking),
        product=product,
        owner_user=owner_user,
        owner_unit=owner_unit,
        due_date=due_date,
        raised_by=acting_user,
        raised_at_meeting=meeting,
    )
    reason = f"Raised at the {meeting.get_kind_display()}" if meeting else "Raised"
    save_with_history(action, acting_user=acting_user, reason=reason)
    authority_record(acting_user=acting_user, checked=checked, request=request, action=action)
    refresh_action_vector(action.pk)
    _audit(
        acting_user,
        AuditVerb.CREATE,
        action,
        request,
        priority=priority.pk,
        meeting=meeting.pk if meeting else None,
        product=product.pk if product else None,
        covert=checked.fields is not None,
    )
    if owner_user is not None and owner_user != acting_user:
        # Only the reference and the date: the text stays behind the action's marking.
        notify(
            [owner_user],
            kind=NotificationKind.ACTION_ASSIGNED,
            message=(
                f"Action {action.reference} on {unit}'s log is yours, due "
                f"{due_date.day} {due_date:%B %Y}: update it from My actions."
            ),
            link=reverse("tasking:action_detail", args=[action.pk]),
        )
    _screens_changed(action, meeting)
    return action


# Between meetings: progress and RAG.


def _record_update(
    *, acting_user: User, action: TacticalAction, text: str, rag: str, reason: str, request
) -> TacticalAction:
    update = ActionUpdate(action=action, author=acting_user, text=text, rag=rag)
    save_with_history(update, acting_user=acting_user, reason=reason)
    before = action.rag
    action.rag = rag
    action.version += 1
    save_with_history(action, acting_user=acting_user, reason=reason)
    _audit(acting_user, AuditVerb.UPDATE, action, request, update=update.pk, rag=[before, rag])
    _screens_changed(action)
    return action


def _lock_for_update(acting_user: User, action: TacticalAction, expected_version, what: str):
    access.require_police(acting_user, what)
    action = _lock(action)
    if not can_update_action(acting_user, action):
        raise PermissionDenied(
            f"Only the owner of action {action.reference}, or a T&CG chair or administrator over "
            f"{action.unit}, can {what}."
        )
    _require_open(action, what)
    require_version(action, expected_version, StaleAction)
    return action


@transaction.atomic
def action_update_add(
    *,
    acting_user: User,
    action: TacticalAction,
    text: str,
    rag: str,
    expected_version,
    request: HttpRequest | None = None,
) -> TacticalAction:
    """A dated progress update by the owner (or a chair or administrator over the unit), with
    the RAG rating it leaves the action at."""
    action = _lock_for_update(acting_user, action, expected_version, "update its progress")
    text = required_text(
        text,
        field="text",
        message="Enter what has been done since the last update.",
        max_length=TEXT_MAX_LENGTH,
    )
    rag = _clean_rag(rag)
    return _record_update(
        acting_user=acting_user,
        action=action,
        text=text,
        rag=rag,
        reason="Progress update",
        request=request,
    )


@transaction.atomic
def action_rag_set(
    *,
    acting_user: User,
    action: TacticalAction,
    rag: str,
    expected_version,
    note: str = "",
    request: HttpRequest | None = None,
) -> TacticalAction:
    """Change the RAG rating alone; kept in the dated updates, with `note` when given."""
    action = _lock_for_update(acting_user, action, expected_version, "change its RAG rating")
    rag = _clean_rag(rag)
    if rag == action.rag:
        raise ValidationError({"rag": f"The action is already rated {Rag(rag).label.lower()}."})
    text = (note or "").strip() or (
        f"RAG rating changed from {Rag(action.rag).label.lower()} to {Rag(rag).label.lower()}."
    )
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"note": f"Use {TEXT_MAX_LENGTH} characters or fewer."})
    return _record_update(
        acting_user=acting_user,
        action=action,
        text=text,
        rag=rag,
        reason="RAG rating changed",
        request=request,
    )


class ActionsRefused(ValidationError):
    """Several actions were to change together and some were refused: none changed. `refusals`
    holds each refused action with the refusal its own change met."""

    def __init__(self, refusals: list[tuple[TacticalAction, Exception]]):
        self.refusals = refusals
        super().__init__({"actions": [reason for _, reason in self.reasons]})

    @property
    def reasons(self) -> list[tuple[TacticalAction, str]]:
        """Each refused action with why, in words: "A12: <the refusal's message>"."""
        return [
            (action, f"{action.reference}: {' '.join(_messages(refusal))}")
            for action, refusal in self.refusals
        ]


def _messages(refusal: Exception) -> list[str]:
    if isinstance(refusal, ValidationError):
        return refusal.messages
    return [str(refusal)]


# Never more at once than a page of "My actions" offers, and a bounded transaction.
RAG_SET_MANY_LIMIT = 100


@transaction.atomic
def action_rag_set_many(
    *,
    acting_user: User,
    actions: Sequence[tuple[TacticalAction, object]],
    rag: str,
    note: str,
    request: HttpRequest | None = None,
) -> list[TacticalAction]:
    """Set several actions to one RAG rating with one note (required), all or none.

    `actions` pairs each action with the version its sender loaded. Each goes through
    `action_rag_set`, so each meets the same rules (who may, open, version, not already at that
    rating); when any is refused, none changes and ActionsRefused says which and why.
    """
    access.require_police(acting_user, "change RAG ratings")
    rag = _clean_rag(rag)
    note = required_text(
        note,
        field="note",
        message=NO_RAG_NOTE,
        max_length=TEXT_MAX_LENGTH,
    )
    chosen: dict[int, tuple[TacticalAction, object]] = {}
    for action, version in actions:
        chosen.setdefault(action.pk, (action, version))
    if not chosen:
        raise ValidationError({"actions": NO_ACTIONS_CHOSEN})
    if len(chosen) > RAG_SET_MANY_LIMIT:
        raise ValidationError(
            {"actions": f"Choose at most {RAG_SET_MANY_LIMIT} actions at a time."}
        )
    changed, refusals = [], []
    for action, version in chosen.values():
        try:
            # Each change is its own savepoint: a refused one leaves nothing behind.
            changed.append(
                action_rag_set(
                    acting_user=acting_user,
                    action=action,
                    rag=rag,
                    note=note,
                    expected_version=version,
                    request=request,
                )
            )
        except (PermissionDenied, ValidationError) as refusal:
            refusals.append((action, refusal))
    if refusals:
        # Leaving the transaction by this refusal undoes the changes made before it.
        raise ActionsRefused(refusals)
    return changed


# Closing.


@transaction.atomic
def action_close(
    *,
    acting_user: User,
    action: TacticalAction,
    outcome: str,
    meeting: Meeting | None = None,
    expected_version,
    request: HttpRequest | None = None,
) -> TacticalAction:
    """Close an action with its outcome: at a meeting, by its chair; between meetings, by a
    chair or administrator over the unit."""
    access.require_police(acting_user, "close an action")
    action = _lock(action)
    if meeting is not None:
        _require_at_sitting(acting_user, meeting, action.unit, "close an action")
    else:
        require_action_manager(acting_user, action.unit, "close its actions")
    ACTION_LIFECYCLE.check(action, ActionStatus.CLOSED)
    require_version(action, expected_version, StaleAction)
    outcome = required_text(
        outcome,
        field="outcome",
        message="Enter the outcome: what was done and what it achieved.",
        max_length=TEXT_MAX_LENGTH,
    )
    action.outcome = outcome
    action.closed_by = acting_user
    action.closed_at = timezone.now()
    action.closed_at_meeting = meeting
    action.version += 1
    ACTION_LIFECYCLE.move(
        action,
        ActionStatus.CLOSED,
        acting_user=acting_user,
        reason=f"Closed at the {meeting.get_kind_display()}" if meeting else "Closed",
        request=request,
        audit_detail={"meeting": meeting.pk if meeting else None},
    )
    refresh_action_vector(action.pk)
    _screens_changed(action, meeting)
    return action
