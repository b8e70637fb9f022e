"""Every state change of partner information: a partner submits it (with attachments) against a
published intelligence requirement item and answers requests for more; triage staff accept it
into a priority, ask for more or decline it, and grade it with 3x5x2.

Each function takes the acting user (keyword-only), checks permission and the lifecycle
(tasking.submissions.choices.SUBMISSION_TRANSITIONS) under the row lock, changes the data
atomically, and leaves a history reason and an audit event behind. A refusal raises
PermissionDenied, Http404 (a submission the user may not know of) or ValidationError (a message
fit to show), and changes nothing: no row, and no file left in storage.

Attachments are checked before anything is written and stored with unguessable names
(tasking.submissions.attachments); they are read only through `attachment_download` (audited).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import AuditVerb, NotificationKind
from nim_portal.lifecycle import Lifecycle, StaleChange, save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record, notify
from nim_portal.validation import required_text
from partners.models import PartnerAgency
from tasking.strategy.models import IntelligenceRequirementItem, Priority
from tasking.submissions.attachments import (
    attachments_check,
    attachments_store,
    files_removed_on_failure,
)
from tasking.submissions.choices import (
    SUBMISSION_TRANSITIONS,
    EntryKind,
    HandlingCode,
    IntelligenceAssessment,
    SourceEvaluation,
    SourceType,
    SubmissionStatus,
)
from tasking.submissions.models import (
    PartnerSubmission,
    SubmissionAttachment,
    SubmissionEntry,
    SubmissionGrading,
)
from tasking.submissions.selectors import (
    get_submission_for_partner,
    partner_agency,
    requirement_items_for_partner,
    submissions_for_triage,
    triage_recipients,
)

WHAT_MAX_LENGTH = 10_000
MESSAGE_MAX_LENGTH = 5_000


class SubmissionChanged(StaleChange):
    """Someone changed the submission since the page (or API read) the decision was made on."""


# Helpers.


def _require_partner(user: User | None, action: str) -> PartnerAgency:
    """The acting partner user's agency, whose information sharing agreement is in force."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_partner:
        raise PermissionDenied(f"Only a partner agency user can {action}.")
    agency = partner_agency(user)
    if agency is None:
        raise PermissionDenied(
            f"You do not belong to a partner agency yet, so you cannot {action}. Ask the police "
            "unit you work with to add you to yours."
        )
    lapsed = agency.lapsed_reason()
    if lapsed:
        raise ValidationError(f"{lapsed} You can {action} again once it is renewed.")
    return agency


def _lock(submission: PartnerSubmission) -> PartnerSubmission:
    return (
        PartnerSubmission.objects.select_for_update(of=("self",))
        .select_related("item__priority", "item__requirement__control_strategy__unit", "agency")
        .get(pk=submission.pk)
    )


def _lock_for_triage(acting_user: User, submission: PartnerSubmission) -> PartnerSubmission:
    """The submission under its row lock, if `acting_user` may triage it (else 404)."""
    if not submissions_for_triage(acting_user).filter(pk=submission.pk).exists():
        raise Http404("No such submission.")
    return _lock(submission)


def _check_revision(submission: PartnerSubmission, loaded_revision: int) -> None:
    if loaded_revision != submission.revision:
        raise SubmissionChanged(
            f"Someone changed {submission.reference} while you had it open (it is now "
            f"{submission.get_status_display().lower()}). Read it again before you decide."
        )


SUBMISSION_LIFECYCLE = Lifecycle(
    SUBMISSION_TRANSITIONS, subject=lambda submission: f"{submission.reference} is"
)


def _move(
    submission: PartnerSubmission,
    target: str,
    *,
    acting_user: User,
    reason: str,
    request: HttpRequest | None,
    detail: dict | None = None,
) -> None:
    submission.revision += 1
    SUBMISSION_LIFECYCLE.move(
        submission,
        target,
        acting_user=acting_user,
        reason=reason,
        request=request,
        audit_detail=detail,
    )


