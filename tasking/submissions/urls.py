"""Partner information's pages (names "tasking:<name>"): its triage, for police staff, at
/tasking/submissions/; the partner area's information and meetings, for partner users, at
/tasking/partner/."""

from django.urls import include, path

from tasking.submissions.views import partner_area
from tasking.submissions.views import triage as submissions

triage_pages = [
    path("", submissions.submission_list, name="submission_list"),
    path("<int:pk>/", submissions.submission_detail, name="submission_detail"),
    path("<int:pk>/accept/", submissions.submission_accept, name="submission_accept"),
    path("<int:pk>/ask/", submissions.submission_request_more, name="submission_request_more"),
    path("<int:pk>/decline/", submissions.submission_decline, name="submission_decline"),
    path("<int:pk>/grade/", submissions.submission_grade, name="submission_grade"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        submissions.attachment_download,
        name="submission_attachment",
    ),
]

partner_area_pages = [
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

urlpatterns = [
    path("submissions/", include(triage_pages)),
    path("partner/", include(partner_area_pages)),
]
