"""The control strategy pages: the list, a strategy with its ranked priorities and history,
drafting, priorities (edit, MoRiLE score, the chair's rank override) and approval; the
intelligence requirement's pages are in tasking.strategy.requirement_views.

Missing and forbidden strategies give the same 404 (tasking.strategy.selectors). Every change goes
through the services (tasking.strategy.services, tasking.strategy.requirement): PermissionDenied
shows its message on the 403 page, a ValidationError goes back onto the form or, for a one-button
action, into a message. A change of a priority or an item carries the edit token of what was
loaded; a stale one is refused and the form shows what is saved now beside what was sent.
"""

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal.charts import Chart, ChartSeries, bar_chart
from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.models import Unit
from nim_portal.pagination import paginate
from nim_portal.web.decorators import police_required
from nim_portal.web.markings import page_marking_of
from products.selectors import people_around
from tasking.strategy import selectors, services
from tasking.strategy.choices import ControlStrategyStatus, MoRiLEDimension, RequirementItemStatus
from tasking.strategy.evaluations import strategy_evaluations_for
from tasking.strategy.forms import (
    ControlStrategyDraftForm,
    PriorityEditForm,
    PriorityForm,
    PriorityOverrideForm,
    PriorityScoreForm,
)
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    Priority,
)
from tasking.strategy.morile import MORILE_SCALE_TOP, morile_score_text
from tasking.strategy.policy import (
    can_chair_over,
    require_chair_over,
    units_chaired_by,
)

STRATEGIES_PER_PAGE = 25
PRIORITY_ORDER = (F("rank").asc(nulls_last=True), "pk")
MORILE_AXIS = f"MoRiLE score out of {MORILE_SCALE_TOP}"


def people_for(strategy: ControlStrategy):
    return people_around(Unit.objects.filter(pk=strategy.unit_id))


def refused(request, exc: ValidationError, to: str, **kwargs):
    messages.error(request, " ".join(exc.messages))
    return redirect(to, **kwargs)


def _draft_refusal(strategy: ControlStrategy) -> str:
    if strategy.is_draft:
        return ""
    status = ControlStrategyStatus(strategy.status).label.lower()
    return (
        f"The control strategy is {status}: its priorities can no longer change. "
        "Draft a new control strategy to change them."
    )


# The list.


@require_GET
@police_required
def strategy_list(request):
    user = request.user
    strategies = (
        selectors.control_strategies_visible_to(user)
        .select_related("unit", "informed_by__product", "superseded_by")
        .annotate(priority_count=Count("priorities"))
        .order_by("unit__path", "-period_start", "-pk")
    )
    page_obj = paginate(request, strategies, STRATEGIES_PER_PAGE)
    return render(
        request,
        "tasking/strategy/list.html",
        {
            "page_obj": page_obj,
            "may_draft": units_chaired_by(user).exists(),
            "page_marking": page_marking_of(page_obj),
        },
    )


# A strategy's page.


@dataclass(frozen=True)
class ScoreRow:
    dimension: str
    value: int
    label: str


def _score_rows(priority: Priority, scales: dict) -> list[ScoreRow]:
    rows = []
    for dimension, value in priority.scores.items():
        scale = scales.get(dimension)
        label = scale.label_for(value) if scale and scale.minimum <= value <= scale.maximum else ""
        rows.append(ScoreRow(MoRiLEDimension(dimension).label, value, label))
    return rows


def _score_chart(priorities: list[Priority]) -> Chart | None:
    """The scored priorities by MoRiLE score, highest first (None when none is scored)."""
    scored = sorted((p for p in priorities if p.score is not None), key=lambda p: p.score_rank)
    if not scored:
        return None
    top = scored[0]
    overridden = [p.theme for p in scored if p.override_rank]
    description = (
        f"{len(scored)} scored priorit{pluralize(len(scored), 'y,ies')}, highest first: "
        f"{top.theme} scores {morile_score_text(top.score)}."
    )
    if overridden:
        description += f" The ST&CG ranked {', '.join(overridden)} otherwise than by score."
    return bar_chart(
        key="priority-scores",
        title="Priorities by MoRiLE score",
        description=description,
        category_heading="Priority",
        categories=[p.theme for p in scored],
        series=[ChartSeries(MORILE_AXIS, [p.score for p in scored])],
        axis_title=MORILE_AXIS,
        value_text=partial(morile_score_text, with_scale=False),
        maximum=MORILE_SCALE_TOP,
    )


