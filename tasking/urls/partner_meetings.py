"""The chair's pages of partner attendees at meetings (included at /tasking/partner-attendees/)."""

from django.urls import path

from tasking.views import partner_meetings

urlpatterns = [
    path("", partner_meetings.meeting_list, name="partner_attendee_meetings"),
    path("<int:pk>/", partner_meetings.partner_attendees, name="partner_attendees"),
    path(
        "<int:pk>/<int:invitee_pk>/remove/",
        partner_meetings.partner_attendee_remove,
        name="partner_attendee_remove",
    ),
]
