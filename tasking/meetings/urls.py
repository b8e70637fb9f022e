"""The meetings' pages (names "tasking:<name>"): the user's meetings at /tasking/meetings/ (each
meeting's own page is its proceedings': tasking.proceedings.urls), and the admins' meeting cadence
pages at /tasking/cadence/."""

from django.urls import include, path

from tasking.meetings import views

cadence_pages = [
    path("", views.cadence_policies, name="cadence_policies"),
    path("<int:pk>/edit/", views.cadence_policy_edit, name="cadence_policy_edit"),
    path("lapsed/", views.lapsed_cadence_list, name="lapsed_cadences"),
]

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/invitation.ics", views.meeting_ics, name="meeting_ics"),
    path("cadence/", include(cadence_pages)),
]
