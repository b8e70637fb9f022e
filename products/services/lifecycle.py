"""The product's lifecycle: its row lock, its moves (through nim_portal.lifecycle, by
products.choices.PRODUCT_TRANSITIONS) and its closure."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.lifecycle import Lifecycle
from nim_portal.models import User
from products.choices import PRODUCT_TRANSITIONS, ClosureReason, ProductKind, ProductStatus
from products.models import Product
from products.policy import ProductPolicy

PRODUCT_LIFECYCLE = Lifecycle(PRODUCT_TRANSITIONS, subject=lambda product: "A product that is")

# Closure reasons that fit each kind of product ("other" always, with its reason text).
CLOSURE_REASONS_OF_KIND = {
    ProductKind.SUBJECT_PROFILE: {
        ClosureReason.SUBJECT_APPREHENDED,
        ClosureReason.SUBJECT_PROTECTED,
        ClosureReason.OTHER,
    },
    ProductKind.FIREARMS_PROFILE: {
        ClosureReason.SUBJECT_APPREHENDED,
        ClosureReason.SUBJECT_PROTECTED,
        ClosureReason.OTHER,
    },
    ProductKind.PROBLEM_PROFILE: {ClosureReason.PROBLEM_RESOLVED, ClosureReason.OTHER},
    ProductKind.STRATEGIC_ASSESSMENT: {ClosureReason.OTHER},
    ProductKind.TACTICAL_ASSESSMENT: {ClosureReason.OTHER},
}


def lock_product(product: Product) -> Product:
    return Product.objects.select_for_update().select_related("unit").get(pk=product.pk)


@transaction.atomic
def product_close(
    *,
    acting_user: User,
    product: Product,
    reason: str,
    reason_text: str = "",
    request: HttpRequest | None = None,
) -> Product:
    """Close a product for good (profiles: subject apprehended or protected, problem resolved)."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_manage("close it")
    policy.require_visible()
    allowed = CLOSURE_REASONS_OF_KIND[ProductKind(product.kind)]
    if reason not in allowed:
        labels = ", ".join(ClosureReason(r).label.lower() for r in sorted(allowed))
        raise ValidationError(
            {"reason": f"A {product.get_kind_display().lower()} closes as: {labels}."}
        )
    reason_text = (reason_text or "").strip()
    if reason == ClosureReason.OTHER and not reason_text:
        raise ValidationError({"reason_text": "Say why the product is closed."})
    product.closed_reason, product.closed_reason_text = reason, reason_text
    product.closed_at = timezone.now()
    PRODUCT_LIFECYCLE.move(
        product,
        ProductStatus.CLOSED,
        acting_user=acting_user,
        reason=f"Closed: {ClosureReason(reason).label}"
        + (f" — {reason_text}" if reason_text else ""),
        request=request,
    )
    return product
