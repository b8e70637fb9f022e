"""Triage of partner information, for police staff: the triage list (and its CSV and XLSX export),
a submission's page with its conversation, attachments and grading, the triage decisions and the
audited attachment download.

Partner users get 404 on every page. Submissions come from tasking.submissions.selectors
(missing and forbidden: the same 404); every change is a service of tasking.submissions.services,
whose ValidationError is shown on the page (nothing changed).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from nim_portal.choices import AuditVerb
from nim_portal.exports import Column, ListExport, list_download
from nim_portal.forms.errors import add_service_errors
from nim_portal.pagination import paginate
from nim_portal.services import audit_record
from nim_portal.web.decorators import police_required
from tasking.strategy.models import Priority
from tasking.submissions import selectors, services
from tasking.submissions.choices import SUBMISSION_MARKING, SubmissionStatus
from tasking.submissions.forms import (
    AcceptForm,
    DeclineForm,
    GradeForm,
    RequestMoreForm,
    TriageListFilterForm,
)
from tasking.submissions.models import PartnerSubmission, SubmissionAttachment, SubmissionEntry
from tasking.submissions.policy import can_triage_any

SUBMISSIONS_PER_PAGE = 25


def _grading_code(submission: PartnerSubmission) -> str:
    grading = getattr(submission, "grading", None)
    return grading.code if grading is not None else "Not graded"


# The triage list as a file (nim_portal.exports): what its rows show.
TRIAGE_EXPORT = ListExport(
    name="partner information",
    columns=[
        Column("Reference", lambda submission: submission.reference),
        Column("Received", lambda submission: submission.submitted_at),
        Column("Agency", lambda submission: submission.agency.name),
        Column("Question", lambda submission: submission.item.question),
        Column("Priority", lambda submission: submission.item.priority.theme),
        Column("Unit", lambda submission: submission.item.requirement.control_strategy.unit.name),
        Column("Status", lambda submission: submission.get_status_display()),
        Column("Grading", _grading_code),
    ],
    marking=SUBMISSION_MARKING,
)


@require_GET
@police_required
def submission_list(request):
    # With no choice made, the list opens on the queue awaiting triage.
    query = request.GET.copy()
    query.setdefault("status", SubmissionStatus.AWAITING_TRIAGE)
    filter_form = TriageListFilterForm(query)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    submissions = selectors.triage_list(request.user, status)
    download = list_download(request, TRIAGE_EXPORT, submissions, form=filter_form)
    if download is not None:
        return download
    page_obj = paginate(request, submissions, SUBMISSIONS_PER_PAGE)
    return render(
        request,
        "tasking/submissions/list.html",
        {
            "page_obj": page_obj,
            "status": status,
            "filter_form": filter_form,
            "may_triage": can_triage_any(request.user),
            "page_marking": SUBMISSION_MARKING,
        },
    )


def _priorities(submission: PartnerSubmission):
    return Priority.objects.filter(
        control_strategy_id=submission.item.requirement.control_strategy_id
    ).order_by(F("rank").asc(nulls_last=True), "pk")


def _forms(submission: PartnerSubmission, **bound) -> dict:
    initial = {"revision": submission.revision}
    grading = getattr(submission, "grading", None)
    grade_initial = dict(initial)
    if grading is not None:
        grade_initial.update(
            source_evaluation=grading.source_evaluation,
            intelligence_assessment=grading.intelligence_assessment,
            handling_code=grading.handling_code,
            handling_conditions=grading.handling_conditions,
        )
    return {
        "accept_form": bound.get("accept_form")
        or AcceptForm(
            priorities=_priorities(submission),
            initial={**initial, "priority": submission.item.priority_id},
            prefix="accept",
        ),
        "more_form": bound.get("more_form") or RequestMoreForm(initial=initial, prefix="more"),
        "decline_form": bound.get("decline_form") or DeclineForm(initial=initial, prefix="decline"),
        "grade_form": bound.get("grade_form") or GradeForm(initial=grade_initial, prefix="grade"),
    }


def _detail(request, submission: PartnerSubmission, status: int = 200, **bound):
    attachments = SubmissionAttachment.objects.order_by("uploaded_at", "id")
    entries = list(
        SubmissionEntry.objects.filter(submission=submission)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )
    transitions = {
        "triage": submission.status == SubmissionStatus.AWAITING_TRIAGE,
        "decline": submission.status
        in (SubmissionStatus.AWAITING_TRIAGE, SubmissionStatus.MORE_REQUESTED),
    }
    return render(
        request,
        "tasking/submissions/detail.html",
        {
            "submission": submission,
            "grading": getattr(submission, "grading", None),
            "entries": entries,
            "attachments": list(attachments.filter(submission=submission, entry__isnull=True)),
            "may": transitions,
            "page_marking": SUBMISSION_MARKING,
            **_forms(submission, **bound),
        },
        status=status,
    )


@require_GET
@police_required
def submission_detail(request, pk):
    submission = selectors.get_submission_for_triage(request.user, pk)
    audit_record(actor=request.user, verb=AuditVerb.VIEW, obj=submission, request=request)
    return _detail(request, submission)


def _decide(request, pk, form_class, prefix: str, name: str, call, success: str, **form_kwargs):
    """Run one triage decision: the form parses, the service decides; a refusal is shown on the
    submission's page with nothing changed."""
    submission = selectors.get_submission_for_triage(request.user, pk)
    form = form_class(request.POST, prefix=prefix, **form_kwargs)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            call(submission, data.pop("revision"), data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success.format(reference=submission.reference))
            return redirect("tasking:submission_detail", pk=submission.pk)
    return _detail(request, submission, status=400, **{name: form})


