"""Beat's periodic work of the tasking app: thin (the services decide). Invitations, reminders
and minutes PDFs are jobs of the pipeline (nim_portal.jobs), not tasks of their own."""

from celery import shared_task

from tasking.meetings.cadence import schedule_meetings
from tasking.meetings.invitations import reminders_issue_due


@shared_task(name="tasking.tasks.schedule_meetings")
def schedule_meetings_task() -> int:
    """Beat, hourly: keep every unit's meetings scheduled; returns the number created."""
    return len(schedule_meetings().created)


@shared_task(name="tasking.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Beat, every minute: issue the meeting reminders that are due, a job for each invitee."""
    return reminders_issue_due()
