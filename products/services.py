"""Every state change of the products app: commissioning, terms of reference, drafting, review,
publication, closure and sharing.

Each function takes the acting user (keyword-only), checks permission and the lifecycle
(products.choices.PRODUCT_TRANSITIONS) under a row lock, changes the data atomically, and leaves
a history reason (django-simple-history) and an audit event behind. A refusal raises
PermissionDenied or ValidationError with a message fit to show, and changes nothing.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from nim_portal import access
from nim_portal.access import grants
from nim_portal.choices import AuditVerb, GSCMarking, Role
from nim_portal.dates import planned_date_problem
from nim_portal.jobs import job_enqueue
from nim_portal.lifecycle import change_status, check_transition, save_with_history
from nim_portal.models import Membership, Notification, Unit, User
from nim_portal.pdf import DocumentControl, render_marked_document
from nim_portal.services import audit_record, notify
from products.choices import (
    PRODUCT_TRANSITIONS,
    ClosureReason,
    ProductKind,
    ProductStatus,
)
from products.models import (
    PrintStatus,
    Product,
    ProductUnitShare,
    ProductVersion,
    ProductVersionPrint,
    ReviewComment,
    Section,
    TermsOfReference,
)
from products.models.product import VIEW_PRODUCT
from products.policy import (
    TEMPLATE_SECTION_REASON,
    TOR_NOT_AGREED,
    ProductPolicy,
    details_refusal,
    edited_current_version,
    require_commission,
    require_terms_party,
    sections_refusal,
    terms_refusal,
)
from products.rendering import render_section_html, restricted_markup_errors
from products.search import refresh_product_vector, refresh_search_vectors, refresh_section_vector
from products.selectors import (
    user_in_product_scope,
    visible_products,
    visible_versions,
)
from products.templates_by_kind import section_titles_for

# A refused move's message begins so: "A product that is closed: it cannot become drafting; ..."
PRODUCT_SUBJECT = "A product that is"

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
# Closure reasons that fit each kind of product ("other" always, with its reason text).
CLOSURE_REASONS_OF_KIND = {
    ProductKind.SUBJECT_PROFILE: {
        ClosureReason.SUBJECT_APPREHENDED,
        ClosureReason.SUBJECT_PROTECTED,
        ClosureReason.OTHER,
    },
    ProductKind.PROBLEM_PROFILE: {ClosureReason.PROBLEM_RESOLVED, ClosureReason.OTHER},
    ProductKind.STRATEGIC_ASSESSMENT: {ClosureReason.OTHER},
    ProductKind.TACTICAL_ASSESSMENT: {ClosureReason.OTHER},
}


class SectionEditConflict(ValidationError):
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


# Helpers.


def _lock_product(product: Product) -> Product:
    return Product.objects.select_for_update().select_related("unit").get(pk=product.pk)


def _check_transition(product: Product, target: str) -> None:
    """Refuse early, before a service's own checks, a move the table does not allow."""
    check_transition(
        ProductStatus, PRODUCT_TRANSITIONS, product.status, target, subject=PRODUCT_SUBJECT
    )


def _move(
    product: Product,
    target: str,
    *,
    acting_user: User | None,
    reason: str,
    request: HttpRequest | None = None,
    notify: Callable[[], object] | None = None,
) -> None:
    """Move `product` to `target` through the lifecycle helper, by the product's table."""
    change_status(
        product,
        target,
        acting_user=acting_user,
        reason=reason,
        transitions=PRODUCT_TRANSITIONS,
        subject=PRODUCT_SUBJECT,
        request=request,
        notify=notify,
    )


def _clean_marking(marking: int) -> int:
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


def _open_drafting(
    product: Product, *, acting_user: User, request: HttpRequest | None = None
) -> None:
    """Refuse unless the sections may change now (policy.sections_refusal); a returned draft or a
    published product moves to drafting of its next version on the first change."""
    if refusal := sections_refusal(product):
        raise ValidationError(refusal)
    if product.status in (ProductStatus.RETURNED, ProductStatus.APPROVED):
        _move(
            product,
            ProductStatus.DRAFTING,
            acting_user=acting_user,
            reason=f"Drafting of version {product.drafting_version} started",
            request=request,
        )


