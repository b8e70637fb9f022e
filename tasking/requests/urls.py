"""Sideways requests between neighbouring T&CGs, at /tasking/requests/ (names "tasking:<name>")."""

from django.urls import include, path

from tasking.requests import views

request_pages = [
    path("", views.request_list, name="request_list"),
    path("meetings/<int:meeting_pk>/send/", views.request_send, name="request_send"),
    path("<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("<int:pk>/decline/", views.request_decline, name="request_decline"),
]

urlpatterns = [path("requests/", include(request_pages))]
