"""Reads of the action log that depend on who is asking: one query each, no per-row checks.

Who reads what:

1. A unit's action log is read by police users holding any role in the unit or a unit above it
   (rule 1: a role covers the units below); a member of another unit gets the same 404 as for a
   unit that does not exist.
2. An action is also read by its owner: the person, or a member of the owning unit.
3. An action is never shown to a reader whose vetting is below its marking, or below the marking
   of the control strategy its priority belongs to (the priority's theme is shown with it).

Who may change what: tasking.actions.policy.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest, Substr
from django.http import Http404
from django.utils import timezone

from nim_portal import access
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from nim_portal.pagination import rows_in_order
from products.selectors import visible_products
from tasking.actions.choices import ActionStatus, Rag
from tasking.actions.models import ActionUpdate, TacticalAction
from tasking.meetings.models import Meeting
from tasking.strategy.models import Priority


def units_with_readable_log(user: User) -> QuerySet[Unit]:
    """The units whose action log `user` may read: where they hold a role and every unit below."""
    if not access.is_police_reader(user):
        return Unit.objects.none()
    return access.units_covered(user)


def actions_visible_to(user: User) -> QuerySet[TacticalAction]:
    """Every action `user` may read (see the module doc): the one visibility selector."""
    return TacticalAction.objects.visible_to(user)


def _last_update(value) -> Subquery:
    """`value`, an expression over an update, of the action's latest progress update (None
    before the first)."""
    return Subquery(
        ActionUpdate.objects.filter(action=OuterRef("pk"))
        .order_by("-written_at", "-pk")
        .values(value=value)[:1]
    )


def _last_update_at() -> Subquery:
    """The date of the action's latest progress update (None before the first)."""
    return _last_update(F("written_at"))


# As much of the latest update's text as a row shows (an update may hold 10,000 characters).
LAST_UPDATE_EXCERPT = 300


# Open actions first ("open" sorts after "closed": descending), then by due date.
LOG_ORDER = (F("status").desc(), "due_date", "pk")


def with_log_columns(actions: QuerySet[TacticalAction]) -> QuerySet[TacticalAction]:
    """What a row of the log shows, in the same query: priority, owner, the last update's date;
    open actions first, then by due date."""
    return (
        actions.select_related(
            "unit", "priority__control_strategy", "owner_user", "owner_unit", "raised_at_meeting"
        )
        # Search vectors and the minutes are never shown in a row, and are the widest columns.
        .defer(
            "search_vector",
            "priority__control_strategy__search_vector",
            "raised_at_meeting__search_vector",
            "raised_at_meeting__minutes_search_vector",
            "raised_at_meeting__minutes",
        )
        .annotate(last_update_at=_last_update_at())
        .order_by(*LOG_ORDER)
    )


@dataclass
class ActionLog:
    unit: Unit
    # The unit's actions within the reader's vetting, without the log's columns.
    readable: QuerySet[TacticalAction]

    @property
    def actions(self) -> QuerySet[TacticalAction]:
        """The log with its columns, open actions first (`with_log_columns`)."""
        return with_log_columns(self.readable)

    def actions_to_page(self) -> QuerySet[TacticalAction]:
        """The log's actions in its order, with the columns of that order only: what the log's
        page counts and pages, the page's rows then read by `log_rows`."""
        return self.readable.order_by(*LOG_ORDER).only("status", "due_date")