def _lock_section(section: Section) -> tuple[Section, Product]:
    product = _lock_product(section.product)
    # Lock the section's row only: PostgreSQL cannot lock the nullable side of the outer join.
    section = (
        Section.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=section.pk)
    )
    return section, product


# Commissioning and details.


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
    marking = _clean_marking(marking)
    for field, person in (("owner", owner), ("requester", requester)):
        if not person.may_read(marking):
            raise ValidationError(
                {field: f"{person}'s vetting does not allow reading {GSCMarking(marking).label}."}
            )
    if kind == ProductKind.SUBJECT_PROFILE:
        details["need_to_know"] = True
    product = Product(
        unit=unit, kind=kind, title=title, marking=marking, owner=owner, requester=requester
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
    _notify_concerned(TOR_AWAITS_AGREEMENT, product, acting_user)
    return product


@transaction.atomic
def product_update(
    *, acting_user: User, product: Product, request: HttpRequest | None = None, **details: Any
) -> Product:
    """Change a product's details (not its marking, status or people)."""
    product = _lock_product(product)
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


# Terms of reference.


def _lock_terms(terms: TermsOfReference) -> tuple[TermsOfReference, Product]:
    product = _lock_product(terms.product)
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
        changes["marking"] = _clean_marking(changes["marking"])
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
    _notify_concerned(TOR_AWAITS_AGREEMENT, product, acting_user)
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
        _move(
            product,
            ProductStatus.TOR_AGREED,
            acting_user=acting_user,
            reason="Terms of reference agreed by both sides",
            request=request,
        )
        _move(
            product,
            ProductStatus.DRAFTING,
            acting_user=acting_user,
            reason="Drafting started",
            request=request,
        )
    elif not terms.is_agreed:
        _notify_concerned(TOR_AWAITS_AGREEMENT, product, acting_user)
    return terms


# Sections.


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
    if markup_errors := restricted_markup_errors(body):
        raise ValidationError({"body": markup_errors})
    marking = section.marking if marking is None else _clean_marking(marking)
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
    product = _lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_edit()
    policy.require_visible()
    _open_drafting(product, acting_user=acting_user, request=request)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter the section's title."})
    marking = product.marking if marking is None else _clean_marking(marking)
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
    product = _lock_product(product)
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


# Review and publication.


@transaction.atomic
def product_submit(
    *, acting_user: User, product: Product, request: HttpRequest | None = None
) -> Product:
    """The owner submits the draft for review."""
    product = _lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_submit()
    policy.require_visible()
    _check_transition(product, ProductStatus.SUBMITTED)
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
    _move(
        product,
        ProductStatus.SUBMITTED,
        acting_user=acting_user,
        reason=f"Version {product.drafting_version} submitted for review",
        request=request,
        notify=partial(_notify_concerned, SUBMITTED_FOR_REVIEW, product, acting_user),
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
    product = _lock_product(product)
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
    product = _lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_review("review it")
    policy.require_visible()
    _check_transition(product, ProductStatus.RETURNED)
    if comment.strip():
        review_comment_add(
            acting_user=acting_user, product=product, text=comment, section=section, request=request
        )
    elif not product.review_comments.filter(
        version_number=product.drafting_version, resolved=False
    ).exists():
        raise ValidationError("Say what needs changing: return the draft with a comment.")
    _move(
        product,
        ProductStatus.RETURNED,
        acting_user=acting_user,
        reason=f"Version {product.drafting_version} returned with comments",
        request=request,
        notify=partial(_notify_concerned, RETURNED_WITH_COMMENTS, product, acting_user),
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


@transaction.atomic
def product_approve(
    *, acting_user: User, product: Product, request: HttpRequest | None = None
) -> ProductVersion:
    """An independent reviewer approves the draft: it is published as the next version.

    The reviewer holds the reviewer role over the product's unit, and is neither its owner nor
    anyone who edited this version (rule 6).
    """
    product = _lock_product(product)
    policy = ProductPolicy(acting_user, product)
    policy.require_review("approve it")
    policy.require_visible()
    _check_transition(product, ProductStatus.APPROVED)
    if not product.terms.is_agreed:
        raise ValidationError(TOR_NOT_AGREED)
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
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=version,
        request=request,
        detail={"product": product.pk, "number": number, "sha256": version.sha256},
    )
    product.current_version = number
    _move(
        product,
        ProductStatus.APPROVED,
        acting_user=acting_user,
        reason=f"Version {number} approved and published",
        request=request,
        notify=partial(_notify_concerned, APPROVED_AND_PUBLISHED, product, acting_user),
    )
    return version


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
    product = _lock_product(product)
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
    _move(
        product,
        ProductStatus.CLOSED,
        acting_user=acting_user,
        reason=f"Closed: {ClosureReason(reason).label}"
        + (f" — {reason_text}" if reason_text else ""),
        request=request,
    )
    return product


# Access.


@transaction.atomic
def product_share_with_unit(
    *, acting_user: User, product: Product, unit: Unit, request: HttpRequest | None = None
) -> ProductUnitShare:
    """Share a product with another unit (rule 4): its people read it as their own unit's."""
    product = _lock_product(product)
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
    product = _lock_product(product)
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


# Notifications of the lifecycle.

TOR_AWAITS_AGREEMENT = "tor_awaits_agreement"
SUBMITTED_FOR_REVIEW = "submitted_for_review"
RETURNED_WITH_COMMENTS = "returned_with_comments"
APPROVED_AND_PUBLISHED = "approved_and_published"


def _notify_concerned(event: str, product: Product, acting_user: User | None) -> None:
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
            message=message,
            link=link,
        )
    )


