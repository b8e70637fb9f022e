"""The action log pages, at /tasking/actions/ (names "tasking:<name>")."""

from django.urls import include, path

from tasking.actions import views as actions

action_pages = [
    path("", actions.my_actions, name="my_actions"),
    path("rag/", actions.my_actions_rag, name="my_actions_rag"),
    path("units/<int:unit_pk>/", actions.action_log, name="action_log"),
    path("units/<int:unit_pk>/raise/", actions.action_raise, name="action_raise"),
    path("<int:pk>/", actions.action_detail, name="action_detail"),
    path("<int:pk>/update/", actions.action_update, name="action_update"),
    path("<int:pk>/row/", actions.my_action_row, name="my_action_row"),
    path("<int:pk>/close/", actions.action_close, name="action_close"),
]

urlpatterns = [path("actions/", include(action_pages))]
