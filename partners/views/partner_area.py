"""The partner area: the releases to a partner user's agency, their handling conditions and the
audited download, and the partner panel of the dashboard.

Partner users only (police users get the same 404 as a missing page). Every read goes through
partners.selectors.releases_for_partner, so a release to another agency is a 404 as well; the
acknowledgement and the download are services (partners.services), which audit them.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from nim_portal.choices import AuditVerb
from nim_portal.models import User
from nim_portal.services import audit_record
from nim_portal.web.decorators import partner_required
from nim_portal.web.markings import page_marking_of
from partners import selectors, services
from partners.choices import ReleaseStatus
from partners.models import HandlingAcknowledgement, Release

# Releases shown on the partner's dashboard panel, newest first.
DASHBOARD_RELEASES = 5


def release_state(release: Release, today) -> str:
    """What became of the release, as its partner readers are told: available, withdrawn or
    expired (past its expiry date even before the nightly job ends it)."""
    if release.status == ReleaseStatus.WITHDRAWN:
        return ReleaseStatus.WITHDRAWN
    if release.status == ReleaseStatus.EXPIRED or release.expires_on < today:
        return ReleaseStatus.EXPIRED
    return ReleaseStatus.AVAILABLE


def _rows(releases) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "release": release,
            # The title frozen at approval: the partner text, never the product itself.
            "title": release.partner_content["title"],
            "state": release_state(release, today),
        }
        for release in releases
    ]


def partner_panel(user: User) -> dict:
    """The dashboard's partner panel: the agency's newest releases and its agreement's state."""
    releases = list(selectors.releases_for_partner(user)[:DASHBOARD_RELEASES])
    return {
        "rows": _rows(releases),
        "marking": page_marking_of(releases),
        "more": selectors.releases_for_partner(user).count() > len(releases),
        **selectors.agreement_notice(selectors.agency_of(user)),
    }


@require_GET
@partner_required
def release_list(request):
    releases = list(selectors.releases_for_partner(request.user))
    return render(
        request,
        "partners/area/release_list.html",
        {
            "rows": _rows(releases),
            "page_marking": page_marking_of(releases),
            **selectors.agreement_notice(selectors.agency_of(request.user)),
        },
    )


@require_GET
@partner_required
def release_detail(request, pk):
    release = selectors.get_release_for_partner(request.user, pk)
    # Every read of a release is audited (docs/access.md, rule 7).
    audit_record(actor=request.user, verb=AuditVerb.VIEW, obj=release, request=request)
    agency = selectors.agency_of(request.user)
    acknowledgement = HandlingAcknowledgement.objects.filter(
        release=release, user=request.user
    ).first()
    return render(
        request,
        "partners/area/release_detail.html",
        {
            "release": release,
            "title": release.partner_content["title"],
            "state": release_state(release, timezone.localdate()),
            "acknowledgement": acknowledgement,
            "lapsed": agency.lapsed_reason() if agency else "",
            "page_marking": release.marking,
        },
    )


@require_POST
@partner_required
def release_acknowledge(request, pk):
    release = selectors.get_release_for_partner(request.user, pk)
    try:
        services.handling_acknowledge(acting_user=request.user, release=release, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "You accepted the handling conditions: you may download it.")
    return redirect("partners:area_release", pk=release.pk)


@require_GET
@partner_required
def release_download(request, pk):
    release = selectors.get_release_for_partner(request.user, pk)
    try:
        document = services.release_download(
            acting_user=request.user, release=release, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("partners:area_release", pk=release.pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{release.reference}.pdf",
        content_type="application/pdf",
    )
    # The copy is the partner's own to handle: no browser or proxy keeps one.
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response
