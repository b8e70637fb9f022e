"""Commissioning a product, and changing its details."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, Role
from nim_portal.dates import planned_date_problem
from nim_portal.lifecycle import save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from products.choices import SUBJECT_PROFILE_KINDS, ProductKind
from products.models import Product, Section, TermsOfReference
from products.policy import (
    TEMPLATE_SECTION_REASON,
    ProductPolicy,
    details_refusal,
    require_commission,
)
from products.search import refresh_product_vector, refresh_search_vectors
from products.services.lifecycle import lock_product
from products.services.notifications import TOR_AWAITS_AGREEMENT, notify_concerned
from products.templates_by_kind import section_titles_for

# Product details an editor may set (commissioning or later); the rest belong to the lifecycle.
DETAIL_FIELDS = (
    "title",
    "descriptor",
    "handling_instructions",
    "due_date",
    "need_to_know",
    "lawful_basis",
    "purpose",
    "proportionality",
    "warning_markers",
    "subject_kind",
    "subject_role",
    "subject_description",
    "scope_area",
    "scope_period_from",
    "scope_period_to",
    "scope_crime_types",
)


def clean_marking(marking: int) -> int:
    if marking not in GSCMarking.values:
        raise ValidationError({"marking": "Choose a GSC marking."})
    return int(marking)


def _clean_details(product: Product, details: dict[str, Any]) -> list[str]:
    """Apply `details` to `product` (unsaved) and validate; returns the names that changed."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    changed = []
    for name, value in details.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(product, name) != value:
            setattr(product, name, value)
            changed.append(name)
    if not product.title:
        raise ValidationError({"title": "Enter the product's title."})
    if product.is_subject_profile and not product.need_to_know:
        raise ValidationError({"need_to_know": "A subject profile is always need-to-know."})
    due_date_problem = (
        planned_date_problem(product.due_date, "the date it is due")
        if "due_date" in changed and product.due_date is not None
        else None
    )
    if due_date_problem:
        raise ValidationError({"due_date": due_date_problem})
    product.full_clean(exclude=["unit", "owner", "requester"], validate_constraints=True)
    return changed


@transaction.atomic
def product_commission(
    *,
    acting_user: User | None,
    unit: Unit,
    kind: str,
    title: str,
    owner: User,
    requester: User,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    system: bool = False,
    request: HttpRequest | None = None,
    **details: Any,
) -> Product:
    """Commission a product: the product, its draft terms of reference and its template sections.

    By an analyst, chair or reviewer over `unit`, or by the system (acting_user=None,
    system=True: e.g. the tactical assessment due before each TT&CG).
    """
    if acting_user is None:
        if not system:
            raise PermissionDenied("Only a person, or the system saying so, can commission.")
    else:
        require_commission(acting_user, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError({"unit": f"{unit} is inactive."})
    if kind not in ProductKind.values:
        raise ValidationError({"kind": "Choose the kind of product."})
    access.require_police(requester, "request a product")
    if not access.holds_role_over(owner, [Role.ANALYST], unit):
        raise ValidationError({"owner": f"{owner} is not an analyst of {unit}."})
    marking = clean_marking(marking)
    for field, person in (("owner", owner), ("requester", requester)):
        if not person.may_read(marking):
            raise ValidationError(
                {field: f"{person}'s vetting does not allow reading {GSCMarking(marking).label}."}
            )
    if kind in SUBJECT_PROFILE_KINDS:
        details["need_to_know"] = True
    # Its title and summary start at the product's marking (docs/access.md, "Portion marking").
    product = Product(
        unit=unit,
        kind=kind,
        title=title,
        marking=marking,
        envelope_marking=marking,
        owner=owner,
        requester=requester,
    )
    _clean_details(product, {"title": title, **details})
    save_with_history(product, acting_user=acting_user, reason="Commissioned")
    terms = TermsOfReference(
        product=product,
        requester=requester,
        developer=owner,
        deadline=product.due_date,
        marking=marking,
        purpose=product.purpose,
    )
    save_with_history(terms, acting_user=acting_user, reason="Drafted at commissioning")
    for position, section_title in enumerate(section_titles_for(kind), start=1):
        section = Section(product=product, position=position, title=section_title, marking=marking)
        save_with_history(section, acting_user=acting_user, reason=TEMPLATE_SECTION_REASON)
    refresh_search_vectors(Product.objects.filter(pk=product.pk))
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=product,
        request=request,
        detail={"kind": kind, "unit": unit.pk, "system": acting_user is None},
    )
    notify_concerned(TOR_AWAITS_AGREEMENT, product, acting_user)
    return product


@transaction.atomic
def product_update(
    *, acting_user: User, product: Product, request: HttpRequest | None = None, **details: Any
) -> Product:
    """Change a product's details (not its marking, status or people)."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_edit()
    policy.require_visible()
    if refusal := details_refusal(product):
        raise ValidationError(refusal)
    changed = _clean_details(product, details)
    if not changed:
        return product
    save_with_history(product, acting_user=acting_user, reason=f"Changed: {', '.join(changed)}")
    refresh_product_vector(product.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=product,
        request=request,
        detail={"fields": changed},
    )
    return product
