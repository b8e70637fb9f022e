"""Beat's periodic work of the products app: thin (the services decide)."""

from celery import shared_task

from products.services.profile_reviews import profile_reviews_remind_due


@shared_task(name="products.tasks.remind_profile_reviews")
def remind_profile_reviews() -> int:
    """Beat, hourly: remind the analyst and requester of each profile whose review date has come
    (once per review date); returns how many profiles were reminded of."""
    return profile_reviews_remind_due()
