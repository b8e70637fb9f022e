"""The intelligence requirement pages: a strategy's requirement with its items, adding,
reviewing and closing an item, and the requirement the reader's units work under.

As the strategy's pages (tasking.strategy.views): missing and forbidden give the same 404, every
change goes through the services, an item's change carries the edit token of what was loaded.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import police_required
from products.selectors import visible_products
from tasking.strategy import requirement, selectors, services
from tasking.strategy.choices import ControlStrategyStatus, RequirementItemStatus
from tasking.strategy.forms import (
    ItemProductLinkForm,
    RequirementItemAddForm,
    RequirementItemCloseForm,
    RequirementItemEditForm,
)
from tasking.strategy.models import (
    IntelligenceRequirement,
    IntelligenceRequirementItem,
)
from tasking.strategy.morile import MORILE_SCALE_TOP
from tasking.strategy.policy import (
    can_chair_over,
    can_review_item,
    require_chair_over,
    require_item_reviewer,
)
from tasking.strategy.traceability import item_products_for, products_linkable_by
from tasking.strategy.views import people_for, priority_of, refused, saved_over, with_token

STRATEGIES_PER_PAGE = 25
PRIORITY_ORDER = (F("rank").asc(nulls_last=True), "pk")
MORILE_AXIS = f"MoRiLE score out of {MORILE_SCALE_TOP}"


# The intelligence requirement.


@require_GET
@police_required
def requirement_detail(request, pk):
    """The strategy's intelligence requirement: its items by priority, in a fixed number of
    queries."""
    user = request.user
    strategy = selectors.get_control_strategy_for(user, pk)
    requirement = (
        IntelligenceRequirement.objects.select_related("approved_by")
        .filter(control_strategy=strategy)
        .first()
    )
    items = list(
        selectors.requirement_items_visible_to(user)
        .filter(requirement__control_strategy=strategy)
        .select_related("owner", "closed_by")
        .order_by(F("status").desc(), "review_date", "pk")
    )
    priorities = list(strategy.priorities.select_related("owner").order_by(*PRIORITY_ORDER))
    may_chair = can_chair_over(user, strategy.unit)
    superseded = strategy.status == ControlStrategyStatus.SUPERSEDED
    return render(
        request,
        "tasking/strategy/requirement.html",
        {
            "strategy": strategy,
            "requirement": requirement,
            "priorities": [
                {"priority": p, "items": [i for i in items if i.priority_id == p.pk]}
                for p in priorities
            ],
            "may_add": may_chair and not superseded,
            "may_approve": (
                may_chair
                and strategy.status == ControlStrategyStatus.APPROVED
                and not (requirement and requirement.is_approved)
            ),
            "may_review_all": may_chair and not superseded,
            "superseded": superseded,
            "page_marking": strategy.marking,
        },
    )


@require_POST
@police_required
def requirement_approve(request, pk):
    strategy = selectors.get_control_strategy_for(request.user, pk)
    try:
        requirement.intelligence_requirement_approve(
            acting_user=request.user, strategy=strategy, request=request
        )
    except ValidationError as exc:
        return refused(request, exc, "tasking:requirement_detail", pk=strategy.pk)
    messages.success(request, "Intelligence requirement approved: it now directs all staff.")
    return redirect("tasking:requirement_detail", pk=strategy.pk)


def _saved_item(item: IntelligenceRequirementItem | None) -> list[tuple[str, object]]:
    """What is saved now of an item, shown beside a refused stale change."""
    if item is None:
        return []
    return [
        ("Question or intelligence gap", item.question),
        ("Sources to task", item.sources_to_task),
        ("Owner", item.owner),
        ("Review date", item.review_date),
        ("Open to partners", "Yes" if item.open_to_partners else "No"),
        ("Status", item.get_status_display()),
        ("Closing note", item.closing_note),
    ]


def _render_item_form(request, template, strategy, form, *, priority, item=None, current=None):
    return render(
        request,
        f"tasking/strategy/{template}",
        {
            "strategy": strategy,
            "priority": priority,
            "item": item,
            "form": form,
            "current": current,
            "saved": _saved_item(current),
            "page_marking": strategy.marking,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@police_required
def item_add(request, pk, priority_pk):
    strategy, priority = priority_of(request, pk, priority_pk)
    require_chair_over(request.user, strategy.unit, "change its intelligence requirement")
    form = RequirementItemAddForm(request.POST or None, people=people_for(strategy))
    if request.method == "POST" and form.is_valid():
        try:
            requirement.ir_item_add(
                acting_user=request.user, priority=priority, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Item added to “{priority.theme}”.")
            return redirect("tasking:requirement_detail", pk=strategy.pk)
    return _render_item_form(request, "item_form.html", strategy, form, priority=priority)


def _item_of(request, pk, item_pk):
    strategy = selectors.get_control_strategy_for(request.user, pk)
    item = get_object_or_404(
        selectors.requirement_items_visible_to(request.user)
        .filter(requirement__control_strategy=strategy)
        .select_related("priority", "owner", "closed_by", "authority__recorded_by"),
        pk=item_pk,
    )
    return strategy, item


@require_http_methods(["GET", "POST"])
@police_required
def item_edit(request, pk, item_pk):
    """Review an item: its owner or a chair; only a chair reassigns it or opens it to partners."""
    strategy, item = _item_of(request, pk, item_pk)
    require_item_reviewer(request.user, item, strategy.unit, "change it")
    chair = can_chair_over(request.user, strategy.unit)
    people = people_for(strategy)
    initial = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    initial["edit_token"] = services.edit_token(item)
    form = RequirementItemEditForm(
        request.POST or None, initial=initial, people=people, chair=chair
    )
    current = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        token = fields.pop("edit_token")
        saved, form, current = saved_over(
            request,
            form,
            lambda: requirement.ir_item_update_over(
                acting_user=request.user, item=item, loaded_token=token, request=request, **fields
            ),
            reload=lambda: IntelligenceRequirementItem.objects.select_related("owner").get(
                pk=item.pk
            ),
            rebuild=lambda data: RequirementItemEditForm(data, people=people, chair=chair),
        )
        if saved is not None:
            messages.success(request, "Item saved.")
            return redirect("tasking:requirement_detail", pk=strategy.pk)
    return _render_item_form(
        request,
        "item_form.html",
        strategy,
        form,
        priority=item.priority,
        item=item,
        current=current,
    )


@require_http_methods(["GET", "POST"])
@police_required
def item_close(request, pk, item_pk):
    strategy, item = _item_of(request, pk, item_pk)
    require_item_reviewer(request.user, item, strategy.unit, "change it")
    form = RequirementItemCloseForm(
        request.POST or None, initial={"edit_token": services.edit_token(item)}
    )
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            requirement.ir_item_close_over(
                acting_user=request.user,
                item=item,
                loaded_token=form.cleaned_data["edit_token"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except services.StaleEdit as stale:
            current = IntelligenceRequirementItem.objects.select_related("owner", "closed_by").get(
                pk=item.pk
            )
            form = RequirementItemCloseForm(with_token(request.POST, current))
            form.is_valid()
            add_service_errors(form, stale)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Item closed.")
            return redirect("tasking:requirement_detail", pk=strategy.pk)
    return _render_item_form(
        request,
        "item_close.html",
        strategy,
        form,
        priority=item.priority,
        item=item,
        current=current,
    )


# An item's page: the products it is linked to (issue 14, point 4).


def _render_item_detail(request, strategy, item, form=None):
    """The item with the products linked to it that the reader may read (the others counted as
    withheld), and, to its owner or a chair while it is open, the form linking another."""
    user = request.user
    linked = item_products_for(user, item)
    may_link = (
        can_review_item(user, item, strategy.unit)
        and item.status == RequirementItemStatus.OPEN
        and strategy.status != ControlStrategyStatus.SUPERSEDED
    )
    if may_link and form is None:
        form = ItemProductLinkForm(products=products_linkable_by(user, strategy))
    return render(
        request,
        "tasking/strategy/item_detail.html",
        {
            "strategy": strategy,
            "priority": item.priority,
            "item": item,
            "linked": linked,
            "may_link": may_link,
            "form": form if may_link else None,
            "page_marking": max(strategy.marking, linked.marking),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
@police_required
def item_detail(request, pk, item_pk):
    strategy, item = _item_of(request, pk, item_pk)
    return _render_item_detail(request, strategy, item)


@require_POST
@police_required
def item_product_link(request, pk, item_pk):
    strategy, item = _item_of(request, pk, item_pk)
    require_item_reviewer(request.user, item, strategy.unit, "link products to it")
    form = ItemProductLinkForm(request.POST, products=products_linkable_by(request.user, strategy))
    if form.is_valid():
        try:
            requirement.ir_item_product_link(
                acting_user=request.user, item=item, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{form.cleaned_data['product'].title}” linked.")
            return redirect("tasking:requirement_item_detail", pk=strategy.pk, item_pk=item.pk)
    return _render_item_detail(request, strategy, item, form)


@require_POST
@police_required
def item_product_unlink(request, pk, item_pk, link_pk):
    strategy, item = _item_of(request, pk, item_pk)
    link = get_object_or_404(
        item.product_links.filter(product__in=visible_products(request.user).values("pk")),
        pk=link_pk,
    )
    try:
        requirement.ir_item_product_unlink(acting_user=request.user, link=link, request=request)
    except ValidationError as exc:
        return refused(
            request, exc, "tasking:requirement_item_detail", pk=strategy.pk, item_pk=item.pk
        )
    messages.success(request, "Link removed.")
    return redirect("tasking:requirement_item_detail", pk=strategy.pk, item_pk=item.pk)


@require_GET
@police_required
def requirement_current(request):
    """The intelligence requirement each of the user's units works under today (its own
    strategy's, or the nearest unit above it): one query a unit the user belongs to."""
    requirements = selectors.requirements_current_for(request.user)
    return render(
        request,
        "tasking/strategy/requirement_current.html",
        {
            "requirements": requirements,
            "page_marking": max(
                (r.strategy.marking for r in requirements if r.strategy),
                default=GSCMarking.OFFICIAL,
            ),
        },
    )
