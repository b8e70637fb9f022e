"""The tasking API's routes, included by nim_portal.api.urls under /api/v1/: each concept's
endpoints (tasking.<concept>.api) on one router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tasking.actions import api as actions
from tasking.bids import api as bids
from tasking.briefings import api as briefings
from tasking.proceedings import api as meetings
from tasking.proceedings import evaluation_api as priority_evaluations
from tasking.requests import api as sideways_requests
from tasking.resources import api as capabilities
from tasking.strategy import api as strategy
from tasking.submissions import api as partner_submissions

router = SimpleRouter()
strategy.register(router)
partner_submissions.register(router)
meetings.register(router)
priority_evaluations.register(router)
actions.register(router)
capabilities.register(router)
bids.register(router)
briefings.register(router)
sideways_requests.register(router)

urlpatterns = [
    # An object of two lists (inbox, outbox), not a list: a view of its own, not the viewset's.
    path("escalations/", meetings.EscalationBoxesView.as_view(), name="escalation-list"),
    *router.urls,
]