# Printing a published version.

NO_HANDLING_INSTRUCTIONS = "None beyond the marking."
VERSION_PRINT_JOB = "products.version_print"


def _version_visible_to(user: User, version: ProductVersion) -> ProductVersion:
    """The version, if `user` may read it (404 otherwise: missing and forbidden look alike)."""
    readable = (
        visible_versions(user, version.product)
        .select_related("product")
        .filter(pk=version.pk)
        .first()
    )
    if readable is None:
        raise Http404("No such version.")
    return readable


def product_version_print_request(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """Ask for the printed PDF of a published version: rendered once, kept for every reader.

    The first request creates the print and its job (nim_portal.jobs), which renders it; later
    requests return the print as it stands. 404 for a version the user cannot read.
    """
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed, created = ProductVersionPrint.objects.get_or_create(version=version)
        if created:
            audit_record(
                actor=acting_user,
                verb=AuditVerb.CREATE,
                obj=printed,
                request=request,
                detail={"product": version.product_id, "number": version.number},
            )
            job_enqueue(VERSION_PRINT_JOB, printed.pk)
    # Run in-process (the demo), the job has printed it by now.
    printed.refresh_from_db()
    return printed


def product_version_print_retry(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """Try a failed print again ("Try again"): its error is cleared and it is rendered anew."""
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed = ProductVersionPrint.objects.select_for_update().filter(version=version).first()
        if printed is None or printed.status != PrintStatus.FAILED:
            raise ValidationError("Only a print that failed can be tried again.")
        failed_with = printed.error
        product_version_print_pending(printed.pk)
        audit_record(
            actor=acting_user,
            verb=AuditVerb.UPDATE,
            obj=printed,
            request=request,
            detail={"retried_after": failed_with[:500]},
        )
        job_enqueue(VERSION_PRINT_JOB, printed.pk)
    printed.refresh_from_db()
    return printed


def product_version_print_download(
    *, acting_user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersionPrint:
    """The ready print of a version, for download: every download is audited (rule 7).

    404 for a version the user cannot read. A print that is not ready, or whose file has gone
    from storage (it is then rendered again), raises ValidationError.
    """
    version = _version_visible_to(acting_user, version)
    with transaction.atomic():
        printed = ProductVersionPrint.objects.select_for_update().filter(version=version).first()
        if printed is None or printed.status != PrintStatus.READY:
            raise ValidationError("The PDF is not ready yet.")
        if printed.file.storage.exists(printed.file.name):
            audit_record(
                actor=acting_user,
                verb=AuditVerb.PRINT,
                obj=version,
                request=request,
                detail={
                    "product": version.product_id,
                    "number": version.number,
                    "sha256": version.sha256,
                    "pdf_sha256": printed.sha256,
                },
            )
            return printed
        printed.status, printed.file, printed.sha256 = PrintStatus.PENDING, "", ""
        printed.rendered_at = None
        printed.save()
        job_enqueue(VERSION_PRINT_JOB, printed.pk)
    raise ValidationError("The stored PDF was missing: it is being printed again.")


def _person_label(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _marking_with_descriptor(marking: int, descriptor: str) -> str:
    label = GSCMarking(marking).label
    return f"{label} {descriptor}" if descriptor else label


def product_version_pdf(version: ProductVersion) -> bytes:
    """The PDF of a published version, from its own snapshot (never the live sections).

    The product's marking at the top and bottom of every page, page x of y, the document-control
    table, then each section under its heading with its own marking. Bodies pass through
    render_section_html (nh3): restricted spans print highlighted, for police readers only.
    """
    content = version.content
    marking = _marking_with_descriptor(version.marking, content.get("descriptor", ""))
    sections = [
        {
            "title": section["title"],
            "marking": GSCMarking(section["marking"]).label,
            # Sanitised by render_section_html (nh3 with an explicit allow-list).
            "html": mark_safe(render_section_html(section["body"])),  # noqa: S308
        }
        for section in sorted(content["sections"], key=lambda s: (s["position"], s["id"]))
    ]
    published = timezone.localtime(version.published_at)
    control = DocumentControl(
        version=f"Version {version.number}",
        date=published.date(),
        author=_person_label(version.author),
        reviewer=_person_label(version.reviewer),
        marking=marking,
        handling=content.get("handling_instructions", "").strip() or NO_HANDLING_INSTRUCTIONS,
        sha256=version.sha256,
    )
    return render_marked_document(
        "products/print/version.html",
        {
            "kind": ProductKind(content["kind"]).label,
            "unit": version.product.unit.name,
            "number": version.number,
            "published": published,
            "sections": sections,
        },
        marking_label=marking,
        title=content["title"],
        document_control=control,
    )


@transaction.atomic
def product_version_print_render(print_id: int) -> bool:
    """Job (VERSION_PRINT_JOB): render one print and store it under a name nobody can guess.

    A ready print is left alone (False). Run in the job's transaction, under the print's row
    lock: a failure leaves the print as it was, for the job's next attempt.
    """
    printed = ProductVersionPrint.objects.select_for_update().filter(pk=print_id).first()
    if printed is None or printed.status == PrintStatus.READY:
        return False
    version = ProductVersion.objects.select_related("product__unit", "author", "reviewer").get(
        pk=printed.version_id
    )
    document = product_version_pdf(version)
    printed.file.save("print.pdf", ContentFile(document), save=False)
    printed.sha256 = hashlib.sha256(document).hexdigest()
    printed.status, printed.error, printed.rendered_at = PrintStatus.READY, "", timezone.now()
    printed.save()
    return True


def product_version_print_failed(print_id: int, error: str) -> None:
    """Job (VERSION_PRINT_JOB) stopped for good: its readers see why, and may try again."""
    ProductVersionPrint.objects.filter(pk=print_id).exclude(status=PrintStatus.READY).update(
        status=PrintStatus.FAILED, error=error
    )


def product_version_print_pending(print_id: int) -> None:
    """Job (VERSION_PRINT_JOB) retried by staff: its readers see it being printed again."""
    ProductVersionPrint.objects.filter(pk=print_id, status=PrintStatus.FAILED).update(
        status=PrintStatus.PENDING, error=""
    )
