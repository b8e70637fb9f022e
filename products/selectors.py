"""Reads of the products app that depend on who is asking: one query each, no per-row checks.

Who may read a product is decided by `Product.objects.visible_to(user)`, built from the access
policy (nim_portal.access): every list, detail, compare and export here goes through it.
"""

import difflib
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, Role, UserKind
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from nim_portal.search import RankedRows
from nim_portal.services import audit_record
from products import search
from products.choices import ProductStatus
from products.models import Product, ProductUnitShare, ProductVersion, Section, TermsOfReference
from products.policy import ProductPolicy


def user_in_product_scope(user: User, product: Product) -> bool:
    """Rules 1 and 4 only: the user holds a role over the product's unit or a unit it is shared
    with (need-to-know and vetting aside). One query."""
    if not access.is_police(user):
        return False
    shared_units = ProductUnitShare.objects.filter(product=product).values("unit_id")
    return (
        access.units_covered(user, include_inactive=True)
        .filter(Q(pk=product.unit_id) | Q(pk__in=shared_units))
        .exists()
    )


def visible_products(user: User) -> QuerySet[Product]:
    """Every product `user` may read: the one selector for lists, details, compares and exports."""
    return Product.objects.visible_to(user)


def get_product_for(user: User, pk) -> Product:
    """One product by id; missing and forbidden give the same 404, so ids cannot be probed."""
    pk = id_or_404(pk, "product")
    product = visible_products(user).select_related("unit", "owner", "requester").filter(pk=pk)
    product = product.first()
    if product is None:
        raise Http404("No such product.")
    return product


def visible_versions(user: User, product: Product) -> QuerySet[ProductVersion]:
    """The published versions of `product` that `user` may read, newest first (one query)."""
    return (
        ProductVersion.objects.visible_to(user)
        .filter(product_id=product.pk)
        .select_related("author", "reviewer")
        .order_by("-number")
    )


def product_version_read(
    user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersion:
    """Show one published version: 404 unless visible, and every read is audited (rule 7)."""
    readable = visible_versions(user, version.product).filter(pk=version.pk).first()
    if readable is None:
        raise Http404("No such version.")
    audit_record(
        actor=user,
        verb=AuditVerb.VIEW,
        obj=readable,
        request=request,
        detail={
            "product": readable.product_id,
            "number": readable.number,
            "sha256": readable.sha256,
        },
    )
    return readable


# Comparing two published versions, section by section, from their own snapshots.

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True)
class SideBySideRow:
    """One row of a side-by-side diff: `kind` is equal, replace, delete or insert."""

    kind: str
    left_number: int | None
    left: str
    right_number: int | None
    right: str


