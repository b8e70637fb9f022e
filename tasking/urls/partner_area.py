"""The tasking pages of the partner area, for partner users (included at /tasking/partner/)."""

from django.urls import path

from tasking.views import partner_area

urlpatterns = [
    path("information/", partner_area.submission_list, name="partner_submissions"),
    path("information/new/", partner_area.submission_create, name="partner_submission_create"),
    path("information/<int:pk>/", partner_area.submission_detail, name="partner_submission"),
    path(
        "information/<int:pk>/add/",
        partner_area.submission_follow_up,
        name="partner_submission_follow_up",
    ),
    path("meetings/", partner_area.meeting_list, name="partner_meetings"),
    path("meetings/<int:pk>/invitation.ics", partner_area.meeting_ics, name="partner_meeting_ics"),
]
