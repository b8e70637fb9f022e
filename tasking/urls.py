"""The tasking app's pages, included at /tasking/ under the namespace "tasking".

One module a concept: each concept's `urlpatterns` (its areas under their own prefixes) is included
here without a namespace of its own, so every page is named "tasking:<name>".
"""

from django.urls import include, path

app_name = "tasking"

urlpatterns = [
    path("", include("tasking.strategy.urls")),
    path("", include("tasking.meetings.urls")),
    path("", include("tasking.resources.urls")),
    path("", include("tasking.actions.urls")),
    path("", include("tasking.proceedings.urls")),
    path("", include("tasking.briefings.urls")),
    path("", include("tasking.bids.urls")),
    path("", include("tasking.requests.urls")),
    path("", include("tasking.submissions.urls")),
]
