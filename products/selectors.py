"""Reads of the products app that depend on who is asking: one query each, no per-row checks.

Who may read a product is decided by `Product.objects.visible_to(user)`, built from the access
policy (nim_portal.access): every list, detail, compare and export here goes through it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, Role, UserKind
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from nim_portal.search import RankedRows
from nim_portal.services import audit_record
from nim_portal.web.history import HISTORY_TYPES, FieldChange, HistoryEntry
from nim_portal.web.markings import PortionMarking
from products import search
from products.choices import FINISHED_STATUSES, PROFILE_KINDS, ProductStatus
from products.compare import SideBySideRow, WordBlock, line_rows, unified_lines, word_blocks
from products.models import (
    Product,
    ProductFeedback,
    ProductUnitShare,
    ProductVersion,
    Section,
    TermsOfReference,
)
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
    """Every product `user` may read whole (Product.objects.visible_to): for work on a product,
    its partner releases and every list outside the product's own pages."""
    return Product.objects.visible_to(user)


def openable_products(user: User) -> QuerySet[Product]:
    """Every product `user` may open (Product.objects.openable_by): the register, the product's
    pages and its API, which withhold each section marked above the reader's vetting."""
    return Product.objects.openable_by(user)


def _one_product(products: QuerySet[Product], pk) -> Product:
    pk = id_or_404(pk, "product")
    product = products.select_related("unit", "owner", "requester").filter(pk=pk).first()
    if product is None:
        raise Http404("No such product.")
    return product


def get_product_for(user: User, pk) -> Product:
    """One product `user` may read whole, by id, to work on; missing and forbidden give the same
    404, so ids cannot be probed."""
    return _one_product(visible_products(user), pk)


def get_openable_product_for(user: User, pk) -> Product:
    """One product `user` may open, by id, to read with its sections above their vetting
    withheld; missing and forbidden give the same 404."""
    return _one_product(openable_products(user), pk)


def reads_whole(user: User, product: Product) -> bool:
    """Whether `user` may read everything in `product`, one they may open: what working on it
    needs (`visible_products` answers the same in SQL)."""
    return access.may_read_marking(user, product.marking)


def visible_versions(user: User, product: Product) -> QuerySet[ProductVersion]:
    """The published versions of `product` that `user` may read whole, newest first (one
    query): for partner releases and every use outside the product's own pages."""
    return (
        ProductVersion.objects.visible_to(user)
        .filter(product_id=product.pk)
        .select_related("author", "reviewer")
        .order_by("-number")
    )


def openable_versions(user: User, product: Product) -> QuerySet[ProductVersion]:
    """The published versions of `product` that `user` may open, newest first (one query): the
    product's pages and API, which withhold each section above the reader's vetting."""
    return (
        ProductVersion.objects.openable_by(user)
        .filter(product_id=product.pk)
        .select_related("author", "reviewer")
        .order_by("-number")
    )


def product_version_read(
    user: User, version: ProductVersion, request: HttpRequest | None = None
) -> ProductVersion:
    """Show one published version: 404 unless the user may open it, and every read is audited
    (rule 7). What it shows them: `version_sections_for`."""
    readable = openable_versions(user, version.product).filter(pk=version.pk).first()
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


# Portion marking: a section marked above the reader's vetting is withheld, its marking shown.


def withheld_from(user: User, marking: int) -> bool:
    """Whether a part marked `marking` (a section) is withheld from `user`: it is above their
    vetting (nim_portal.access.may_read_marking; the ceiling costs no query for a request's
    user)."""
    return not access.may_read_marking(user, marking)


@dataclass(frozen=True)
class ShownSection:
    """One section as its reader is shown it: whole, or withheld with only its place and its
    marking (its title, text and partner flag left empty)."""

    id: int
    position: int
    marking: int
    withheld: bool
    title: str = ""
    body: str = ""
    releasable: bool = False

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label


def _shown_section(withheld: bool, *, id, position, marking, title, body, releasable):
    if withheld:
        return ShownSection(id=id, position=position, marking=marking, withheld=True)
    return ShownSection(
        id=id,
        position=position,
        marking=marking,
        withheld=False,
        title=title,
        body=body,
        releasable=releasable,
    )


def snapshot_sections(content: dict, withheld: Callable[[int], bool]) -> list[ShownSection]:
    """The sections of a published snapshot, in order, each withheld when `withheld(marking)`."""
    return [
        _shown_section(
            withheld(section["marking"]),
            id=section["id"],
            position=section["position"],
            marking=section["marking"],
            title=section["title"],
            body=section["body"],
            releasable=section["releasable"],
        )
        for section in sorted(content["sections"], key=lambda s: (s["position"], s["id"]))
    ]


def version_sections_for(user: User, version: ProductVersion) -> list[ShownSection]:
    """The sections of a published version, in order, as `user` is shown them."""
    return snapshot_sections(version.content, partial(withheld_from, user))


