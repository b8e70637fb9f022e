"""A product's terms of reference: changed and agreed by its requester and developer."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal.choices import AuditVerb
from nim_portal.lifecycle import save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from products.choices import ProductStatus
from products.models import Product, TermsOfReference
from products.policy import require_terms_party, terms_refusal
from products.services.commissioning import clean_marking
from products.services.lifecycle import PRODUCT_LIFECYCLE, lock_product
from products.services.notifications import TOR_AWAITS_AGREEMENT, notify_concerned


def _lock_terms(terms: TermsOfReference) -> tuple[TermsOfReference, Product]:
    product = lock_product(terms.product)
    terms = TermsOfReference.objects.select_for_update().get(pk=terms.pk)
    return terms, product


@transaction.atomic
def tor_update(
    *,
    acting_user: User,
    terms: TermsOfReference,
    request: HttpRequest | None = None,
    **changes: Any,
) -> TermsOfReference:
    """Change the terms; a change after either side agreed clears both agreements."""
    terms, product = _lock_terms(terms)
    require_terms_party(acting_user, terms)
    if refusal := terms_refusal(product):
        raise ValidationError(refusal)
    unknown = set(changes) - set(TermsOfReference.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These terms cannot be set here: {', '.join(sorted(unknown))}.")
    if "marking" in changes:
        changes["marking"] = clean_marking(changes["marking"])
    changed = []
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(terms, name) != value:
            setattr(terms, name, value)
            changed.append(name)
    if not changed:
        return terms
    terms.full_clean()
    was_agreed = terms.agreed_by_requester_at or terms.agreed_by_developer_at
    reason = f"Changed: {', '.join(changed)}"
    if was_agreed:
        terms.agreed_by_requester_at = terms.agreed_by_developer_at = None
        terms.agreed_by_requester = terms.agreed_by_developer = None
        reason += " (after agreement: both sides must agree again)"
    save_with_history(terms, acting_user=acting_user, reason=reason)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=product,
        request=request,
        detail={"terms": changed, "agreements_cleared": bool(was_agreed)},
    )
    notify_concerned(TOR_AWAITS_AGREEMENT, product, acting_user)
    return terms


@transaction.atomic
def tor_agree(
    *, acting_user: User, terms: TermsOfReference, request: HttpRequest | None = None
) -> TermsOfReference:
    """The requester or the developer agrees the terms. When both have, a commissioned product
    becomes "terms agreed" and drafting starts at once (both moves kept in history)."""
    terms, product = _lock_terms(terms)
    require_terms_party(acting_user, terms)
    if refusal := terms_refusal(product):
        raise ValidationError(refusal)
    if not terms.purpose.strip() or not terms.questions.strip():
        raise ValidationError("Write the purpose and the questions to answer before agreeing.")
    now, sides = timezone.now(), []
    if acting_user.pk == terms.requester_id and terms.agreed_by_requester_at is None:
        terms.agreed_by_requester_at, terms.agreed_by_requester = now, acting_user
        sides.append("requester")
    if acting_user.pk == terms.developer_id and terms.agreed_by_developer_at is None:
        terms.agreed_by_developer_at, terms.agreed_by_developer = now, acting_user
        sides.append("developer")
    if not sides:
        raise ValidationError("You have already agreed these terms.")
    save_with_history(terms, acting_user=acting_user, reason=f"Agreed by the {' and '.join(sides)}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=product,
        request=request,
        detail={"terms_agreed_by": sides},
    )
    if terms.is_agreed and product.status == ProductStatus.COMMISSIONED:
        PRODUCT_LIFECYCLE.move(
            product,
            ProductStatus.TOR_AGREED,
            acting_user=acting_user,
            reason="Terms of reference agreed by both sides",
            request=request,
        )
        PRODUCT_LIFECYCLE.move(
            product,
            ProductStatus.DRAFTING,
            acting_user=acting_user,
            reason="Drafting started",
            request=request,
        )
    elif not terms.is_agreed:
        notify_concerned(TOR_AWAITS_AGREEMENT, product, acting_user)
    return terms
