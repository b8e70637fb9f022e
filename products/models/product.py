from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from nim_portal import access
from nim_portal.choices import GSCMarking, Role
from nim_portal.search import SearchVectorIndex
from products.choices import (
    FINISHED_STATUSES,
    SUBJECT_PROFILE_KINDS,
    ClosureReason,
    Descriptor,
    ProductKind,
    ProductStatus,
    SubjectKind,
    SubjectRole,
)

VIEW_PRODUCT = "products.view_product"


class ProductQuerySet(models.QuerySet):
    def _in_reach(self, user) -> "ProductQuerySet":
        """Rules 1, 3 and 4 of the access policy (nim_portal.access), vetting aside:

        1. in scope: the user holds any role over the product's unit, or over a unit it is
           shared with (ProductUnitShare);
        3. a need-to-know product only for its owner, its requester, a reviewer over its unit
           and people granted `products.view_product`;
        nothing at all for a partner or a person whose vetting has lapsed.
        """
        if not access.is_police_reader(user):
            return self.none()
        shared_with_own_units = Q(
            pk__in=ProductUnitShare.objects.filter(access.in_units_covered(user)).values(
                "product_id"
            )
        )
        need_to_know_met = (
            Q(need_to_know=False)
            | Q(owner=user)
            | Q(requester=user)
            | access.in_units_covered(user, roles=Role.REVIEWER)
            | access.holds_object_permission(user, VIEW_PRODUCT, Product)
        )
        return self.filter(access.in_units_covered(user) | shared_with_own_units, need_to_know_met)

    def openable_by(self, user) -> "ProductQuerySet":
        """The products `user` may open: in reach, and their title and summary
        (`envelope_marking`) within the reader's vetting. Decided in SQL.

        Their sections are portion-marked: the product's pages and API withhold each section
        marked above the reader's vetting (products.selectors).
        """
        return self._in_reach(user).filter(access.within_ceiling(user, "envelope_marking"))

    def visible_to(self, user) -> "ProductQuerySet":
        """The products `user` may read whole: in reach, and everything in them (`marking`, the
        highest marking of the product) within the reader's vetting. Decided in SQL.

        Working on a product (editing, reviewing, sharing, its terms and history), preparing
        its partner releases and everything outside the product's own pages goes by this.
        """
        return self._in_reach(user).filter(access.within_ceiling(user))


