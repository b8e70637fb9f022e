"""Consumer feedback: a reader tells the author and approvers of a published product how useful
it was."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from nim_portal.choices import AuditVerb
from nim_portal.models import User
from nim_portal.services import audit_record
from products.choices import FeedbackUsefulness
from products.models import Product, ProductFeedback
from products.policy import ProductPolicy
from products.services.lifecycle import lock_product
from products.services.notifications import PRODUCT_FEEDBACK, notify_concerned


@transaction.atomic
def product_feedback_give(
    *,
    acting_user: User,
    product: Product,
    usefulness: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> ProductFeedback:
    """A reader of a published product gives their feedback on its current version, once; its
    owner and the reviewer who approved it are told."""
    product = lock_product(product)
    ProductPolicy(acting_user, product).require_give_feedback()
    if usefulness not in FeedbackUsefulness.values:
        raise ValidationError({"usefulness": "Say how useful the product was."})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": "Keep the comment to 2,000 characters."})
    if ProductFeedback.objects.filter(
        product=product, version_number=product.current_version, author=acting_user
    ).exists():
        raise ValidationError(
            f"You have already given feedback on version {product.current_version}."
        )
    feedback = ProductFeedback.objects.create(
        product=product,
        version_number=product.current_version,
        author=acting_user,
        usefulness=usefulness,
        comment=comment,
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=product,
        request=request,
        detail={"feedback": feedback.pk, "version": feedback.version_number},
    )
    notify_concerned(PRODUCT_FEEDBACK, product, acting_user)
    return feedback
