"""The ST&CG's evaluation of the ending period's priorities, from the meeting (issue 14, point
9): the chair's page listing them with the action log's counts and what is recorded, and the form
recording one while the ST&CG sits (tasking.proceedings.evaluation).

Police users only; a meeting the user may not read is a 404, and only who may chair it opens the
page (403 otherwise). A refusal of the service goes back onto the form (400), nothing changed.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import police_required
from tasking.meetings.choices import MeetingKind, MeetingStatus
from tasking.meetings.policy import require_chair
from tasking.meetings.selectors import meeting_for_user
from tasking.proceedings.evaluation import priorities_to_evaluate, priority_evaluate
from tasking.strategy.forms import PriorityEvaluationForm
from tasking.strategy.models import Priority


@require_http_methods(["GET", "POST"])
@police_required
def priority_evaluations(request, pk):
    meeting = meeting_for_user(request.user, pk)
    if meeting.kind != MeetingKind.STRATEGIC:
        raise Http404("Only an ST&CG evaluates the priorities of the ending period.")
    require_chair(request.user, meeting, "evaluate the priorities of the control strategy")
    rows = priorities_to_evaluate(request.user, meeting)
    pending = Priority.objects.filter(pk__in=[r.priority.pk for r in rows if not r.evaluation])
    sitting = meeting.status == MeetingStatus.IN_SESSION
    form = PriorityEvaluationForm(request.POST or None, priorities=pending)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = priority_evaluate(
                acting_user=request.user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{evaluation.priority.theme}” evaluated at this sitting.")
            return redirect("tasking:meeting_priority_evaluations", pk=meeting.pk)
    return render(
        request,
        "tasking/meetings/priority_evaluations.html",
        {
            "meeting": meeting,
            "rows": rows,
            # A refusal is shown on its form, also once nothing is left to evaluate.
            "form": form if (sitting and pending) or form.errors else None,
            "sitting": sitting,
            "page_marking": max(
                (r.priority.control_strategy.marking for r in rows), default=GSCMarking.OFFICIAL
            ),
        },
        status=400 if form.errors else 200,
    )
