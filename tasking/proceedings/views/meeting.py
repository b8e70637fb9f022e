"""A meeting's page: its agenda, attendance, decisions, commissions, escalations and minutes,
with the chair's forms (rescheduling it and inviting police colleagues among them), the
escalations inbox and outbox, and the frozen minutes' PDF.

Police users only (partners: 404); a meeting or escalation the user may not read is a 404 too
(tasking.meetings.selectors, tasking.proceedings.selectors). Every change goes through the services
(tasking.proceedings, tasking.meetings.services): PermissionDenied shows its message on the 403
page and changes nothing, a ValidationError goes into a message (one-button actions) or back onto
its form. Minutes saved over a stale version are refused and shown beside what is saved now.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.ids import parse_id
from nim_portal.job_progress import JobProgress, latest_jobs
from nim_portal.models import Unit
from nim_portal.web.decorators import police_required
from tasking.meetings import services as meeting_services
from tasking.meetings.choices import MeetingStatus
from tasking.meetings.forms import InviteeForm, MeetingRescheduleForm
from tasking.meetings.models import AgendaItem, Meeting
from tasking.meetings.policy import require_chair
from tasking.meetings.selectors import meeting_for_user, people_invitable_to
from tasking.proceedings import escalations, selectors, services
from tasking.proceedings.forms import (
    AgendaItemAddForm,
    AgendaItemEditForm,
    AgendaItemMoveForm,
    AttendanceForm,
    CommissionForm,
    CurrentItemForm,
    DecisionForm,
    EscalationDecisionForm,
    EscalationForm,
    MinutesForm,
    SittingDecisionForm,
)
from tasking.proceedings.minutes_pdf import (
    MINUTES_PDF_JOB,
    MINUTES_READER_PDF_JOB,
    minutes_pdf_download,
    minutes_pdf_request,
)
from tasking.proceedings.models import MinutesPrint
from tasking.proceedings.progress import minutes_outcome
from tasking.proceedings.selectors import minutes_for_reader
from tasking.proceedings.strategy import SITTING_DECIDERS
from tasking.proceedings.views.recording import (
    AGENDA_ITEM_ADDED,
    AGENDA_ITEM_CHANGED,
    ATTENDANCE,
    COMMISSION,
    CURRENT_ITEM,
    DECISION,
    ESCALATION,
    INVITEE_ADDED,
    MEETING_CLOSED,
    MEETING_OPENED,
    Record,
)
from tasking.proceedings.views.screen import render_controls
from tasking.strategy.selectors import get_control_strategy_for


def _detail(meeting: Meeting):
    return redirect("tasking:meeting_detail", pk=meeting.pk)


def _screen(meeting: Meeting):
    """Back to the chair's view of the screen, on its Control strategy tab."""
    address = reverse("tasking:meeting_screen_private", args=[meeting.pk])
    return redirect(address + "#nim-record-strategy")


def _screen_back(request):
    """Where a decision taken on the chair's view of the screen goes back to: its recording
    panel swapped in place with htmx (the page does not move), else the whole view."""
    if request.htmx:
        return lambda meeting: render_controls(request, meeting)
    return _screen


def _attendance(meeting: Meeting):
    return redirect(reverse("tasking:meeting_detail", args=[meeting.pk]) + "#attendance")


def _refused(request, meeting: Meeting, exc: ValidationError, back=_detail):
    messages.error(request, " ".join(exc.messages))
    return back(meeting)


def _press(request, meeting: Meeting, form, record: Record, *, invalid, back=_detail):
    """A button or short form of the meeting's page, recorded at the meeting: a form that is not
    valid is told `invalid` (or what it builds from the form), a refusal why, and back to the
    page either way."""
    if not form.is_valid():
        messages.error(request, invalid(form) if callable(invalid) else invalid)
        return back(meeting)
    try:
        made = record.record(request, form, meeting=meeting)
    except ValidationError as exc:
        return _refused(request, meeting, exc)
    if record.done is not None:
        messages.success(request, record.done(made))
    return back(meeting)


def _form_page(request, template: str, form, page_marking, **context):
    """A page of one of the chair's forms, answering 400 while the form carries errors."""
    context.update(form=form, page_marking=page_marking)
    return render(request, template, context, status=400 if form.errors else 200)


