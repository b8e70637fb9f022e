"""A meeting's pages (names "tasking:<name>"): its page and the chair's forms, the escalations
and the minutes' PDF at /tasking/meetings/; the meeting on screen at /tasking/screen/; the chair's
pages of partner attendees at /tasking/partner-attendees/.

`screen/<pk>/` is the shared screen every reader of the meeting may open (the chair drives it),
`screen/<pk>/present/` the same for the room's display, full screen (presentation mode);
`screen/<pk>/chair/` the chair's private companion view, where decisions, actions, commissions and
escalations are recorded. `screen/<pk>/poll/` is the two-query "anything new?" each screen asks
every two seconds.
"""

from django.urls import include, path

from tasking.proceedings.views import attendance, evaluations, partner_attendees, presentation
from tasking.proceedings.views import meeting as meetings
from tasking.proceedings.views import screen as views

meeting_pages = [
    path("escalations/", meetings.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/adopt/", meetings.escalation_adopt, name="escalation_adopt"),
    path("escalations/<int:pk>/return/", meetings.escalation_return, name="escalation_return"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("<int:pk>/open/", meetings.meeting_open, name="meeting_open"),
    path("<int:pk>/close/", meetings.meeting_close, name="meeting_close"),
    path("<int:pk>/current-item/", meetings.current_item_set, name="meeting_current_item"),
    path("<int:pk>/attendance/", meetings.attendance_set, name="meeting_attendance"),
    path("<int:pk>/invitees/", meetings.invitee_add, name="meeting_invitee_add"),
    path(
        "<int:pk>/invitees/<int:invitee_pk>/remove/",
        meetings.invitee_remove,
        name="meeting_invitee_remove",
    ),
    path("<int:pk>/agenda/", meetings.agenda_item_add, name="agenda_item_add"),
    path("<int:pk>/agenda/<int:item_pk>/edit/", meetings.agenda_item_edit, name="agenda_item_edit"),
    path("<int:pk>/agenda/<int:item_pk>/move/", meetings.agenda_item_move, name="agenda_item_move"),
    path(
        "<int:pk>/agenda/<int:item_pk>/delete/",
        meetings.agenda_item_delete,
        name="agenda_item_delete",
    ),
    path("<int:pk>/decisions/", meetings.decision_add, name="meeting_decision_add"),
    path(
        "<int:pk>/evaluations/",
        evaluations.priority_evaluations,
        name="meeting_priority_evaluations",
    ),
    path(
        "<int:pk>/strategy/<str:subject>/<int:strategy_pk>/",
        meetings.sitting_decide,
        name="meeting_sitting_decide",
    ),
    path("<int:pk>/minutes/", meetings.minutes_save, name="meeting_minutes_save"),
    path("<int:pk>/minutes.pdf", meetings.minutes_pdf, name="meeting_minutes_pdf"),
    path("<int:pk>/reschedule/", meetings.reschedule, name="meeting_reschedule"),
    path("<int:pk>/commission/", meetings.commission, name="meeting_commission"),
    path("<int:pk>/escalate/", meetings.escalate, name="meeting_escalate"),
]

screen_pages = [
    path("<int:pk>/", views.screen_shared, name="meeting_screen"),
    path("<int:pk>/live/", views.screen_shared_live, name="meeting_screen_live"),
    path("<int:pk>/poll/", views.screen_poll, name="meeting_screen_poll"),
    path("<int:pk>/present/", presentation.presentation, name="meeting_presentation"),
    path(
        "<int:pk>/present/live/",
        presentation.presentation_live,
        name="meeting_presentation_live",
    ),
    path("<int:pk>/chair/", views.screen_private, name="meeting_screen_private"),
    path("<int:pk>/chair/live/", views.screen_private_live, name="meeting_screen_private_live"),
    path("<int:pk>/chair/controls/", views.screen_controls, name="meeting_screen_controls"),
    path("<int:pk>/open/", views.screen_open, name="meeting_screen_open"),
    path("<int:pk>/item/", views.screen_item_set, name="meeting_screen_item"),
    path("<int:pk>/close/", views.screen_close, name="meeting_screen_close"),
    path("<int:pk>/decision/", views.screen_decision, name="meeting_screen_decision"),
    path("<int:pk>/attendance/", attendance.screen_attendance, name="meeting_screen_attendance"),
    path("<int:pk>/commission/", views.screen_commission, name="meeting_screen_commission"),
    path("<int:pk>/escalate/", views.screen_escalate, name="meeting_screen_escalate"),
    path("<int:pk>/actions/raise/", views.screen_action_raise, name="meeting_screen_action_raise"),
    path(
        "<int:pk>/actions/<int:action_pk>/close/",
        views.screen_action_close,
        name="meeting_screen_action_close",
    ),
]

partner_attendee_pages = [
    path("", partner_attendees.meeting_list, name="partner_attendee_meetings"),
    path("<int:pk>/", partner_attendees.partner_attendees, name="partner_attendees"),
    path(
        "<int:pk>/<int:invitee_pk>/remove/",
        partner_attendees.partner_attendee_remove,
        name="partner_attendee_remove",
    ),
]

urlpatterns = [
    path("meetings/", include(meeting_pages)),
    path("screen/", include(screen_pages)),
    path("partner-attendees/", include(partner_attendee_pages)),
]