@require_GET
@police_required
def strategy_detail(request, pk):
    """Everything the strategy's page shows, in a fixed number of queries."""
    user = request.user
    strategy = selectors.get_control_strategy_for(user, pk)
    priorities = list(
        strategy.priorities.select_related("owner", "override_by").order_by(*PRIORITY_ORDER)
    )
    scales = {scale.dimension: scale for scale in strategy.matrix.scales.all()}
    requirement = (
        IntelligenceRequirement.objects.filter(control_strategy=strategy)
        .annotate(
            open_items=Count("items", filter=Q(items__status=RequirementItemStatus.OPEN)),
            closed_items=Count("items", filter=Q(items__status=RequirementItemStatus.CLOSED)),
        )
        .first()
    )
    may_chair = can_chair_over(user, strategy.unit)
    evaluations = strategy_evaluations_for(user, strategy)
    return render(
        request,
        "tasking/strategy/detail.html",
        {
            "strategy": strategy,
            "priorities": [{"priority": p, "scores": _score_rows(p, scales)} for p in priorities],
            "score_chart": _score_chart(priorities),
            "requirement": requirement,
            "supersedes": list(strategy.supersedes.order_by("-period_start")),
            "history": selectors.strategy_history(strategy),
            "may_change": may_chair and strategy.is_draft,
            "may_approve": may_chair and strategy.is_draft,
            "evaluations": evaluations,
            "page_marking": max(strategy.marking, evaluations.marking),
        },
    )


