"""Attendance taken on the chair's view of the screen: one press marks an invitee present or
sending apologies, through the same record as the meeting's page (views.recording.ATTENDANCE).
With htmx the screens follow (the service moves the meeting's screen on); without it the chair
comes back to the attendance list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from nim_portal.web.decorators import police_required
from tasking.meetings.policy import require_chair
from tasking.meetings.selectors import meeting_for_user
from tasking.proceedings.forms import AttendanceForm
from tasking.proceedings.views.recording import ATTENDANCE
from tasking.proceedings.views.screen import SCREEN_CHANGED


@require_POST
@police_required
def screen_attendance(request, pk):
    meeting = meeting_for_user(request.user, pk)
    require_chair(request.user, meeting, "record attendance")
    form = AttendanceForm(request.POST, meeting=meeting)
    refusal = None
    if not form.is_valid():
        refusal = "Choose somebody invited and their attendance."
    else:
        try:
            ATTENDANCE.record(request, form, meeting=meeting)
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
    if refusal:
        messages.error(request, refusal)
        if request.htmx:
            return HttpResponseClientRefresh()
    elif request.htmx:
        return trigger_client_event(HttpResponse(status=204), SCREEN_CHANGED)
    return redirect(
        reverse("tasking:meeting_screen_private", args=[meeting.pk]) + "#nim-attendance"
    )
