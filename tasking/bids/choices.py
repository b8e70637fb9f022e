"""Fixed vocabularies of bids: a bid's lifecycle, with its transition table."""

from django.db import models


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    RANKED = "ranked", "Ranked"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred"


# Before the meeting decides a bid it may rank it (and rank it again); the decision is final: an
# accepted bid lives on as its action, a declined or deferred one is proposed afresh if at all.
BID_TRANSITIONS: dict[str, frozenset[str]] = {
    BidStatus.SUBMITTED: frozenset(
        {BidStatus.RANKED, BidStatus.ACCEPTED, BidStatus.DECLINED, BidStatus.DEFERRED}
    ),
    BidStatus.RANKED: frozenset({BidStatus.ACCEPTED, BidStatus.DECLINED, BidStatus.DEFERRED}),
    BidStatus.ACCEPTED: frozenset(),
    BidStatus.DECLINED: frozenset(),
    BidStatus.DEFERRED: frozenset(),
}

# Bids the meeting has still to decide.
OPEN_BID_STATUSES = (BidStatus.SUBMITTED, BidStatus.RANKED)