def _partner_link(submission: PartnerSubmission) -> str:
    return reverse("tasking:partner_submission", args=[submission.pk])


def _staff_link(submission: PartnerSubmission) -> str:
    return reverse("tasking:submission_detail", args=[submission.pk])


def _tell_partner(submission: PartnerSubmission, message: str) -> None:
    """The submitter, while still in the agency; otherwise the agency's people."""
    submitter = submission.submitted_by
    if PartnerAgency.objects.filter(pk=submission.agency_id, memberships__user=submitter).exists():
        recipients = [submitter]
    else:
        recipients = User.objects.filter(agency_membership__agency=submission.agency_id)
    notify(
        recipients,
        kind=NotificationKind.SUBMISSION_ANSWERED,
        message=message,
        link=_partner_link(submission),
    )


def _tell_triage_staff(submission: PartnerSubmission, message: str) -> None:
    notify(
        triage_recipients(submission),
        kind=NotificationKind.SUBMISSION_TO_TRIAGE,
        message=message,
        link=_staff_link(submission),
    )


def _entry(submission, kind: str, text: str, author: User, reason: str) -> SubmissionEntry:
    entry = SubmissionEntry(submission=submission, kind=kind, text=text, author=author)
    save_with_history(entry, acting_user=author, reason=reason)
    return entry


# Partners.


def _clean_when(
    occurred_on: datetime.date | None,
    occurred_time: datetime.time | None,
    occurred_until: datetime.date | None,
) -> None:
    today = timezone.localdate()
    if occurred_on is None:
        raise ValidationError({"occurred_on": "Enter the day it happened."})
    if occurred_on > today:
        raise ValidationError({"occurred_on": "The day it happened must be today or earlier."})
    if occurred_until is not None:
        if occurred_until < occurred_on:
            raise ValidationError(
                {"occurred_until": "The end of the period must be on or after its first day."}
            )
        if occurred_until > today:
            raise ValidationError(
                {"occurred_until": "The end of the period must be today or earlier."}
            )
        if occurred_time is not None:
            raise ValidationError(
                {"occurred_time": "Give a time for a single day, not for a period."}
            )


@transaction.atomic
def submission_create(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    what: str,
    occurred_on: datetime.date,
    where: str,
    source_type: str,
    occurred_time: datetime.time | None = None,
    occurred_until: datetime.date | None = None,
    attachments=(),
    request: HttpRequest | None = None,
) -> PartnerSubmission:
    """A partner user gives information against a published item of the intelligence
    requirement of a unit their agency works with; the triage staff are told."""
    agency = _require_partner(acting_user, "submit information")
    if item is None or not requirement_items_for_partner(acting_user).filter(pk=item.pk).exists():
        raise ValidationError(
            {"item": "Choose one of the questions the police have asked your agency."}
        )
    what = required_text(
        what,
        field="what",
        message="Say what was seen, heard or recorded.",
        max_length=WHAT_MAX_LENGTH,
    )
    where = required_text(where, field="where", message="Say where it happened.", max_length=300)
    if source_type not in SourceType.values:
        raise ValidationError({"source_type": "Choose where the information came from."})
    _clean_when(occurred_on, occurred_time, occurred_until)
    checked = attachments_check(attachments)
    with files_removed_on_failure() as stored:
        submission = PartnerSubmission(
            item=item,
            agency=agency,
            submitted_by=acting_user,
            what=what,
            occurred_on=occurred_on,
            occurred_time=occurred_time,
            occurred_until=occurred_until,
            where=where,
            source_type=source_type,
        )
        submission.full_clean(exclude=["item", "agency", "submitted_by"])
        save_with_history(submission, acting_user=acting_user, reason="Submitted by the partner")
        attachments_store(stored, submission, None, checked, acting_user)
        audit_record(
            actor=acting_user,
            verb=AuditVerb.CREATE,
            obj=submission,
            request=request,
            detail={"item": item.pk, "agency": agency.pk, "attachments": len(checked)},
        )
        _tell_triage_staff(
            submission, f"New partner information {submission.reference} from {agency.name}."
        )
    return submission


