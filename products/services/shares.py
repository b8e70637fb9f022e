"""Who else reads a product: sharing it with another unit, granting one person the need to
know."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from nim_portal.access import grants
from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.lifecycle import save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from products.models import Product, ProductUnitShare
from products.models.product import VIEW_PRODUCT
from products.policy import ProductPolicy
from products.selectors import user_in_product_scope
from products.services.lifecycle import lock_product


@transaction.atomic
def product_share_with_unit(
    *, acting_user: User, product: Product, unit: Unit, request: HttpRequest | None = None
) -> ProductUnitShare:
    """Share a product with another unit (rule 4): its people read it as their own unit's."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_manage("share it")
    policy.require_visible()
    if not unit.is_active:
        raise ValidationError({"unit": f"{unit} is inactive."})
    if unit.path.startswith(product.unit.path):
        raise ValidationError({"unit": f"{unit} already sees the products of {product.unit}."})
    if ProductUnitShare.objects.filter(product=product, unit=unit).exists():
        raise ValidationError({"unit": f"The product is already shared with {unit}."})
    share = ProductUnitShare(product=product, unit=unit, granted_by=acting_user)
    save_with_history(share, acting_user=acting_user, reason=f"Shared with {unit}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.GRANT,
        obj=product,
        request=request,
        detail={"shared_with_unit": unit.pk, "unit_name": unit.name},
    )
    return share


@transaction.atomic
def product_grant_need_to_know(
    *, acting_user: User, product: Product, user: User, request: HttpRequest | None = None
) -> bool:
    """Grant one person the need to know (rule 3). They must already be in the product's scope
    (its unit or a unit it is shared with) and vetted for its marking. False if already held."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_manage("grant access to it")
    policy.require_visible()
    if not user.is_active or user.is_partner:
        raise ValidationError("Only active police users can be given the need to know.")
    if not user_in_product_scope(user, product):
        raise ValidationError(
            f"{user} holds no role over {product.unit} or a unit it is shared with: "
            "share the product with their unit first."
        )
    if not user.may_read(product.marking):
        raise ValidationError(
            f"{user}'s vetting does not allow reading {GSCMarking(product.marking).label}."
        )
    return grants.grant(VIEW_PRODUCT, user, product, acting_user=acting_user, request=request)
