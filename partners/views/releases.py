"""Police staff's pages for partner releases: the list, preparing a release of a published
version, and the release's page — the sanitised preview beside what was removed, the
personal-data warnings, approval, the PDFs' rendering, withdrawal and the download history.

Partner users get 404 on every one of them. Releases come from partners.selectors (missing and
forbidden: the same 404) and every change is a service of partners.services: its PermissionDenied
is a 403 with its message, its ValidationError is shown on the page and nothing changes.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.job_progress import JobProgress, latest_jobs
from nim_portal.models import Unit
from nim_portal.pagination import paginate
from nim_portal.web.decorators import police_required
from nim_portal.web.markings import page_marking_of
from partners import selectors, services
from partners.choices import RELEASE_TRANSITIONS, DocumentStatus, ReleaseStatus
from partners.forms import ReleasePrepareForm, WarningsForm, WithdrawForm
from partners.models import PartnerAgency, Release, ReleaseDocument
from partners.policy import PREPARING_ROLES, ReleasePolicy, require_prepare
from partners.progress import document_outcome, may_retry_documents, pdfs_state
from partners.sanitise import (
    HIGHEST_RELEASABLE_MARKING,
    RELEASABLE_KINDS,
    SectionOutcome,
    partner_section_html,
)
from products import selectors as product_selectors
from products.templatetags.product_tags import version_marking_label

RELEASES_PER_PAGE = 25


# The list.


@require_GET
@police_required
def release_list(request):
    status = request.GET.get("status", "")
    releases = selectors.releases_visible_to_staff(request.user).prefetch_related(
        Prefetch("agencies", queryset=PartnerAgency.objects.order_by("name"))
    )
    if status in ReleaseStatus.values:
        releases = releases.filter(status=status)
    else:
        status = ""
    page_obj = paginate(request, releases, RELEASES_PER_PAGE)
    return render(
        request,
        "partners/releases/list.html",
        {
            "page_obj": page_obj,
            "status": status,
            "statuses": ReleaseStatus.choices,
            "may_prepare": product_selectors.units_where_user_holds_any(
                request.user, PREPARING_ROLES
            ).exists(),
            "page_marking": page_marking_of(page_obj.object_list),
        },
    )


# Preparing a release.


@require_GET
@police_required
def release_choose_version(request):
    """The latest published versions the analyst may release: products of a releasable kind,
    of the units where they are an analyst, that they may read."""
    analyst_units = product_selectors.units_where_user_holds_any(request.user, PREPARING_ROLES)
    products = list(
        product_selectors.visible_products(request.user)
        .filter(
            kind__in=RELEASABLE_KINDS,
            current_version__gt=0,
            unit__in=analyst_units.values("pk"),
        )
        .select_related("unit")
        .order_by("-updated_at", "-id")[:100]
    )
    return render(
        request,
        "partners/releases/choose.html",
        {"products": products, "page_marking": page_marking_of(products)},
    )


def _version_for(request, product_pk, number):
    product = product_selectors.get_product_for(request.user, product_pk)
    version = (
        product_selectors.visible_versions(request.user, product).filter(number=number).first()
    )
    if version is None:
        raise Http404("No such version.")
    version.product = product
    return product, version


def _section_rows(version) -> tuple[list[dict], list[dict]]:
    """The version's sections that may be chosen, and those that may not with why."""
    choosable, held_back = [], []
    for section in sorted(version.content["sections"], key=lambda s: (s["position"], s["id"])):
        row = {"section": section, "marking_label": GSCMarking(section["marking"]).label}
        if section.get("releasable") is not True:
            row["why"] = "Not marked releasable to partners in this version."
            held_back.append(row)
        elif section["marking"] > HIGHEST_RELEASABLE_MARKING:
            row["why"] = (
                f"Marked {row['marking_label']}: nothing above "
                f"{HIGHEST_RELEASABLE_MARKING.label} goes to partners."
            )
            held_back.append(row)
        else:
            choosable.append(row)
    return choosable, held_back


