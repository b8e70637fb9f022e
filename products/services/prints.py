"""Printing a published version: one PDF per version, rendered by a job and kept for every
reader; every download audited."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.safestring import mark_safe

from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.jobs import job_enqueue
from nim_portal.models import User
from nim_portal.pdf import DocumentControl, render_marked_document
from nim_portal.services import audit_record
from products.choices import ProductKind
from products.models import PrintStatus, ProductVersion, ProductVersionPrint
from products.rendering import render_section_html
from products.selectors import visible_versions

NO_HANDLING_INSTRUCTIONS = "None beyond the marking."

VERSION_PRINT_JOB = "products.version_print"


def _version_visible_to(user: User, version: ProductVersion) -> ProductVersion:
    """The version, if `user` may read it (404 otherwise: missing and forbidden look alike)."""
    readable = (
        visible_versions(user, version.product)
        .select_related("product")
        .filter(pk=version.pk)
        .first()
    )
    if readable is None:
        raise Http404("No such version.")
    return readable


def product_version_print_request(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """Ask for the printed PDF of a published version: rendered once, kept for every reader.

    The first request creates the print and its job (nim_portal.jobs), which renders it; later
    requests return the print as it stands. 404 for a version the user cannot read.
    """
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed, created = ProductVersionPrint.objects.get_or_create(version=version)
        if created:
            audit_record(
                actor=acting_user,
                verb=AuditVerb.CREATE,
                obj=printed,
                request=request,
                detail={"product": version.product_id, "number": version.number},
            )
            job_enqueue(VERSION_PRINT_JOB, printed.pk)
    # Run in-process (the demo), the job has printed it by now.
    printed.refresh_from_db()
    return printed


def product_version_print_retry(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """Try a failed print again ("Try again"): its error is cleared and it is rendered anew."""
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed = ProductVersionPrint.objects.select_for_update().filter(version=version).first()
        if printed is None or printed.status != PrintStatus.FAILED:
            raise ValidationError("Only a print that failed can be tried again.")
        failed_with = printed.error
        product_version_print_pending(printed.pk)
        audit_record(
            actor=acting_user,
            verb=AuditVerb.UPDATE,
            obj=printed,
            request=request,
            detail={"retried_after": failed_with[:500]},
        )
        job_enqueue(VERSION_PRINT_JOB, printed.pk)
    printed.refresh_from_db()
    return printed


def product_version_print_download(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """The ready print of a version, for download: every download is audited (rule 7).

    404 for a version the user cannot read. A print that is not ready, or whose file has gone
    from storage (it is then rendered again), raises ValidationError.
    """
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed = ProductVersionPrint.objects.select_for_update().filter(version=version).first()
        if printed is None or printed.status != PrintStatus.READY:
            raise ValidationError("The PDF is not ready yet.")
        if printed.file.storage.exists(printed.file.name):
            audit_record(
                actor=acting_user,
                verb=AuditVerb.PRINT,
                obj=version,
                request=request,
                detail={
                    "product": version.product_id,
                    "number": version.number,
                    "sha256": version.sha256,
                    "pdf_sha256": printed.sha256,
                },
            )
            return printed
        printed.status, printed.file, printed.sha256 = PrintStatus.PENDING, "", ""
        printed.rendered_at = None
        printed.save()
        job_enqueue(VERSION_PRINT_JOB, printed.pk)
    raise ValidationError("The stored PDF was missing: it is being printed again.")


def _person_label(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _marking_with_descriptor(marking: int, descriptor: str) -> str:
    label = GSCMarking(marking).label
    return f"{label} {descriptor}" if descriptor else label


def product_version_pdf(version: ProductVersion) -> bytes:
    """The PDF of a published version, from its own snapshot (never the live sections).

    The product's marking at the top and bottom of every page, page x of y, the document-control
    table, then each section under its heading with its own marking. Bodies pass through
    render_section_html (nh3): restricted spans print highlighted, for police readers only.
    """
    content = version.content
    marking = _marking_with_descriptor(version.marking, content.get("descriptor", ""))
    sections = [
        {
            "title": section["title"],
            "marking": GSCMarking(section["marking"]).label,
            # Sanitised by render_section_html (nh3 with an explicit allow-list).
            "html": mark_safe(render_section_html(section["body"])),  # noqa: S308
        }
        for section in sorted(content["sections"], key=lambda s: (s["position"], s["id"]))
    ]
    published = timezone.localtime(version.published_at)
    control = DocumentControl(
        version=f"Version {version.number}",
        date=published.date(),
        author=_person_label(version.author),
        reviewer=_person_label(version.reviewer),
        marking=marking,
        handling=content.get("handling_instructions", "").strip() or NO_HANDLING_INSTRUCTIONS,
        sha256=version.sha256,
    )
    return render_marked_document(
        "products/print/version.html",
        {
            "kind": ProductKind(content["kind"]).label,
            "unit": version.product.unit.name,
            "number": version.number,
            "published": published,
            "sections": sections,
        },
        marking_label=marking,
        title=content["title"],
        document_control=control,
    )


@transaction.atomic
def product_version_print_render(print_id: int) -> bool:
    """Job (VERSION_PRINT_JOB): render one print and store it under a name nobody can guess.

    A ready print is left alone (False). Run in the job's transaction, under the print's row
    lock: a failure leaves the print as it was, for the job's next attempt.
    """
    printed = ProductVersionPrint.objects.select_for_update().filter(pk=print_id).first()
    if printed is None or printed.status == PrintStatus.READY:
        return False
    version = ProductVersion.objects.select_related("product__unit", "author", "reviewer").get(
        pk=printed.version_id
    )
    document = product_version_pdf(version)
    printed.file.save("print.pdf", ContentFile(document), save=False)
    printed.sha256 = hashlib.sha256(document).hexdigest()
    printed.status, printed.error, printed.rendered_at = PrintStatus.READY, "", timezone.now()
    printed.save()
    return True


def product_version_print_failed(print_id: int, error: str) -> None:
    """Job (VERSION_PRINT_JOB) stopped for good: its readers see why, and may try again."""
    ProductVersionPrint.objects.filter(pk=print_id).exclude(status=PrintStatus.READY).update(
        status=PrintStatus.FAILED, error=error
    )


def product_version_print_pending(print_id: int) -> None:
    """Job (VERSION_PRINT_JOB) retried by staff: its readers see it being printed again."""
    ProductVersionPrint.objects.filter(pk=print_id, status=PrintStatus.FAILED).update(
        status=PrintStatus.PENDING, error=""
    )
