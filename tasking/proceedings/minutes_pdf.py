"""The frozen minutes' PDF: rendered once by a job of the pipeline (MINUTES_PDF_JOB), marked at
the top and bottom of every page with its document-control table, and downloaded, audited, by
who may read the minutes. A reader vetted below the minutes' marking gets the print for their
ceiling (MinutesPrint, rendered by MINUTES_READER_PDF_JOB when first asked for): what is above
it shows as "Withheld" and its marking only."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.jobs import job_enqueue
from nim_portal.models import User
from nim_portal.pdf import DocumentControl, render_marked_document
from nim_portal.services import audit_record
from tasking.proceedings.choices import MinutesPrintStatus
from tasking.proceedings.models import MinutesPrint, MinutesVersion
from tasking.proceedings.selectors import minutes_for_reader

MINUTES_PDF_JOB = "tasking.minutes_pdf"
MINUTES_READER_PDF_JOB = "tasking.minutes_reader_pdf"


def minutes_pdf(version: MinutesVersion, ceiling: int | None = None) -> bytes:
    """The PDF of frozen minutes, from their snapshot: the marking at the top and bottom of every
    page, page x of y and the document-control table (nim_portal.pdf). With a `ceiling`: as a
    reader vetted to it may read them (selectors.minutes_for_reader), marked as what is left."""
    content = version.content
    marking = version.marking
    if ceiling is not None:
        content = minutes_for_reader(content, ceiling)
        marking = content["reader_marking"]
    meeting = version.meeting
    frozen = timezone.localtime(version.frozen_at)
    chair = content.get("chair") or "No chair recorded"
    control = DocumentControl(
        version=f"Minutes version {version.number}",
        date=frozen.date(),
        author=version.frozen_by.get_full_name() or version.frozen_by.get_username(),
        reviewer=chair,
        marking=GSCMarking(marking).label,
        handling="Handle according to the marking: not for onward disclosure.",
        sha256=version.sha256,
    )
    return render_marked_document(
        "tasking/print/minutes.html",
        {"minutes": content, "meeting": meeting, "frozen": frozen},
        marking_label=GSCMarking(marking),
        title=content["title"],
        document_control=control,
    )


@transaction.atomic
def minutes_pdf_render(version_id: int) -> bool:
    """Job (MINUTES_PDF_JOB): render frozen minutes once; a ready PDF is left alone (False).
    Run in the job's transaction, under the version's row lock: a failure leaves the version as
    it was, for the job's next attempt."""
    version = (
        MinutesVersion.objects.select_for_update(of=("self",))
        .select_related("meeting__unit", "frozen_by")
        .filter(pk=version_id)
        .first()
    )
    if version is None or version.pdf_status == MinutesPrintStatus.READY:
        return False
    _keep(version, minutes_pdf(version))
    return True


def _keep(printed: MinutesVersion | MinutesPrint, document: bytes) -> None:
    """A rendered PDF kept on its record (the minutes, or their print for one ceiling)."""
    printed.pdf.save("minutes.pdf", ContentFile(document), save=False)
    printed.pdf_sha256 = hashlib.sha256(document).hexdigest()
    printed.pdf_status = MinutesPrintStatus.READY
    printed.pdf_error = ""
    printed.pdf_rendered_at = timezone.now()
    printed.save()


def _failed(model, pk: int, error: str) -> None:
    model.objects.filter(pk=pk).exclude(pdf_status=MinutesPrintStatus.READY).update(
        pdf_status=MinutesPrintStatus.FAILED, pdf_error=error
    )


def _pending(model, pk: int) -> None:
    model.objects.filter(pk=pk, pdf_status=MinutesPrintStatus.FAILED).update(
        pdf_status=MinutesPrintStatus.PENDING, pdf_error=""
    )


def minutes_pdf_failed(version_id: int, error: str) -> None:
    """Job (MINUTES_PDF_JOB) stopped for good: the meeting page says the PDF failed."""
    _failed(MinutesVersion, version_id, error)


def minutes_pdf_pending(version_id: int) -> None:
    """Job (MINUTES_PDF_JOB) retried by staff, or by a reader asking for failed minutes."""
    _pending(MinutesVersion, version_id)


@transaction.atomic
def minutes_reader_pdf_render(print_id: int) -> bool:
    """Job (MINUTES_READER_PDF_JOB): render the minutes for one ceiling once, as
    minutes_pdf_render does the whole minutes."""
    minutes_print = (
        MinutesPrint.objects.select_for_update(of=("self",))
        .select_related("version__meeting__unit", "version__frozen_by")
        .filter(pk=print_id)
        .first()
    )
    if minutes_print is None or minutes_print.pdf_status == MinutesPrintStatus.READY:
        return False
    _keep(minutes_print, minutes_pdf(minutes_print.version, minutes_print.ceiling))
    return True


def minutes_reader_pdf_failed(print_id: int, error: str) -> None:
    """Job (MINUTES_READER_PDF_JOB) stopped for good."""
    _failed(MinutesPrint, print_id, error)


def minutes_reader_pdf_pending(print_id: int) -> None:
    """Job (MINUTES_READER_PDF_JOB) retried by staff, or by a reader asking again."""
    _pending(MinutesPrint, print_id)


def hands_whole_minutes(version: MinutesVersion, ceiling: int) -> bool:
    """Whether a reader cleared to `ceiling` is handed the minutes' own PDF; a reader below
    their marking is handed the print for their ceiling (MinutesPrint) instead."""
    return version.marking <= ceiling


def _print_for(version: MinutesVersion, ceiling: int) -> MinutesVersion | MinutesPrint:
    """What a reader cleared to `ceiling` downloads: the whole minutes when cleared for them,
    else the print for their ceiling, asked for (in the current transaction) the first time."""
    if hands_whole_minutes(version, ceiling):
        return version
    minutes_print, created = MinutesPrint.objects.get_or_create(version=version, ceiling=ceiling)
    if created:
        job_enqueue(MINUTES_READER_PDF_JOB, minutes_print.pk)
    return minutes_print


def minutes_pdf_request(
    *, acting_user: User, version: MinutesVersion
) -> MinutesVersion | MinutesPrint:
    """The PDF the reader is handed (their ceiling's print asked for the first time), as it
    stands: one whose render failed is rendered again, as the reader asked."""
    with transaction.atomic():
        printed = _print_for(version, acting_user.readable_marking)
        if printed.pdf_status == MinutesPrintStatus.FAILED:
            if isinstance(printed, MinutesPrint):
                minutes_reader_pdf_pending(printed.pk)
                job_enqueue(MINUTES_READER_PDF_JOB, printed.pk)
            else:
                minutes_pdf_pending(version.pk)
                job_enqueue(MINUTES_PDF_JOB, version.pk)
    # Run in-process (the demo), the job has printed it by now.
    printed.refresh_from_db()
    return printed


def minutes_pdf_download(
    *, acting_user: User, version: MinutesVersion, request: HttpRequest | None = None
) -> MinutesVersion | MinutesPrint:
    """The rendered minutes for download as the reader may read them (a part above their
    vetting withheld), audited (rule 7). Not yet rendered: the reader is told to come back
    (minutes_pdf_request asked for them)."""
    printed = minutes_pdf_request(acting_user=acting_user, version=version)
    if printed.pdf_status != MinutesPrintStatus.READY:
        raise ValidationError("The minutes PDF is being printed: try again in a minute.")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.DOWNLOAD,
        obj=version.meeting,
        request=request,
        detail={"minutes_version": version.number, "pdf_sha256": printed.pdf_sha256},
    )
    return printed
