"""The register of tactical capability: a unit's capabilities (active first, then retired), and
for its chairs and administrators adding, changing and retiring one.

Missing and forbidden give the same 404 (tasking.resources.selectors). Every change goes through
tasking.resources.services: PermissionDenied shows its message on the 403 page, a ValidationError
goes back onto the form, and a change over an older version than the one saved is refused (409)
with the capability shown as it is now.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import police_required
from tasking.resources import policy, selectors, services
from tasking.resources.choices import REGISTER_MARKING
from tasking.resources.forms import CapabilityEditForm, CapabilityForm, CapabilityRetireForm


@require_GET
@police_required
def capability_register(request, unit_pk):
    unit = selectors.register_unit_for(request.user, unit_pk)
    return render(
        request,
        "tasking/resources/register.html",
        {
            "unit": unit,
            "capabilities": list(selectors.capability_register(unit)),
            "may_manage": policy.can_manage_capabilities(request.user, unit),
            "page_marking": REGISTER_MARKING,
        },
    )


@require_http_methods(["GET", "POST"])
@police_required
def capability_add(request, unit_pk):
    user = request.user
    unit = selectors.register_unit_for(user, unit_pk)
    policy.require_capability_manager(user, unit, "add to its register of capability")
    form = CapabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            capability = services.capability_add(
                acting_user=user, unit=unit, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{capability.name} added to the register.")
            return redirect("tasking:capability_register", unit_pk=unit.pk)
    return render(
        request,
        "tasking/resources/form.html",
        {"unit": unit, "form": form, "capability": None, "page_marking": REGISTER_MARKING},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@police_required
def capability_edit(request, pk):
    user = request.user
    capability = selectors.get_capability_for(user, pk)
    policy.require_capability_manager(user, capability.unit, "change its capability")
    initial = {
        "kind": capability.kind,
        "name": capability.name,
        "hours_per_cycle": capability.hours_per_cycle,
        "version": capability.version,
    }
    form = CapabilityEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.capability_edit(
                    acting_user=user,
                    capability=capability,
                    expected_version=data.pop("version"),
                    request=request,
                    **data,
                )
            except services.StaleCapability as stale:
                capability = stale.record
                form = CapabilityEditForm(
                    {**request.POST.dict(), "version": capability.version}, initial=initial
                )
                form.is_valid()
                add_service_errors(form, stale)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{data['name']} changed.")
                return redirect("tasking:capability_register", unit_pk=capability.unit_id)
    return render(
        request,
        "tasking/resources/form.html",
        {
            "unit": capability.unit,
            "form": form,
            "capability": capability,
            "retire_form": CapabilityRetireForm(initial={"version": capability.version}),
            "page_marking": REGISTER_MARKING,
        },
        status=status,
    )


@require_http_methods(["POST"])
@police_required
def capability_retire(request, pk):
    user = request.user
    capability = selectors.get_capability_for(user, pk)
    form = CapabilityRetireForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.capability_retire(
            acting_user=user, capability=capability, expected_version=version, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{capability.name} retired: its commitments stay on record.")
    return redirect("tasking:capability_register", unit_pk=capability.unit_id)
