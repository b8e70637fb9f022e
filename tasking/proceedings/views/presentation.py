"""Presentation mode: the shared screen for the room's display, full screen, with no site chrome
but the marking banners, in type readable from the back of the room. It shows what the shared
screen shows (tasking.proceedings.screen's one rule), the assessment the meeting concerns with
its summary and the priorities of the unit's control strategy, and follows the meeting as the
shared screen does (the same poll)."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nim_portal.templatetags.portal import marking_label
from nim_portal.web.decorators import police_required
from tasking.meetings.models import Meeting
from tasking.meetings.selectors import meeting_for_user
from tasking.proceedings.poll import poll_ticket_mint
from tasking.proceedings.screen import meeting_presentation


def _context(request, meeting: Meeting) -> dict:
    """Mints the poll ticket at the revision read, as the shared screen does."""
    presentation = meeting_presentation(meeting)
    screen = presentation.screen
    ticket = poll_ticket_mint(request, meeting.pk, screen.revision)
    label = marking_label(presentation.page_marking)
    return {
        "marking": {"label": label, "modifier": label.lower().replace(" ", "-")},
        "meeting": meeting,
        "presentation": presentation,
        "screen": screen,
        "page_marking": presentation.page_marking,
        "poll_url": reverse("tasking:meeting_screen_poll", args=[meeting.pk]) + f"?ticket={ticket}",
        "live_url": reverse("tasking:meeting_presentation_live", args=[meeting.pk]),
    }


@require_GET
@police_required
@never_cache
def presentation(request, pk):
    meeting = meeting_for_user(request.user, pk)
    return render(request, "tasking/screen/presentation.html", _context(request, meeting))


@require_GET
@police_required
@never_cache
def presentation_live(request, pk):
    """The presentation's content again, with both marking banners (htmx, after the poll)."""
    meeting = meeting_for_user(request.user, pk)
    return render(request, "tasking/screen/presentation_live.html", _context(request, meeting))
