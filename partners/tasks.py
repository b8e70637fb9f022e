"""Background jobs of the partners app: thin, by id, safe to run twice (the services decide)."""

from billiard.exceptions import WorkerLostError
from celery import shared_task

from partners import services

# Retries of a failed render, with exponential backoff (about 5, 10, 20 seconds, jittered).
RENDER_MAX_RETRIES = 3


def _last_attempt(task) -> bool:
    """Whether no retry can follow: the retries are spent, or the task runs in-process with its
    errors propagated (the demo's eager mode), where Celery cannot retry it."""
    request = task.request
    return request.retries >= task.max_retries or bool(
        request.is_eager and task.app.conf.task_eager_propagates
    )


@shared_task(
    bind=True,
    name="partners.tasks.render_release_document",
    autoretry_for=(Exception,),
    # A lost worker's message goes back to the broker (acks_late + reject_on_worker_lost) and is
    # delivered again with the same id; retrying as well would render it twice over.
    dont_autoretry_for=(WorkerLostError,),
    max_retries=RENDER_MAX_RETRIES,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=120,
    time_limit=180,
)
def render_release_document(self, document_id: int) -> bool:
    """Render one agency's PDF of a release (ReleaseDocument `document_id`)."""
    return services.release_document_render(
        document_id, task_id=self.request.id or "", final_attempt=_last_attempt(self)
    )


@shared_task(name="partners.tasks.sweep_release_documents")
def sweep_release_documents() -> int:
    """Beat, every minute: enqueue again the PDFs whose task was lost (no lost work)."""
    return len(services.release_documents_sweep())


@shared_task(name="partners.tasks.expire_releases")
def expire_releases() -> int:
    """Beat: end the releases past their expiry date."""
    return sum(services.release_expire(pk) for pk in services.releases_due_to_expire())