@transaction.atomic
def submission_follow_up(
    *,
    acting_user: User,
    submission: PartnerSubmission,
    text: str,
    attachments=(),
    request: HttpRequest | None = None,
) -> SubmissionEntry:
    """The partner answers a request for more: the submission returns to triage."""
    _require_partner(acting_user, "add information")
    submission = get_submission_for_partner(acting_user, submission.pk)
    submission = _lock(submission)
    if submission.status != SubmissionStatus.MORE_REQUESTED:
        raise ValidationError(
            f"The police have not asked for more on {submission.reference} (it is "
            f"{submission.get_status_display().lower()}): nothing can be added to it now."
        )
    text = required_text(
        text, field="text", message="Enter the further information.", max_length=WHAT_MAX_LENGTH
    )
    checked = attachments_check(attachments)
    with files_removed_on_failure() as stored:
        entry = _entry(
            submission, EntryKind.FOLLOW_UP, text, acting_user, "Further information given"
        )
        attachments_store(stored, submission, entry, checked, acting_user)
        _move(
            submission,
            SubmissionStatus.AWAITING_TRIAGE,
            acting_user=acting_user,
            reason="Further information given: back to triage",
            request=request,
            detail={"attachments": len(checked)},
        )
        _tell_triage_staff(
            submission,
            f"{submission.agency.name} added information to {submission.reference}.",
        )
    return entry


# Triage staff.


@transaction.atomic
def submission_accept(
    *,
    acting_user: User,
    submission: PartnerSubmission,
    loaded_revision: int,
    priority: Priority | None = None,
    message: str = "",
    request: HttpRequest | None = None,
) -> PartnerSubmission:
    """Accept the information into a priority of the item's control strategy (the item's own
    priority unless another is chosen); `message` (optional) is for the partner."""
    submission = _lock_for_triage(acting_user, submission)
    _check_revision(submission, loaded_revision)
    priority = priority or submission.item.priority
    if priority.control_strategy_id != submission.item.requirement.control_strategy_id:
        raise ValidationError(
            {"priority": "Choose a priority of the control strategy the question belongs to."}
        )
    message = (message or "").strip()[:MESSAGE_MAX_LENGTH]
    submission.accepted_priority = priority
    submission.triaged_by, submission.triaged_at = acting_user, timezone.now()
    _move(
        submission,
        SubmissionStatus.ACCEPTED,
        acting_user=acting_user,
        reason=f"Accepted into {priority.theme}",
        request=request,
        detail={"priority": priority.pk},
    )
    _entry(submission, EntryKind.ACCEPTED, message, acting_user, "Accepted")
    _tell_partner(submission, f"The police accepted your information {submission.reference}.")
    return submission


def _answer_partner(
    submission: PartnerSubmission,
    *,
    acting_user: User,
    loaded_revision: int,
    move: tuple[str, str],
    entry: tuple[str, str],
    field: str,
    text: str,
    missing: str,
    told: str,
    request: HttpRequest | None,
) -> PartnerSubmission:
    """Move the submission (`move`: status, history reason) with `text` the partner reads, given
    as `field` (required: `missing` says so), entered in the thread (`entry`: kind, the entry's
    reason), and tell the partner `told`."""
    submission = _lock_for_triage(acting_user, submission)
    _check_revision(submission, loaded_revision)
    text = required_text(text, field=field, message=missing, max_length=MESSAGE_MAX_LENGTH)
    submission.triaged_by, submission.triaged_at = acting_user, timezone.now()
    target, reason = move
    _move(submission, target, acting_user=acting_user, reason=reason, request=request)
    kind, entry_reason = entry
    _entry(submission, kind, text, acting_user, entry_reason)
    _tell_partner(submission, told.format(reference=submission.reference))
    return submission