def _render_detail(request, meeting: Meeting, *, minutes_form=None, conflict=None, status=200):
    proceedings = selectors.meeting_proceedings(request.user, meeting)
    context = {
        "meeting": meeting,
        "proceedings": proceedings,
        "page_marking": proceedings.page_marking,
        "conflict": conflict,
    }
    if proceedings.may_chair:
        context.update(
            decision_form=DecisionForm(meeting=meeting, agenda=proceedings.agenda),
            agenda_form=AgendaItemAddForm(),
            invitee_form=InviteeForm(people=people_invitable_to(meeting)),
            minutes_form=minutes_form
            or MinutesForm(
                initial={
                    "text": meeting.minutes,
                    "marking": meeting.minutes_marking,
                    "version": meeting.minutes_version,
                }
            ),
        )
    if proceedings.may_chair and meeting.status == MeetingStatus.IN_SESSION:
        context.update(
            sitting_decisions=selectors.decisions_before_sitting(request.user, meeting),
            sitting_form=SittingDecisionForm(),
        )
    return render(request, "tasking/meetings/detail.html", context, status=status)


@require_POST
@police_required
def sitting_decide(request, pk, subject, strategy_pk):
    """The sitting ST&CG approves or returns its unit's control strategy or requirement, from
    the meeting's page or from the chair's view of its screen (`view` "private"), and goes back
    there, the decision recorded or refused."""
    meeting = meeting_for_user(request.user, pk)
    decide = SITTING_DECIDERS.get(subject)
    if decide is None:
        raise Http404("No such decision at a sitting.")
    strategy = get_control_strategy_for(request.user, strategy_pk)
    on_screen = request.POST.get("view") == "private"
    back = _screen_back(request) if on_screen else _detail
    form = SittingDecisionForm(request.POST)
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        return _refused(request, meeting, ValidationError(errors), back)
    approve = form.cleaned_data["decision"] == SittingDecisionForm.APPROVE
    try:
        decide(
            acting_user=request.user,
            meeting=meeting,
            strategy=strategy,
            approve=approve,
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as exc:
        return _refused(request, meeting, exc, back)
    done = selectors.SittingDecision(subject, strategy).label
    messages.success(request, f"{done} {'approved' if approve else 'returned'} at this sitting.")
    if on_screen:
        return back(meeting)
    return redirect(reverse("tasking:meeting_detail", args=[meeting.pk]) + "#decisions")


@require_GET
@police_required
def meeting_detail(request, pk):
    return _render_detail(request, meeting_for_user(request.user, pk))


def _moved(request, pk, record: Record):
    """The meeting opened or closed from its page."""
    meeting = meeting_for_user(request.user, pk)
    try:
        made = record.run(request, meeting=meeting)
    except ValidationError as exc:
        return _refused(request, meeting, exc)
    messages.success(request, record.done(made))
    return _detail(meeting)


@require_POST
@police_required
def meeting_open(request, pk):
    return _moved(request, pk, MEETING_OPENED)


@require_POST
@police_required
def meeting_close(request, pk):
    return _moved(request, pk, MEETING_CLOSED)


@require_POST
@police_required
def current_item_set(request, pk):
    meeting = meeting_for_user(request.user, pk)
    form = CurrentItemForm(request.POST, meeting=meeting)
    invalid = "Choose an item of this meeting's agenda."
    return _press(request, meeting, form, CURRENT_ITEM, invalid=invalid)


@require_POST
@police_required
def attendance_set(request, pk):
    meeting = meeting_for_user(request.user, pk)
    form = AttendanceForm(request.POST, meeting=meeting)
    invalid = "Choose somebody invited and their attendance."
    return _press(request, meeting, form, ATTENDANCE, invalid=invalid)


@require_POST
@police_required
def invitee_add(request, pk):
    meeting = meeting_for_user(request.user, pk)
    form = InviteeForm(request.POST, people=people_invitable_to(meeting))
    invalid = "Choose a police colleague who is not invited yet."
    return _press(request, meeting, form, INVITEE_ADDED, invalid=invalid, back=_attendance)


@require_POST
@police_required
def invitee_remove(request, pk, invitee_pk):
    meeting = meeting_for_user(request.user, pk)
    invitee = meeting.invitees.select_related("user").filter(pk=invitee_pk).first()
    if invitee is None:
        raise Http404("No such invitee of this meeting.")
    try:
        meeting_services.police_invitee_remove(
            acting_user=request.user, invitee=invitee, request=request
        )
    except ValidationError as exc:
        return _refused(request, meeting, exc)
    messages.success(request, f"{invitee.user}'s invitation is taken back.")
    return _attendance(meeting)


@require_http_methods(["GET", "POST"])
@police_required
def reschedule(request, pk):
    """Move a scheduled meeting; its invitations go out again (tasking.meetings.services)."""
    meeting = meeting_for_user(request.user, pk)
    require_chair(request.user, meeting, "move it")
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.error(request, "Only a scheduled meeting can be moved: this one has started.")
        return _detail(meeting)
    form = (
        MeetingRescheduleForm(request.POST)
        if request.method == "POST"
        else MeetingRescheduleForm.for_meeting(meeting)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = meeting_services.meeting_reschedule(
                acting_user=request.user,
                meeting=meeting,
                starts_at=form.starts_at(),
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                call_link=data["call_link"],
                expected_sequence=data["sequence"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            starts = timezone.localtime(moved.starts_at)
            messages.success(
                request,
                f"The meeting is now on {starts:%A} {starts.day} {starts:%B %Y at %H:%M}: "
                "the invitations go out again with the change.",
            )
            return _detail(meeting)
    return _form_page(
        request, "tasking/meetings/reschedule.html", form, GSCMarking.OFFICIAL, meeting=meeting
    )


@require_POST
@police_required
def agenda_item_add(request, pk):
    meeting = meeting_for_user(request.user, pk)
    form = AgendaItemAddForm(request.POST)
    invalid = "Enter the new item's title (200 characters or fewer)."
    return _press(request, meeting, form, AGENDA_ITEM_ADDED, invalid=invalid)


def _item_of(meeting: Meeting, item_pk) -> AgendaItem:
    item = meeting.agenda_items.filter(pk=item_pk).first()
    if item is None:
        raise Http404("No such agenda item.")
    return item


@require_http_methods(["GET", "POST"])
@police_required
def agenda_item_edit(request, pk, item_pk):
    meeting = meeting_for_user(request.user, pk)
    item = _item_of(meeting, item_pk)
    require_chair(request.user, meeting, "change its agenda")
    form = AgendaItemEditForm(
        request.POST or None,
        initial={
            "title": item.title,
            "title_marking": item.title_marking,
            "notes": item.notes,
            "notes_marking": item.notes_marking,
        },
    )
    done = AGENDA_ITEM_CHANGED.submit(request, form, item=item)
    if done:
        messages.success(request, done)
        return _detail(meeting)
    return _form_page(
        request,
        "tasking/meetings/agenda_item_edit.html",
        form,
        GSCMarking.OFFICIAL,
        meeting=meeting,
        item=item,
    )


@require_POST
@police_required
def agenda_item_move(request, pk, item_pk):
    meeting = meeting_for_user(request.user, pk)
    item = _item_of(meeting, item_pk)
    form = AgendaItemMoveForm(request.POST)
    direction = form.cleaned_data["direction"] if form.is_valid() else ""
    try:
        services.agenda_item_move(
            acting_user=request.user, item=item, direction=direction, request=request
        )
    except ValidationError as exc:
        return _refused(request, meeting, exc)
    return _detail(meeting)


@require_POST
@police_required
def agenda_item_delete(request, pk, item_pk):
    meeting = meeting_for_user(request.user, pk)
    item = _item_of(meeting, item_pk)
    try:
        services.agenda_item_delete(acting_user=request.user, item=item, request=request)
    except ValidationError as exc:
        return _refused(request, meeting, exc)
    messages.success(request, f"“{item.title}” is taken off the agenda.")
    return _detail(meeting)


def _decision_not_recorded(form) -> str:
    errors = [error for errors in form.errors.values() for error in errors]
    return "The decision was not recorded: " + " ".join(errors)


@require_POST
@police_required
def decision_add(request, pk):
    meeting = meeting_for_user(request.user, pk)
    form = DecisionForm(request.POST, meeting=meeting)
    return _press(request, meeting, form, DECISION, invalid=_decision_not_recorded)


@require_POST
@police_required
def minutes_save(request, pk):
    meeting = meeting_for_user(request.user, pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, meeting, minutes_form=form, status=400)
    data = form.cleaned_data
    try:
        services.minutes_save(
            acting_user=request.user,
            meeting=meeting,
            text=data["text"],
            expected_version=data["version"],
            marking=data["marking"],
            request=request,
        )
    except services.MinutesConflict as conflict:
        meeting.refresh_from_db()
        # The editor's text stays in the box, over the version saved now, to merge by hand.
        form = MinutesForm(
            initial={
                "text": conflict.your_text,
                "marking": data["marking"],
                "version": conflict.current_version,
            }
        )
        messages.error(request, conflict.messages[0])
        return _render_detail(request, meeting, minutes_form=form, conflict=conflict, status=409)
    except ValidationError as exc:
        return _refused(request, meeting, exc)
    messages.success(request, "The minutes are saved.")
    return redirect(reverse("tasking:meeting_detail", args=[meeting.pk]) + "#minutes")


@require_http_methods(["GET", "POST"])
@police_required
def commission(request, pk):
    meeting = meeting_for_user(request.user, pk)
    require_chair(request.user, meeting, "commission profiles")
    form = CommissionForm(
        request.POST or None, meeting=meeting, analysts=selectors.analysts_who_may_develop(meeting)
    )
    done = COMMISSION.submit(request, form, meeting=meeting)
    if done:
        messages.success(request, done)
        return _detail(meeting)
    return _form_page(
        request,
        "tasking/meetings/commission.html",
        form,
        GSCMarking.OFFICIAL_SENSITIVE,
        meeting=meeting,
    )


@require_http_methods(["GET", "POST"])
@police_required
def escalate(request, pk):
    meeting = meeting_for_user(request.user, pk)
    require_chair(request.user, meeting, "escalate its business")
    parent = Unit.objects.get_parent(meeting.unit)
    # Opened from a bid refused for its shortfall (?bid=): the form says so already.
    bid_id = parse_id(request.GET.get("bid"))
    draft = (
        escalations.shortfall_draft(acting_user=request.user, meeting=meeting, bid_id=bid_id)
        if bid_id
        else None
    )
    form = EscalationForm(request.POST or None, meeting=meeting, initial=draft)
    done = ESCALATION.submit(request, form, meeting=meeting)
    if done:
        messages.success(request, done)
        if draft:
            # Back to the bid, whose acceptance may now name this escalation.
            return redirect("tasking:bid_detail", pk=bid_id)
        return _detail(meeting)
    return _form_page(
        request,
        "tasking/meetings/escalate.html",
        form,
        GSCMarking.OFFICIAL_SENSITIVE,
        meeting=meeting,
        parent=parent,
    )


def _minutes_pdf_progress(request, meeting: Meeting, version, printed):
    """The PDF the reader is handed, while it is rendered (the job-progress component, from its
    newest job), marked as what it holds for them."""
    if isinstance(printed, MinutesPrint):
        reader_minutes = minutes_for_reader(version.content, printed.ceiling)
        kind, marking = MINUTES_READER_PDF_JOB, reader_minutes["reader_marking"]
    else:
        kind, marking = MINUTES_PDF_JOB, version.marking
    job = latest_jobs(kind, [printed.pk]).get(printed.pk)
    progress = JobProgress(job, minutes_outcome(meeting.pk)) if job else None
    return render(
        request,
        "tasking/meetings/minutes_pdf.html",
        {
            "meeting": meeting,
            "version": version,
            "printed": printed,
            "progress": progress,
            "page_marking": marking,
        },
    )


@require_http_methods(["GET", "POST"])
@police_required
def minutes_pdf(request, pk):
    """GET: the PDF the reader is handed when it is ready (audited), else its progress. POST:
    ask again for one that failed (the progress component's Try again)."""
    meeting = meeting_for_user(request.user, pk)
    version = selectors.minutes_readable_by(request.user, meeting)
    printed = minutes_pdf_request(acting_user=request.user, version=version)
    if request.method == "POST":
        return redirect("tasking:meeting_minutes_pdf", pk=meeting.pk)
    if not printed.pdf_ready:
        return _minutes_pdf_progress(request, meeting, version, printed)
    try:
        version = minutes_pdf_download(acting_user=request.user, version=version, request=request)
    except ValidationError as exc:
        return _refused(request, meeting, exc)
    response = FileResponse(
        version.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"minutes-{meeting.pk}-v{version.number}.pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


# Escalations.


@require_GET
@police_required
def escalation_list(request):
    boxes = selectors.escalation_boxes(request.user)
    rows = boxes.inbox + boxes.outbox
    return render(
        request,
        "tasking/meetings/escalations.html",
        {
            "boxes": boxes,
            "form": EscalationDecisionForm(),
            "page_marking": max([GSCMarking.OFFICIAL, *(e.marking for e in rows)]),
        },
    )


def _decide(request, pk, service, done: str):
    escalation = selectors.escalation_for_user(request.user, pk)
    form = EscalationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the decision and who owns the threat now.")
        return redirect("tasking:escalation_list")
    try:
        service(
            acting_user=request.user,
            escalation=escalation,
            decision_text=form.cleaned_data["decision_text"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{escalation.title}” is {done}.")
    return redirect("tasking:escalation_list")


@require_POST
@police_required
def escalation_adopt(request, pk):
    return _decide(request, pk, escalations.escalation_adopt, "adopted")


@require_POST
@police_required
def escalation_return(request, pk):
    return _decide(request, pk, escalations.escalation_return, "returned")
