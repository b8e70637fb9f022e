"""The ST&CG's evaluation of each priority of the ending period (issue 14, point 9): at a sitting
of the strategy's unit's ST&CG, who may decide there records, for a priority of the unit's
approved (or superseded) control strategy, the activity against it, its results and the measure
of them; the counts of the actions raised and closed against it are taken from the action log.
The evaluation is recorded as a decision of the sitting too, so the minutes carry it.

Carried into the next strategic assessment: the assessment commissioned for the unit's next
ST&CG shows, in a panel of its page, the evaluations of the last sitting before that ST&CG
(`evaluations_for_assessment`); the next strategy's page shows them as its previous period's.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Q, Subquery
from django.http import HttpRequest

from nim_portal.choices import AuditVerb
from nim_portal.lifecycle import save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from products.choices import ProductKind
from products.models import Product
from tasking.actions.choices import ActionStatus
from tasking.actions.selectors import actions_visible_to
from tasking.meetings.choices import AgendaItemKind, MeetingKind
from tasking.meetings.models import Meeting
from tasking.proceedings.services import TEXT_MAX_LENGTH, decision_record
from tasking.proceedings.strategy import stcg_sitting_locked
from tasking.strategy.choices import ControlStrategyStatus, EvaluationOutcome
from tasking.strategy.evaluations import evaluations_visible_to
from tasking.strategy.models import ControlStrategy, Priority, PriorityEvaluation

WHAT = "the priorities of the control strategy"


def action_counts_of(user: User, priority_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each of the priorities, how many actions `user` may read were raised against it and
    how many of them are closed with their outcome: what an evaluation starts from, on its page
    and when recorded. A priority without actions is left out. One query."""
    rows = (
        actions_visible_to(user)
        .filter(priority__in=priority_ids)
        .order_by()
        .values("priority_id")
        .annotate(raised=Count("pk"), closed=Count("pk", filter=Q(status=ActionStatus.CLOSED)))
    )
    return {row["priority_id"]: (row["raised"], row["closed"]) for row in rows}


@transaction.atomic
def priority_evaluate(
    *,
    acting_user: User,
    meeting: Meeting,
    priority: Priority,
    activity: str,
    results: str,
    outcome: str,
    measures: str = "",
    request: HttpRequest | None = None,
) -> PriorityEvaluation:
    """The sitting ST&CG of the priority's unit evaluates it (recorded by who may decide there):
    once a sitting, only for a priority of an approved or superseded strategy. Refused outside a
    sitting, with nothing changed."""
    priority = Priority.objects.select_related("control_strategy__unit").get(pk=priority.pk)
    strategy = priority.control_strategy
    meeting = stcg_sitting_locked(
        acting_user=acting_user,
        meeting=meeting,
        unit=strategy.unit,
        what=WHAT,
        doing="evaluate",
        does="evaluates",
    )
    if strategy.status == ControlStrategyStatus.DRAFT:
        raise ValidationError("A draft control strategy has no period to evaluate yet.")
    if PriorityEvaluation.objects.filter(priority=priority, sitting=meeting).exists():
        raise ValidationError(f"“{priority.theme}” is already evaluated at this sitting.")
    cleaned = {
        "activity": (activity or "").strip(),
        "results": (results or "").strip(),
        "measures": (measures or "").strip(),
    }
    errors = {
        field: message
        for field, message in (
            ("activity", "Say what was done against the priority."),
            ("results", "Say what it achieved."),
        )
        if not cleaned[field]
    }
    for field, text in cleaned.items():
        if len(text) > TEXT_MAX_LENGTH:
            errors[field] = f"Use {TEXT_MAX_LENGTH:,} characters or fewer."
    if outcome not in EvaluationOutcome.values:
        errors["outcome"] = "Choose whether the threat was reduced, unchanged or increased."
    if errors:
        raise ValidationError(errors)
    raised, closed = action_counts_of(acting_user, [priority.pk]).get(priority.pk, (0, 0))
    evaluation = PriorityEvaluation(
        priority=priority,
        sitting=meeting,
        outcome=outcome,
        actions_raised=raised,
        actions_closed=closed,
        recorded_by=acting_user,
        **cleaned,
    )
    save_with_history(evaluation, acting_user=acting_user, reason="Evaluated at the ST&CG")
    decision_record(
        acting_user=acting_user,
        meeting=meeting,
        agenda_item=meeting.agenda_items.filter(kind=AgendaItemKind.CONTROL_STRATEGY)
        .order_by("position")
        .first(),
        text=f"Priority “{priority.theme}” evaluated: {evaluation.get_outcome_display()}.",
        marking=strategy.marking,
        request=request,
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=evaluation,
        request=request,
        detail={"priority": priority.pk, "sitting": meeting.pk, "outcome": outcome},
    )
    return evaluation


