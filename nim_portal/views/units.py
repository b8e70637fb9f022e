"""The admins' pages for the unit hierarchy: the tree, a unit's page and its change forms.

Views only parse and render; every change goes through nim_portal.services, which checks the
permission and raises PermissionDenied (403) or ValidationError (shown on the form).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import access, selectors, services
from nim_portal.choices import UnitKind
from nim_portal.forms.errors import add_service_errors
from nim_portal.forms.staff import (
    CHILD_KIND_OF_KIND,
    UnitCreateForm,
    UnitDeactivateForm,
    UnitMoveForm,
    UnitRenameForm,
)
from nim_portal.models import Membership, Unit
from nim_portal.unit_impact import unit_impact
from nim_portal.web.decorators import staff_required
from nim_portal.web.history import HISTORY_LIMIT, history_entries


@require_GET
@staff_required
def unit_tree(request):
    """The whole hierarchy in one query, with links to act where the viewer administers. Each
    unit's units below it fold away; those on the way down to the units the viewer administers
    are open, and so are the tops of the tree."""
    paths = access.administered_paths(request.user)
    nodes_by_path = {}
    roots = []
    for unit in selectors.visible_units(request.user).order_by("path"):
        node = {
            "unit": unit,
            "may_administer": access.path_is_administered(unit.path, paths),
            "open": unit.depth == 1 or any(path.startswith(unit.path) for path in paths),
            "children": [],
        }
        nodes_by_path[unit.path] = node
        parent = nodes_by_path.get(unit.parent_path)
        (parent["children"] if parent else roots).append(node)
    return render(
        request,
        "nim_portal/units/tree.html",
        {"roots": roots, "child_kinds": CHILD_KIND_OF_KIND, "unit_count": len(nodes_by_path)},
    )


def _unit_for_admin(request, pk: int) -> Unit:
    """A unit the viewer may change: 404 when unknown, 403 when someone else administers it."""
    unit = selectors.get_unit_for(request.user, pk)
    if not access.may_administer(request.user, unit):
        raise PermissionDenied(f"You do not administer {unit}.")
    return unit


@require_GET
@staff_required
def unit_detail(request, pk: int):
    user = request.user
    unit = selectors.get_unit_for(user, pk)
    may_administer = access.may_administer(user, unit)
    memberships = (
        Membership.objects.filter(unit=unit).select_related("user").order_by("role", "user")
        if may_administer
        else Membership.objects.none()
    )
    records = unit.history.select_related("history_user").order_by("-history_date", "-history_id")
    events = selectors.audit_events_visible_to(user).filter(
        content_type=ContentType.objects.get_for_model(Unit), object_id=str(unit.pk)
    )
    return render(
        request,
        "nim_portal/units/detail.html",
        {
            "unit": unit,
            "ancestors": list(Unit.objects.get_ancestors(unit)),
            "children": Unit.objects.get_children(unit),
            "may_administer": may_administer,
            "may_add_child": may_administer and unit.is_active and unit.kind in CHILD_KIND_OF_KIND,
            "child_kind": CHILD_KIND_OF_KIND.get(UnitKind(unit.kind)),
            "memberships": memberships,
            "history": history_entries(
                records[: HISTORY_LIMIT + 1], ["kind", "code", "name", "is_active"]
            ),
            "events": events[:HISTORY_LIMIT],
        },
    )


@dataclass(frozen=True)
class Confirmation:
    """A change asked for twice: once on its form, then on a page that says what it reaches
    (nim_portal.unit_impact). `check` refuses early what the service would refuse."""

    question: Callable[[dict], str]
    consequence: str
    button: str
    check: Callable[[dict], None]
    warning: bool = False


CONFIRMED = "confirmed"


def _unit_form_page(request, unit, form, template, *, action, on_valid, success, confirm=None):
    """Render a unit's change form; on a valid POST run the service, or show its errors. A change
    with a `confirm` first shows what it reaches, and runs once that page is sent."""
    if request.method == "POST" and form.is_valid():
        try:
            if confirm is not None and request.POST.get(CONFIRMED) != "yes":
                confirm.check(form.cleaned_data)
                return _confirmation_page(request, unit, form, action, confirm)
            changed = on_valid(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("units:detail", pk=changed.pk)
    return render(
        request,
        template,
        {
            "unit": unit,
            "form": form,
            "action": action,
            "ancestors": Unit.objects.get_ancestors(unit),
        },
    )


def _confirmation_page(request, unit, form, action, confirm: Confirmation):
    return render(
        request,
        "nim_portal/units/confirm.html",
        {
            "unit": unit,
            "form": form,
            "action": action,
            "question": confirm.question(form.cleaned_data),
            "consequence": confirm.consequence,
            "button": confirm.button,
            "warning": confirm.warning,
            "impact": unit_impact(unit),
            "ancestors": Unit.objects.get_ancestors(unit),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def unit_create(request, pk: int):
    """Add a unit under `pk`, of the kind that sits under it."""
    parent = _unit_for_admin(request, pk)
    kind = CHILD_KIND_OF_KIND.get(UnitKind(parent.kind))
    if kind is None:
        raise Http404("No unit can be added under a basic command unit.")
    form = UnitCreateForm(request.POST if request.method == "POST" else None)
    return _unit_form_page(
        request,
        parent,
        form,
        "nim_portal/units/create.html",
        action=f"Add a {kind.label.lower()} under {parent}",
        on_valid=lambda data: services.unit_create(
            acting_user=request.user, parent=parent, kind=kind, request=request, **data
        ),
        success=f"New {kind.label.lower()} added under {parent}.",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def unit_rename(request, pk: int):
    unit = _unit_for_admin(request, pk)
    form = UnitRenameForm(
        request.POST if request.method == "POST" else None,
        initial={"code": unit.code, "name": unit.name},
    )
    return _unit_form_page(
        request,
        unit,
        form,
        "nim_portal/units/rename.html",
        action=f"Rename {unit}",
        on_valid=lambda data: services.unit_rename(
            acting_user=request.user, unit=unit, request=request, **data
        ),
        success="Unit renamed.",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def unit_move(request, pk: int):
    unit = _unit_for_admin(request, pk)
    form = UnitMoveForm(
        request.POST if request.method == "POST" else None,
        unit=unit,
        candidates=access.administered_units(request.user),
    )
    return _unit_form_page(
        request,
        unit,
        form,
        "nim_portal/units/move.html",
        action=f"Move {unit}",
        on_valid=lambda data: services.unit_move(
            acting_user=request.user, unit=unit, new_parent=data["parent"], request=request
        ),
        success=f"{unit} moved.",
        confirm=Confirmation(
            question=lambda data: f"Move {unit} under {data['parent']}?",
            consequence=(
                "Everything below it moves with it. People keep their roles; roles held above "
                "its old parent stop reaching it, and those above its new parent start to."
            ),
            button="Yes, move it",
            check=lambda data: services.unit_move_check(
                acting_user=request.user, unit=unit, new_parent=data["parent"]
            ),
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_required
def unit_deactivate(request, pk: int):
    unit = _unit_for_admin(request, pk)
    form = UnitDeactivateForm(request.POST if request.method == "POST" else None)
    return _unit_form_page(
        request,
        unit,
        form,
        "nim_portal/units/deactivate.html",
        action=f"Deactivate {unit}",
        on_valid=lambda data: services.unit_deactivate(
            acting_user=request.user, unit=unit, reason=data["reason"], request=request
        ),
        success=f"{unit} deactivated.",
        confirm=Confirmation(
            question=lambda data: f"Deactivate {unit}?",
            consequence=(
                "Nobody can act in it any more: a role held in it grants nothing. Its records "
                "and history stay, and it can be reactivated."
            ),
            button="Yes, deactivate it",
            check=lambda data: services.unit_deactivate_check(acting_user=request.user, unit=unit),
            warning=True,
        ),
    )


@require_POST
@staff_required
def unit_reactivate(request, pk: int):
    unit = _unit_for_admin(request, pk)
    try:
        services.unit_reactivate(acting_user=request.user, unit=unit, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{unit} reactivated.")
    return redirect("units:detail", pk=unit.pk)
