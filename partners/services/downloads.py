"""What a partner user does with a release: accept its handling conditions (which asks for their
own copy, partners.services.copies), ask for that copy again, and download it (every download
audited)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb
from nim_portal.models import User
from nim_portal.services import audit_record
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import (
    AgencyMembership,
    HandlingAcknowledgement,
    PartnerAgency,
    Release,
    ReleaseCopy,
)
from partners.models.releases import VIEW_RELEASE
from partners.selectors import get_release_for_partner
from partners.services.copies import release_copy_enqueue


class HandlingNotAcknowledged(ValidationError):
    """The partner must accept the release's handling conditions before downloading it."""


class ReleaseEnded(ValidationError):
    """The release was withdrawn or has expired: it can no longer be downloaded."""


def _on_date(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def _partner_release(user: User, release: Release) -> tuple[Release, PartnerAgency]:
    """The release as its partner reader sees it, and their agency: 404 for anybody else."""
    release = get_release_for_partner(user, release.pk)
    agency = AgencyMembership.objects.select_related("agency").get(user=user).agency
    return release, agency


def _refuse_if_ended(release: Release) -> None:
    if release.status == ReleaseStatus.WITHDRAWN:
        raise ReleaseEnded(
            f"This release was withdrawn on {_on_date(release.withdrawn_at)}: "
            f"{release.withdrawn_reason}"
        )
    if release.status == ReleaseStatus.EXPIRED or release.expires_on < timezone.localdate():
        raise ReleaseEnded(
            f"This release expired on {release.expires_on:%-d %B %Y}: it can no longer be "
            "downloaded."
        )


def _downloadable(user: User, release: Release) -> tuple[Release, PartnerAgency]:
    """The release and the partner user's agency when they may have its PDF now: a live
    release, to their agency holding the grant and an agreement in force, its handling
    conditions accepted. 404, ReleaseEnded, a ValidationError or HandlingNotAcknowledged
    otherwise."""
    release, agency = _partner_release(user, release)
    _refuse_if_ended(release)
    if not access.user_holds_object_permission(user, VIEW_RELEASE, release):
        raise Http404("No such release.")
    lapsed = agency.lapsed_reason()
    if lapsed:
        raise ValidationError(f"{lapsed} Downloads resume once it is renewed.")
    if not HandlingAcknowledgement.objects.filter(release=release, user=user).exists():
        raise HandlingNotAcknowledged("Acknowledge the handling conditions first.")
    return release, agency


@transaction.atomic
def handling_acknowledge(
    *, acting_user: User, release: Release, request: HttpRequest | None = None
) -> HandlingAcknowledgement:
    """A partner user accepts the release's handling conditions (once; again is a no-op), and
    their own copy is asked for (while their agency's agreement is in force)."""
    release, agency = _partner_release(acting_user, release)
    _refuse_if_ended(release)
    acknowledgement, created = HandlingAcknowledgement.objects.get_or_create(
        release=release, user=acting_user, defaults={"agency": agency}
    )
    if created:
        audit_record(
            actor=acting_user,
            verb=AuditVerb.UPDATE,
            obj=release,
            request=request,
            detail={"handling_conditions": "accepted", "agency": agency.pk},
        )
        if not agency.lapsed_reason():
            release_copy_enqueue(release, acting_user, agency)
    return acknowledgement


@transaction.atomic
def release_copy_request(
    *, acting_user: User, release: Release, request: HttpRequest | None = None
) -> ReleaseCopy:
    """A partner user asks for their own copy, again after a failure (or when none was made):
    refused as a download would be (release_download)."""
    release, agency = _downloadable(acting_user, release)
    return release_copy_enqueue(release, acting_user, agency)


def release_download(
    *, acting_user: User, release: Release, request: HttpRequest | None = None
) -> ReleaseCopy:
    """The partner user's own ready copy of the release (its PDF names them and their agency);
    every download audited.

    404 for anybody but a partner user of a recipient agency holding the grant. Refused with
    ReleaseEnded (withdrawn or expired, saying when and why), HandlingNotAcknowledged, or a
    ValidationError while their copy is not ready or the agency's agreement has lapsed.
    """
    release, agency = _downloadable(acting_user, release)
    copy = ReleaseCopy.objects.filter(
        release=release, user=acting_user, agency=agency, status=DocumentStatus.READY
    ).first()
    if copy is None or not copy.file.storage.exists(copy.file.name):
        raise ValidationError("Your copy is not ready yet: its progress is on the release's page.")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.DOWNLOAD,
        obj=release,
        request=request,
        detail={
            "agency": agency.pk,
            "agency_name": agency.name,
            "copy": copy.pk,
            "sha256": copy.sha256,
        },
    )
    return copy
