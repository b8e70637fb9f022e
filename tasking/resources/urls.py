"""The register of tactical capability, at /tasking/capabilities/ (names "tasking:<name>")."""

from django.urls import include, path

from tasking.resources import views

capability_pages = [
    path("units/<int:unit_pk>/", views.capability_register, name="capability_register"),
    path("units/<int:unit_pk>/add/", views.capability_add, name="capability_add"),
    path("<int:pk>/edit/", views.capability_edit, name="capability_edit"),
    path("<int:pk>/retire/", views.capability_retire, name="capability_retire"),
]

urlpatterns = [path("capabilities/", include(capability_pages))]
