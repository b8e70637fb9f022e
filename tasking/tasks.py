"""Background jobs of the tasking app: thin, by id, safe to run twice (the services decide)."""

from celery import shared_task

from tasking.services import meetings as meeting_services
from tasking.services import proceedings as proceedings_services


@shared_task(name="tasking.tasks.schedule_meetings")
def schedule_meetings_task() -> int:
    """Beat, hourly: keep every unit's meetings scheduled; returns the number created."""
    return len(meeting_services.schedule_meetings().created)


@shared_task(name="tasking.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Beat, every minute: send the meeting reminders that are due."""
    return meeting_services.reminders_send_due()


@shared_task(
    name="tasking.tasks.send_meeting_invitations",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_meeting_invitations(meeting_id: int) -> int:
    """Send a meeting's pending invitations (enqueued after commit by the services)."""
    return meeting_services.invitations_send(meeting_id)


@shared_task(
    name="tasking.tasks.render_minutes_pdf",
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
)
def render_minutes_pdf(version_id: int) -> bool:
    """Render the PDF of a closed meeting's frozen minutes (enqueued after commit at closing)."""
    return proceedings_services.minutes_pdf_render(version_id)
