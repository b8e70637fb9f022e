"""Every change of patrol briefings: generating a unit's briefing for a shift, and each reader's
PDF of it (rendered by a job of the pipeline, downloaded audited).

A briefing snapshots references, never text: the unit's open actions, its open subject profiles
and its current tactical assessment's published version, and the previous briefing of the same
unit and shift to tell what changed. Who reads what of it is decided at each read
(tasking.briefings.selectors). A refusal raises PermissionDenied or ValidationError with a message
fit to show.
"""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.choices import AuditVerb
from nim_portal.jobs import job_enqueue
from nim_portal.models import Unit, User
from nim_portal.pdf import DocumentControl, render_marked_document
from nim_portal.services import audit_record
from products.choices import SUBJECT_PROFILE_KINDS, ProductKind, ProductStatus
from products.models import Product, ProductVersion
from tasking.actions.choices import ActionStatus
from tasking.actions.models import TacticalAction
from tasking.briefings.choices import BriefingPrintStatus, Shift
from tasking.briefings.models import Briefing, BriefingPrint
from tasking.briefings.policy import require_briefing_generator
from tasking.briefings.selectors import briefing_for_reader

BRIEFING_PDF_JOB = "tasking.briefing_pdf"
# A briefing is for a shift about to start: a week ahead at most.
DAYS_AHEAD = 7


def _clean_shift(shift, shift_date) -> tuple[str, datetime.date]:
    errors = {}
    if shift not in Shift.values:
        errors["shift"] = "Choose the early, late or night turn."
    if not isinstance(shift_date, datetime.date):
        errors["shift_date"] = "Enter the date of the shift."
    elif shift_date > timezone.localdate() + datetime.timedelta(days=DAYS_AHEAD):
        errors["shift_date"] = f"A briefing is for a shift in the next {DAYS_AHEAD} days at most."
    if errors:
        raise ValidationError(errors)
    return shift, shift_date


def current_tactical_assessment(unit: Unit) -> ProductVersion | None:
    """The unit's current tactical assessment: the latest published version of its newest
    tactical assessment that is not closed."""
    return (
        ProductVersion.objects.filter(
            product__unit=unit, product__kind=ProductKind.TACTICAL_ASSESSMENT
        )
        .exclude(product__status=ProductStatus.CLOSED)
        .order_by("-published_at", "-pk")
        .only("pk")
        .first()
    )


@transaction.atomic
def briefing_generate(
    *,
    acting_user: User,
    unit: Unit,
    shift: str,
    shift_date: datetime.date,
    request: HttpRequest | None = None,
) -> Briefing:
    """Generate `unit`'s briefing for a shift from what is live now: its open actions, its open
    subject profiles (published), its current tactical assessment. One a unit, shift and date."""
    require_briefing_generator(acting_user, unit)
    shift, shift_date = _clean_shift(shift, shift_date)
    if not unit.is_active:
        raise ValidationError(f"{unit} is no longer active: it has no briefings.")
    if Briefing.objects.filter(unit=unit, shift=shift, shift_date=shift_date).exists():
        raise ValidationError(
            f"The {Shift(shift).label.lower()} of {shift_date:%-d %B %Y} already has its briefing."
        )
    previous = (
        Briefing.objects.filter(unit=unit, shift=shift, shift_date__lt=shift_date)
        .order_by("-shift_date")
        .only("pk")
        .first()
    )
    try:
        with transaction.atomic():
            briefing = Briefing.objects.create(
                unit=unit,
                shift=shift,
                shift_date=shift_date,
                previous=previous,
                tactical_assessment=current_tactical_assessment(unit),
                generated_by=acting_user,
            )
    except IntegrityError as exc:
        raise ValidationError("This shift of the unit already has its briefing.") from exc
    actions = TacticalAction.objects.filter(unit=unit, status=ActionStatus.OPEN)
    Briefing.actions.through.objects.bulk_create(
        Briefing.actions.through(briefing=briefing, tacticalaction_id=pk)
        for pk in actions.values_list("pk", flat=True)
    )
    people = (
        Product.objects.filter(unit=unit, kind__in=SUBJECT_PROFILE_KINDS, current_version__gte=1)
        .exclude(status=ProductStatus.CLOSED)
        .values_list("pk", flat=True)
    )
    Briefing.people_of_interest.through.objects.bulk_create(
        Briefing.people_of_interest.through(briefing=briefing, product_id=pk) for pk in people
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=briefing,
        request=request,
        detail={"shift": shift, "shift_date": shift_date.isoformat()},
    )
    return briefing


