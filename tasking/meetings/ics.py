"""iCalendar (.ics) invitations for meetings, built with the icalendar package.

An invitation carries only what any invitee may see in an e-mail: the kind of meeting, the unit,
the time and the place or call link; never its business. Each .ics names one attendee, its
recipient, so that no invitee learns who else is invited.
"""

from datetime import UTC

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from nim_portal.models import User
from tasking.meetings.models import Meeting

PRODID = "-//NIM Portal//Tasking and co-ordination//EN"


def meeting_uid(meeting: Meeting) -> str:
    """The calendar UID: stable for the meeting's whole life, so updates replace the entry."""
    return f"{meeting.uid}@nim-portal"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def meeting_invitation_ics(meeting: Meeting, attendee: User) -> bytes:
    """A METHOD:REQUEST calendar inviting `attendee` to `meeting` at its current SEQUENCE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", f"{meeting.get_kind_display()} — {meeting.unit}")
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", f"Agenda and papers in NIM Portal: {settings.NIM_PORTAL_URL}/")
    event.add("status", "CONFIRMED")
    organiser = meeting.chair
    if organiser is not None and organiser.email:
        event.add("organizer", _address(organiser.email, str(organiser)))
    else:
        event.add("organizer", _address(settings.DEFAULT_FROM_EMAIL, "NIM Portal"))
    event.add(
        "attendee",
        _address(
            attendee.email,
            str(attendee),
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp="TRUE",
        ),
    )
    calendar.add_component(event)
    return calendar.to_ical()


def meeting_ics_response(meeting: Meeting, attendee: User) -> HttpResponse:
    """The invitation of `attendee` to `meeting` as a download, named for the meeting (the
    invitee's page offers it, as the invitation e-mail attaches it)."""
    response = HttpResponse(meeting_invitation_ics(meeting, attendee), content_type="text/calendar")
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="meeting-{day}.ics"'
    return response
