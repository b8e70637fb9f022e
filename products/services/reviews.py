"""Review and publication: submission, review comments, return, and approval as a
published version."""

import hashlib
import json
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.choices import AuditVerb
from nim_portal.lifecycle import save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from products.choices import ProductStatus, ReviewStandard
from products.models import Product, ProductVersion, ReviewComment, Section
from products.policy import TOR_NOT_AGREED, ProductPolicy
from products.services.lifecycle import PRODUCT_LIFECYCLE, lock_product
from products.services.notifications import (
    APPROVED_AND_PUBLISHED,
    RETURNED_WITH_COMMENTS,
    SUBMITTED_FOR_REVIEW,
    notify_concerned,
)

# A section whose text is nothing but white space has no text.
BLANK_TEXT = r"^\s*$"


def empty_sections(product: Product) -> list[Section]:
    """The sections of `product` with no text yet, in order: what the analyst is warned of before
    submitting the draft, on the page and in the API's answer (a draft may still go for review
    with them: its reviewer returns it if they matter). One query, reading no section's text."""
    return list(
        product.sections.filter(body__regex=BLANK_TEXT)
        .order_by("position", "id")
        .only("pk", "title", "position", "product_id")
    )


@transaction.atomic
def product_submit(
    *, acting_user: User, product: Product, request: HttpRequest | None = None
) -> Product:
    """The owner submits the draft for review."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_submit()
    policy.require_visible()
    PRODUCT_LIFECYCLE.check(product, ProductStatus.SUBMITTED)
    if not product.terms.is_agreed:
        raise ValidationError(TOR_NOT_AGREED)
    if product.is_subject_profile:
        missing = [
            label
            for name, label in (
                ("lawful_basis", "lawful basis"),
                ("purpose", "purpose"),
                ("proportionality", "proportionality justification"),
            )
            if not getattr(product, name).strip()
        ]
        if missing:
            raise ValidationError(
                f"A subject profile needs its {', '.join(missing)} before it is submitted."
            )
    PRODUCT_LIFECYCLE.move(
        product,
        ProductStatus.SUBMITTED,
        acting_user=acting_user,
        reason=f"Version {product.drafting_version} submitted for review",
        request=request,
        notify=partial(notify_concerned, SUBMITTED_FOR_REVIEW, product, acting_user),
    )
    return product


@transaction.atomic
def review_comment_add(
    *,
    acting_user: User,
    product: Product,
    text: str,
    section: Section | None = None,
    request: HttpRequest | None = None,
) -> ReviewComment:
    """A reviewer comments on the submitted draft, on the whole or on one section."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_review("review it")
    policy.require_visible()
    if product.status != ProductStatus.SUBMITTED:
        raise ValidationError("Comments are added while the product is submitted for review.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the comment."})
    if section is not None and section.product_id != product.pk:
        raise ValidationError({"section": "That section belongs to another product."})
    comment = ReviewComment(
        product=product,
        section=section,
        version_number=product.drafting_version,
        author=acting_user,
        text=text,
    )
    save_with_history(comment, acting_user=acting_user, reason="Added")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=product,
        request=request,
        detail={"review_comment": comment.pk, "section": section.pk if section else None},
    )
    return comment


@transaction.atomic
def product_return(
    *,
    acting_user: User,
    product: Product,
    comment: str = "",
    section: Section | None = None,
    request: HttpRequest | None = None,
) -> Product:
    """The reviewer returns the draft with comments (this one, and any added before)."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_review("review it")
    policy.require_visible()
    PRODUCT_LIFECYCLE.check(product, ProductStatus.RETURNED)
    if comment.strip():
        review_comment_add(
            acting_user=acting_user, product=product, text=comment, section=section, request=request
        )
    elif not product.review_comments.filter(
        version_number=product.drafting_version, resolved=False
    ).exists():
        raise ValidationError("Say what needs changing: return the draft with a comment.")
    PRODUCT_LIFECYCLE.move(
        product,
        ProductStatus.RETURNED,
        acting_user=acting_user,
        reason=f"Version {product.drafting_version} returned with comments",
        request=request,
        notify=partial(notify_concerned, RETURNED_WITH_COMMENTS, product, acting_user),
    )
    return product


def snapshot_digest(content: dict) -> str:
    """SHA-256 of the canonical JSON of a snapshot (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def product_snapshot(
    product: Product, *, number: int, published_at, author: User, reviewer: User
) -> dict:
    """Everything a published version shows, as plain JSON."""
    sections = product.sections.order_by("position", "id")
    return {
        "product": product.pk,
        "kind": product.kind,
        "version": number,
        "published_at": published_at.isoformat(),
        "author": author.get_username(),
        "reviewer": reviewer.get_username(),
        "title": product.title,
        "marking": product.marking,
        "descriptor": product.descriptor,
        "handling_instructions": product.handling_instructions,
        "sections": [
            {
                "id": s.pk,
                "position": s.position,
                "title": s.title,
                "marking": s.marking,
                "body": s.body,
                "releasable": s.releasable_to_partners,
            }
            for s in sections
        ],
    }


def standards_unconfirmed(standards: Iterable[str]) -> list[ReviewStandard]:
    """The standards of the checklist not among `standards`, in the checklist's order."""
    confirmed = set(standards)
    return [standard for standard in ReviewStandard if standard.value not in confirmed]


@transaction.atomic
def product_approve(
    *,
    acting_user: User,
    product: Product,
    standards: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> ProductVersion:
    """An independent reviewer approves the draft: it is published as the next version.

    The reviewer holds the reviewer role over the product's unit, and is neither its owner nor
    anyone who edited this version (rule 6). They confirm every standard of the checklist
    (products.choices.ReviewStandard), kept with the version; approval is refused without.
    """
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_review("approve it")
    policy.require_visible()
    PRODUCT_LIFECYCLE.check(product, ProductStatus.APPROVED)
    if not product.terms.is_agreed:
        raise ValidationError(TOR_NOT_AGREED)
    standards = [str(standard) for standard in standards]
    if unknown := sorted(set(standards) - set(ReviewStandard.values)):
        raise ValidationError({"standards": f"Unknown standards: {', '.join(unknown)}."})
    if missing := standards_unconfirmed(standards):
        raise ValidationError(
            {
                "standards": "Confirm every standard of the checklist before approving; not yet: "
                + "; ".join(standard.label.lower() for standard in missing)
                + "."
            }
        )
    number, now = product.drafting_version, timezone.now()
    content = product_snapshot(
        product, number=number, published_at=now, author=product.owner, reviewer=acting_user
    )
    version = ProductVersion.objects.create(
        product=product,
        number=number,
        published_at=now,
        marking=product.marking,
        author=product.owner,
        reviewer=acting_user,
        content=content,
        sha256=snapshot_digest(content),
        standards_confirmed=[standard.value for standard in ReviewStandard],
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=version,
        request=request,
        detail={
            "product": product.pk,
            "number": number,
            "sha256": version.sha256,
            "standards_confirmed": version.standards_confirmed,
        },
    )
    product.current_version = number
    PRODUCT_LIFECYCLE.move(
        product,
        ProductStatus.APPROVED,
        acting_user=acting_user,
        reason=f"Version {number} approved and published",
        request=request,
        notify=partial(notify_concerned, APPROVED_AND_PUBLISHED, product, acting_user),
    )
    return version
