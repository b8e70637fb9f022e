"""Notifications of the lifecycle: who hears of a product's move, written in the move's
transaction."""

from django.urls import reverse

from nim_portal import access
from nim_portal.choices import NotificationKind, Role
from nim_portal.models import Membership, Notification, User
from nim_portal.services import notify
from products.models import Product
from products.policy import edited_current_version
from products.selectors import visible_products

TOR_AWAITS_AGREEMENT = "tor_awaits_agreement"

SUBMITTED_FOR_REVIEW = "submitted_for_review"

RETURNED_WITH_COMMENTS = "returned_with_comments"

APPROVED_AND_PUBLISHED = "approved_and_published"

PROFILE_REVIEW_DUE = "profile_review_due"

PRODUCT_FEEDBACK = "product_feedback"


def notify_concerned(event: str, product: Product, acting_user: User | None) -> None:
    """Tell the people concerned in the change's transaction: the notifications and the jobs of
    their e-mails are written with the change, or not at all."""
    product_lifecycle_notify(
        event,
        product_id=product.pk,
        acting_user_id=acting_user.pk if acting_user is not None else None,
    )


def _reviewers_to_notify(product: Product) -> list[User]:
    """Who may approve the submitted draft: the reviewers of the nearest unit, at the product's
    unit or above it, that has any who are not its owner nor an editor of this version (rule 6).

    The nearest level only: a BCU's draft goes to the BCU's reviewers, not to every reviewer of
    the force, the region and the nation.
    """
    memberships = (
        Membership.objects.filter(
            access.at_or_above(product.unit),
            role=Role.REVIEWER,
            unit__is_active=True,
            user__is_active=True,
        )
        .exclude(user_id=product.owner_id)
        .select_related("user", "unit")
        .order_by("-unit__depth", "user__username")
    )
    by_depth: dict[int, list[User]] = {}
    for membership in memberships:
        by_depth.setdefault(membership.unit.depth, []).append(membership.user)
    for reviewers in by_depth.values():
        independent = [user for user in reviewers if not edited_current_version(user, product)]
        readers = _readers_among(product, independent)
        if readers:
            return readers
    return []


def _readers_among(product: Product, people) -> list[User]:
    """Those of `people` who may see `product` by the visibility selector (rules 1 to 4): nobody
    hears of a product they cannot read (need-to-know, vetting, scope)."""
    unique = {person.pk: person for person in people if person is not None}
    return [
        person
        for person in unique.values()
        if visible_products(person).filter(pk=product.pk).exists()
    ]


def product_lifecycle_notify(event: str, *, product_id: int, acting_user_id: int | None) -> int:
    """Notify the people a lifecycle event concerns, in the transaction of the change.

    The message names the product's kind and unit, never its title: a notification outlives the
    reader's access (vetting lapses, a product becomes need-to-know), and the product page behind
    its link checks access each time. The e-mail that notify() sends carries nothing of it. Never
    the person who acted, never anyone who cannot see the product now, and nobody twice for the
    same unread news. Returns how many people were notified.
    """
    product = (
        Product.objects.select_related("unit", "owner", "requester", "terms")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        return 0
    named = f"{product.get_kind_display().lower()} of {product.unit}"
    if event == TOR_AWAITS_AGREEMENT:
        terms = product.terms
        people = [
            terms.requester if terms.agreed_by_requester_at is None else None,
            terms.developer if terms.agreed_by_developer_at is None else None,
        ]
        message = f"The terms of reference of a {named} await your agreement."
    elif event == SUBMITTED_FOR_REVIEW:
        people = _reviewers_to_notify(product)
        message = f"A {named} (version {product.drafting_version}) awaits your review."
    elif event == RETURNED_WITH_COMMENTS:
        people = [product.owner]
        message = f"Your {named} was returned with review comments."
    elif event == APPROVED_AND_PUBLISHED:
        people = [product.owner, product.requester]
        message = f"A {named} was approved: version {product.current_version} is published."
    elif event == PROFILE_REVIEW_DUE:
        people = [product.owner, product.requester]
        review_date = product.terms.review_date
        message = f"A {named} is due for review (review date {review_date:%d %b %Y})."
    elif event == PRODUCT_FEEDBACK:
        # Its author and the reviewer who approved the version read the feedback.
        approver = (
            product.versions.filter(number=product.current_version)
            .select_related("reviewer")
            .first()
        )
        people = [product.owner, approver.reviewer if approver else None]
        message = f"A reader gave feedback on version {product.current_version} of a {named}."
    else:
        raise ValueError(f"Unknown product event {event!r}.")
    link = reverse("products:detail", args=[product.pk])
    people = [p for p in people if p is not None and p.pk != acting_user_id]
    recipients = _readers_among(product, people)
    already_told = set(
        Notification.objects.filter(
            recipient__in=recipients, read_at__isnull=True, message=message[:300], link=link
        ).values_list("recipient_id", flat=True)
    )
    return len(
        notify(
            [person for person in recipients if person.pk not in already_told],
            kind=NotificationKind(event),
            message=message,
            link=link,
        )
    )