@require_http_methods(["GET", "POST"])
@police_required
def strategy_draft(request):
    user = request.user
    units = units_chaired_by(user)
    if not units.exists():
        raise PermissionDenied("Only a T&CG chair can draft a control strategy.")
    form = ControlStrategyDraftForm(
        request.POST or None,
        units=units,
        versions=selectors.strategic_assessment_versions_for(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            strategy = services.control_strategy_draft(
                acting_user=user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Control strategy drafted: add its priorities.")
            return redirect("tasking:strategy_detail", pk=strategy.pk)
    return render(
        request,
        "tasking/strategy/draft.html",
        {"form": form, "page_marking": GSCMarking.OFFICIAL_SENSITIVE},
        status=400 if form.errors else 200,
    )


@require_POST
@police_required
def strategy_approve(request, pk):
    strategy = selectors.get_control_strategy_for(request.user, pk)
    try:
        strategy = services.control_strategy_approve(
            acting_user=request.user, strategy=strategy, request=request
        )
    except ValidationError as exc:
        return refused(request, exc, "tasking:strategy_detail", pk=strategy.pk)
    messages.success(request, "Control strategy approved: it supersedes the unit's previous one.")
    return redirect("tasking:strategy_detail", pk=strategy.pk)


# Priorities.


def priority_of(request, pk, priority_pk) -> tuple[ControlStrategy, Priority]:
    strategy = selectors.get_control_strategy_for(request.user, pk)
    priority = get_object_or_404(
        strategy.priorities.select_related("owner", "override_by"), pk=priority_pk
    )
    return strategy, priority


def _saved_priority(priority: Priority | None) -> list[tuple[str, object]]:
    """What is saved now of a priority, shown beside a refused stale change."""
    if priority is None:
        return []
    override = (
        f"{priority.override_rank}: {priority.override_reason}" if priority.override_rank else ""
    )
    scores = ", ".join(
        f"{MoRiLEDimension(dimension).label} {value}"
        for dimension, value in priority.scores.items()
    )
    return [
        ("Theme", priority.theme),
        ("Rationale", priority.rationale),
        ("Owner", priority.owner),
        ("Intelligence objective", priority.objective_intelligence),
        ("Prevention objective", priority.objective_prevention),
        ("Enforcement objective", priority.objective_enforcement),
        ("Reassurance objective", priority.objective_reassurance),
        ("Organised crime (4P)", "Yes" if priority.organised_crime else "No"),
        ("Scores", scores),
        ("Rank override", override),
    ]


def _render_priority_form(request, template, strategy, form, *, priority=None, current=None):
    return render(
        request,
        f"tasking/strategy/{template}",
        {
            "strategy": strategy,
            "priority": priority,
            "form": form,
            "refusal": _draft_refusal(strategy),
            "current": current,
            "saved": _saved_priority(current),
            "page_marking": strategy.marking,
        },
        status=400 if form.errors else 200,
    )


def with_token(data, record) -> dict:
    """The sender's input with the token of what is saved now: sending it again overrides."""
    data = data.copy()
    data["edit_token"] = services.edit_token(record)
    return data


def saved_over(request, form, change, *, reload, rebuild):
    """Run `change` (a service over the token the sender loaded): (what it answered, the form,
    None) when saved; when refused, (None, the form with the refusal, None); when somebody saved
    first, (None, the sender's input over the record as saved now, that record), so that
    sending again overrides it."""
    try:
        return change(), form, None
    except services.StaleEdit as stale:
        current = reload()
        form = rebuild(with_token(request.POST, current))
        form.is_valid()
        add_service_errors(form, stale)
        return None, form, current
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, form, None


@require_http_methods(["GET", "POST"])
@police_required
def priority_add(request, pk):
    strategy = selectors.get_control_strategy_for(request.user, pk)
    require_chair_over(request.user, strategy.unit, "change its control strategy")
    form = PriorityForm(request.POST or None, people=people_for(strategy))
    if request.method == "POST" and form.is_valid():
        try:
            priority = services.priority_add(
                acting_user=request.user, strategy=strategy, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Priority “{priority.theme}” added: score it next.")
            return redirect("tasking:priority_score", pk=strategy.pk, priority_pk=priority.pk)
    return _render_priority_form(request, "priority_form.html", strategy, form)


@require_http_methods(["GET", "POST"])
@police_required
def priority_edit(request, pk, priority_pk):
    strategy, priority = priority_of(request, pk, priority_pk)
    require_chair_over(request.user, strategy.unit, "change its control strategy")
    initial = {name: getattr(priority, name) for name in services.PRIORITY_FIELDS}
    initial["edit_token"] = services.edit_token(priority)
    form = PriorityEditForm(request.POST or None, initial=initial, people=people_for(strategy))
    current = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        token = fields.pop("edit_token")
        saved, form, current = saved_over(
            request,
            form,
            lambda: services.priority_update_over(
                acting_user=request.user,
                priority=priority,
                loaded_token=token,
                request=request,
                **fields,
            ),
            reload=lambda: Priority.objects.select_related("owner").get(pk=priority.pk),
            rebuild=lambda data: PriorityEditForm(data, people=people_for(strategy)),
        )
        if saved is not None:
            messages.success(request, "Priority saved.")
            return redirect("tasking:strategy_detail", pk=strategy.pk)
    return _render_priority_form(
        request, "priority_form.html", strategy, form, priority=priority, current=current
    )


@require_http_methods(["GET", "POST"])
@police_required
def priority_score(request, pk, priority_pk):
    strategy, priority = priority_of(request, pk, priority_pk)
    require_chair_over(request.user, strategy.unit, "score its priorities")
    scales = list(strategy.matrix.scales.all())
    initial = {**priority.scores, "edit_token": services.edit_token(priority)}
    form = PriorityScoreForm(request.POST or None, initial=initial, scales=scales)
    current = None
    if request.method == "POST" and form.is_valid():
        scored, form, current = saved_over(
            request,
            form,
            lambda: services.priority_score_over(
                acting_user=request.user,
                priority=priority,
                loaded_token=form.cleaned_data["edit_token"],
                scores=form.scores(),
                request=request,
            ),
            reload=lambda: Priority.objects.get(pk=priority.pk),
            rebuild=lambda data: PriorityScoreForm(data, scales=scales),
        )
        if scored is not None:
            messages.success(
                request,
                f"“{scored.theme}” scored {morile_score_text(scored.score)}: ranked {scored.rank}.",
            )
            return redirect("tasking:strategy_detail", pk=strategy.pk)
    return _render_priority_form(
        request, "priority_score.html", strategy, form, priority=priority, current=current
    )


@require_http_methods(["GET", "POST"])
@police_required
def priority_override(request, pk, priority_pk):
    strategy, priority = priority_of(request, pk, priority_pk)
    require_chair_over(request.user, strategy.unit, "override the ranking")
    initial = {"rank": priority.override_rank, "edit_token": services.edit_token(priority)}
    form = PriorityOverrideForm(request.POST or None, initial=initial)
    current = None
    if request.method == "POST" and form.is_valid():
        overridden, form, current = saved_over(
            request,
            form,
            lambda: services.priority_override_rank_over(
                acting_user=request.user,
                priority=priority,
                loaded_token=form.cleaned_data["edit_token"],
                rank=form.cleaned_data["rank"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            reload=lambda: Priority.objects.select_related("override_by").get(pk=priority.pk),
            rebuild=PriorityOverrideForm,
        )
        if overridden is not None:
            messages.success(request, f"“{overridden.theme}” is now ranked {overridden.rank}.")
            return redirect("tasking:strategy_detail", pk=strategy.pk)
    return _render_priority_form(
        request, "priority_override.html", strategy, form, priority=priority, current=current
    )
