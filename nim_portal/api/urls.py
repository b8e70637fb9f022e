"""The API, included at /api/: version 1 of the resources, the OpenAPI schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from nim_portal.api.permissions import IsPoliceUser
from nim_portal.api.views import MeTokenView, MeView, UnitViewSet, api_address_not_found

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")

v1_patterns = [
    path("me/", MeView.as_view(), name="me"),
    path("me/token/", MeTokenView.as_view(), name="me-token"),
    path("", include(router.urls)),
    path("", include("products.api_urls")),
    path("", include("partners.api_urls")),
    path("", include("tasking.api.urls")),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1_patterns)),
    # The schema describes the police API: partners get 404 here too, like everywhere in it.
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsPoliceUser]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", permission_classes=[IsPoliceUser]
        ),
        name="docs",
    ),
    # Last: every other address under /api/, line breaks included.
    re_path(r"^(?P<address>[\s\S]*)$", api_address_not_found, name="not-found"),
]
