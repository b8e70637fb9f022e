"""The partners API's routes, included by nim_portal.api.urls under /api/v1/."""

from rest_framework.routers import SimpleRouter

from partners.api import AgencyViewSet, PartnerReleaseViewSet, ReleaseViewSet

router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("releases", ReleaseViewSet, basename="release")
router.register("partner/releases", PartnerReleaseViewSet, basename="partner-release")

urlpatterns = router.urls
