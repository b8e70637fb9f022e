"""Fixed vocabularies of sideways requests: a request's lifecycle, with its transition table."""

from django.db import models


class RequestStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


# The neighbour decides a request once: accepted or declined is final.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.SENT: frozenset({RequestStatus.ACCEPTED, RequestStatus.DECLINED}),
    RequestStatus.ACCEPTED: frozenset(),
    RequestStatus.DECLINED: frozenset(),
}
