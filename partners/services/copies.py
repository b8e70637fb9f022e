"""Each partner user's own copy of a release: its PDF watermarked with their name and agency,
rendered by a job of the pipeline (RELEASE_COPY_JOB) once they accept the handling conditions, so
that their download serves a stored file at once.

A copy is rendered, not stamped at download: the portal writes PDFs with WeasyPrint and has no
library to overlay a page of an existing PDF, and a render at each download would keep its reader
waiting for seconds. Rendered once per person, the copy is served as fast as the agency's was.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from nim_portal.jobs import job_enqueue
from nim_portal.models import User
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import AgencyMembership, PartnerAgency, Release, ReleaseCopy
from partners.selectors import releases_for_partner
from partners.services.documents import release_pdf

# The job (nim_portal.jobs) that renders one partner user's copy: registered in partners.apps.
RELEASE_COPY_JOB = "partners.release_copy"


def _pending(copy: ReleaseCopy, agency: PartnerAgency) -> None:
    copy.status, copy.last_error, copy.agency = DocumentStatus.PENDING, "", agency
    copy.save(update_fields=["status", "last_error", "agency", "updated_at"])


def release_copy_enqueue(release: Release, user: User, agency: PartnerAgency) -> ReleaseCopy:
    """The user's copy of the release for their agency, asked for in the caller's transaction
    (the caller checked that they may download it): a ready copy stays as it is; any other
    waits for a job, written with the change (work already waiting is not asked for twice)."""
    copy, created = ReleaseCopy.objects.select_for_update().get_or_create(
        release=release, user=user, defaults={"agency": agency}
    )
    if copy.status == DocumentStatus.READY and copy.agency_id == agency.pk:
        return copy
    if not created:
        _pending(copy, agency)
    job_enqueue(RELEASE_COPY_JOB, copy.pk)
    return copy


def _still_theirs(copy: ReleaseCopy) -> bool:
    """The copy's reader may still receive it: the release is available to them (their agency's
    grant, not ended, not past its expiry) and they are still of the copy's agency."""
    today = timezone.localdate()
    available = releases_for_partner(copy.user).filter(
        pk=copy.release_id, status=ReleaseStatus.AVAILABLE, expires_on__gte=today
    )
    member = AgencyMembership.objects.filter(user_id=copy.user_id, agency_id=copy.agency_id)
    return available.exists() and member.exists()


def release_copy_render(copy_id: int) -> bool:
    """Job (RELEASE_COPY_JOB): render one partner user's copy and store it, once.

    Nothing to do (False) for a copy already ready, or one its reader may no longer receive
    (the release withdrawn or expired, the grant revoked, the person moved or made inactive).
    An error propagates: the pipeline retries the job and, on its last attempt, calls
    release_copy_render_failed.
    """
    with transaction.atomic():
        copy = (
            ReleaseCopy.objects.select_for_update(of=("self",))
            .select_related("agency", "user")
            .filter(pk=copy_id)
            .first()
        )
        if copy is None or copy.status == DocumentStatus.READY or not _still_theirs(copy):
            return False
        release = Release.objects.select_related("version", "prepared_by", "approved_by").get(
            pk=copy.release_id
        )
        pdf = release_pdf(release, copy.agency, reader=copy.user)
        copy.file.save("release.pdf", ContentFile(pdf), save=False)
        copy.sha256 = hashlib.sha256(pdf).hexdigest()
        copy.status, copy.last_error = DocumentStatus.READY, ""
        copy.rendered_at = timezone.now()
        copy.save()
        return True


def release_copy_render_failed(copy_id: int, error: str) -> None:
    """The render's job stopped for good (on_failure of RELEASE_COPY_JOB): the copy shows it
    failed, and its reader may ask for it again from the release's page."""
    copy = ReleaseCopy.objects.select_for_update().filter(pk=copy_id).first()
    if copy is None or copy.status == DocumentStatus.READY:
        return
    copy.status, copy.last_error = DocumentStatus.FAILED, error
    copy.save(update_fields=["status", "last_error", "updated_at"])


def release_copy_reopen(copy_id: int) -> None:
    """Staff retry the render's failed job (on_retry of RELEASE_COPY_JOB): the copy waits again."""
    copy = ReleaseCopy.objects.select_for_update().filter(pk=copy_id).first()
    if copy is not None and copy.status == DocumentStatus.FAILED:
        _pending(copy, copy.agency)
