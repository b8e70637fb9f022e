"""Sideways requests' pages: a sitting meeting's chair sends one to a neighbouring unit's T&CG;
the requests to and from the reader's units, where a chair of the asked unit accepts or declines.

Missing and forbidden give the same 404 (tasking.meetings.selectors, tasking.requests.selectors);
every change goes through tasking.requests.services, whose refusals go back onto the form or
into the page's message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import police_required
from tasking.meetings.selectors import meeting_for_user
from tasking.requests import policy, selectors, services
from tasking.requests.forms import RequestDecisionForm, RequestSendForm


@require_http_methods(["GET", "POST"])
@police_required
def request_send(request, meeting_pk):
    user = request.user
    meeting = meeting_for_user(user, meeting_pk)
    policy.require_sender(user, meeting)
    form = RequestSendForm(
        request.POST or None, meeting=meeting, neighbours=policy.neighbours_of(meeting.unit)
    )
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.request_send(
                acting_user=user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Request {sent.reference} sent to the T&CG of {sent.to_unit}."
            )
            return redirect("tasking:request_list")
    return render(
        request,
        "tasking/requests/send.html",
        {"meeting": meeting, "form": form, "page_marking": GSCMarking.OFFICIAL_SENSITIVE},
        status=400 if form.errors else 200,
    )


@require_GET
@police_required
def request_list(request):
    boxes = selectors.request_boxes(request.user)
    return render(
        request,
        "tasking/requests/list.html",
        {
            "boxes": boxes,
            "decidable": policy.requests_decidable_by(request.user, boxes.inbox),
            "form": RequestDecisionForm(),
            "page_marking": boxes.page_marking,
        },
    )


def _decide(request, pk, service, done: str):
    sideways_request = selectors.get_request_for(request.user, pk)
    form = RequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the decision: what the T&CG will do, or why it cannot.")
        return redirect("tasking:request_list")
    try:
        service(
            acting_user=request.user,
            sideways_request=sideways_request,
            decision_text=form.cleaned_data["decision_text"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Request {sideways_request.reference} is {done}.")
    return redirect("tasking:request_list")


@require_POST
@police_required
def request_accept(request, pk):
    return _decide(request, pk, services.request_accept, "accepted")


@require_POST
@police_required
def request_decline(request, pk):
    return _decide(request, pk, services.request_decline, "declined")