class Product(models.Model):
    """One intelligence product of a unit: its metadata, lifecycle status and access flags.

    Every change goes through products.services (permission, history reason, audit); reads that
    depend on who is asking go through `Product.objects.visible_to(user)`.
    """

    unit = models.ForeignKey("nim_portal.Unit", on_delete=models.PROTECT, related_name="products")
    kind = models.CharField(max_length=16, choices=ProductKind.choices)
    title = models.CharField(max_length=200)
    # Two markings (docs/access.md, "Portion marking"): the product as a whole, and its title
    # and summary. Each section keeps its own (portion) marking.
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices,
        default=GSCMarking.OFFICIAL_SENSITIVE,
        help_text=(
            "The highest marking of anything in it (its title and summary, every section): what "
            "it is labelled, exported and released by, and the vetting needed to work on it. "
            "Never lower than its title and summary's or any section's; never lowered."
        ),
    )
    envelope_marking = models.PositiveSmallIntegerField(
        "marking of its title and summary",
        choices=GSCMarking.choices,
        help_text=(
            "Who may open the product at all: its title, its details and the list of its "
            "sections. A section marked higher is withheld from a reader vetted below it."
        ),
    )
    descriptor = models.CharField(max_length=16, choices=Descriptor.choices, blank=True)
    handling_instructions = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="products_owned",
        help_text="The developing analyst.",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="products_requested"
    )
    due_date = models.DateField(null=True, blank=True)
    need_to_know = models.BooleanField(
        default=False,
        help_text="Visible only to people granted it (always on for subject profiles).",
    )
    status = models.CharField(
        max_length=16, choices=ProductStatus.choices, default=ProductStatus.COMMISSIONED
    )
    current_version = models.PositiveIntegerField(
        default=0, help_text="Number of the latest published version (0: none yet)."
    )

    # Subject profiles.
    lawful_basis = models.TextField(blank=True)
    purpose = models.TextField(blank=True)
    proportionality = models.TextField("proportionality justification", blank=True)
    warning_markers = models.TextField(blank=True)
    subject_kind = models.CharField(max_length=8, choices=SubjectKind.choices, blank=True)
    subject_role = models.CharField(max_length=8, choices=SubjectRole.choices, blank=True)
    subject_description = models.TextField(blank=True)

    # Problem profiles: the problem's scope.
    scope_area = models.CharField("area", max_length=200, blank=True)
    scope_period_from = models.DateField("period from", null=True, blank=True)
    scope_period_to = models.DateField("period to", null=True, blank=True)
    scope_crime_types = models.CharField("crime types", max_length=300, blank=True)

    closed_reason = models.CharField(max_length=16, choices=ClosureReason.choices, blank=True)
    closed_reason_text = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # All its text, and the highest marking of that text (a section's, should one be above the
    # product's): kept by products.services for products.search (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)
    search_marking = models.PositiveSmallIntegerField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector", "search_marking"])

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The register lists the newest first and stops at a page: walked in this order, the
            # visibility filter is checked on a page's worth of rows, not on every product. It
            # carries every column that the access policy and the register's filters read, so
            # that PostgreSQL decides a row from the index alone (an index-only scan) and reads
            # a product's row only when it is shown, counted or searched.
            models.Index(
                fields=["-created_at", "-id"],
                name="product_newest_first",
                include=[
                    "unit",
                    "kind",
                    "status",
                    "marking",
                    "envelope_marking",
                    "search_marking",
                    "need_to_know",
                    "owner",
                    "requester",
                ],
            ),
            models.Index(fields=["unit", "status"]),
            # The dashboard's "my drafts": an owner's few products in a status, not every
            # product of the owner's units in that status.
            models.Index(fields=["owner", "status"], name="product_owner_status"),
            # None on the marking: four values, and compared with the reader's ceiling (a
            # subquery) it led PostgreSQL to add a third of all products to small bitmap scans.
            models.Index(fields=["due_date"]),
            SearchVectorIndex(fields=["search_vector"], name="product_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=sorted(SUBJECT_PROFILE_KINDS))
                | models.Q(need_to_know=True),
                name="product_subject_profile_need_to_know",
                violation_error_message="A subject profile is always need-to-know.",
            ),
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values),
                name="product_marking_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(envelope_marking__in=GSCMarking.values)
                & models.Q(envelope_marking__lte=models.F("marking")),
                name="product_envelope_marking_within_marking",
                violation_error_message=(
                    "The title and summary are marked no higher than the product as a whole."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(scope_period_from__isnull=True)
                | models.Q(scope_period_to__isnull=True)
                | models.Q(scope_period_from__lte=models.F("scope_period_to")),
                name="product_scope_period_ordered",
                violation_error_message="The period must end on or after its start.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_subject_profile(self) -> bool:
        """A profile of a person or group: a subject profile or an NPCC firearms one."""
        return self.kind in SUBJECT_PROFILE_KINDS

    @property
    def drafting_version(self) -> int:
        """The number the version being drafted will take when approved."""
        return self.current_version + 1

    def label_of(self, marking: int) -> str:
        """A marking of this product as printed: with the product's descriptor, if any."""
        label = GSCMarking(marking).label
        return f"{label} {self.descriptor}" if self.descriptor else label

    @property
    def marking_label(self) -> str:
        return self.label_of(self.marking)

    @property
    def envelope_marking_label(self) -> str:
        """The marking of its title and summary, as printed beside its title in a list."""
        return self.label_of(self.envelope_marking)

    @property
    def has_portions_above_envelope(self) -> bool:
        """Something in it is marked above its title and summary: a reader may open it and find
        parts withheld."""
        return self.marking > self.envelope_marking

    def is_overdue_on(self, today) -> bool:
        """Its due date has passed by `today` and it is not finished (as `overdue_q` in SQL)."""
        return (
            self.due_date is not None
            and self.due_date < today
            and self.status not in FINISHED_STATUSES
        )


class ProductUnitShare(models.Model):
    """A product shared with another unit (rule 4): that unit's people read it as their own.

    A row of its own rather than a guardian group: a unit is not a group of users (membership
    inherits down the tree, and changes with postings), the grant keeps who shared it and when,
    and the visibility selector joins it in SQL with the same role inheritance as rule 1.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="unit_shares")
    unit = models.ForeignKey("nim_portal.Unit", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["product", "unit"], name="product_share_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.product} shared with {self.unit}"