@dataclass(frozen=True)
class SectionDifference:
    section_id: int
    status: str
    title_before: str | None
    title_after: str | None
    marking_before: int | None
    marking_after: int | None
    releasable_before: bool | None
    releasable_after: bool | None
    unified: list[str] = field(default_factory=list)
    side_by_side: list[SideBySideRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_after if self.title_after is not None else self.title_before or ""


@dataclass(frozen=True)
class VersionComparison:
    before: ProductVersion
    after: ProductVersion
    changed_fields: dict[str, tuple]
    sections: list[SectionDifference]

    @property
    def has_differences(self) -> bool:
        return bool(self.changed_fields) or any(s.status != UNCHANGED for s in self.sections)


def _side_by_side(before: list[str], after: list[str]) -> list[SideBySideRow]:
    rows = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            left_line = before[i] if i < i2 else ""
            right_line = after[j] if j < j2 else ""
            rows.append(
                SideBySideRow(
                    kind=tag,
                    left_number=i + 1 if i < i2 else None,
                    left=left_line,
                    right_number=j + 1 if j < j2 else None,
                    right=right_line,
                )
            )
    return rows


def _section_difference(section_id: int, before: dict | None, after: dict | None):
    body_before = (before or {}).get("body", "").splitlines()
    body_after = (after or {}).get("body", "").splitlines()
    if before is None:
        status = ADDED
    elif after is None:
        status = REMOVED
    elif any(
        before.get(key) != after.get(key) for key in ("title", "marking", "body", "releasable")
    ):
        status = CHANGED
    else:
        status = UNCHANGED
    unified = list(
        difflib.unified_diff(
            body_before,
            body_after,
            fromfile=(before or {}).get("title", ""),
            tofile=(after or {}).get("title", ""),
            lineterm="",
        )
    )
    return SectionDifference(
        section_id=section_id,
        status=status,
        title_before=before["title"] if before else None,
        title_after=after["title"] if after else None,
        marking_before=before["marking"] if before else None,
        marking_after=after["marking"] if after else None,
        releasable_before=before["releasable"] if before else None,
        releasable_after=after["releasable"] if after else None,
        unified=unified,
        side_by_side=_side_by_side(body_before, body_after),
    )


def compare_versions(a: ProductVersion, b: ProductVersion) -> VersionComparison:
    """Differences between two published versions of one product, older first, per section.

    Sections are matched by their identity, so a retitled or moved section shows as changed.
    Pure: callers fetch both versions through `visible_versions` and audit the reads.
    """
    if a.product_id != b.product_id:
        raise ValueError("Only versions of the same product can be compared.")
    before, after = (a, b) if a.number <= b.number else (b, a)
    fields = ("title", "marking", "descriptor", "handling_instructions")
    changed_fields = {
        name: (before.content.get(name), after.content.get(name))
        for name in fields
        if before.content.get(name) != after.content.get(name)
    }
    sections_before = {s["id"]: s for s in before.content["sections"]}
    sections_after = {s["id"]: s for s in after.content["sections"]}
    # In the newer version's order, then the removed ones where they stood.
    order = [s["id"] for s in after.content["sections"]] + [
        s["id"] for s in before.content["sections"] if s["id"] not in sections_after
    ]
    sections = [
        _section_difference(pk, sections_before.get(pk), sections_after.get(pk)) for pk in order
    ]
    return VersionComparison(
        before=before, after=after, changed_fields=changed_fields, sections=sections
    )


# The register, search and "my work".

# How many products each list of "my work" on the dashboard shows.
MY_WORK_LIMIT = 10
# Products that are finished are never overdue.
FINISHED_STATUSES = (ProductStatus.APPROVED, ProductStatus.CLOSED)


def overdue_q(today) -> Q:
    """Products whose due date has passed and that are neither approved nor closed."""
    return Q(due_date__lt=today) & ~Q(status__in=FINISHED_STATUSES)


def register_products(user: User) -> QuerySet[Product]:
    """The register's rows: every visible product with what its row shows (one query)."""
    return visible_products(user).select_related("unit", "owner")


def search_products(
    user: User, text: str, among: QuerySet[Product] | None = None, *, ranked: bool = True
) -> QuerySet[Product]:
    """The register's rows out of `among` (the register's products, filtered; all of them when
    None) matching `text`: best first when `ranked`, else in `among`'s order (products.search).
    Every row of `among` when there are no words. No snippets: the register shows none."""
    if among is None:
        among = register_products(user)
    if not (text or "").strip():
        return among
    # Units and owners apart: joined, PostgreSQL may repeat the text index scan for every unit.
    return search.search_products(
        user, text, among.select_related(None), ranked=ranked, snippets=False
    ).prefetch_related("unit", "owner")


def rank_register_products(user: User, text: str, among: QuerySet[Product]) -> RankedRows:
    """The register's rows out of `among` (the register's products, filtered) matching `text`,
    best first, read a page at a time (products.search.rank_products)."""
    # The ranking reads no unit; a page's rows are read by id, with their units and owners.
    return search.rank_products(user, text, among.select_related(None)).select_related(
        "unit", "owner"
    )


def units_where_user_holds_any(user: User, roles) -> QuerySet[Unit]:
    """Active units over which `user` holds one of `roles` (at them or above them)."""
    if not access.is_police_reader(user):
        return Unit.objects.none()
    return access.units_covered(user, roles)


def units_in_scope(user: User) -> QuerySet[Unit]:
    """Units whose products `user` sees as their own (memberships and every unit below them)."""
    if not access.is_police_reader(user):
        return Unit.objects.none()
    return access.units_covered(user, include_inactive=True)


def people_around(units: QuerySet[Unit]) -> QuerySet[User]:
    """Active police users holding a role at, above or below any of `units`: the people who can
    own or request their products (the service checks each choice)."""
    return User.objects.filter(access.people_in_line(units), is_active=True).exclude(
        kind=UserKind.PARTNER
    )


@dataclass(frozen=True)
class MyWork:
    """A police user's lists of work, each of at most MY_WORK_LIMIT products."""

    drafts: list
    reviews: list
    terms: list
    overdue: list

    @property
    def is_empty(self) -> bool:
        return not (self.drafts or self.reviews or self.terms or self.overdue)

    @property
    def marking(self) -> int:
        """The highest marking among the products listed (OFFICIAL when none)."""
        listed = [*self.drafts, *self.reviews, *self.terms, *self.overdue]
        return max((product.marking for product in listed), default=GSCMarking.OFFICIAL)


def _first(products: QuerySet[Product]) -> list:
    """The first MY_WORK_LIMIT, with only what the dashboard's lines show."""
    shown = products.select_related("unit").only(
        "title", "kind", "marking", "due_date", "status", "unit__name"
    )
    return list(shown[:MY_WORK_LIMIT])


def my_work(user: User, today) -> MyWork:
    """Drafts I own, reviews waiting for me, terms waiting for my agreement, my overdue products:
    four queries, whatever the numbers."""
    products = visible_products(user)
    reviewer_over_unit = access.in_units_covered(user, roles=Role.REVIEWER)
    awaiting_me = Q(terms__requester=user, terms__agreed_by_requester_at__isnull=True) | Q(
        terms__developer=user, terms__agreed_by_developer_at__isnull=True
    )
    return MyWork(
        drafts=_first(
            products.filter(
                owner=user, status__in=(ProductStatus.DRAFTING, ProductStatus.RETURNED)
            ).order_by(F("due_date").asc(nulls_last=True), "-updated_at")
        ),
        reviews=_first(
            products.filter(reviewer_over_unit, status=ProductStatus.SUBMITTED)
            .exclude(owner=user)
            .order_by(F("due_date").asc(nulls_last=True), "updated_at")
        ),
        terms=_first(
            products.filter(awaiting_me)
            .exclude(status__in=(ProductStatus.SUBMITTED, ProductStatus.CLOSED))
            .order_by(F("due_date").asc(nulls_last=True), "-updated_at")
        ),
        overdue=_first(
            products.filter(overdue_q(today))
            .filter(Q(owner=user) | Q(requester=user))
            .order_by("due_date", "id")
        ),
    )


def terms_history(user: User, product: Product) -> QuerySet:
    """The history records of a product's terms of reference, newest first; 404 unless the
    product is visible to `user` (history tables bypass the visibility rules)."""
    visible = get_product_for(user, product.pk)
    return (
        TermsOfReference.history.filter(product_id=visible.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


# The section editor and the staff history page.

# The newest changes the history page shows, across the product, its sections and its terms.
HISTORY_LIMIT = 100
# Bookkeeping that the history shows as "who" or not at all.
_HISTORY_EXCLUDED_FIELDS = ("updated_by",)
HISTORY_KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    """One saved change: when, who, on what record, why, and each field that changed."""

    when: object
    who: User | None
    record: str
    kind: str
    reason: str
    changes: list[FieldChange]


def _history_value(field, value, people: dict[int, User]):
    if value is None or value == "":
        return None
    if field.is_relation:
        person = people.get(value)
        return str(person) if person is not None else f"#{value}"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def _records_with_previous(records: QuerySet, limit: int) -> list[tuple]:
    """The newest `limit` history records with, for each, the record of the same row saved
    just before it (None for the first): two queries."""
    model = records.model
    previous_id = Subquery(
        model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    newest = list(
        records.annotate(previous_history_id=previous_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    wanted = [r.previous_history_id for r in newest if r.previous_history_id is not None]
    previous = {r.history_id: r for r in model.objects.filter(history_id__in=wanted)}
    return [(record, previous.get(record.previous_history_id)) for record in newest]


def product_history(user: User, pk, limit: int = HISTORY_LIMIT) -> tuple[Product, list]:
    """Field-level history of a product, its sections and its terms of reference, newest first.

    404 unless the product is visible to `user` (history tables bypass every access rule, so
    they are never read for a product the user cannot see); 403 unless `user` is its staff.
    Constant in queries: the product, the role, two per history table and the people named.
    """
    product = get_product_for(user, pk)
    ProductPolicy(user, product).require_read_history()
    sources = (
        (Product.history.filter(id=product.pk), lambda r: "Product"),
        (Section.history.filter(product_id=product.pk), lambda r: f"Section “{r.title}”"),
        (TermsOfReference.history.filter(product_id=product.pk), lambda r: "Terms of reference"),
    )
    pairs = []
    for records, describe in sources:
        pairs += [(new, old, describe) for new, old in _records_with_previous(records, limit)]
    pairs.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id), reverse=True)
    pairs = pairs[:limit]

    deltas = []
    person_ids = set()
    for new, old, describe in pairs:
        changes = []
        if old is not None:
            delta = new.diff_against(old, excluded_fields=_HISTORY_EXCLUDED_FIELDS)
            for change in delta.changes:
                field_meta = new._meta.get_field(change.field)
                if field_meta.is_relation:
                    person_ids.update(v for v in (change.old, change.new) if v is not None)
                changes.append((field_meta, change.old, change.new))
        deltas.append((new, describe, changes))
    people = {p.pk: p for p in User.objects.filter(pk__in=person_ids)} if person_ids else {}

    entries = [
        HistoryEntry(
            when=new.history_date,
            who=new.history_user,
            record=describe(new),
            kind=HISTORY_KINDS.get(new.history_type, new.history_type),
            reason=new.history_change_reason or "",
            changes=[
                FieldChange(
                    name=str(field_meta.verbose_name),
                    old=_history_value(field_meta, old_value, people),
                    new=_history_value(field_meta, new_value, people),
                )
                for field_meta, old_value, new_value in changes
            ],
        )
        for new, describe, changes in deltas
    ]
    return product, entries
