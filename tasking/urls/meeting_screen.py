"""The meeting on screen, included at /tasking/screen/ (names "tasking:<name>").

`<pk>/` is the shared screen every reader of the meeting may open (the chair drives it);
`<pk>/chair/` the chair's private companion view, where decisions, actions, commissions and
escalations are recorded. `poll/` is the two-query "anything new?" each screen asks every two
seconds.
"""

from django.urls import path

from tasking.views import meeting_screen as views

urlpatterns = [
    path("<int:pk>/", views.screen_shared, name="meeting_screen"),
    path("<int:pk>/live/", views.screen_shared_live, name="meeting_screen_live"),
    path("<int:pk>/poll/", views.screen_poll, name="meeting_screen_poll"),
    path("<int:pk>/chair/", views.screen_private, name="meeting_screen_private"),
    path("<int:pk>/chair/live/", views.screen_private_live, name="meeting_screen_private_live"),
    path("<int:pk>/chair/controls/", views.screen_controls, name="meeting_screen_controls"),
    path("<int:pk>/open/", views.screen_open, name="meeting_screen_open"),
    path("<int:pk>/item/", views.screen_item_set, name="meeting_screen_item"),
    path("<int:pk>/close/", views.screen_close, name="meeting_screen_close"),
    path("<int:pk>/decision/", views.screen_decision, name="meeting_screen_decision"),
    path("<int:pk>/commission/", views.screen_commission, name="meeting_screen_commission"),
    path("<int:pk>/escalate/", views.screen_escalate, name="meeting_screen_escalate"),
    path("<int:pk>/actions/raise/", views.screen_action_raise, name="meeting_screen_action_raise"),
    path(
        "<int:pk>/actions/<int:action_pk>/close/",
        views.screen_action_close,
        name="meeting_screen_action_close",
    ),
]
