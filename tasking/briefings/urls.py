"""The patrol briefings' pages, at /tasking/briefings/ (names "tasking:<name>")."""

from django.urls import include, path

from tasking.briefings import views

briefing_pages = [
    path("", views.briefing_list, name="briefing_list"),
    path("units/<int:unit_pk>/", views.unit_briefings, name="unit_briefings"),
    path("<int:pk>/", views.briefing_detail, name="briefing_detail"),
    path("<int:pk>/pdf/", views.briefing_pdf, name="briefing_pdf"),
]

urlpatterns = [path("briefings/", include(briefing_pages))]