def action_log_for_unit(user: User, unit_id) -> ActionLog:
    """A unit's action log as `user` may read it; 404 for anybody outside the unit and the units
    above it (missing and forbidden alike)."""
    pk = id_or_404(unit_id, "action log")
    unit = units_with_readable_log(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("No such action log.")
    return ActionLog(unit=unit, readable=TacticalAction.objects.filter(unit=unit).readable_by(user))


def filter_action_log(
    actions: QuerySet[TacticalAction],
    *,
    status: str = "",
    rag: str = "",
    priority=None,
    owner_user_id: int | None = None,
    owner_unit_id: int | None = None,
) -> QuerySet[TacticalAction]:
    """Narrow a log already limited to what the reader may see; never widens it."""
    if status:
        actions = actions.filter(status=status)
    if rag:
        actions = actions.filter(rag=rag)
    if priority is not None:
        actions = actions.filter(priority=priority)
    if owner_user_id is not None:
        actions = actions.filter(owner_user_id=owner_user_id)
    if owner_unit_id is not None:
        actions = actions.filter(owner_unit_id=owner_unit_id)
    return actions


def with_shown_marking(actions: QuerySet[TacticalAction]) -> QuerySet[TacticalAction]:
    """`shown_marking`: the higher of each action's marking and that of the control strategy its
    priority belongs to, the marking a row showing the action with its priority carries."""
    return actions.annotate(
        shown_marking=Greatest("marking", "priority__control_strategy__marking")
    )


def get_action_for(user: User, pk) -> TacticalAction:
    """One action by id; missing and forbidden give the same 404, so ids cannot be probed."""
    pk = id_or_404(pk, "action")
    action = (
        with_log_columns(actions_visible_to(user))
        .select_related("product", "authority")
        .defer("product__search_vector")
        .annotate(product_readable=Exists(visible_products(user).filter(pk=OuterRef("product_id"))))
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    return action


def action_updates(action: TacticalAction) -> QuerySet[ActionUpdate]:
    """The action's progress updates, newest first (read only after `get_action_for`)."""
    return action.updates.select_related("author").order_by("-written_at", "-pk")


# The columns a row of the log or of "My actions" shows (an action's own page shows more).
LOG_ROW_FIELDS = (
    "unit__name",
    "priority__theme",
    "priority__control_strategy__marking",
    "action_type",
    "description",
    "marking",
    "owner_user__first_name",
    "owner_user__last_name",
    "owner_user__username",
    "owner_unit__name",
    "due_date",
    "rag",
    "status",
    "closed_at",
    "outcome",
    "version",
)


def log_rows(actions, *, last_update_text: bool = False) -> list[TacticalAction]:
    """A page of actions, already read within the reader's access, again with the columns of a
    row (LOG_ROW_FIELDS and the last update's date; with `last_update_text`, the start of its
    text too), in the page's order: one query by their ids. Over a page's ids PostgreSQL plans
    the row's five joins in about 1 ms; over the access filter that chose the page, in 5 to
    25 ms."""
    rows = (
        TacticalAction.objects.select_related(
            "unit", "priority__control_strategy", "owner_user", "owner_unit"
        )
        .only(*LOG_ROW_FIELDS)
        .annotate(last_update_at=_last_update_at())
    )
    if last_update_text:
        rows = rows.annotate(
            last_update_text=_last_update(Substr("text", 1, LAST_UPDATE_EXCERPT)),
        )
    return rows_in_order(rows, [action.pk for action in actions])


def get_actions_for(user: User, ids) -> list[TacticalAction]:
    """Several actions by id, in the order given; when any is missing or forbidden, the same 404
    as for one (ids cannot be probed). One query."""
    pks = [id_or_404(pk, "action") for pk in ids]
    found = {
        action.pk: action
        for action in actions_visible_to(user).select_related("unit").filter(pk__in=pks)
    }
    if any(pk not in found for pk in pks):
        raise Http404("No such action.")
    return [found[pk] for pk in pks]


# Soonest due first.
MY_ACTIONS_ORDER = ("due_date", "pk")


def my_actions(user: User) -> QuerySet[TacticalAction]:
    """The open actions `user` owns, in person or as a member of the owning unit, soonest due
    first. One query."""
    return with_log_columns(_open_actions_of(user)).order_by(*MY_ACTIONS_ORDER)


def my_actions_to_page(user: User) -> QuerySet[TacticalAction]:
    """The ids of `my_actions` in its order: what "My actions" counts and pages, the page's rows
    then read by `log_rows`."""
    return _open_actions_of(user).order_by(*MY_ACTIONS_ORDER).only("pk")


def _open_actions_of(user: User) -> QuerySet[TacticalAction]:
    if not access.is_police_reader(user):
        return TacticalAction.objects.none()
    return TacticalAction.objects.filter(status=ActionStatus.OPEN).owned_by(user).readable_by(user)


def my_actions_counts(user: User) -> dict[str, int]:
    """How many open actions `user` owns, how many are overdue and how many rated red: one
    query over the actions alone (the log's columns are not needed to count them)."""
    today = timezone.localdate()
    return _open_actions_of(user).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        red=Count("pk", filter=Q(rag=Rag.RED)),
    )


def action_counts_by_priority(actions: QuerySet[TacticalAction]) -> list[dict]:
    """How many of `actions` (already within the reader's access) each priority has: open ones
    by RAG rating, and closed ones; with the marking of the priority's strategy (its theme is
    shown), in the priorities' rank order. One query."""
    is_open = Q(status=ActionStatus.OPEN)
    return list(
        actions.order_by()
        .values(
            "priority_id",
            "priority__theme",
            "priority__rank",
            "priority__control_strategy__marking",
        )
        .annotate(
            red=Count("pk", filter=is_open & Q(rag=Rag.RED)),
            amber=Count("pk", filter=is_open & Q(rag=Rag.AMBER)),
            green=Count("pk", filter=is_open & Q(rag=Rag.GREEN)),
            closed=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
        )
        .order_by(F("priority__rank").asc(nulls_last=True), "priority_id")
    )


def actions_for_meeting(meeting: Meeting) -> QuerySet[TacticalAction]:
    """What a meeting reviews: the open actions of its unit carried forward to it, and those
    raised or closed at it. Not filtered by reader: pair it with `actions_for_meeting_for_user`
    or a reader check. Once the meeting is closed, actions raised after it are left out."""
    carried = Q(status=ActionStatus.OPEN)
    if meeting.closed_at is not None:
        carried &= Q(created_at__lte=meeting.closed_at)
    return (
        TacticalAction.objects.filter(
            carried | Q(raised_at_meeting=meeting) | Q(closed_at_meeting=meeting),
            unit_id=meeting.unit_id,
        )
        .select_related("priority", "owner_user", "owner_unit")
        .order_by(F("status").desc(), "due_date", "pk")
    )


def actions_for_meeting_for_user(user: User, meeting: Meeting) -> QuerySet[TacticalAction]:
    """The meeting's actions that `user`, a reader of the meeting, may read (by vetting)."""
    if not access.is_police_reader(user):
        return TacticalAction.objects.none()
    return actions_for_meeting(meeting).readable_by(user)


def log_filter_choices(log: ActionLog) -> dict:
    """What the log's filters offer: the priorities and owners of the actions shown (three
    lazy querysets, each one query), with the columns of their labels only."""
    shown = log.readable.order_by()
    return {
        "priorities": Priority.objects.filter(pk__in=shown.values("priority_id"))
        .order_by(F("rank").asc(nulls_last=True), "pk")
        .only("rank", "theme"),
        "owner_people": User.objects.filter(pk__in=shown.values("owner_user_id")).only(
            "first_name", "last_name", "username"
        ),
        "owner_units": Unit.objects.filter(pk__in=shown.values("owner_unit_id"))
        .order_by("path")
        .only("name"),
    }
