"""The PDFs of a release, one per agency: rendered by jobs of the pipeline (nim_portal.jobs:
RELEASE_DOCUMENT_JOB) from the frozen partner text, and tried again when one fails."""

import hashlib
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from nim_portal.choices import AuditVerb, NotificationKind
from nim_portal.jobs import job_enqueue
from nim_portal.models import User
from nim_portal.pdf import DocumentControl, render_marked_document
from nim_portal.services import audit_record, notify
from partners.choices import GRANTED_STATUSES, DocumentStatus, ReleaseStatus
from partners.models import PartnerAgency, Release, ReleaseDocument
from partners.policy import ReleasePolicy
from partners.sanitise import PartnerSection, PartnerText, partner_section_html
from partners.services.lifecycle import RELEASE_LIFECYCLE, lock_release, tell_agencies
from products.services import snapshot_digest

# The job (nim_portal.jobs) that renders one agency's PDF: registered in partners.apps.
RELEASE_DOCUMENT_JOB = "partners.release_document"


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def release_recipient(agency: PartnerAgency, reader: User | None = None) -> str:
    """Whom a PDF of the release is for: the partner user and their agency on their own copy,
    the agency alone on the agency's."""
    return f"{_person(reader)}, {agency.name}" if reader else agency.name


def release_pdf(release: Release, agency: PartnerAgency, reader: User | None = None) -> bytes:
    """The PDF of a release for one agency, or for one of its users (`reader`: their own copy),
    from its frozen `partner_content` only.

    Marking at the top and bottom of every page, "Released to <reader>, <agency> — <reference>"
    diagonally and lightly behind the text of every page, page x of y, the document-control
    table and the handling conditions.
    """
    content = release.partner_content
    partner = PartnerText(
        title=content["title"],
        kind_label=content["kind_label"],
        sections=tuple(PartnerSection(s["title"], s["body"]) for s in content["sections"]),
    )
    sections = [
        # partner_section_html sanitises with nh3 (an explicit allow-list).
        {"title": s.title, "html": mark_safe(partner_section_html(s.body))}  # noqa: S308
        for s in partner.sections
    ]
    handling = " ".join(release.handling_conditions)
    control = DocumentControl(
        version=f"{release.reference} (product version {release.version.number})",
        date=timezone.localtime(release.approved_at).date(),
        author=_person(release.prepared_by),
        reviewer=_person(release.approved_by),
        marking=release.marking_label,
        handling=handling,
        sha256=snapshot_digest(content),
    )
    return render_marked_document(
        "partners/print/release.html",
        {
            "reference": release.reference,
            "kind_label": partner.kind_label,
            "recipient": release_recipient(agency, reader),
            "handling_conditions": release.handling_conditions,
            "sections": sections,
        },
        marking_label=release.marking_label,
        title=partner.title,
        document_control=control,
        watermark=f"Released to {release_recipient(agency, reader)} — {release.reference}",
    )


def release_document_render(document_id: int) -> bool:
    """Job (RELEASE_DOCUMENT_JOB): render one agency's PDF and store it, once.

    Nothing to do (False) for a document already ready or a release no longer live. The first PDF
    stored moves the release to rendering, the last one makes it available and tells the
    agencies' users. An error propagates: the pipeline retries the job and, on its last attempt,
    calls release_document_render_failed.
    """
    with transaction.atomic():
        document = (
            ReleaseDocument.objects.select_for_update(of=("self",))
            .select_related("agency")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status == DocumentStatus.READY:
            return False
        release = Release.objects.select_related("version", "prepared_by", "approved_by").get(
            pk=document.release_id
        )
        if release.status not in GRANTED_STATUSES:
            return False
        # Rendered before the release is locked, so that its agencies' PDFs render side by side.
        pdf = release_pdf(release, document.agency)
        release = Release.objects.select_for_update().get(pk=document.release_id)
        if release.status not in GRANTED_STATUSES:
            return False
        document.file.save("release.pdf", ContentFile(pdf), save=False)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.status, document.last_error = DocumentStatus.READY, ""
        document.rendered_at = timezone.now()
        document.save()
        if release.status == ReleaseStatus.APPROVED:
            RELEASE_LIFECYCLE.move(
                release, ReleaseStatus.RENDERING, acting_user=None, reason="Rendering the PDFs"
            )
        if not release.documents.exclude(status=DocumentStatus.READY).exists():
            release.available_at = timezone.now()
            RELEASE_LIFECYCLE.move(
                release,
                ReleaseStatus.AVAILABLE,
                acting_user=None,
                reason="PDFs ready",
                notify=partial(tell_agencies, release, "is ready to download."),
            )
        return True


def release_document_render_failed(document_id: int, error: str) -> None:
    """The render's job stopped for good (on_failure of RELEASE_DOCUMENT_JOB): the document shows
    it failed and why, and the release's preparer is told, to try it again."""
    document = (
        ReleaseDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "release__prepared_by")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.status == DocumentStatus.READY:
        return
    document.status, document.last_error = DocumentStatus.FAILED, error
    document.save(update_fields=["status", "last_error", "updated_at"])
    release = document.release
    notify(
        [release.prepared_by],
        kind=NotificationKind.RELEASE_DOCUMENT_FAILED,
        message=(
            f"The PDF of release {release.reference} for {document.agency.name} failed: "
            "try it again from the release's page."
        ),
        link=f"{reverse('partners:release_detail', args=[release.pk])}#documents",
    )


def _document_pending(document: ReleaseDocument) -> None:
    document.status, document.last_error = DocumentStatus.PENDING, ""
    document.save(update_fields=["status", "last_error", "updated_at"])


def release_document_reopen(document_id: int) -> None:
    """Staff retry the render's failed job (on_retry of RELEASE_DOCUMENT_JOB): a failed document
    waits again."""
    document = ReleaseDocument.objects.select_for_update().filter(pk=document_id).first()
    if document is not None and document.status == DocumentStatus.FAILED:
        _document_pending(document)


@transaction.atomic
def release_document_retry(
    *, acting_user: User, document: ReleaseDocument, request: HttpRequest | None = None
) -> ReleaseDocument:
    """Try a failed PDF again (its preparer, or a reviewer over the product's unit): the document
    waits again and a new job renders it."""
    document = ReleaseDocument.objects.select_for_update().get(pk=document.pk)
    release = lock_release(document.release)
    ReleasePolicy(acting_user, release).require_manage("retry a release's PDF")
    if document.status != DocumentStatus.FAILED:
        raise ValidationError("Only a PDF that failed can be tried again.")
    if release.status not in GRANTED_STATUSES:
        raise ValidationError(f"Release {release.reference} is no longer live.")
    failed_with = document.last_error
    _document_pending(document)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=release,
        request=request,
        detail={"document": document.pk, "retried_after": failed_with[:500]},
    )
    job_enqueue(RELEASE_DOCUMENT_JOB, document.pk)
    return document
