"""The tasking API's routes, included by nim_portal.api.urls under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tasking.api import actions, meetings, strategy
from tasking.api import submissions as partner_submissions

router = SimpleRouter()
strategy.register(router)
partner_submissions.register(router)
meetings.register(router)
actions.register(router)

urlpatterns = [
    # An object of two lists (inbox, outbox), not a list: a view of its own, not the viewset's.
    path("escalations/", meetings.EscalationBoxesView.as_view(), name="escalation-list"),
    *router.urls,
]