def evaluations_for_assessment(user: User, product: Product) -> dict | None:
    """For a strategic assessment's page: the evaluations `user` may read of its unit's
    priorities recorded at the unit's last ST&CG sitting before the one it was commissioned for
    (before now, when it was commissioned for none), None when there is none. One query."""
    if product.kind != ProductKind.STRATEGIC_ASSESSMENT:
        return None
    commissioned_for = Meeting.objects.filter(strategic_assessment=product).values("starts_at")
    sittings = Meeting.objects.filter(
        ~Exists(commissioned_for) | Q(starts_at__lt=Subquery(commissioned_for[:1])),
        unit_id=product.unit_id,
        kind=MeetingKind.STRATEGIC,
        pk__in=PriorityEvaluation.objects.values("sitting_id"),
    ).order_by("-starts_at", "-pk")
    evaluations = list(
        evaluations_visible_to(user)
        .filter(sitting=Subquery(sittings.values("pk")[:1]))
        .select_related("sitting", "priority__control_strategy")
        .order_by("priority__rank", "priority_id")
    )
    if not evaluations:
        return None
    return {
        "sitting": evaluations[0].sitting,
        "evaluations": evaluations,
        "marking": max(e.priority.control_strategy.marking for e in evaluations),
    }


@dataclass(frozen=True)
class PriorityAtSitting:
    """A priority offered for evaluation at a sitting, with its action counts and its evaluation
    there (None until recorded)."""

    priority: Priority
    raised: int
    closed: int
    evaluation: PriorityEvaluation | None


def priorities_to_evaluate(user: User, meeting: Meeting) -> list[PriorityAtSitting]:
    """The priorities of the ending period at `meeting`, an ST&CG: those of its unit's approved
    control strategy (or of the one a strategy approved at this sitting superseded) that `user`
    may read, in rank order, each with the counts of the actions `user` may read against it and
    its evaluation at the sitting. Three queries."""
    if meeting.kind != MeetingKind.STRATEGIC:
        return []
    ending = (
        ControlStrategy.objects.visible_to(user)
        .filter(unit_id=meeting.unit_id)
        .filter(
            Q(status=ControlStrategyStatus.APPROVED) | Q(superseded_by__approved_at_sitting=meeting)
        )
        .exclude(approved_at_sitting=meeting)
    )
    priorities = list(
        Priority.objects.filter(control_strategy__in=ending.values("pk"))
        .select_related("control_strategy")
        .order_by("control_strategy__period_start", F("rank").asc(nulls_last=True), "pk")
    )
    counts = action_counts_of(user, [p.pk for p in priorities])
    evaluated = {
        evaluation.priority_id: evaluation
        for evaluation in PriorityEvaluation.objects.filter(
            sitting=meeting, priority__in=[p.pk for p in priorities]
        ).select_related("recorded_by")
    }
    return [
        PriorityAtSitting(priority, *counts.get(priority.pk, (0, 0)), evaluated.get(priority.pk))
        for priority in priorities
    ]
