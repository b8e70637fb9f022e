"""The products API's routes, included by nim_portal.api.urls under /api/v1/."""

from rest_framework.routers import SimpleRouter

from products.api import ProductViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
