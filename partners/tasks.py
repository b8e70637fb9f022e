"""Beat jobs of the partners app: thin, by id, safe to run twice (the services decide)."""

from celery import shared_task

from partners import services


@shared_task(name="partners.tasks.expire_releases")
def expire_releases() -> int:
    """Beat: end the releases past their expiry date."""
    return sum(services.release_expire(pk) for pk in services.releases_due_to_expire())
