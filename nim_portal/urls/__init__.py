"""Root URLconf: the core app's pages, the API, and the admin. Later apps add their own includes."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("nim_portal.urls.accounts")),
    path("api/", include("nim_portal.api.urls")),
    path("products/", include("products.urls", namespace="products")),
    path("partners/", include("partners.urls", namespace="partners")),
    path("tasking/", include("tasking.urls", namespace="tasking")),
    path("", include("nim_portal.urls.pages")),
    path("admin/", admin.site.urls),
]