def live_sections_for(user: User, sections) -> list[ShownSection]:
    """Sections of a product being drafted (rows, in the order given) as `user` is shown them."""
    return [
        _shown_section(
            withheld_from(user, section.marking),
            id=section.pk,
            position=section.position,
            marking=section.marking,
            title=section.title,
            body=section.body,
            releasable=section.releasable_to_partners,
        )
        for section in sections
    ]


def portion_marking(envelope_marking: int, sections: list[ShownSection]) -> PortionMarking:
    """What a reader is shown of a product or version: its title and summary and the sections
    not withheld; the highest withheld."""
    return PortionMarking.of(
        shown=[envelope_marking, *(s.marking for s in sections if not s.withheld)],
        withheld=[s.marking for s in sections if s.withheld],
    )


# Comparing two published versions, section by section, from their own snapshots.

ADDED, REMOVED, CHANGED, UNCHANGED, WITHHELD = (
    "added",
    "removed",
    "changed",
    "unchanged",
    "withheld",
)
# Changed sections first, then those the same in both, then those withheld from the reader.
_STATUS_ORDER = {ADDED: 0, REMOVED: 0, CHANGED: 0, UNCHANGED: 1, WITHHELD: 2}


@dataclass(frozen=True)
class SectionDifference:
    """One section in two versions, as its reader may be shown it. A section marked above the
    reader's vetting in either version is withheld: status WITHHELD, its markings only, and its
    text never compared."""

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
    words: list[WordBlock] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_after if self.title_after is not None else self.title_before or ""

    @property
    def withheld(self) -> bool:
        return self.status == WITHHELD

    @property
    def marking(self) -> int:
        """Its highest marking in the two versions."""
        return max(m for m in (self.marking_before, self.marking_after) if m is not None)


@dataclass(frozen=True)
class VersionComparison:
    before: ProductVersion
    after: ProductVersion
    changed_fields: dict[str, tuple]
    sections: list[SectionDifference]

    @property
    def has_differences(self) -> bool:
        return bool(self.changed_fields) or any(
            s.status not in (UNCHANGED, WITHHELD) for s in self.sections
        )

    @property
    def withheld(self) -> list[SectionDifference]:
        return [s for s in self.sections if s.withheld]


def _withheld_difference(section_id: int, before: dict | None, after: dict | None):
    return SectionDifference(
        section_id=section_id,
        status=WITHHELD,
        title_before=None,
        title_after=None,
        marking_before=before["marking"] if before else None,
        marking_after=after["marking"] if after else None,
        releasable_before=None,
        releasable_after=None,
    )


def _section_difference(section_id: int, before: dict | None, after: dict | None):
    body_before = (before or {}).get("body", "")
    body_after = (after or {}).get("body", "")
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
    return SectionDifference(
        section_id=section_id,
        status=status,
        title_before=before["title"] if before else None,
        title_after=after["title"] if after else None,
        marking_before=before["marking"] if before else None,
        marking_after=after["marking"] if after else None,
        releasable_before=before["releasable"] if before else None,
        releasable_after=after["releasable"] if after else None,
        unified=unified_lines(
            body_before.splitlines(),
            body_after.splitlines(),
            before_name=(before or {}).get("title", ""),
            after_name=(after or {}).get("title", ""),
        ),
        side_by_side=line_rows(body_before.splitlines(), body_after.splitlines()),
        words=word_blocks(body_before, body_after),
    )


def compare_versions(user: User, a: ProductVersion, b: ProductVersion) -> VersionComparison:
    """Differences between two published versions of one product, older first, per section, as
    `user` may be shown them: changed sections first, then the unchanged, then the withheld.

    Sections are matched by their identity, so a retitled or moved section shows as changed. A
    section marked above the reader's vetting in either version is withheld on both sides and
    its text is never compared. Callers fetch both versions through `openable_versions` and
    audit the reads (`product_version_read`).
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
    sections = []
    for pk in order:
        old, new = sections_before.get(pk), sections_after.get(pk)
        if any(withheld_from(user, side["marking"]) for side in (old, new) if side is not None):
            sections.append(_withheld_difference(pk, old, new))
        else:
            sections.append(_section_difference(pk, old, new))
    # sorted() is stable: each group keeps the newer version's order.
    sections.sort(key=lambda difference: _STATUS_ORDER[difference.status])
    return VersionComparison(
        before=before, after=after, changed_fields=changed_fields, sections=sections
    )


# The register, search and "my work".

# How many products each list of "my work" on the dashboard shows.
MY_WORK_LIMIT = 10


def overdue_q(today) -> Q:
    """Products whose due date has passed and that are neither approved nor closed."""
    return Q(due_date__lt=today) & ~Q(status__in=FINISHED_STATUSES)


def register_products(user: User) -> QuerySet[Product]:
    """The register's rows: every product the user may open, with what its row shows (one
    query). A row shows only its title and summary; its text is searched only for a reader
    cleared for all of it (products.search)."""
    return openable_products(user).select_related("unit", "owner")


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


def analysts_over(units: QuerySet[Unit]) -> QuerySet[User]:
    """Active police users holding the analyst role at or above any of `units`: who may develop
    their products (the service checks the unit chosen)."""
    return User.objects.filter(
        access.people_over_any(units, [Role.ANALYST]), is_active=True
    ).exclude(kind=UserKind.PARTNER)


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
        """The highest marking of what the lists show, the products' titles and summaries
        (OFFICIAL when none)."""
        listed = [*self.drafts, *self.reviews, *self.terms, *self.overdue]
        return max((product.envelope_marking for product in listed), default=GSCMarking.OFFICIAL)


def _first(products: QuerySet[Product]) -> list:
    """The first MY_WORK_LIMIT, with only what the dashboard's lines show."""
    shown = products.select_related("unit").only(
        "title", "kind", "marking", "envelope_marking", "due_date", "status", "unit__name"
    )
    return list(shown[:MY_WORK_LIMIT])


