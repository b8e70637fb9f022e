"""The meeting pages, included at /tasking/meetings/ (names "tasking:<name>")."""

from django.urls import path

from tasking.views import meetings

urlpatterns = [
    path("", meetings.meeting_list, name="meeting_list"),
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
    path("<int:pk>/minutes/", meetings.minutes_save, name="meeting_minutes_save"),
    path("<int:pk>/minutes.pdf", meetings.minutes_pdf, name="meeting_minutes_pdf"),
    path("<int:pk>/reschedule/", meetings.reschedule, name="meeting_reschedule"),
    path("<int:pk>/commission/", meetings.commission, name="meeting_commission"),
    path("<int:pk>/escalate/", meetings.escalate, name="meeting_escalate"),
]
