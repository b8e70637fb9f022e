"""Every state change of an intelligence requirement: the ST&CG approving it, and its items (the
questions and gaps of each priority) added, reviewed and closed, also over the state their sender
loaded (edit tokens: tasking.strategy.services).

A chair over the unit adds items and approves the requirement; an item's owner or a chair reviews
and closes it (tasking.strategy.policy). Each function takes the acting user (keyword-only),
changes the data under the strategy's row lock, and leaves a history reason and an audit event
behind. A refusal raises PermissionDenied or ValidationError with a message fit to show, and
changes nothing.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb
from nim_portal.dates import planned_date_problem
from nim_portal.lifecycle import Lifecycle, save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from products.choices import ProductStatus
from products.models import Product
from products.selectors import visible_products
from tasking.safeguards.services import authority_record, check_authority
from tasking.strategy.choices import (
    REQUIREMENT_ITEM_TRANSITIONS,
    ControlStrategyStatus,
    RequirementItemStatus,
    RequirementLinkRole,
)
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    Priority,
    RequirementItemProduct,
)
from tasking.strategy.policy import can_chair_over, require_chair_over, require_item_reviewer
from tasking.strategy.services import (
    ITEM_FIELDS,
    edited_over,
    priority_locked,
    require_sitting_of,
    save_fields_changed,
    set_fields,
    strategy_locked,
)

# Item fields only a chair over the unit may change (the owner may change the rest).
ITEM_CHAIR_FIELDS = frozenset({"owner", "open_to_partners"})


REQUIREMENT_ITEM_LIFECYCLE = Lifecycle(
    REQUIREMENT_ITEM_TRANSITIONS, subject=lambda item: "The intelligence requirement item is"
)


def _require_not_superseded(strategy: ControlStrategy) -> None:
    if strategy.status == ControlStrategyStatus.SUPERSEDED:
        raise ValidationError(
            "The control strategy has been superseded: its intelligence requirement takes no "
            "new items or reviews (open items can still be closed)."
        )


@transaction.atomic
def intelligence_requirement_approve(
    *,
    acting_user: User,
    strategy: ControlStrategy,
    sitting=None,
    request: HttpRequest | None = None,
) -> IntelligenceRequirement:
    """The ST&CG approves the intelligence requirement of its approved control strategy at its
    `sitting` (the approval carries the sitting and its date). Outside a sitting: refused."""
    strategy = strategy_locked(strategy)
    require_chair_over(acting_user, strategy.unit, "approve its intelligence requirement")
    require_sitting_of(sitting, strategy.unit)
    if strategy.status != ControlStrategyStatus.APPROVED:
        raise ValidationError(
            "Approve the control strategy first: the intelligence requirement follows it."
        )
    requirement = (
        IntelligenceRequirement.objects.select_for_update()
        .filter(control_strategy=strategy)
        .first()
    )
    if (
        requirement is None
        or not requirement.items.filter(status=RequirementItemStatus.OPEN).exists()
    ):
        raise ValidationError("Add at least one open item before approving the requirement.")
    if requirement.is_approved:
        raise ValidationError("The intelligence requirement is already approved.")
    requirement.approved_by, requirement.approved_at = acting_user, timezone.now()
    requirement.approved_at_sitting = sitting
    save_with_history(requirement, acting_user=acting_user, reason="Approved by the ST&CG")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=requirement,
        request=request,
        detail={"approved": True, "control_strategy": strategy.pk, "sitting": sitting.pk},
    )
    return requirement


def _clean_item_fields(item: IntelligenceRequirementItem, fields, strategy) -> list[str]:
    changed = set_fields(item, fields, ITEM_FIELDS, unit=strategy.unit, marking=strategy.marking)
    item.question = required_text(
        item.question, field="question", message="Enter the question or intelligence gap."
    )
    if item.review_date is None:
        raise ValidationError({"review_date": "Give the review date."})
    if item.review_date < timezone.localdate() and "review_date" in changed:
        raise ValidationError({"review_date": "The review date cannot be in the past."})
    if "review_date" in changed and (
        problem := planned_date_problem(item.review_date, "the review date")
    ):
        raise ValidationError({"review_date": problem})
    return changed


@transaction.atomic
def ir_item_add(
    *,
    acting_user: User,
    priority: Priority,
    question: str,
    owner: User,
    review_date: date,
    sources_to_task: str = "",
    open_to_partners: bool = False,
    covert: bool = False,
    request: HttpRequest | None = None,
    **authority: str,
) -> IntelligenceRequirementItem:
    """A chair over the unit adds a question or gap for a priority to the requirement. A covert
    collection item is refused without its authority (`authority`: the fields of
    tasking.safeguards.services.AUTHORITY_FIELDS), recorded with it and never shown to
    partners."""
    priority, strategy = priority_locked(priority)
    require_chair_over(acting_user, strategy.unit, "change its intelligence requirement")
    _require_not_superseded(strategy)
    checked = check_authority(covert=covert, **authority)
    if checked.errors:
        raise ValidationError(checked.errors)
    requirement, _ = IntelligenceRequirement.objects.get_or_create(control_strategy=strategy)
    item = IntelligenceRequirementItem(requirement=requirement, priority=priority)
    _clean_item_fields(
        item,
        {
            "question": question,
            "owner": owner,
            "review_date": review_date,
            "sources_to_task": sources_to_task,
            "open_to_partners": open_to_partners,
        },
        strategy,
    )
    save_with_history(item, acting_user=acting_user, reason="Added")
    authority_record(
        acting_user=acting_user, checked=checked, request=request, requirement_item=item
    )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=item,
        request=request,
        detail={"priority": priority.pk, "requirement": requirement.pk},
    )
    return item


def _lock_item(item: IntelligenceRequirementItem):
    strategy = strategy_locked(item.requirement.control_strategy)
    item = IntelligenceRequirementItem.objects.select_for_update().get(pk=item.pk)
    return item, strategy


@transaction.atomic
def ir_item_update(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    request: HttpRequest | None = None,
    **fields: Any,
) -> IntelligenceRequirementItem:
    """The item's owner or a chair over the unit reviews an open item; only the chair may
    reassign it or open it to partners."""
    item, strategy = _lock_item(item)
    access.require_police(acting_user, "review an intelligence requirement item")
    require_item_reviewer(acting_user, item, strategy.unit, "change it")
    if ITEM_CHAIR_FIELDS & set(fields) and not can_chair_over(acting_user, strategy.unit):
        raise PermissionDenied(
            f"Only a T&CG chair over {strategy.unit} can reassign the item or open it to partners."
        )
    _require_not_superseded(strategy)
    if item.status != RequirementItemStatus.OPEN:
        raise ValidationError("The item is closed: it can no longer change.")
    changed = _clean_item_fields(item, fields, strategy)
    if not changed:
        return item
    save_fields_changed(item, changed, "Reviewed", acting_user=acting_user, request=request)
    return item


@transaction.atomic
def ir_item_close(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    note: str,
    request: HttpRequest | None = None,
) -> IntelligenceRequirementItem:
    """The item's owner or a chair over the unit closes it, saying why in a note."""
    item, strategy = _lock_item(item)
    access.require_police(acting_user, "close an intelligence requirement item")
    require_item_reviewer(acting_user, item, strategy.unit, "close it")
    REQUIREMENT_ITEM_LIFECYCLE.check(item, RequirementItemStatus.CLOSED)
    note = required_text(note, field="note", message="Enter the closing note.")
    item.closing_note = note
    item.closed_by, item.closed_at = acting_user, timezone.now()
    REQUIREMENT_ITEM_LIFECYCLE.move(
        item,
        RequirementItemStatus.CLOSED,
        acting_user=acting_user,
        reason=f"Closed: {note}",
        request=request,
        audit_detail={"note": note},
    )
    return item


