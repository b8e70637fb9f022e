import socket

from celery import shared_task

from nim_portal import services


@shared_task(name="nim_portal.tasks.record_worker_heartbeat")
def record_worker_heartbeat(hostname: str | None = None) -> str:
    """Beat sends this every minute; whichever worker takes it records that it is alive."""
    heartbeat = services.worker_heartbeat_record(hostname or socket.gethostname())
    return heartbeat.hostname


@shared_task(
    name="nim_portal.tasks.send_notification_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    return services.notification_email_send(notification_id)


@shared_task(name="nim_portal.tasks.sweep_notification_emails")
def sweep_notification_emails() -> list[int]:
    """Beat sends this every minute: the e-mails left waiting while the broker was away."""
    waiting = services.notification_emails_waiting()
    for notification_id in waiting:
        send_notification_email.delay(notification_id)
    return waiting