@require_POST
@police_required
def submission_accept(request, pk):
    submission = selectors.get_submission_for_triage(request.user, pk)
    return _decide(
        request,
        pk,
        AcceptForm,
        "accept",
        "accept_form",
        lambda s, revision, data: services.submission_accept(
            acting_user=request.user,
            submission=s,
            loaded_revision=revision,
            priority=data["priority"],
            message=data["message"],
            request=request,
        ),
        "{reference} accepted: the partner is told.",
        priorities=_priorities(submission),
    )


@require_POST
@police_required
def submission_request_more(request, pk):
    return _decide(
        request,
        pk,
        RequestMoreForm,
        "more",
        "more_form",
        lambda s, revision, data: services.submission_request_more(
            acting_user=request.user,
            submission=s,
            loaded_revision=revision,
            message=data["message"],
            request=request,
        ),
        "You asked the partner for more on {reference}.",
    )


@require_POST
@police_required
def submission_decline(request, pk):
    return _decide(
        request,
        pk,
        DeclineForm,
        "decline",
        "decline_form",
        lambda s, revision, data: services.submission_decline(
            acting_user=request.user,
            submission=s,
            loaded_revision=revision,
            reason=data["reason"],
            request=request,
        ),
        "{reference} declined: the partner is told why.",
    )


@require_POST
@police_required
def submission_grade(request, pk):
    return _decide(
        request,
        pk,
        GradeForm,
        "grade",
        "grade_form",
        lambda s, revision, data: services.submission_grade(
            acting_user=request.user,
            submission=s,
            loaded_revision=revision,
            request=request,
            **data,
        ),
        "{reference} graded.",
    )


@require_GET
@police_required
def attachment_download(request, pk, attachment_pk):
    submission = selectors.get_submission_for_triage(request.user, pk)
    attachment = SubmissionAttachment.objects.filter(submission=submission, pk=attachment_pk)
    attachment = attachment.first()
    if attachment is None:
        raise Http404("No such attachment.")
    try:
        services.attachment_download(
            acting_user=request.user, attachment=attachment, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tasking:submission_detail", pk=submission.pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response
