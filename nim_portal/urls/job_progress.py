"""The job-progress component's endpoint, included at /jobs/ (nim_portal.views.job_progress)."""

from django.urls import path

from nim_portal.views import job_progress

urlpatterns = [
    path("<int:pk>/progress/", job_progress.job_progress, name="job_progress"),
]
