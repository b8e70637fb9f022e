"""The admins' pages for people: who holds which role where, their vetting, and their history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import access, selectors, services
from nim_portal.choices import GSCMarking
from nim_portal.filters import PersonFilter
from nim_portal.forms.errors import add_service_errors
from nim_portal.forms.staff import MembershipGrantForm, PersonCreateForm, VettingForm
from nim_portal.models import Membership, User
from nim_portal.pagination import paginate
from nim_portal.web.decorators import staff_required
from nim_portal.web.history import HISTORY_LIMIT, history_entries

PEOPLE_PER_PAGE = 50
PERSON_HISTORY_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "kind",
    "vetting_level",
    "vetting_expires_on",
    "is_active",
]


def _person_for_admin(request, pk: int) -> User:
    """A person the viewer administers; anyone else is 404, so that ids cannot be probed."""
    person = selectors.people_administered_by(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    return person


@require_GET
@staff_required
def people_list(request):
    memberships = Membership.objects.select_related("unit").order_by("unit__path", "role")
    people = selectors.people_administered_by(request.user).prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )
    person_filter = PersonFilter(request.GET, queryset=people, request=request)
    people = person_filter.qs.order_by("last_name", "first_name", "pk")
    page_obj = paginate(request, people, PEOPLE_PER_PAGE)
    return render(
        request,
        "nim_portal/people/list.html",
        {
            "filter": person_filter,
            "form": person_filter.form,
            "page_obj": page_obj,
        },
    )


@require_GET
@staff_required
def person_detail(request, pk: int):
    person = _person_for_admin(request, pk)
    paths = access.administered_paths(request.user)
    memberships = [
        (membership, access.path_is_administered(membership.unit.path, paths))
        for membership in selectors.memberships_of(person)
    ]
    records = person.history.select_related("history_user").order_by("-history_date", "-history_id")
    marking = person.readable_marking
    return render(
        request,
        "nim_portal/people/detail.html",
        {
            "person": person,
            "memberships": memberships,
            "readable_marking": GSCMarking(marking).label if marking else "",
            "grant_form": MembershipGrantForm(units=access.administered_units(request.user)),
            "history": history_entries(records[: HISTORY_LIMIT + 1], PERSON_HISTORY_FIELDS),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def person_create(request):
    form = PersonCreateForm(
        request.POST if request.method == "POST" else None,
        units=access.administered_units(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.user_create(
                acting_user=request.user,
                unit=data.pop("unit"),
                role=data.pop("role"),
                username=data.pop("username"),
                password=data.pop("password"),
                request=request,
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person} can now sign in as {person.username}.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "nim_portal/people/create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@staff_required
def person_vetting(request, pk: int):
    person = _person_for_admin(request, pk)
    form = VettingForm(
        request.POST if request.method == "POST" else None,
        initial={
            "vetting_level": person.vetting_level,
            "vetting_expires_on": person.vetting_expires_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_vetting(
                acting_user=request.user, user=person, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Vetting of {person} updated.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "nim_portal/people/vetting.html", {"person": person, "form": form})


@require_POST
@staff_required
def membership_grant(request, pk: int):
    person = _person_for_admin(request, pk)
    form = MembershipGrantForm(request.POST, units=access.administered_units(request.user))
    if form.is_valid():
        try:
            services.membership_grant(
                acting_user=request.user, user=person, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Role granted.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request, "nim_portal/people/grant.html", {"person": person, "form": form}, status=400
    )


@require_POST
@staff_required
def membership_revoke(request, pk: int, membership_pk: int):
    person = _person_for_admin(request, pk)
    membership = person.memberships.select_related("unit", "user").filter(pk=membership_pk).first()
    if membership is None:
        raise Http404("No such role.")
    try:
        services.membership_revoke(acting_user=request.user, membership=membership, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"{membership.get_role_display()} role in {membership.unit} revoked."
        )
    return redirect("people:detail", pk=person.pk)
