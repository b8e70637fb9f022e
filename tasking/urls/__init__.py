"""The tasking app's pages, included at /tasking/ under the namespace "tasking".

One module an area: each module's `urlpatterns` is included here without a namespace of its own,
so every page is named "tasking:<name>".
"""

from django.urls import include, path

app_name = "tasking"

urlpatterns = [
    path("strategies/", include("tasking.urls.strategy")),
    path("cadence/", include("tasking.urls.cadence")),
    path("submissions/", include("tasking.urls.submissions")),
    path("partner/", include("tasking.urls.partner_area")),
    path("partner-attendees/", include("tasking.urls.partner_meetings")),
    path("meetings/", include("tasking.urls.meetings")),
    path("screen/", include("tasking.urls.meeting_screen")),
    path("actions/", include("tasking.urls.actions")),
]
