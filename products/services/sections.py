"""Drafting: a product's sections, saved over the revision their editor loaded."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.lifecycle import StaleChange, save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from products.choices import ProductStatus
from products.models import Product, Section
from products.policy import ProductPolicy, sections_refusal
from products.rendering import section_markup_errors
from products.search import refresh_section_vector
from products.services.commissioning import clean_marking
from products.services.lifecycle import PRODUCT_LIFECYCLE, lock_product


class SectionEditConflict(StaleChange):
    """Somebody saved the section after the editor loaded it: their save is refused.

    Carries both texts so that the editor can merge by hand; nothing was written.
    """

    def __init__(self, *, section: Section, your_body: str, loaded_revision: int):
        self.section = section
        self.current_body = section.body
        self.current_revision = section.revision
        self.your_body = your_body
        self.loaded_revision = loaded_revision
        by = f" by {section.updated_by}" if section.updated_by_id else ""
        super().__init__(
            f"“{section.title}” was saved{by} after you opened it (revision "
            f"{section.revision}, you loaded {loaded_revision}). Your text has not been saved: "
            "compare both versions and save again.",
            code="section_edit_conflict",
        )


@dataclass(frozen=True)
class SectionSaved:
    """The result of a section save; `marking_raised_to` is set when the product's went up."""

    section: Section
    marking_raised_to: int | None = None

    @property
    def notice(self) -> str:
        if self.marking_raised_to is None:
            return ""
        label = GSCMarking(self.marking_raised_to).label
        return f"The product's marking was raised to {label} to match this section."


def _open_drafting(
    product: Product, *, acting_user: User, request: HttpRequest | None = None
) -> None:
    """Refuse unless the sections may change now (policy.sections_refusal); a returned draft or a
    published product moves to drafting of its next version on the first change."""
    if refusal := sections_refusal(product):
        raise ValidationError(refusal)
    if product.status in (ProductStatus.RETURNED, ProductStatus.APPROVED):
        PRODUCT_LIFECYCLE.move(
            product,
            ProductStatus.DRAFTING,
            acting_user=acting_user,
            reason=f"Drafting of version {product.drafting_version} started",
            request=request,
        )


def _lock_section(section: Section) -> tuple[Section, Product]:
    product = lock_product(section.product)
    # Lock the section's row only: PostgreSQL cannot lock the nullable side of the outer join.
    section = (
        Section.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=section.pk)
    )
    return section, product


@transaction.atomic
def section_update(
    *,
    acting_user: User,
    section: Section,
    loaded_revision: int,
    body: str,
    marking: int | None = None,
    releasable_to_partners: bool | None = None,
    request: HttpRequest | None = None,
) -> SectionSaved:
    """Save a section's text (and marking, partner flag) over the revision the editor loaded.

    Refused with SectionEditConflict if somebody saved since; a section marked above the product
    raises the product's marking (reported in the result), never above the editor's vetting.
    """
    section, product = _lock_section(section)
    policy = ProductPolicy(acting_user, product)
    policy.require_edit()
    policy.require_visible()
    _open_drafting(product, acting_user=acting_user, request=request)
    releasable = (
        section.releasable_to_partners if releasable_to_partners is None else releasable_to_partners
    )
    unchanged = (section.body, section.marking, section.releasable_to_partners) == (
        body,
        section.marking if marking is None else marking,
        releasable,
    )
    # A stale save of exactly what is saved loses nothing: the editor's own autosave landing
    # just before their Save button's request is not a conflict.
    if section.revision != loaded_revision and not unchanged:
        raise SectionEditConflict(section=section, your_body=body, loaded_revision=loaded_revision)
    if unchanged:
        return SectionSaved(section=section)
    if markup_errors := section_markup_errors(body):
        raise ValidationError({"body": markup_errors})
    marking = section.marking if marking is None else clean_marking(marking)
    if marking > acting_user.readable_marking:
        raise ValidationError(
            {"marking": "You cannot mark a section above what your vetting lets you read."}
        )
    before_marking = section.marking
    section.body, section.marking, section.releasable_to_partners = body, marking, releasable
    section.revision += 1
    section.updated_by = acting_user
    save_with_history(
        section, acting_user=acting_user, reason=f"Edited (revision {section.revision})"
    )
    raised = None
    if marking > product.marking:
        previous = GSCMarking(product.marking).label
        product.marking = marking
        save_with_history(
            product,
            acting_user=acting_user,
            reason=f"Marking raised from {previous} by section “{section.title}”",
        )
        raised = marking
    refresh_section_vector(section.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=product,
        request=request,
        detail={
            "section": section.pk,
            "revision": section.revision,
            "marking": {"from": before_marking, "to": marking},
            "product_marking_raised_to": raised,
        },
    )
    return SectionSaved(section=section, marking_raised_to=raised)


@transaction.atomic
def section_add(
    *,
    acting_user: User,
    product: Product,
    title: str,
    marking: int | None = None,
    request: HttpRequest | None = None,
) -> Section:
    """Append a section (marked like the product unless said otherwise; never above it)."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_edit()
    policy.require_visible()
    _open_drafting(product, acting_user=acting_user, request=request)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter the section's title."})
    marking = product.marking if marking is None else clean_marking(marking)
    if marking > product.marking:
        raise ValidationError(
            {"marking": "Add the section at the product's marking, then raise it in the editor."}
        )
    last = product.sections.aggregate(last=Max("position"))["last"] or 0
    section = Section(
        product=product, position=last + 1, title=title, marking=marking, updated_by=acting_user
    )
    save_with_history(section, acting_user=acting_user, reason="Added")
    refresh_section_vector(section.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=product,
        request=request,
        detail={"section": section.pk, "title": title},
    )
    return section


@transaction.atomic
def section_reorder(
    *,
    acting_user: User,
    product: Product,
    section_ids: list[int],
    request: HttpRequest | None = None,
) -> list[Section]:
    """Put the product's sections in the order of `section_ids` (all of them, each once)."""
    product = lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_edit()
    policy.require_visible()
    _open_drafting(product, acting_user=acting_user, request=request)
    sections = {s.pk: s for s in product.sections.select_for_update()}
    ids = [int(pk) for pk in section_ids]
    if sorted(ids) != sorted(sections):
        raise ValidationError("List every section of this product exactly once to reorder them.")
    ordered = [sections[pk] for pk in ids]
    for position, section in enumerate(ordered, start=1):
        if section.position != position:
            section.position = position
            save_with_history(
                section, acting_user=acting_user, reason=f"Moved to position {position}"
            )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=product,
        request=request,
        detail={"section_order": ids},
    )
    return ordered


@transaction.atomic
def section_retitle(
    *, acting_user: User, section: Section, title: str, request: HttpRequest | None = None
) -> Section:
    section, product = _lock_section(section)
    policy = ProductPolicy(acting_user, product)
    policy.require_edit()
    policy.require_visible()
    _open_drafting(product, acting_user=acting_user, request=request)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter the section's title."})
    if title == section.title:
        return section
    before = section.title
    section.title = title
    save_with_history(section, acting_user=acting_user, reason=f"Retitled from “{before}”")
    refresh_section_vector(section.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=product,
        request=request,
        detail={"section": section.pk, "title": {"from": before, "to": title}},
    )
    return section
