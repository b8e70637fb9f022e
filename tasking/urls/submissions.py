"""Triage of partner information, for police staff (included at /tasking/submissions/)."""

from django.urls import path

from tasking.views import submissions

urlpatterns = [
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
