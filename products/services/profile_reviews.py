"""Profile review: the review date in a profile's terms of reference calls for its review until
the profile closes with its outcome (products.services.product_close)."""

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from nim_portal.lifecycle import save_with_history
from products.models import TermsOfReference
from products.selectors import profile_review_due_q
from products.services.notifications import PROFILE_REVIEW_DUE, product_lifecycle_notify

# How many profiles one run of beat reminds of; the rest wait for the next run.
REMINDERS_PER_RUN = 500


def profile_reviews_remind_due(*, today: datetime.date | None = None) -> int:
    """System job (Celery beat, daily): remind the analyst and the requester of each profile whose
    review date has come, once for each review date (a new review date reminds again). Their
    e-mails are jobs of the pipeline, written with the reminder by notify(). Returns how many
    profiles were reminded of."""
    today = today or timezone.localdate()
    due = (
        TermsOfReference.objects.filter(profile_review_due_q(today))
        .filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("review_date")))
        .order_by("review_date", "pk")
        .values_list("pk", flat=True)[:REMINDERS_PER_RUN]
    )
    reminded = 0
    for terms_id in list(due):
        with transaction.atomic():
            terms = (
                TermsOfReference.objects.select_for_update()
                .filter(profile_review_due_q(today), pk=terms_id)
                .first()
            )
            if terms is None or terms.review_reminded_for == terms.review_date:
                continue
            terms.review_reminded_for = terms.review_date
            save_with_history(terms, acting_user=None, reason="Review reminder sent")
            product_lifecycle_notify(
                PROFILE_REVIEW_DUE, product_id=terms.product_id, acting_user_id=None
            )
            reminded += 1
    return reminded
