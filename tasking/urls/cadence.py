"""The admins' meeting cadence pages, included at /tasking/cadence/ (names "tasking:<name>")."""

from django.urls import path

from tasking.views import cadence

urlpatterns = [
    path("", cadence.cadence_policies, name="cadence_policies"),
    path("<int:pk>/edit/", cadence.cadence_policy_edit, name="cadence_policy_edit"),
    path("lapsed/", cadence.lapsed_cadence_list, name="lapsed_cadences"),
]