# Each reader's PDF.


def briefing_pdf(printed: BriefingPrint) -> tuple[bytes, str]:
    """The PDF of a briefing as its reader may read it (selectors.briefing_for_reader at this
    moment), marked with the highest marking shown on every page; and the digest of what it
    shows."""
    briefing, reader = printed.briefing, printed.reader
    shown = briefing_for_reader(reader, briefing)
    digest = shown.digest()
    marking = shown.marking
    control = DocumentControl(
        version=f"Briefing {briefing.pk} for {reader.get_full_name() or reader.get_username()}",
        date=timezone.localdate(),
        author=briefing.generated_by.get_full_name() or briefing.generated_by.get_username(),
        reviewer="Not reviewed: generated from the live action log and products",
        marking=marking.label(),
        handling="Handle according to the marking: for the briefed officers only.",
        sha256=digest,
    )
    document = render_marked_document(
        "tasking/briefings/print.html",
        {"shown": shown, "briefing": briefing, "withheld_note": marking.withheld_note},
        marking_label=marking.label(),
        title=f"{briefing.title}, {briefing.shift_date:%-d %B %Y}",
        document_control=control,
    )
    return document, digest


@transaction.atomic
def briefing_pdf_render(print_id: int) -> bool:
    """Job (BRIEFING_PDF_JOB): render a reader's PDF once; a ready one is left alone (False)."""
    printed = (
        BriefingPrint.objects.select_for_update(of=("self",))
        .select_related("briefing__unit", "briefing__generated_by", "briefing__previous", "reader")
        .filter(pk=print_id)
        .first()
    )
    if printed is None or printed.status == BriefingPrintStatus.READY:
        return False
    document, digest = briefing_pdf(printed)
    if printed.file:
        # The copy rendered for what the reader was shown before: nobody downloads it again.
        printed.file.delete(save=False)
    printed.file.save("briefing.pdf", ContentFile(document), save=False)
    printed.sha256 = hashlib.sha256(document).hexdigest()
    printed.content_digest = digest
    printed.status = BriefingPrintStatus.READY
    printed.last_error = ""
    printed.rendered_at = timezone.now()
    printed.save()
    return True


def briefing_pdf_failed(print_id: int, error: str) -> None:
    """Job (BRIEFING_PDF_JOB) stopped for good: the reader's next download asks again."""
    BriefingPrint.objects.filter(pk=print_id).exclude(status=BriefingPrintStatus.READY).update(
        status=BriefingPrintStatus.FAILED, last_error=error
    )


def briefing_pdf_pending(print_id: int) -> None:
    """Job (BRIEFING_PDF_JOB) retried by staff."""
    BriefingPrint.objects.filter(pk=print_id, status=BriefingPrintStatus.FAILED).update(
        status=BriefingPrintStatus.PENDING, last_error=""
    )


def briefing_pdf_download(
    *, acting_user: User, briefing: Briefing, request: HttpRequest | None = None
) -> BriefingPrint:
    """The reader's PDF of `briefing` (opened through selectors.get_briefing_for), audited. A
    copy rendered when the reader was shown something else (a grant given or withdrawn since, a
    new vetting, an action changed) is rendered again, never handed over; not yet rendered: the
    reader is told to come back."""
    digest = briefing_for_reader(acting_user, briefing).digest()
    with transaction.atomic():
        printed, created = BriefingPrint.objects.select_for_update().get_or_create(
            briefing=briefing, reader=acting_user
        )
        stale = printed.status == BriefingPrintStatus.READY and printed.content_digest != digest
        if created or stale or printed.status == BriefingPrintStatus.FAILED:
            printed.status = BriefingPrintStatus.PENDING
            printed.last_error = ""
            printed.save(update_fields=["status", "last_error"])
            job_enqueue(BRIEFING_PDF_JOB, printed.pk)
    printed.refresh_from_db()
    if printed.status != BriefingPrintStatus.READY or printed.content_digest != digest:
        raise ValidationError("The briefing's PDF is being printed: try again in a minute.")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.DOWNLOAD,
        obj=briefing,
        request=request,
        detail={"pdf_sha256": printed.sha256},
    )
    return printed
