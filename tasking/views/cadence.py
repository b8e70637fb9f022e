"""The admins' meeting cadence pages: the cadence policies of every kind of unit (changed by system
administrators through tasking.meetings.cadence.cadence_policy_update) and the units whose
cadence has lapsed (tasking.meetings.selectors.lapsed_cadences)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from nim_portal.choices import NIM_LEVEL_OF_KIND, UnitKind
from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import staff_required
from tasking.forms.cadence import CadencePolicyForm
from tasking.meetings.cadence import cadence_policy_update
from tasking.meetings.models import CadencePolicy
from tasking.meetings.selectors import lapsed_cadences

# The order of the levels on the page: national down to BCU.
KIND_ORDER = [UnitKind.NATIONAL, UnitKind.REGION, UnitKind.FORCE, UnitKind.BCU]


@require_GET
@staff_required
def cadence_policies(request):
    """Every cadence policy, by kind of unit (NIM level), with the meeting kinds under each."""
    policies = list(CadencePolicy.objects.all())
    groups = []
    for kind in KIND_ORDER:
        rows = [p for p in policies if p.unit_kind == kind]
        if rows:
            groups.append(
                {"kind": UnitKind(kind), "level": NIM_LEVEL_OF_KIND[kind], "policies": rows}
            )
    return render(
        request,
        "tasking/cadence/policies.html",
        {"groups": groups, "may_change": request.user.is_superuser},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def cadence_policy_edit(request, pk):
    policy = get_object_or_404(CadencePolicy, pk=pk)
    if not request.user.is_superuser:
        # The service refuses it too; the form is not offered to someone it would refuse.
        raise PermissionDenied("Only a system administrator can change the meeting cadence.")
    form = CadencePolicyForm(request.POST or None, initial=CadencePolicyForm.initial_of(policy))
    if request.method == "POST" and form.is_valid():
        try:
            cadence_policy_update(
                acting_user=request.user, policy=policy, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Cadence saved: {CadencePolicy.objects.get(pk=policy.pk)}.")
            return redirect("tasking:cadence_policies")
    return render(
        request,
        "tasking/cadence/policy_edit.html",
        {"policy": policy, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@staff_required
def lapsed_cadence_list(request):
    """The units the viewer administers whose T&CG has not met within its cadence and grace."""
    return render(
        request,
        "tasking/cadence/lapsed.html",
        {"lapsed": lapsed_cadences(request.user), "today": timezone.localdate()},
    )