ir_item_update_over = edited_over(ir_item_update, "item", _lock_item)
ir_item_close_over = edited_over(ir_item_close, "item", _lock_item)


# The products an item is linked to (issue 14, point 4).

UNREADABLE_PRODUCT = "Choose a product you may read."


def _require_item_linkable(acting_user: User, item: IntelligenceRequirementItem, strategy) -> None:
    access.require_police(acting_user, "link products to an intelligence requirement item")
    require_item_reviewer(acting_user, item, strategy.unit, "link products to it")
    _require_not_superseded(strategy)
    if item.status != RequirementItemStatus.OPEN:
        raise ValidationError("The item is closed: its links to products no longer change.")


@transaction.atomic
def ir_item_product_link(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    product: Product | None,
    role: str,
    request: HttpRequest | None = None,
) -> RequirementItemProduct:
    """The item's owner or a chair over the unit links a product they may read to an open item:
    as the source of the intelligence gaps the item answers, or as a product that answers it. A
    product the user may not read is refused as if it did not exist; one withdrawn (closed
    before it was ever published) answers nothing."""
    item, strategy = _lock_item(item)
    _require_item_linkable(acting_user, item, strategy)
    if role not in RequirementLinkRole.values:
        raise ValidationError({"role": "Choose how the product stands to the item."})
    # As saved now, and only when the user may read it.
    product = product and visible_products(acting_user).filter(pk=product.pk).first()
    if product is None:
        raise ValidationError({"product": UNREADABLE_PRODUCT})
    if product.status == ProductStatus.CLOSED and not product.current_version:
        raise ValidationError(
            {"product": f"“{product.title}” was withdrawn before it was published: link another."}
        )
    if RequirementItemProduct.objects.filter(item=item, product=product, role=role).exists():
        raise ValidationError({"product": "The product is already linked to the item that way."})
    link = RequirementItemProduct(item=item, product=product, role=role, linked_by=acting_user)
    save_with_history(link, acting_user=acting_user, reason="Linked")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=link,
        request=request,
        detail={"item": item.pk, "product": product.pk, "role": role},
    )
    return link


@transaction.atomic
def ir_item_product_unlink(
    *,
    acting_user: User,
    link: RequirementItemProduct,
    request: HttpRequest | None = None,
) -> None:
    """The item's owner or a chair over the unit removes a link to a product they may read (one
    they may not read stays, as if it were not there)."""
    item, strategy = _lock_item(link.item)
    _require_item_linkable(acting_user, item, strategy)
    if not visible_products(acting_user).filter(pk=link.product_id).exists():
        raise ValidationError({"product": UNREADABLE_PRODUCT})
    link._history_user, link._change_reason = acting_user, "Unlinked"
    link.delete()
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=item,
        request=request,
        detail={"product_unlinked": {"product": link.product_id, "role": link.role}},
    )
