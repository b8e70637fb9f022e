"""The partner area: the releases to a partner user's agency, their handling conditions, the
partner user's own copy (its render's progress, then the audited download), and the partner
panel of the dashboard.

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
from nim_portal.job_progress import JobProgress, latest_jobs
from nim_portal.models import User
from nim_portal.services import audit_record
from nim_portal.web.decorators import partner_required
from nim_portal.web.markings import page_marking_of
from partners import selectors, services
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import HandlingAcknowledgement, Release, ReleaseCopy
from partners.progress import copy_outcome

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


def _copy_progress(release: Release, copy: ReleaseCopy | None) -> JobProgress | None:
    """The render of the reader's own copy while it is not ready: its newest job."""
    if copy is None or copy.status == DocumentStatus.READY:
        return None
    job = latest_jobs(services.RELEASE_COPY_JOB, [copy.pk]).get(copy.pk)
    return JobProgress(job, copy_outcome(copy, release.reference)) if job else None


def _copy_news(release: Release, user: User) -> str:
    """What became of the reader's copy just asked for: in-process (the demo) it is ready by now."""
    copy = ReleaseCopy.objects.filter(release=release, user=user).first()
    if copy is None:
        return ""
    if copy.status == DocumentStatus.READY:
        return "Your copy, which names you and your agency, is ready to download."
    if copy.status == DocumentStatus.FAILED:
        return "Your copy could not be made: try it again."
    return "Your copy, which names you and your agency, is being made: this page shows how far."


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
    copy = ReleaseCopy.objects.filter(release=release, user=request.user).first()
    return render(
        request,
        "partners/area/release_detail.html",
        {
            "release": release,
            "title": release.partner_content["title"],
            "state": release_state(release, timezone.localdate()),
            "acknowledgement": acknowledgement,
            "copy": copy,
            "copy_progress": _copy_progress(release, copy),
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
        messages.success(
            request,
            f"You accepted the handling conditions. {_copy_news(release, request.user)}".strip(),
        )
    return redirect("partners:area_release", pk=release.pk)


@require_POST
@partner_required
def release_copy(request, pk):
    """The reader asks for their own copy again (after a failure, or when none was made)."""
    release = selectors.get_release_for_partner(request.user, pk)
    try:
        services.release_copy_request(acting_user=request.user, release=release, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _copy_news(release, request.user))
    return redirect("partners:area_release", pk=release.pk)


@require_GET
@partner_required
def release_download(request, pk):
    release = selectors.get_release_for_partner(request.user, pk)
    try:
        copy = services.release_download(acting_user=request.user, release=release, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("partners:area_release", pk=release.pk)
    response = FileResponse(
        copy.file.open("rb"),
        as_attachment=True,
        filename=f"{release.reference}.pdf",
        content_type="application/pdf",
    )
    # The copy is the partner's own to handle: no browser or proxy keeps one.
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response