@transaction.atomic
def submission_request_more(
    *,
    acting_user: User,
    submission: PartnerSubmission,
    loaded_revision: int,
    message: str,
    request: HttpRequest | None = None,
) -> PartnerSubmission:
    """Ask the partner for more, saying what: the partner reads `message` and can answer."""
    return _answer_partner(
        submission,
        acting_user=acting_user,
        loaded_revision=loaded_revision,
        move=(SubmissionStatus.MORE_REQUESTED, "More information asked for"),
        entry=(EntryKind.MORE_REQUESTED, "More asked for"),
        field="message",
        text=message,
        missing="Say what more the partner should tell you.",
        told="The police asked for more about your information {reference}.",
        request=request,
    )


@transaction.atomic
def submission_decline(
    *,
    acting_user: User,
    submission: PartnerSubmission,
    loaded_revision: int,
    reason: str,
    request: HttpRequest | None = None,
) -> PartnerSubmission:
    """Decline the information, with a reason the partner reads."""
    return _answer_partner(
        submission,
        acting_user=acting_user,
        loaded_revision=loaded_revision,
        move=(SubmissionStatus.DECLINED, "Declined"),
        entry=(EntryKind.DECLINED, "Declined"),
        field="reason",
        text=reason,
        missing="Say why the information is declined.",
        told="The police declined your information {reference}.",
        request=request,
    )


@transaction.atomic
def submission_grade(
    *,
    acting_user: User,
    submission: PartnerSubmission,
    loaded_revision: int,
    source_evaluation: str,
    intelligence_assessment: str,
    handling_code: str,
    handling_conditions: str = "",
    request: HttpRequest | None = None,
) -> SubmissionGrading:
    """Grade (or re-grade) the information with 3x5x2. The partner is not told: grading is
    never shown to partners."""
    submission = _lock_for_triage(acting_user, submission)
    _check_revision(submission, loaded_revision)
    errors = {}
    if source_evaluation not in SourceEvaluation.values:
        errors["source_evaluation"] = "Choose the source evaluation (1, 2 or 3)."
    if intelligence_assessment not in IntelligenceAssessment.values:
        errors["intelligence_assessment"] = "Choose the intelligence assessment (A to E)."
    if handling_code not in HandlingCode.values:
        errors["handling_code"] = "Choose the handling code (P or C)."
    handling_conditions = (handling_conditions or "").strip()[:MESSAGE_MAX_LENGTH]
    if handling_code == HandlingCode.CONDITIONS and not handling_conditions:
        errors["handling_conditions"] = "Give the conditions on sharing for handling code C."
    if errors:
        raise ValidationError(errors)
    if handling_code == HandlingCode.PERMITTED:
        handling_conditions = ""
    grading = SubmissionGrading.objects.filter(submission=submission).first()
    before = grading.code if grading else ""
    grading = grading or SubmissionGrading(submission=submission)
    grading.source_evaluation = source_evaluation
    grading.intelligence_assessment = intelligence_assessment
    grading.handling_code = handling_code
    grading.handling_conditions = handling_conditions
    grading.graded_by, grading.graded_at = acting_user, timezone.now()
    save_with_history(grading, acting_user=acting_user, reason=f"Graded {grading.code}")
    submission.revision += 1
    save_with_history(submission, acting_user=acting_user, reason="Graded")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=submission,
        request=request,
        detail={"grading": {"from": before, "to": grading.code}},
    )
    return grading


def attachment_download(
    *, acting_user: User, attachment: SubmissionAttachment, request: HttpRequest | None = None
) -> SubmissionAttachment:
    """An attachment for the triage staff of its submission (404 for anybody else); every
    download is audited."""
    if not submissions_for_triage(acting_user).filter(pk=attachment.submission_id).exists():
        raise Http404("No such attachment.")
    if not attachment.file or not attachment.file.storage.exists(attachment.file.name):
        raise ValidationError("The file is missing from storage: ask an administrator.")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.DOWNLOAD,
        obj=attachment.submission,
        request=request,
        detail={"attachment": attachment.pk, "sha256": attachment.sha256},
    )
    return attachment
