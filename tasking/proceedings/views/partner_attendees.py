"""The chair's pages for partner attendees: the upcoming meetings they may invite partners to,
and one meeting's partner attendees with the invitation form.

Police users only (partners: 404); a meeting the user may not invite partners to is a 404 too.
Every change is a service of tasking.proceedings.partner_attendees.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import police_required
from tasking.meetings.choices import MeetingKind
from tasking.meetings.models import MeetingInvitee
from tasking.proceedings import partner_attendees as services
from tasking.proceedings import selectors
from tasking.proceedings.forms import PartnerAttendeeForm


@require_GET
@police_required
def meeting_list(request):
    return render(
        request,
        "tasking/submissions/partner_meetings.html",
        {
            "meetings": list(selectors.meetings_chaired_for_partners(request.user)),
            "page_marking": GSCMarking.OFFICIAL,
        },
    )


@require_http_methods(["GET", "POST"])
@police_required
def partner_attendees(request, pk):
    meeting = selectors.get_meeting_for_partner_attendees(request.user, pk)
    tactical = meeting.kind == MeetingKind.TACTICAL
    form = PartnerAttendeeForm(
        request.POST or None,
        candidates=selectors.partner_attendee_candidates(meeting),
        tactical=tactical,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitee = services.partner_attendee_invite(
                acting_user=request.user,
                meeting=meeting,
                partner_user=data["partner"],
                tactical_attendance=data.get("tactical_attendance", False),
                reason=data.get("reason", ""),
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{invitee.user} is invited: the invitation is on its way.")
            return redirect("tasking:partner_attendees", pk=meeting.pk)
    return render(
        request,
        "tasking/submissions/partner_attendees.html",
        {
            "meeting": meeting,
            "tactical": tactical,
            "attendees": list(selectors.partner_attendees(meeting)),
            "form": form,
            "page_marking": GSCMarking.OFFICIAL,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@police_required
def partner_attendee_remove(request, pk, invitee_pk):
    meeting = selectors.get_meeting_for_partner_attendees(request.user, pk)
    invitee = MeetingInvitee.objects.filter(meeting=meeting, pk=invitee_pk).first()
    if invitee is None:
        raise Http404("No such attendee.")
    try:
        services.partner_attendee_remove(acting_user=request.user, invitee=invitee, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The invitation of {invitee.user} is taken back.")
    return redirect("tasking:partner_attendees", pk=meeting.pk)
