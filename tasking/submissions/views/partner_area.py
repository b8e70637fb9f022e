"""The tasking pages of the partner area: giving information against the published intelligence
requirement, following what became of it, and the partner's own T&CG meetings.

Partner users only (police users get the same 404 as a missing page). Reads go through
tasking.submissions.selectors, so another agency's submission or another person's invitation is
a 404 too. What these pages show is an allow-list: a submission's own fields, its status and the
staff's messages, never its grading or who triaged it; a meeting's time and place, the partner's
own invitation and the strategic assessment releases to their agency, never its business or its
other attendees.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import partner_required
from nim_portal.web.markings import page_marking_of
from partners.selectors import agreement_notice
from tasking.meetings.ics import meeting_ics_response
from tasking.submissions import selectors, services
from tasking.submissions.choices import SUBMISSION_MARKING, EntryKind, SubmissionStatus
from tasking.submissions.forms import FollowUpForm, SubmissionForm
from tasking.submissions.models import SubmissionAttachment, SubmissionEntry

# What each entry is called on the partner's page: the staff are "the police", never by name.
ENTRY_HEADINGS = {
    EntryKind.FOLLOW_UP: "Your agency added information",
    EntryKind.MORE_REQUESTED: "The police asked for more",
    EntryKind.ACCEPTED: "The police accepted it",
    EntryKind.DECLINED: "The police declined it",
}


def _upload_limits() -> dict:
    return {
        "max_mb": settings.NIM_SUBMISSION_ATTACHMENT_MAX_MB,
        "max_files": settings.NIM_SUBMISSION_ATTACHMENTS_MAX,
    }


@require_GET
@partner_required
def submission_list(request):
    agency = selectors.partner_agency(request.user)
    return render(
        request,
        "tasking/partner/submission_list.html",
        {
            "submissions": list(selectors.submissions_for_partner(request.user)),
            "questions": list(selectors.requirement_items_for_partner(request.user)),
            "page_marking": SUBMISSION_MARKING,
            **agreement_notice(agency),
        },
    )


@require_http_methods(["GET", "POST"])
@partner_required
def submission_create(request):
    items = selectors.requirement_items_for_partner(request.user)
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        items=items,
        initial={"item": request.GET.get("item", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission = services.submission_create(
                acting_user=request.user,
                item=data["item"],
                what=data["what"],
                occurred_on=data["occurred_on"],
                occurred_time=data["occurred_time"],
                occurred_until=data["occurred_until"],
                where=data["where"],
                source_type=data["source_type"],
                attachments=data["attachments"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Thank you: your information {submission.reference} went to the police. "
                "You will be told what becomes of it.",
            )
            return redirect("tasking:partner_submission", pk=submission.pk)
    return render(
        request,
        "tasking/partner/submission_form.html",
        {
            "form": form,
            "has_questions": items.exists(),
            "page_marking": SUBMISSION_MARKING,
            **_upload_limits(),
            **agreement_notice(selectors.partner_agency(request.user)),
        },
        status=400 if form.errors else 200,
    )


def _detail(request, submission, follow_up_form=None, status: int = 200):
    attachments = SubmissionAttachment.objects.order_by("uploaded_at", "id").only(
        "original_name", "size", "entry_id", "submission_id", "uploaded_at"
    )
    entries = (
        SubmissionEntry.objects.filter(submission=submission)
        .only("kind", "text", "at", "submission_id")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )
    more_requested = submission.status == SubmissionStatus.MORE_REQUESTED
    return render(
        request,
        "tasking/partner/submission_detail.html",
        {
            "submission": submission,
            "attachments": list(attachments.filter(submission=submission, entry__isnull=True)),
            "entries": [
                {"entry": entry, "heading": ENTRY_HEADINGS[entry.kind]} for entry in entries
            ],
            "follow_up_form": follow_up_form or (FollowUpForm() if more_requested else None),
            "page_marking": SUBMISSION_MARKING,
            **_upload_limits(),
        },
        status=status,
    )


@require_GET
@partner_required
def submission_detail(request, pk):
    return _detail(request, selectors.get_submission_for_partner(request.user, pk))


@require_POST
@partner_required
def submission_follow_up(request, pk):
    submission = selectors.get_submission_for_partner(request.user, pk)
    form = FollowUpForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submission_follow_up(
                acting_user=request.user,
                submission=submission,
                text=form.cleaned_data["text"],
                attachments=form.cleaned_data["attachments"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Thank you: your further information went to the police.")
            return redirect("tasking:partner_submission", pk=submission.pk)
    return _detail(request, submission, follow_up_form=form, status=400)


# Meetings.


@require_GET
@partner_required
def meeting_list(request):
    invitations = list(selectors.partner_invitations(request.user))
    unit_ids = {invitation.meeting.unit_id for invitation in invitations}
    releases = list(selectors.strategic_releases_for_partner(request.user, unit_ids))
    releases_of_unit = defaultdict(list)
    for release in releases:
        releases_of_unit[release.assessment_unit_id].append(
            {"release": release, "title": release.partner_content["title"]}
        )
    now = timezone.now()
    rows = [
        {
            "invitation": invitation,
            "meeting": invitation.meeting,
            "releases": releases_of_unit[invitation.meeting.unit_id],
        }
        for invitation in invitations
    ]
    return render(
        request,
        "tasking/partner/meeting_list.html",
        {
            "upcoming": [row for row in rows if row["meeting"].ends_at >= now],
            "past": [row for row in rows if row["meeting"].ends_at < now][::-1],
            "page_marking": page_marking_of(releases),
        },
    )


@require_GET
@partner_required
def meeting_ics(request, pk):
    invitation = selectors.get_partner_invitation(request.user, pk)
    return meeting_ics_response(invitation.meeting, request.user)
