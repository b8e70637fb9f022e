"""The tasking API's routes, included by nim_portal.api.urls under /api/v1/."""

from rest_framework.routers import SimpleRouter

from tasking.api import actions, meetings, strategy
from tasking.api import submissions as partner_submissions

router = SimpleRouter()
strategy.register(router)
partner_submissions.register(router)
meetings.register(router)
actions.register(router)

urlpatterns = router.urls