def my_work(user: User, today) -> MyWork:
    """Drafts I own, reviews waiting for me, terms waiting for my agreement, my overdue products:
    four queries, whatever the numbers."""
    products = openable_products(user)
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


def profile_review_due_q(on, prefix: str = "") -> Q:
    """Profiles whose review date has come by `on` and which are not closed: on TermsOfReference,
    or through `prefix` ("terms__" from Product)."""
    return Q(
        **{
            f"{prefix}review_date__lte": on,
            f"{prefix}product__kind__in": sorted(PROFILE_KINDS),
        }
    ) & ~Q(**{f"{prefix}product__status": ProductStatus.CLOSED})


# The most profiles a TT&CG page lists as due for review; it says how many more there are.
DUE_FOR_REVIEW_LIMIT = 50


@dataclass
class ProfilesDueForReview:
    profiles: list[Product]
    total: int

    @property
    def marking(self) -> int:
        """The highest marking of the titles listed (OFFICIAL when none)."""
        return max(
            (profile.envelope_marking for profile in self.profiles), default=GSCMarking.OFFICIAL
        )

    @property
    def more(self) -> int:
        return self.total - len(self.profiles)


def profiles_due_for_review(user: User, unit: Unit, *, on) -> ProfilesDueForReview:
    """The profiles of `unit` and the units below it that `user` may open, not closed, whose
    review date has come by `on`: the oldest review date first. Two queries."""
    due = (
        openable_products(user)
        .filter(access.at_or_below(unit))
        .filter(profile_review_due_q(on, prefix="terms__"))
    )
    shown = (
        due.select_related("unit", "owner", "requester", "terms")
        .only(
            "title",
            "kind",
            "status",
            "marking",
            "envelope_marking",
            "descriptor",
            "unit__name",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
            "requester__username",
            "requester__first_name",
            "requester__last_name",
            "terms__review_date",
        )
        .order_by("terms__review_date", "id")
    )
    profiles = list(shown[:DUE_FOR_REVIEW_LIMIT])
    total = len(profiles) if len(profiles) < DUE_FOR_REVIEW_LIMIT else due.count()
    return ProfilesDueForReview(profiles=profiles, total=total)


def feedback_for(
    user: User, product: Product, *, policy: ProductPolicy | None = None
) -> QuerySet[ProductFeedback] | None:
    """The readers' feedback on `product`, newest first, for its owner and approvers
    (ProductPolicy.can_read_feedback); None for anybody else. `policy`: the caller's own."""
    if not (policy or ProductPolicy(user, product)).can_read_feedback():
        return None
    return product.feedback.select_related("author").order_by("-created_at", "-id")


# The most feedback the product's page lists, newest first (the API lists all).
FEEDBACK_LIMIT = 100


@dataclass
class FeedbackPanel:
    """What the product's page shows of its readers' feedback to `user`."""

    may_give: bool
    given: ProductFeedback | None
    feedback: list[ProductFeedback] | None


def feedback_panel(
    user: User, product: Product, *, policy: ProductPolicy | None = None
) -> FeedbackPanel:
    """Whether `user` may give feedback on the current version (and what they gave), and the
    feedback they may read: two queries with the page's `policy`, three without."""
    policy = policy or ProductPolicy(user, product)
    given = None
    may_give = policy.can_give_feedback()
    if may_give:
        given = product.feedback.filter(version_number=product.current_version, author=user).first()
    feedback = feedback_for(user, product, policy=policy)
    return FeedbackPanel(
        may_give=may_give and given is None,
        given=given,
        feedback=list(feedback[:FEEDBACK_LIMIT]) if feedback is not None else None,
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
            kind=HISTORY_TYPES.get(new.history_type, new.history_type),
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
