"""The admins' pages for partner agencies: the list, adding and changing an agency and its
information sharing agreement, its page with its people and releases, adding and removing people.

Partner users get 404 like on every police page; police users who administer no unit get 403
(nim_portal.web.decorators.staff_required). An agency the admin does not manage is a 404
(partners.selectors.agencies_administered_by); every change goes through partners.services,
whose PermissionDenied is a 403 with its message and whose ValidationError goes on the form.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import access
from nim_portal.forms.errors import add_service_errors
from nim_portal.models import Unit
from nim_portal.web.decorators import staff_required
from nim_portal.web.markings import page_marking_of
from partners import selectors, services
from partners.forms import AgencyForm, AgencyUpdateForm, AgencyUserForm
from partners.models import AgencyMembership, PartnerAgency


def _agency_for_admin(request, pk) -> PartnerAgency:
    agency = selectors.agencies_administered_by(request.user).filter(pk=pk).first()
    if agency is None:
        raise Http404("No such agency.")
    return agency


def _units_for(request):
    return access.administered_units(request.user).filter(is_active=True)


@require_GET
@staff_required
def agency_list(request):
    agencies = list(
        selectors.agencies_administered_by(request.user)
        .annotate(people=Count("memberships"))
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("path")))
        .order_by("name")
    )
    rows = [{"agency": agency, "lapsed": agency.lapsed_reason()} for agency in agencies]
    return render(request, "partners/agencies/list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@staff_required
def agency_create(request):
    form = AgencyForm(request.POST or None, units=_units_for(request))
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(
                acting_user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{agency.name} added.")
            return redirect("partners:agency_detail", pk=agency.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "partners/agencies/form.html",
        {"form": form, "action": "Add a partner agency", "button": "Add agency"},
        status=status,
    )


@require_GET
@staff_required
def agency_detail(request, pk):
    agency = _agency_for_admin(request, pk)
    memberships = AgencyMembership.objects.filter(agency=agency).select_related("user")
    releases = list(
        selectors.releases_visible_to_staff(request.user).filter(recipients__agency=agency)
    )
    return render(
        request,
        "partners/agencies/detail.html",
        {
            "agency": agency,
            "lapsed": agency.lapsed_reason(),
            "units": agency.units.order_by("path"),
            "memberships": memberships,
            "releases": releases,
            "page_marking": page_marking_of(releases),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def agency_update(request, pk):
    agency = _agency_for_admin(request, pk)
    initial = {
        "name": agency.name,
        "kind": agency.kind,
        "units": list(agency.units.all()),
        "agreement_reference": agency.agreement_reference,
        "agreement_purpose": agency.agreement_purpose,
        "agreement_starts_on": agency.agreement_starts_on,
        "agreement_review_on": agency.agreement_review_on,
        "is_active": agency.is_active,
    }
    # The agency's own units stay listed, even those the admin does not administer.
    units = Unit.objects.filter(
        Q(pk__in=_units_for(request).values("pk")) | Q(partner_agencies=agency)
    ).distinct()
    form = AgencyUpdateForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        chosen_units = list(changes.pop("units"))
        try:
            services.agency_update(
                acting_user=request.user,
                agency=agency,
                units=chosen_units,
                request=request,
                **changes,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{changes['name']} saved.")
            return redirect("partners:agency_detail", pk=agency.pk)
    return render(
        request,
        "partners/agencies/form.html",
        {"form": form, "agency": agency, "action": f"Change {agency.name}", "button": "Save"},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def agency_user_add(request, pk):
    agency = _agency_for_admin(request, pk)
    form = AgencyUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.agency_user_add(
                acting_user=request.user, agency=agency, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{membership.user} added to {agency.name}.")
            return redirect("partners:agency_detail", pk=agency.pk)
    return render(
        request,
        "partners/agencies/form.html",
        {
            "form": form,
            "agency": agency,
            "action": f"Add a person to {agency.name}",
            "button": "Add person",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required
def agency_user_remove(request, pk, membership_pk):
    agency = _agency_for_admin(request, pk)
    membership = (
        AgencyMembership.objects.filter(agency=agency, pk=membership_pk)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("No such person in this agency.")
    services.agency_user_remove(acting_user=request.user, membership=membership, request=request)
    messages.success(request, f"{membership.user} removed from {agency.name}.")
    return redirect("partners:agency_detail", pk=agency.pk)
