"""The meetings' pages: the list of the user's meetings (and the dashboard's panel of the next
ones), a police invitee's .ics of their invitation, and the admins' cadence pages: the cadence
policies of every kind of unit (changed by system administrators through
tasking.meetings.cadence.cadence_policy_update) and the units whose cadence has lapsed
(tasking.meetings.selectors.lapsed_cadences). A meeting's own page is its proceedings'
(tasking.proceedings.views.meeting)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from nim_portal.choices import NIM_LEVEL_OF_KIND, GSCMarking, UnitKind
from nim_portal.forms.errors import add_service_errors
from nim_portal.pagination import paginate
from nim_portal.web.decorators import police_required, staff_required
from tasking.meetings.cadence import cadence_policy_update
from tasking.meetings.forms import CadencePolicyForm
from tasking.meetings.ics import meeting_ics_response
from tasking.meetings.models import CadencePolicy
from tasking.meetings.policy import can_change_cadence, require_cadence_changer
from tasking.meetings.selectors import (
    get_police_invitation,
    lapsed_cadences,
    meetings_for_user,
    next_meetings_for_user,
)

MEETINGS_PER_PAGE = 25
# Cadence.

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
        {"groups": groups, "may_change": can_change_cadence(request.user)},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def cadence_policy_edit(request, pk):
    policy = get_object_or_404(CadencePolicy, pk=pk)
    # The service refuses it too; the form is not offered to someone it would refuse.
    require_cadence_changer(request.user)
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


# The user's meetings.


@require_GET
@police_required
def meeting_list(request):
    page = paginate(request, meetings_for_user(request.user), MEETINGS_PER_PAGE)
    return render(
        request,
        "tasking/meetings/list.html",
        {"page": page, "meetings": list(page), "page_marking": GSCMarking.OFFICIAL},
    )


@require_GET
@police_required
def meeting_ics(request, pk):
    """A police invitee's own invitation as an .ics (404 to anybody not invited)."""
    invitation = get_police_invitation(request.user, pk)
    return meeting_ics_response(invitation.meeting, request.user)


def my_meetings_panel(user) -> dict:
    """The dashboard's "My meetings" panel (registered in tasking.apps)."""
    return {"meetings": next_meetings_for_user(user)}
