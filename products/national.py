"""The national dataset's products, for `manage.py seed_national` (benchmarks).

Products of the four kinds in every unit (one unit's share larger: the bench force), each with its
terms of reference, template sections (and annexes) and, once published, numbered versions whose
snapshot and digest are those products.services.product_approve writes. Markings spread over
OFFICIAL to TOP SECRET, mostly OFFICIAL and OFFICIAL-SENSITIVE; owners, requesters and reviewers
are people who may hold those roles over the unit and read the marking; reviewers never approve
their own work. Subject profiles and a few others are need-to-know, with guardian grants to people
in scope; a few products are shared with a neighbouring unit. Each creation and publication has
its audit event, dated when it happened.

Written in chunks of products by the run's RowWriter (each chunk's sections, versions and the
rest with it), without history rows; the search vectors are then computed as products.search
computes them for data written in bulk.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from nim_portal.choices import AuditVerb, GSCMarking, Role, UnitKind
from nim_portal.models import AuditEvent, RecordClassification, Unit
from nim_portal.national import (
    BENCH_FORCE_ANALYST,
    BENCH_NATIONAL_ANALYST,
    Hierarchy,
    Person,
    Run,
    moment,
    weighted,
)
from products.choices import ClosureReason, Descriptor, ProductKind, ProductStatus
from products.models import (
    Product,
    ProductUnitShare,
    ProductUserObjectPermission,
    ProductVersion,
    ReviewComment,
    Section,
    TermsOfReference,
)
from products.policy import COMMISSIONING_ROLES
from products.search import refresh_search_vectors
from products.services import CLOSURE_REASONS_OF_KIND, snapshot_digest
from products.templates_by_kind import section_titles_for

CHUNK = 2000

# Where products are written: shares of the whole by kind of unit.
SHARE_OF_UNIT_KIND = {
    UnitKind.NATIONAL: 0.01,
    UnitKind.REGION: 0.03,
    UnitKind.FORCE: 0.30,
    UnitKind.BCU: 0.66,
}
KINDS_AT = {
    UnitKind.BCU: ((ProductKind.TACTICAL_ASSESSMENT, 45), (ProductKind.PROBLEM_PROFILE, 30),
                   (ProductKind.SUBJECT_PROFILE, 20), (ProductKind.STRATEGIC_ASSESSMENT, 5)),
    UnitKind.FORCE: ((ProductKind.TACTICAL_ASSESSMENT, 30), (ProductKind.PROBLEM_PROFILE, 30),
                     (ProductKind.SUBJECT_PROFILE, 30), (ProductKind.STRATEGIC_ASSESSMENT, 10)),
    UnitKind.REGION: ((ProductKind.TACTICAL_ASSESSMENT, 10), (ProductKind.PROBLEM_PROFILE, 30),
                      (ProductKind.SUBJECT_PROFILE, 40), (ProductKind.STRATEGIC_ASSESSMENT, 20)),
    UnitKind.NATIONAL: ((ProductKind.TACTICAL_ASSESSMENT, 10), (ProductKind.PROBLEM_PROFILE, 30),
                        (ProductKind.SUBJECT_PROFILE, 40),
                        (ProductKind.STRATEGIC_ASSESSMENT, 20)),
}  # fmt: skip
STATUSES = (
    (ProductStatus.COMMISSIONED, 5),
    (ProductStatus.TOR_AGREED, 1),
    (ProductStatus.DRAFTING, 12),
    (ProductStatus.SUBMITTED, 5),
    (ProductStatus.RETURNED, 4),
    (ProductStatus.APPROVED, 55),
    (ProductStatus.CLOSED, 18),
)
MARKINGS = (
    (GSCMarking.OFFICIAL, 40),
    (GSCMarking.OFFICIAL_SENSITIVE, 42),
    (GSCMarking.SECRET, 14),
    (GSCMarking.TOP_SECRET, 4),
)
# Published versions of an approved product (a few; most have one or two).
VERSION_COUNTS = ((1, 50), (2, 30), (3, 15), (4, 5))
UNFINISHED = frozenset(
    {
        ProductStatus.COMMISSIONED,
        ProductStatus.TOR_AGREED,
        ProductStatus.DRAFTING,
        ProductStatus.SUBMITTED,
        ProductStatus.RETURNED,
    }
)
NEED_TO_KNOW_SHARE = 0.05
SHARED_SHARE = 0.03
RELEASABLE_SHARE = 0.4
ANNEXES = ("Annex A: data tables", "Annex B: partner information", "Annex C: glossary")

THEMES = (
    "residential burglary", "county lines drug supply", "serious youth violence",
    "high-risk domestic abuse", "robbery of personal property", "theft of motor vehicles",
    "anti-social behaviour", "fraud against older people", "modern slavery",
    "organised acquisitive crime", "shoplifting", "violence in the night-time economy",
    "child criminal exploitation", "cannabis cultivation", "knife crime", "hate crime",
    "theft of catalytic converters", "metal theft", "rural crime", "street drinking",
)  # fmt: skip
PLACES = (
    "the town centre", "the retail park", "the railway station", "the ring road",
    "the industrial estate", "the canal towpath", "the bus interchange", "the university campus",
    "the seafront", "the market square", "the leisure centre", "the hospital grounds",
    "the park and ride", "the high street", "the housing estates to the north",
    "the villages to the south", "the business district", "the riverside flats",
)  # fmt: skip
GROUP_NAMES = (
    "Kingfisher", "Heron", "Kestrel", "Merlin", "Osprey", "Curlew", "Plover", "Linnet",
    "Redwing", "Skylark", "Goshawk", "Nightjar", "Wagtail", "Bittern", "Dunlin", "Fieldfare",
)  # fmt: skip
GRADES = ("1/A/P", "2/B/P", "2/B/C", "3/B/C", "3/C/C", "2/C/P")
SENTENCES = (
    "Recorded {theme} rose by {n}% in {place} over the last {period}, against {m}% across the "
    "wider area.",
    "Intelligence graded {grade} indicates that a small group is active around {place}, mostly "
    "between {h}:00 and {h2}:00.",
    "{count} offences were recorded in the period against a seasonal norm of {norm}.",
    "Partners report a rise in complaints about {theme} near {place}; the neighbourhood team "
    "confirms the pattern.",
    "Most offences occur within {metres} metres of {place}, giving quick routes out of the area.",
    "The series continues: {few} suspects are circulated and {few2} arrests were made since the "
    "last assessment.",
    "Victims are mostly residents aged over {age}; repeat victimisation stands at {n}%.",
    "The trend is expected to continue while demand stays high; prevention work with partners "
    "should be prioritised.",
    "Enforcement alone has not reduced {theme}: diversion and target hardening show better "
    "results in {place}.",
    "Analysis of {count} intelligence logs shows the activity moving from {place} towards "
    "{place2}.",
)
RESTRICTED = (
    "[restricted]A covert source reports that the group stores stock at an address near "
    "{place}.[/restricted]",
    "[restricted]Nominal {code}-{serial} is assessed as directing the activity from outside "
    "the area.[/restricted]",
)
RECOMMENDATIONS = (
    "- Task the neighbourhood team to {place} for {few} weeks.\n"
    "- Develop the intelligence on {theme} with the partnership analysts.\n"
    "- Review the position at the next TT&CG.",
)
TABLE = (
    "| Crime type | This period | Seasonal norm |\n| --- | ---: | ---: |\n"
    "| {Theme} | {count} | {norm} |\n| {Theme2} | {count2} | {norm2} |"
)


@dataclass(frozen=True, slots=True)
class ProductRef:
    """What the later builders need of a product (tasking commissions, meetings)."""

    pk: int
    unit_id: int
    kind: str
    status: str
    marking: int
    title: str
    owner_id: int
    due_date: datetime.date | None
    created_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class VersionRef:
    """A product's latest published version: `content` is its snapshot (held only while a
    version could be released to partners, else None)."""

    pk: int
    product_id: int
    unit_id: int
    kind: str
    number: int
    marking: int
    published_at: datetime.datetime
    author_id: int
    reviewer_id: int
    content: dict | None


@dataclass
class ProductsBuilt:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # unit pk -> the latest published version of each strategic assessment of the unit
    strategic: dict[int, list[VersionRef]] = field(default_factory=lambda: defaultdict(list))
    # unit pk -> tactical assessments, and problem and subject profiles
    tactical: dict[int, list[ProductRef]] = field(default_factory=lambda: defaultdict(list))
    profiles: dict[int, list[ProductRef]] = field(default_factory=lambda: defaultdict(list))
    # Latest versions with sections releasable to partners (and marked for them).
    releasable: list[VersionRef] = field(default_factory=list)
    # The number of products of each unit (the bench force holds the most).
    per_unit: dict[int, int] = field(default_factory=lambda: defaultdict(int))


class Writer:
    """Sentences for titles and section bodies, varied enough for search to mean something.

    Bodies are drawn from a pool of filled sentences: filling each anew costs more than all the
    inserts of a national run."""

    def __init__(self, rng: random.Random, pool: int = 20_000):
        self.rng = rng
        self.pool_size = pool
        self._pool: list[str] = []

    def fill(self, template: str, unit: Unit | None = None) -> str:
        rng = self.rng
        theme, theme2 = rng.sample(THEMES, 2)
        place, place2 = rng.sample(PLACES, 2)
        h = rng.randint(8, 22)
        return template.format(
            theme=theme,
            Theme=theme.capitalize(),
            Theme2=theme2.capitalize(),
            place=place,
            place2=place2,
            n=rng.randint(3, 40),
            m=rng.randint(1, 12),
            period=rng.choice(("quarter", "six months", "twelve months", "fortnight")),
            grade=rng.choice(GRADES),
            h=h,
            h2=min(h + rng.randint(2, 5), 23),
            count=rng.randint(12, 400),
            count2=rng.randint(12, 400),
            norm=rng.randint(10, 350),
            norm2=rng.randint(10, 350),
            metres=rng.choice((200, 400, 500, 800)),
            few=rng.randint(2, 6),
            few2=rng.randint(1, 9),
            age=rng.choice((60, 65, 70, 75)),
            code=unit.code.split("-")[0].lower() if unit else "ref",
            serial=rng.randint(100, 9999),
        )

    def body(self, unit: Unit) -> str:
        rng = self.rng
        if not self._pool:
            self._pool = [self.fill(rng.choice(SENTENCES)) for _ in range(self.pool_size)]
        parts = [rng.choice(self._pool) for _ in range(rng.randint(2, 4))]
        draw = rng.random()
        if draw < 0.12:
            parts.append(self.fill(rng.choice(RESTRICTED), unit))
        elif draw < 0.2:
            parts.append("\n\n" + self.fill(TABLE))
        elif draw < 0.3:
            parts.append("\n\n" + self.fill(RECOMMENDATIONS[0]))
        return " ".join(parts).replace(" \n\n", "\n\n")

    def title(self, kind: str, unit: Unit, created: datetime.date) -> str:
        rng = self.rng
        if kind == ProductKind.STRATEGIC_ASSESSMENT:
            year = created.year
            return f"{unit.name} strategic assessment {year} to {year + 1}"
        if kind == ProductKind.TACTICAL_ASSESSMENT:
            return f"Tactical assessment for the TT&CG of {unit.name}, {created:%d %B %Y}"
        if kind == ProductKind.PROBLEM_PROFILE:
            return f"Problem profile: {rng.choice(THEMES)} around {rng.choice(PLACES)}"
        if rng.random() < 0.5:
            return f"Subject profile: the '{rng.choice(GROUP_NAMES)}' group of {unit.name}"
        return f"Subject profile: nominal {unit.code.lower()}-{rng.randint(1000, 9999)}"


@dataclass
class Plan:
    """One product before it is written: its people, dates and versions."""

    unit: Unit
    kind: str
    status: str
    marking: int
    owner: Person
    requester: Person
    reviewers: list[Person]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version_times: list[datetime.datetime]
    need_to_know: bool
    title: str
    due_date: datetime.date
    pk: int = 0


class ProductBuilder:
    """Plans and writes products chunk by chunk (see the module's docstring)."""

    def __init__(self, run: Run, hierarchy: Hierarchy, count: int):
        self.run, self.hierarchy = run, hierarchy
        self.rng, self.since, self.now, self.today = run.rng, run.since, run.now, run.today
        # A fifth of a product's worth of distinct sentences each: varied, and cheap when small.
        self.writer = Writer(run.rng, pool=min(20_000, max(count // 5, 200)))
        self.built = ProductsBuilt()
        self.view_product = Permission.objects.get(
            codename="view_product", content_type__app_label="products"
        )
        self.product_type = ContentType.objects.get_for_model(Product)
        self.version_type = ContentType.objects.get_for_model(ProductVersion)
        self.holders_over = lru_cache(maxsize=None)(self._holders_over)

    def _holders_over(self, unit_pk: int, roles: tuple[str, ...], marking: int) -> list[Person]:
        return self.hierarchy.holders_over(self.hierarchy.by_pk[unit_pk], roles, marking=marking)

    # Planning.

    def _day(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def _people_for(self, unit: Unit, kind: str, marking: int, needs_reviewer: bool):
        """(owner, requester, reviewers) able to hold the roles over `unit` and read `marking`,
        or None. Owners are mostly the unit's own analysts."""
        rng = self.rng
        analysts = self.holders_over(unit.pk, (Role.ANALYST,), marking)
        if not analysts:
            return None
        own = [p for p in analysts if p in self.hierarchy.holders[(unit.pk, Role.ANALYST)]]
        owner = rng.choice(own) if own and rng.random() < 0.8 else rng.choice(analysts)
        reviewers = [
            p for p in self.holders_over(unit.pk, (Role.REVIEWER,), marking) if p.pk != owner.pk
        ]
        if needs_reviewer and not reviewers:
            return None
        if kind == ProductKind.TACTICAL_ASSESSMENT:
            chairs = self.holders_over(unit.pk, (Role.CHAIR,), marking)
            requester = chairs[0] if chairs else owner
        else:
            requester = rng.choice(self.holders_over(unit.pk, COMMISSIONING_ROLES, marking))
        return owner, requester, reviewers

    def plan(
        self, unit: Unit, kind: str, *, status: str | None = None, marking: int | None = None
    ) -> Plan:
        rng = self.rng
        status = status or weighted(rng, STATUSES)
        if kind == ProductKind.TACTICAL_ASSESSMENT and status in UNFINISHED and rng.random() < 0.6:
            status = ProductStatus.APPROVED  # most tactical assessments served a past TT&CG
        marking = marking or weighted(rng, MARKINGS)
        if kind == ProductKind.SUBJECT_PROFILE:
            marking = max(marking, GSCMarking.OFFICIAL_SENSITIVE)
        if status == ProductStatus.APPROVED:
            versions = weighted(rng, VERSION_COUNTS)
        elif status == ProductStatus.CLOSED:
            versions = weighted(rng, VERSION_COUNTS) if rng.random() < 0.6 else 0
        elif status in (ProductStatus.DRAFTING, ProductStatus.SUBMITTED, ProductStatus.RETURNED):
            versions = rng.randint(1, 2) if rng.random() < 0.3 else 0
        else:
            versions = 0
        people = self._people_for(unit, kind, marking, needs_reviewer=versions > 0)
        while people is None and marking > GSCMarking.OFFICIAL:
            marking -= 10
            people = self._people_for(unit, kind, marking, needs_reviewer=versions > 0)
        if people is None:
            versions, status = 0, ProductStatus.DRAFTING
            people = self._people_for(unit, kind, GSCMarking.OFFICIAL, needs_reviewer=False)
        owner, requester, reviewers = people

        recent = self.today - datetime.timedelta(days=150)
        if status in UNFINISHED and versions == 0:
            created = self._day(max(recent, self.since), self.today - datetime.timedelta(days=1))
        else:
            # Published work began before the first meeting of the dataset, so that its
            # versions (and the releases that follow them) spread evenly over the years.
            created = self._day(
                self.since - datetime.timedelta(days=300), self.today - datetime.timedelta(days=30)
            )
        created_at = moment(created, rng)
        span = max((self.now - created_at).total_seconds(), 3600)
        # Versions fall in the product's first year or so, in order; the last before now.
        window = min(span * 0.9, 400 * 86400)
        version_times = sorted(
            created_at + datetime.timedelta(seconds=window * (i + 1) / (versions + 1))
            for i in range(versions)
        )
        if status in UNFINISHED:
            base = version_times[-1] if version_times else created_at
            updated_at = base + (self.now - base) * rng.uniform(0.3, 0.95)
        elif version_times:
            updated_at = version_times[-1] + datetime.timedelta(minutes=rng.randint(1, 600))
        else:
            updated_at = created_at + datetime.timedelta(seconds=window * rng.uniform(0.2, 0.9))
        updated_at = min(updated_at, self.now)
        lead = 10 if kind == ProductKind.TACTICAL_ASSESSMENT else rng.randint(14, 90)
        return Plan(
            unit=unit,
            kind=kind,
            status=status,
            marking=int(marking),
            owner=owner,
            requester=requester,
            reviewers=reviewers,
            created_at=created_at,
            updated_at=updated_at,
            version_times=version_times,
            # Strategic assessments inform control strategies: their readers are the T&CGs.
            need_to_know=kind == ProductKind.SUBJECT_PROFILE
            or (kind != ProductKind.STRATEGIC_ASSESSMENT and rng.random() < NEED_TO_KNOW_SHARE),
            title=self.writer.title(kind, unit, created),
            due_date=created + datetime.timedelta(days=lead),
        )

    # Writing: rows of field values, primary keys reserved beforehand.

    def product(self, plan: Plan) -> dict:
        rng = self.rng
        row = {
            "id": plan.pk,
            "unit_id": plan.unit.pk,
            "kind": plan.kind,
            "title": plan.title,
            "marking": plan.marking,
            "envelope_marking": plan.marking,
            "owner_id": plan.owner.pk,
            "requester_id": plan.requester.pk,
            "due_date": plan.due_date,
            "need_to_know": plan.need_to_know,
            "status": plan.status,
            "current_version": len(plan.version_times),
            "created_at": plan.created_at,
            "updated_at": plan.updated_at,
            "handling_instructions": rng.choice(
                ("", "", "Not to be disclosed outside the force without the originator's consent.")
            ),
            "descriptor": "",
        }
        place = rng.choice(PLACES)
        if plan.kind == ProductKind.SUBJECT_PROFILE:
            row |= {
                "descriptor": Descriptor.PERSONAL,
                "lawful_basis": "Prevention and detection of crime (Data Protection Act 2018, "
                "Part 3).",
                "purpose": "Identify opportunities to disrupt the subject's offending.",
                "proportionality": "Limited to the subject's offending, associations and risks; "
                "reviewed monthly.",
                "warning_markers": rng.choice(("Weapons; drugs.", "Violence.", "")),
                "subject_kind": rng.choice(("person", "group")),
                "subject_role": rng.choice(("suspect", "suspect", "victim")),
                "subject_description": f"Known in {plan.unit.name}; reference "
                f"{rng.randint(1000, 99999)}.",
            }
        elif plan.kind == ProductKind.PROBLEM_PROFILE:
            start = plan.created_at.date() - datetime.timedelta(days=rng.choice((90, 180, 365)))
            row |= {
                "scope_area": f"{place.capitalize()}, {plan.unit.name}",
                "scope_period_from": start,
                "scope_period_to": plan.created_at.date(),
                "scope_crime_types": rng.choice(THEMES).capitalize(),
                "descriptor": Descriptor.LOCSEN if rng.random() < 0.1 else "",
            }
        if plan.status == ProductStatus.CLOSED:
            reason = rng.choice(sorted(CLOSURE_REASONS_OF_KIND[ProductKind(plan.kind)]))
            row["closed_reason"] = reason
            if reason == ClosureReason.OTHER:
                row["closed_reason_text"] = "Superseded by later work of the unit."
            row["closed_at"] = plan.updated_at
        return row

    def sections(self, plan: Plan) -> list[dict]:
        rng = self.rng
        titles = list(section_titles_for(plan.kind))
        titles += ANNEXES[: rng.randint(0, 2) + (1 if len(titles) < 7 else 0)]
        drafted = plan.status not in (ProductStatus.COMMISSIONED, ProductStatus.TOR_AGREED)
        lower = [m for m in GSCMarking.values if m <= plan.marking]
        rows = []
        for position, title in enumerate(titles, start=1):
            marking = rng.choice(lower) if rng.random() < 0.3 else plan.marking
            releasable = (
                drafted
                and plan.kind != ProductKind.SUBJECT_PROFILE
                and marking <= GSCMarking.OFFICIAL_SENSITIVE
                and rng.random() < RELEASABLE_SHARE
            )
            rows.append(
                {
                    "product_id": plan.pk,
                    "position": position,
                    "title": title,
                    "body": self.writer.body(plan.unit) if drafted else "",
                    "marking": marking,
                    "releasable_to_partners": releasable,
                    "revision": rng.randint(2, 6) if drafted else 1,
                    "updated_by_id": plan.owner.pk if drafted else None,
                    "updated_at": plan.updated_at if drafted else plan.created_at,
                }
            )
        return rows

    def terms(self, plan: Plan) -> dict:
        rng = self.rng
        agreed = plan.status != ProductStatus.COMMISSIONED
        at = plan.created_at + datetime.timedelta(days=rng.randint(1, 5))
        developer_agreed = agreed or rng.random() < 0.5
        return {
            "product_id": plan.pk,
            "requester_id": plan.requester.pk,
            "developer_id": plan.owner.pk,
            "purpose": f"Inform the T&CG of {plan.unit.name}.",
            "questions": f"What drives {rng.choice(THEMES)} in {plan.unit.name}, and what would "
            "stop it?",
            "scope": f"{plan.unit.name}; the last twelve months.",
            "sources_and_methods": "Force systems; partner data under the sharing agreements.",
            "deadline": plan.due_date,
            "marking": plan.marking,
            "distribution": f"Members of the T&CG of {plan.unit.name}.",
            "agreed_by_requester_at": at if agreed else None,
            "agreed_by_requester_id": plan.requester.pk if agreed else None,
            "agreed_by_developer_at": at if developer_agreed else None,
            "agreed_by_developer_id": plan.owner.pk if developer_agreed else None,
            "updated_at": at,
        }

    def versions(self, plan: Plan, product: dict, sections: list[dict]) -> list[dict]:
        """The published versions, oldest first: each snapshot as product_approve takes it (an
        older version's sections read as they stood, a sentence shorter)."""
        rng = self.rng
        rows = []
        for number, published_at in enumerate(plan.version_times, start=1):
            reviewer = rng.choice(plan.reviewers)
            older = number < len(plan.version_times)
            content = {
                "product": plan.pk,
                "kind": plan.kind,
                "version": number,
                "published_at": published_at.astimezone(datetime.UTC).isoformat(),
                "author": plan.owner.username,
                "reviewer": reviewer.username,
                "title": plan.title,
                "marking": plan.marking,
                "descriptor": product["descriptor"],
                "handling_instructions": product["handling_instructions"],
                "sections": [
                    {
                        "id": s["id"],
                        "position": s["position"],
                        "title": s["title"],
                        "marking": s["marking"],
                        "body": _earlier(s["body"]) if older and rng.random() < 0.5 else s["body"],
                        "releasable": s["releasable_to_partners"],
                    }
                    for s in sections
                ],
            }
            rows.append(
                {
                    "product_id": plan.pk,
                    "number": number,
                    "published_at": published_at,
                    "marking": plan.marking,
                    "author_id": plan.owner.pk,
                    "reviewer_id": reviewer.pk,
                    "content": content,
                    "sha256": snapshot_digest(content),
                }
            )
        return rows

    def comments(self, plan: Plan, sections: list[dict]) -> list[dict]:
        if plan.status != ProductStatus.RETURNED or not plan.reviewers:
            return []
        reviewer = self.rng.choice(plan.reviewers)
        common = {
            "product_id": plan.pk,
            "version_number": len(plan.version_times) + 1,
            "author_id": reviewer.pk,
            "created_at": plan.updated_at,
            "resolved": False,
        }
        return [
            common
            | {
                "section_id": self.rng.choice(sections)["id"],
                "text": "Say what the grading rests on and add the partner data.",
            },
            common
            | {
                "section_id": None,
                "text": "The intelligence gaps section is thin: list what we still need to know.",
            },
        ]

    def grants(self, plan: Plan) -> list[dict]:
        """Need to know, granted to people in the product's scope who may read it (rule 3)."""
        if not plan.need_to_know:
            return []
        rng = self.rng
        scope = self.holders_over(plan.unit.pk, tuple(Role.values), plan.marking)
        seen = {plan.owner.pk, plan.requester.pk}
        chosen = []
        for person in rng.sample(scope, min(len(scope), rng.randint(1, 3))):
            if person.pk not in seen:
                seen.add(person.pk)
                chosen.append(person)
        bench = self.hierarchy.bench
        for username, share in ((BENCH_FORCE_ANALYST, 0.3), (BENCH_NATIONAL_ANALYST, 0.02)):
            person = bench.get(username)
            if person and person.pk not in seen and person in scope and rng.random() < share:
                seen.add(person.pk)
                chosen.append(person)
        return [
            {"permission_id": self.view_product.pk, "user_id": p.pk, "content_object_id": plan.pk}
            for p in chosen
        ]

    def shares(self, plan: Plan) -> list[dict]:
        """Shared with one or two neighbouring units (rule 4): never one below the product's."""
        parent = self.hierarchy.parent(plan.unit)
        if parent is None or self.rng.random() >= SHARED_SHARE:
            return []
        neighbours = [u for u in self.hierarchy.children[parent.pk] if u.pk != plan.unit.pk]
        chosen = self.rng.sample(neighbours, min(len(neighbours), self.rng.randint(1, 2)))
        by = self.rng.choice([plan.owner, *plan.reviewers])
        return [
            {
                "product_id": plan.pk,
                "unit_id": unit.pk,
                "granted_by_id": by.pk,
                "granted_at": plan.updated_at,
            }
            for unit in chosen
        ]

    def audit(self, plan: Plan, versions: list[dict]) -> list[dict]:
        """The product's creation and each publication, as the services audit them, each with
        its record's classification as the models give it."""
        product = Product(
            marking=plan.marking, unit_id=plan.unit.pk, need_to_know=plan.need_to_know
        )
        events = [
            {
                "at": plan.created_at,
                "actor_id": plan.owner.pk,
                "actor_username": plan.owner.username,
                "verb": AuditVerb.CREATE,
                "content_type_id": self.product_type.pk,
                "object_id": str(plan.pk),
                "object_repr": plan.title[:255],
                "detail": {"kind": plan.kind, "unit": plan.unit.pk, "system": False},
                **RecordClassification.of(product).event_fields(),
            }
        ]
        for version in versions:
            reviewer = self.hierarchy.people[version["reviewer_id"]]
            events.append(
                {
                    "at": version["published_at"],
                    "actor_id": reviewer.pk,
                    "actor_username": reviewer.username,
                    "verb": AuditVerb.CREATE,
                    "content_type_id": self.version_type.pk,
                    "object_id": str(version["id"]),
                    "object_repr": f"{plan.title} v{version['number']}"[:255],
                    "detail": {
                        "product": plan.pk,
                        "number": version["number"],
                        "sha256": version["sha256"],
                    },
                    **RecordClassification.of(
                        ProductVersion(product=product, marking=version["marking"])
                    ).event_fields(),
                }
            )
        return events

    def write(self, plans: list[Plan]) -> None:
        """One chunk: products, then their sections, terms, versions and the rest."""
        writer = self.run.writer
        for plan, pk in zip(plans, writer.ids(Product, len(plans)), strict=True):
            plan.pk = pk
        products = [self.product(plan) for plan in plans]
        sections_of = [self.sections(plan) for plan in plans]
        section_ids = iter(writer.ids(Section, sum(len(s) for s in sections_of)))
        for sections in sections_of:
            for section in sections:
                section["id"] = next(section_ids)
        versions_of = [
            self.versions(plan, product, sections)
            for plan, product, sections in zip(plans, products, sections_of, strict=True)
        ]
        version_ids = iter(writer.ids(ProductVersion, sum(len(v) for v in versions_of)))
        for versions in versions_of:
            for version in versions:
                version["id"] = next(version_ids)
        sections = [s for rows in sections_of for s in rows]
        versions = [v for rows in versions_of for v in rows]
        comments = [
            c for plan, s in zip(plans, sections_of, strict=True) for c in self.comments(plan, s)
        ]
        grants = [g for plan in plans for g in self.grants(plan)]
        shares = [s for plan in plans for s in self.shares(plan)]
        events = [
            e for plan, v in zip(plans, versions_of, strict=True) for e in self.audit(plan, v)
        ]
        writer.write(Product, products)
        writer.write(Section, sections)
        writer.write(TermsOfReference, [self.terms(plan) for plan in plans])
        writer.write(ProductVersion, versions)
        writer.write(ReviewComment, comments)
        writer.write(ProductUserObjectPermission, grants)
        writer.write(ProductUnitShare, shares)
        writer.write(AuditEvent, events)
        counts = self.built.counts
        counts["products"] += len(products)
        counts["sections"] += len(sections)
        counts["terms of reference"] += len(products)
        counts["versions"] += len(versions)
        counts["review comments"] += len(comments)
        counts["need-to-know grants"] += len(grants)
        counts["unit shares"] += len(shares)
        counts["audit events"] += len(events)
        for plan, versions in zip(plans, versions_of, strict=True):
            self._remember(plan, versions)
        self.run.progress.advance(len(plans))

    def _remember(self, plan: Plan, versions: list[dict]) -> None:
        built = self.built
        built.per_unit[plan.unit.pk] += 1
        ref = ProductRef(
            pk=plan.pk,
            unit_id=plan.unit.pk,
            kind=plan.kind,
            status=plan.status,
            marking=plan.marking,
            title=plan.title,
            owner_id=plan.owner.pk,
            due_date=plan.due_date,
            created_at=plan.created_at,
        )
        if plan.kind == ProductKind.TACTICAL_ASSESSMENT:
            built.tactical[plan.unit.pk].append(ref)
        elif plan.kind in (ProductKind.PROBLEM_PROFILE, ProductKind.SUBJECT_PROFILE):
            built.profiles[plan.unit.pk].append(ref)
        if not versions:
            return
        latest = versions[-1]
        # Releasable: partners may be given sections of it, prepared by analysts who read it
        # without a need-to-know grant.
        releasable = not plan.need_to_know and any(
            s["releasable"] and s["marking"] <= GSCMarking.OFFICIAL_SENSITIVE
            for s in latest["content"]["sections"]
        )
        version = VersionRef(
            pk=latest["id"],
            product_id=plan.pk,
            unit_id=plan.unit.pk,
            kind=plan.kind,
            number=latest["number"],
            marking=latest["marking"],
            published_at=latest["published_at"],
            author_id=latest["author_id"],
            reviewer_id=latest["reviewer_id"],
            content=latest["content"] if releasable else None,
        )
        if plan.kind == ProductKind.STRATEGIC_ASSESSMENT and not plan.need_to_know:
            built.strategic[plan.unit.pk].append(version)
        if releasable:
            built.releasable.append(version)


def _earlier(body: str) -> str:
    """The body as an earlier version had it: without its last sentence."""
    head, _, _ = body.rstrip().rpartition(". ")
    return f"{head}." if head else body


def _unit_weights(hierarchy: Hierarchy) -> tuple[list[Unit], list[float]]:
    """Each unit's share of the products: by kind of unit, forces in proportion to their BCUs
    (so that the bench force, with the most BCUs, holds the most products)."""
    units, weights = [], []
    for kind, share in SHARE_OF_UNIT_KIND.items():
        places = hierarchy.of_kind(kind)
        sizes = [max(u.numchild, 1) if kind == UnitKind.FORCE else 1 for u in places]
        for unit, size in zip(places, sizes, strict=True):
            units.append(unit)
            weights.append(share * size / sum(sizes))
    return units, weights


def build_products(run: Run, hierarchy: Hierarchy, *, count: int) -> ProductsBuilt:
    """`count` products across the hierarchy: first an approved, readable strategic assessment
    for every unit (its control strategies rest on one), then the rest at random."""
    builder = ProductBuilder(run, hierarchy, count)
    run.progress.stage("Products", count)
    plans = [_readable_strategic(builder, unit) for unit in hierarchy.units]
    units, weights = _unit_weights(hierarchy)
    for unit in run.rng.choices(units, weights=weights, k=max(count - len(plans), 0)):
        plans.append(builder.plan(unit, weighted(run.rng, KINDS_AT[unit.kind])))
    # Written oldest first, so that ids grow with the creation dates as they would.
    plans.sort(key=lambda plan: plan.created_at)
    for start in range(0, len(plans), CHUNK):
        builder.write(plans[start : start + CHUNK])
    run.progress.stage("Products: search vectors", 1)
    refresh_search_vectors(Product.objects.all())
    return builder.built


def _readable_strategic(builder: ProductBuilder, unit: Unit) -> Plan:
    """A unit's OFFICIAL-SENSITIVE strategic assessment, approved once at least."""
    for _ in range(20):
        plan = builder.plan(
            unit,
            ProductKind.STRATEGIC_ASSESSMENT,
            status=ProductStatus.APPROVED,
            marking=GSCMarking.OFFICIAL_SENSITIVE,
        )
        if plan.version_times:
            return plan
    raise ValueError(f"{unit} has no analyst and reviewer to publish its strategic assessment.")
