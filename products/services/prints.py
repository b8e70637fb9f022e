"""Printing a published version: one PDF per version and reader ceiling, rendered by a job and
kept for every reader of that ceiling; every download audited.

A reader is handed only the print of their own ceiling (`print_ceiling`), in which each section
marked above it shows as withheld: no reader ever receives a file holding text above their
vetting (docs/access.md, "Portion marking").
"""

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
from products.selectors import openable_versions, portion_marking, snapshot_sections

NO_HANDLING_INSTRUCTIONS = "None beyond the marking."

VERSION_PRINT_JOB = "products.version_print"


def _version_visible_to(user: User, version: ProductVersion) -> ProductVersion:
    """The version, if `user` may open it (404 otherwise: missing and forbidden look alike)."""
    readable = (
        openable_versions(user, version.product)
        .select_related("product")
        .filter(pk=version.pk)
        .first()
    )
    if readable is None:
        raise Http404("No such version.")
    return readable


def print_ceiling(user: User, version: ProductVersion) -> int:
    """The ceiling of the print `user` is handed: their vetting, or the version's own marking
    when that is lower (then every reader cleared for all of it shares one print)."""
    return min(user.readable_marking, version.marking)


def _print_of(user: User, version: ProductVersion, *, lock: bool = False):
    prints = ProductVersionPrint.objects.filter(
        version=version, ceiling=print_ceiling(user, version)
    )
    return (prints.select_for_update() if lock else prints).first()


def product_version_print_request(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """Ask for the printed PDF of a published version at the user's ceiling: rendered once,
    kept for every reader of that ceiling.

    The first request creates the print and its job (nim_portal.jobs), which renders it; later
    requests return the print as it stands. 404 for a version the user cannot open.
    """
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed, created = ProductVersionPrint.objects.get_or_create(
            version=version, ceiling=print_ceiling(acting_user, version)
        )
        if created:
            audit_record(
                actor=acting_user,
                verb=AuditVerb.CREATE,
                obj=printed,
                request=request,
                detail={
                    "product": version.product_id,
                    "number": version.number,
                    "ceiling": printed.ceiling,
                },
            )
            job_enqueue(VERSION_PRINT_JOB, printed.pk)
    # Run in-process (the demo), the job has printed it by now.
    printed.refresh_from_db()
    return printed


def product_version_print_retry(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """Try a failed print (the user's ceiling's) again ("Try again"): its error is cleared and
    it is rendered anew."""
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed = _print_of(acting_user, version, lock=True)
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
    """The ready print of a version at the user's ceiling, for download: every download is
    audited (rule 7).

    404 for a version the user cannot open. A print that is not ready, or whose file has gone
    from storage (it is then rendered again), raises ValidationError.
    """
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed = _print_of(acting_user, version, lock=True)
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
                    "ceiling": printed.ceiling,
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


def product_version_pdf(version: ProductVersion, ceiling: int) -> bytes:
    """The PDF of a published version for readers vetted to `ceiling`, from its own snapshot
    (never the live sections).

    The marking of what it shows at the top and bottom of every page (and that parts are
    withheld, when they are), page x of y, the document-control table, then each section under
    its heading with its own marking; a section marked above `ceiling` shows only as withheld,
    with its marking. Bodies pass through render_section_html (nh3): restricted spans print
    highlighted, for police readers only.
    """
    content = version.content
    shown = snapshot_sections(content, withheld=lambda marking: marking > ceiling)
    portion = portion_marking(version.product.envelope_marking, shown)
    marking = portion.label(content.get("descriptor", ""))
    sections = [
        {
            "withheld": section.withheld,
            "title": section.title,
            "marking": section.marking_label,
            # Sanitised by render_section_html (nh3 with an explicit allow-list).
            "html": mark_safe(render_section_html(section.body)),  # noqa: S308
        }
        for section in shown
    ]
    published = timezone.localtime(version.published_at)
    control = DocumentControl(
        version=f"Version {version.number}",
        date=published.date(),
        author=_person_label(version.author),
        reviewer=_person_label(version.reviewer),
        marking=f"{marking} ({portion.withheld_note.lower()})" if portion.withheld else marking,
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
            "ceiling": GSCMarking(ceiling).label,
            "withheld_note": portion.withheld_note,
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
    document = product_version_pdf(version, printed.ceiling)
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
