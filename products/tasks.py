"""Background jobs of the products app: thin, by id, safe to run twice (the services decide)."""

from celery import shared_task

from products import services

# Retries of a failed render, with exponential backoff (about 5, 10, 20 seconds, jittered).
PRINT_MAX_RETRIES = 3


def _last_attempt(task) -> bool:
    """Whether no retry can follow: the retries are spent, or the task runs in-process with its
    errors propagated (the demo's eager mode), where Celery cannot retry it."""
    request = task.request
    return request.retries >= task.max_retries or bool(
        request.is_eager and task.app.conf.task_eager_propagates
    )


@shared_task(
    bind=True,
    name="products.tasks.render_product_version_pdf",
    autoretry_for=(Exception,),
    max_retries=PRINT_MAX_RETRIES,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
)
def render_product_version_pdf(self, print_id: int) -> bool:
    """Render the printed PDF of a published version (ProductVersionPrint `print_id`)."""
    return services.product_version_print_render(print_id, final_attempt=_last_attempt(self))