def _agency_rows(unit: Unit) -> list[dict]:
    """Agencies working with `unit`, a unit above or below it; a lapsed one with its reason.
    partners.services.release_prepare decides: this only shows the choice."""
    current = set(selectors.agencies_for_unit(unit).values_list("pk", flat=True))
    related_units = Unit.objects.filter(access.in_tree_of(unit, field=None))
    agencies = PartnerAgency.objects.filter(units__in=related_units).distinct().order_by("name")
    return [
        {
            "agency": agency,
            "lapsed": "" if agency.pk in current else agency.lapsed_reason(),
        }
        for agency in agencies
    ]


@require_http_methods(["GET", "POST"])
@police_required
def release_prepare(request, product_pk, number):
    product, version = _version_for(request, product_pk, number)
    require_prepare(request.user, product, "prepare a partner release")
    choosable, held_back = _section_rows(version)
    form = ReleasePrepareForm(
        request.POST or None,
        section_ids=[s["id"] for s in version.content["sections"]],
        initial={"sections": [row["section"]["id"] for row in choosable]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = services.release_prepare(
                acting_user=request.user,
                version=version,
                agencies=list(data["agencies"]),
                section_ids=data["sections"],
                marking=data["marking"],
                purpose=data["purpose"],
                retention_months=data["retention_months"],
                expires_on=data["expires_on"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Release {release.reference} prepared: check the preview and its warnings, then "
                "ask another reviewer to approve it.",
            )
            return redirect("partners:release_detail", pk=release.pk)
    chosen_agencies = {str(pk) for pk in form["agencies"].value() or []}
    chosen_sections = {str(pk) for pk in form["sections"].value() or []}
    return render(
        request,
        "partners/releases/prepare.html",
        {
            "product": product,
            "version": version,
            "form": form,
            "choosable": choosable,
            "held_back": held_back,
            "agencies": _agency_rows(product.unit),
            "chosen_agencies": chosen_agencies,
            "chosen_sections": chosen_sections,
            "today": timezone.localdate(),
            "page_marking": version_marking_label(version),
        },
        status=400 if form.errors else 200,
    )


# The release's page.


def _documents(release: Release) -> list[ReleaseDocument]:
    return list(release.documents.select_related("agency").order_by("agency__name"))


def _documents_context(release: Release, documents, policy: ReleasePolicy) -> dict:
    """The PDFs panel: each agency's PDF with its render's progress (its newest job), and where
    they stand. Two queries, however many agencies."""
    may_retry = may_retry_documents(policy)
    jobs = latest_jobs(services.RELEASE_DOCUMENT_JOB, [d.pk for d in documents])
    for document in documents:
        job = jobs.get(document.pk)
        outcome = document_outcome(document, may_retry=may_retry)
        document.progress = JobProgress(job, outcome) if job else None
    return {
        "release": release,
        "documents": documents,
        "rendering": any(d.status == DocumentStatus.PENDING for d in documents),
        "pdfs_state": pdfs_state(documents),
    }


def _detail_context(request, release: Release, **forms) -> dict:
    user = request.user
    preview = services.release_preview(acting_user=user, release=release, request=request)
    release = preview.release
    version = release.version
    policy = ReleasePolicy(user, release)
    is_draft = release.status == ReleaseStatus.DRAFT
    outstanding_ids = {w.id for w in preview.outstanding}
    sections = [
        {
            "decision": decision,
            "section": section,
            "html": mark_safe(partner_section_html(section.body)),  # noqa: S308  (nh3-sanitised)
        }
        for decision, section in preview.sanitised.side_by_side()
    ]
    left_out = [
        decision
        for decision in preview.sanitised.removed_for_police_eyes_only
        if decision.outcome != SectionOutcome.KEPT
    ]
    actions = {
        "acknowledge": is_draft and policy.can_acknowledge() and bool(preview.outstanding),
        "approve": is_draft and policy.can_approve(),
        "withdraw": bool(RELEASE_TRANSITIONS[release.status]) and policy.can_manage(),
    }
    context = {
        "release": release,
        "version": version,
        "product": version.product,
        "agencies": list(release.agencies.order_by("name")),
        "partner": preview.partner,
        "sections": sections,
        "left_out": left_out,
        "not_releasable": SectionOutcome.NOT_RELEASABLE,
        "warnings": [
            {"warning": w, "outstanding": w.id in outstanding_ids} for w in preview.warnings
        ],
        "outstanding_count": len(preview.outstanding),
        "history": list(selectors.release_download_history(user, release).order_by("-at")),
        "actions": actions,
        "is_preparer": policy.is_preparer,
        "version_marking": version_marking_label(version),
        "page_marking": release.marking_label,
        "action_errors": forms.get("action_errors", []),
        **_documents_context(release, _documents(release), policy),
    }
    if actions["acknowledge"]:
        context["warnings_form"] = forms.get("warnings_form") or WarningsForm(
            warning_ids=[w.id for w in preview.warnings]
        )
    if actions["withdraw"]:
        context["withdraw_form"] = forms.get("withdraw_form") or WithdrawForm()
    return context


def _page(request, release, status=200, **forms):
    return render(
        request,
        "partners/releases/detail.html",
        _detail_context(request, release, **forms),
        status=status,
    )


@require_GET
@police_required
def release_detail(request, pk):
    return _page(request, selectors.get_release_for_staff(request.user, pk))


@require_GET
@police_required
def release_documents(request, pk):
    """The PDFs panel alone, read again (htmx) each time one of its renders finishes."""
    release = selectors.get_release_for_staff(request.user, pk)
    if not request.htmx:
        return redirect("partners:release_detail", pk=release.pk)
    policy = ReleasePolicy(request.user, release)
    # With the panel goes the release's status tag (out of band), which the renders move on.
    return render(
        request,
        "partners/releases/includes/documents.html",
        {**_documents_context(release, _documents(release), policy), "with_status": True},
    )


@require_POST
@police_required
def release_acknowledge_warnings(request, pk):
    release = selectors.get_release_for_staff(request.user, pk)
    preview = services.release_preview(acting_user=request.user, release=release, request=request)
    form = WarningsForm(request.POST, warning_ids=[w.id for w in preview.warnings])
    if form.is_valid():
        try:
            services.release_acknowledge_warnings(
                acting_user=request.user,
                release=release,
                warning_ids=form.cleaned_data["warnings"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The warnings you ticked may stand in the partner text.")
            return redirect("partners:release_detail", pk=release.pk)
    return _page(request, release, status=400, warnings_form=form)


@require_POST
@police_required
def release_approve(request, pk):
    release = selectors.get_release_for_staff(request.user, pk)
    try:
        services.release_approve(acting_user=request.user, release=release, request=request)
    except ValidationError as exc:
        return _page(request, release, status=400, action_errors=exc.messages)
    # Said from the PDFs as they stand: in-process (the demo) they are rendered by now.
    messages.success(
        request, f"Release {release.reference} approved. {pdfs_state(_documents(release))}"
    )
    return redirect("partners:release_detail", pk=release.pk)


@require_POST
@police_required
def release_withdraw(request, pk):
    release = selectors.get_release_for_staff(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.release_withdraw(
                acting_user=request.user,
                release=release,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Release {release.reference} withdrawn.")
            return redirect("partners:release_detail", pk=release.pk)
    return _page(request, release, status=400, withdraw_form=form)


@require_POST
@police_required
def release_document_retry(request, pk, document_pk):
    release = selectors.get_release_for_staff(request.user, pk)
    document = release.documents.filter(pk=document_pk).select_related("agency").first()
    if document is None:
        raise Http404("No such document.")
    try:
        services.release_document_retry(
            acting_user=request.user, document=document, request=request
        )
    except ValidationError as exc:
        return _page(request, release, status=400, action_errors=exc.messages)
    messages.success(request, f"The PDF for {document.agency.name} was asked for again.")
    return redirect("partners:release_detail", pk=release.pk)
