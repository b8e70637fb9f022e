"""Who may do what to a product, and when: the one home of each "may do" rule of the products
app, on top of the access policy (nim_portal.access).

Services refuse with the `require_*` methods (PermissionDenied, with a message fit to show);
pages ask the same questions (`can_*`) to show only what their reader may do. A product's page
reads the reader's roles over its unit once (ProductPolicy.roles), however many questions it asks.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Max

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import Unit, User
from products.choices import ProductStatus
from products.models import Product, Section, TermsOfReference

# Who may commission a unit's products.
COMMISSIONING_ROLES = (Role.ANALYST, Role.CHAIR, Role.REVIEWER)
# Roles over the product's unit that may read its field history (besides its owner).
HISTORY_ROLES = (Role.REVIEWER, Role.ADMIN)
# The history reason of the sections a product starts with: nobody's edit (rule 6).
TEMPLATE_SECTION_REASON = "Created from the product's template"

TOR_NOT_AGREED = "The terms of reference must be agreed before drafting."
PRODUCT_CLOSED = "The product is closed: it can no longer be edited."


def can_commission(user: User, unit: Unit) -> bool:
    """An analyst, chair or reviewer over `unit`. One query."""
    return access.holds_role_over(user, COMMISSIONING_ROLES, unit)


def require_commission(user: User, unit: Unit) -> None:
    access.require_police(user, "commission a product")
    if not can_commission(user, unit):
        raise PermissionDenied(
            f"Only an analyst, chair or reviewer of {unit} can commission its products."
        )


def is_terms_party(user: User, terms: TermsOfReference) -> bool:
    """The requester or the developer: the two who change and agree the terms."""
    return user.pk in (terms.requester_id, terms.developer_id)


def require_terms_party(user: User, terms: TermsOfReference) -> None:
    access.require_police(user, "work on terms of reference")
    if not is_terms_party(user, terms):
        raise PermissionDenied(
            "Only the requester and the developer can change or agree the terms."
        )


# When: what the product's status allows, whoever asks.


def terms_refusal(product: Product) -> str:
    """Why the terms of `product` cannot change now; "" when they can."""
    if product.status == ProductStatus.CLOSED:
        return "The product is closed: its terms can no longer change."
    if product.status == ProductStatus.SUBMITTED:
        return "The product is under review: its terms cannot change now."
    return ""


def details_refusal(product: Product) -> str:
    """Why the details of `product` cannot change now; "" when they can."""
    if product.status == ProductStatus.CLOSED:
        return PRODUCT_CLOSED
    if product.status == ProductStatus.SUBMITTED:
        return "The product is under review: its details cannot change now."
    return ""


def sections_refusal(product: Product) -> str:
    """Why the sections of `product` cannot change now; "" when they can (a returned draft or a
    published product moves to drafting of its next version on the first change)."""
    if product.status == ProductStatus.CLOSED:
        return PRODUCT_CLOSED
    if product.status == ProductStatus.SUBMITTED:
        return "The product is under review: it can be edited again once the reviewer returns it."
    if product.status in (ProductStatus.COMMISSIONED, ProductStatus.TOR_AGREED):
        return TOR_NOT_AGREED
    if not product.terms.is_agreed:
        return TOR_NOT_AGREED
    return ""


def edited_current_version(user: User, product: Product) -> bool:
    """Whether `user` changed any section of the version now drafted or under review (rule 6:
    they may not approve it)."""
    since = product.versions.aggregate(last=Max("published_at"))["last"]
    edits = Section.history.filter(product_id=product.pk, history_user_id=user.pk).exclude(
        history_change_reason=TEMPLATE_SECTION_REASON
    )
    if since is not None:
        edits = edits.filter(history_date__gt=since)
    return edits.exists()


class ProductPolicy:
    """What `user` may do to `product`, by their roles over its unit and whether they own it.

    The questions assume `product` is one the user may read (pages load it through
    products.selectors.get_product_for); services ask `require_visible` as well.
    """

    def __init__(self, user: User, product: Product):
        self.user = user
        self.product = product

    @cached_property
    def roles(self) -> set[str]:
        """The roles the user holds over the product's unit (none unless police). One query."""
        return access.roles_over(self.user, self.product.unit)

    @property
    def is_owner(self) -> bool:
        return access.is_police(self.user) and self.product.owner_id == self.user.pk

    def can_edit(self) -> bool:
        """The owner, or an analyst over the product's unit: details and sections."""
        return self.is_owner or Role.ANALYST in self.roles

    def can_submit(self) -> bool:
        return self.is_owner

    def can_review(self) -> bool:
        """A reviewer over the product's unit who does not own it (the service also refuses one
        who edited the version under review: edited_current_version)."""
        return Role.REVIEWER in self.roles and not self.is_owner

    def can_manage(self) -> bool:
        """The owner, or a reviewer over the product's unit: close, share, grant the need to
        know."""
        return self.is_owner or Role.REVIEWER in self.roles

    def can_give_feedback(self) -> bool:
        """A reader of a published product who did not write it (the service also asks that
        they may open it: products.selectors.openable_products)."""
        return (
            access.is_police(self.user) and self.product.current_version > 0 and not self.is_owner
        )

    def can_read_feedback(self) -> bool:
        """Its author (the owner) and its approvers (the reviewers over its unit)."""
        return self.is_owner or Role.REVIEWER in self.roles

    def can_read_history(self) -> bool:
        return self.is_owner or bool(self.roles.intersection(HISTORY_ROLES))

    def require_visible(self) -> None:
        if not Product.objects.visible_to(self.user).filter(pk=self.product.pk).exists():
            raise PermissionDenied("You cannot see this product.")

    def require_edit(self) -> None:
        access.require_police(self.user, "edit a product")
        if not self.can_edit():
            raise PermissionDenied(
                f"Only the product's owner or an analyst of {self.product.unit} can edit it."
            )

    def require_submit(self) -> None:
        access.require_police(self.user, "submit a product")
        if not self.can_submit():
            raise PermissionDenied("Only the product's owner can submit it for review.")

    def require_review(self, action: str) -> None:
        """An independent reviewer (rule 6): neither the owner nor an editor of this version."""
        access.require_police(self.user, action)
        if Role.REVIEWER not in self.roles:
            raise PermissionDenied(f"Only a reviewer over {self.product.unit} can {action}.")
        if self.is_owner:
            raise PermissionDenied(f"You own this product: another reviewer must {action}.")
        if edited_current_version(self.user, self.product):
            raise PermissionDenied(f"You edited this version: another reviewer must {action}.")

    def require_manage(self, action: str) -> None:
        access.require_police(self.user, action)
        if not self.can_manage():
            raise PermissionDenied(
                f"Only the product's owner or a reviewer over {self.product.unit} can {action}."
            )

    def require_give_feedback(self) -> None:
        access.require_police(self.user, "give feedback on a product")
        if self.product.current_version == 0:
            raise PermissionDenied("Feedback is given on a published product.")
        if self.is_owner:
            raise PermissionDenied("You wrote this product: its readers give feedback on it.")
        if not Product.objects.openable_by(self.user).filter(pk=self.product.pk).exists():
            raise PermissionDenied("You cannot see this product.")

    def require_read_feedback(self) -> None:
        if not self.can_read_feedback():
            raise PermissionDenied(
                f"Only the product's owner or a reviewer over {self.product.unit} can read the "
                "feedback on it."
            )

    def require_read_history(self) -> None:
        if not self.can_read_history():
            raise PermissionDenied(
                f"Only the product's owner, or a reviewer or admin over {self.product.unit}, "
                "can see its history."
            )
