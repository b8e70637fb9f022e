"""The national dataset's partner agencies, their people and releases, for `manage.py
seed_national` (benchmarks).

Agencies work with forces (council, fire, health), BCUs (community safety partnerships and
others), regions and the national unit; a few agreements have lapsed, a few agencies are
inactive. Each agency has its auth group and two to four partner users in it (NPPV vetting of
every level, some lapsed). Releases are of published versions whose sections are flagged
releasable to partners, to agencies that may receive that unit's releases, marked OFFICIAL or
OFFICIAL-SENSITIVE, their partner text made by partners.sanitise as approval freezes it.

States valid for every page: drafts; approved releases waiting for their PDFs (pending documents,
live grants); withdrawn and expired ones (grants revoked). The bench agency's releases are
available to download: their PDFs are rendered for real (that takes a quarter of a second each,
so only those are; every other release stays short of "available").
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from nim_portal.choices import AuditVerb, GSCMarking, Role, UnitKind, UserKind, VettingLevel
from nim_portal.models import AuditEvent, RecordClassification, Unit, User
from nim_portal.national import (
    Hierarchy,
    PeopleFactory,
    Person,
    PersonPlan,
    Progress,
    Run,
    bulk_insert,
    dates_as_given,
    fields_of,
    person_of,
    place_name,
    weighted,
)
from partners.choices import AgencyKind, DocumentStatus, ReleaseStatus
from partners.models import (
    AgencyMembership,
    HandlingAcknowledgement,
    PartnerAgency,
    Release,
    ReleaseDocument,
    ReleaseGroupObjectPermission,
    ReleaseRecipient,
)
from partners.sanitise import ReleaseRefused, build_partner_text
from partners.services import release_pdf
from partners.services.agencies import agency_group_name
from partners.services.releases import frozen_partner_content
from products.models import Product, ProductVersion
from products.national import ProductsBuilt, VersionRef

BENCH_PARTNER = "bench_partner"
# The bench agency's releases available to download (rendered for real), at most.
BENCH_AVAILABLE_MAX = 50
# Releases numbered this year at most (REL-<year>-<nnnn>: see ReleaseBuilder.number).
THIS_YEAR_MAX = 9000
LAPSED_AGREEMENT_SHARE = 0.05
INACTIVE_SHARE = 0.02
PURPOSES = (
    "Target crime prevention and diversion at the threats the force ranks highest.",
    "Plan joint patrols and CCTV coverage with the community safety team.",
    "Brief the community safety partnership board on the current picture.",
    "Target safe and well visits at households at risk.",
    "Plan youth diversion activities in the areas most affected.",
    "Inform the licensing review of the night-time economy.",
)
WITHDRAWN_REASONS = (
    "The assessment was revised: use the later release.",
    "Released to the wrong agency by mistake.",
    "The threat picture changed before the partners acted on it.",
)


@dataclass
class PartnersBuilt:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    agencies: list[PartnerAgency] = field(default_factory=list)
    bench_agency: PartnerAgency | None = None
    # unit pk -> partner users of agencies working with that unit (for partner attendees)
    partners_of_unit: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    people: dict[int, Person] = field(default_factory=dict)


def _agency_plans(hierarchy: Hierarchy) -> list[tuple[str, str, Unit]]:
    """(name, kind, unit) of each agency; the bench force's council first (the bench agency)."""
    plans = []
    forces = sorted(hierarchy.of_kind(UnitKind.FORCE), key=lambda u: u != hierarchy.bench_force)
    for force in forces:
        place = place_name(force.name)
        plans += [
            (f"{place} Council, Community Safety", AgencyKind.LOCAL_AUTHORITY, force),
            (f"{place} Fire and Rescue Service", AgencyKind.FIRE, force),
            (f"{place} Integrated Care Board", AgencyKind.HEALTH, force),
        ]
    bcu_kinds = (
        AgencyKind.COMMUNITY_SAFETY_PARTNERSHIP,
        AgencyKind.EDUCATION,
        AgencyKind.PROBATION,
        AgencyKind.LOCAL_AUTHORITY,
    )
    for index, bcu in enumerate(hierarchy.of_kind(UnitKind.BCU)):
        kind = bcu_kinds[index % len(bcu_kinds)]
        plans.append((f"{bcu.name} {AgencyKind(kind).label} ({bcu.code})", kind, bcu))
    for region in hierarchy.of_kind(UnitKind.REGION):
        plans.append((f"{region.name} Probation Service", AgencyKind.PROBATION, region))
    plans.append(("Home Office, Crime and Policing Group", AgencyKind.OTHER, hierarchy.national))
    return plans


def _agencies(rng, hierarchy: Hierarchy, today, progress: Progress):
    plans = _agency_plans(hierarchy)
    progress.stage("Partner agencies", len(plans))
    groups = bulk_insert(Group, [Group(name=agency_group_name(name)) for name, _, _ in plans])
    agencies = []
    for index, ((name, kind, unit), group) in enumerate(zip(plans, groups, strict=True)):
        starts = today - datetime.timedelta(days=rng.randint(100, 1500))
        lapsed = index > 0 and rng.random() < LAPSED_AGREEMENT_SHARE
        review = today + datetime.timedelta(days=rng.randint(60, 700))
        if lapsed:
            review = today - datetime.timedelta(days=rng.randint(1, 90))
        agencies.append(
            PartnerAgency(
                name=name,
                kind=kind,
                agreement_reference=f"ISA-{unit.code}-{starts.year}-{index + 1:03d}",
                agreement_purpose=f"Sharing assessments of crime and disorder in {unit.name} "
                "under section 115 of the Crime and Disorder Act 1998.",
                agreement_starts_on=starts,
                agreement_review_on=review,
                is_active=index == 0 or rng.random() >= INACTIVE_SHARE,
                group=group,
                created_at=timezone.make_aware(datetime.datetime.combine(starts, datetime.time(9))),
            )
        )
    with dates_as_given(PartnerAgency):
        bulk_insert(PartnerAgency, agencies, progress)
    PartnerAgency.units.through.objects.bulk_create(
        PartnerAgency.units.through(partneragency_id=agency.pk, unit_id=unit.pk)
        for agency, (_, _, unit) in zip(agencies, plans, strict=True)
    )
    return agencies, [unit for _, _, unit in plans]


def _partner_users(rng, hierarchy, agencies, units, today, built, progress):
    """Two to four partner users in each agency's group; the bench partner in the bench agency's.
    Returns the bench partner."""
    factory = PeopleFactory(rng, today, "partner.example", tag="p")
    bench_plan = PersonPlan(
        username=BENCH_PARTNER,
        first_name="Bench",
        last_name="Partner",
        kind=UserKind.PARTNER,
        vetting_level=VettingLevel.NPPV2A,
        vetting_expires_on=today + datetime.timedelta(days=3 * 365),
        job_title="Community safety officer",
    )
    placed = [(bench_plan, agencies[0])]
    for agency in agencies:
        placed += [
            (factory.plan(role=None, kind=UserKind.PARTNER), agency)
            for _ in range(rng.randint(2, 4))
        ]
    progress.stage("Partner users", len(placed))
    hashed = hierarchy.password_hash
    users = [factory.user(plan, hashed, agency.created_at) for plan, agency in placed]
    with dates_as_given(User):
        bulk_insert(User, users, progress)
    with dates_as_given(AgencyMembership):
        bulk_insert(
            AgencyMembership,
            [
                AgencyMembership(user=user, agency=agency, added_at=agency.created_at)
                for user, (_, agency) in zip(users, placed, strict=True)
            ],
        )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=agency.group_id)
        for user, (_, agency) in zip(users, placed, strict=True)
    )
    unit_of = {agency.pk: unit for agency, unit in zip(agencies, units, strict=True)}
    for user, (_, agency) in zip(users, placed, strict=True):
        built.people[user.pk] = person_of(user, hierarchy.clearance, today)
        if agency.is_active:
            built.partners_of_unit[unit_of[agency.pk].pk].append(user.pk)
    built.counts["partner users"] = len(users)
    return built.people[users[0].pk]


class ReleaseBuilder:
    """Makes releases in a given state, as the services would have left them."""

    def __init__(self, rng, hierarchy: Hierarchy, agencies, units, *, now):
        self.rng, self.hierarchy, self.now = rng, hierarchy, now
        self.today = timezone.localdate(now)
        self.works_with: dict[int, list[PartnerAgency]] = defaultdict(list)
        for agency, unit in zip(agencies, units, strict=True):
            if agency.is_active and not agency.lapsed_reason(self.today):
                self.works_with[unit.pk].append(agency)
        self.eligible: dict[int, list[PartnerAgency]] = {}
        self.numbers: dict[int, int] = defaultdict(int)

    def eligible_for(self, unit_id: int) -> list[PartnerAgency]:
        """Current agencies that may receive a release of the unit's products: working with it,
        a unit above it or a unit below it (partners.selectors.agencies_for_unit)."""
        if unit_id not in self.eligible:
            unit = self.hierarchy.by_pk[unit_id]
            places = self.hierarchy.lineage(unit) + self.hierarchy.below(unit)
            self.eligible[unit_id] = [a for p in places for a in self.works_with[p.pk]]
        return self.eligible[unit_id]

    def _people(self, unit_id: int, marking: int):
        """An analyst over the unit who prepares, a reviewer over it who approves (not the
        same), both able to read the version (`marking`)."""
        unit = self.hierarchy.by_pk[unit_id]
        analysts = self.hierarchy.holders_over(unit, (Role.ANALYST,), marking=marking)
        if not analysts:
            return None
        preparer = self.rng.choice(analysts)
        reviewers = [
            r
            for r in self.hierarchy.holders_over(unit, (Role.REVIEWER,), marking=marking)
            if r.pk != preparer.pk
        ]
        return (preparer, self.rng.choice(reviewers)) if reviewers else None

    def release(self, version: VersionRef, *, state: str, was_available: bool = False):
        """One release of `version` in `state` (draft, pending, available, withdrawn or expired;
        an ended one `was_available` first), or None when this version cannot give one."""
        rng = self.rng
        age = self.now - version.published_at
        if state in ("withdrawn", "expired") and age < datetime.timedelta(days=14):
            return None
        choosable = [
            s
            for s in version.content["sections"]
            if s["releasable"] and s["marking"] <= GSCMarking.OFFICIAL_SENSITIVE
        ]
        chosen = rng.sample(choosable, rng.randint(1, len(choosable)))
        highest = max(s["marking"] for s in chosen)
        marking = highest
        if highest == GSCMarking.OFFICIAL and rng.random() < 0.4:
            marking = GSCMarking.OFFICIAL_SENSITIVE
        try:
            sanitised = build_partner_text(
                version.content, chosen_section_ids={s["id"] for s in chosen}
            )
        except ReleaseRefused:
            return None
        people = self._people(version.unit_id, version.marking)
        if people is None:
            return None
        preparer, reviewer = people
        # Releases follow publication within weeks; the live ones were prepared lately.
        if state in ("draft", "pending", "available"):
            earliest = max(version.published_at, self.now - datetime.timedelta(days=60))
            prepared_at = earliest + (self.now - earliest) * rng.uniform(0.05, 0.9)
        else:
            latest = min(
                version.published_at + datetime.timedelta(days=60),
                self.now - datetime.timedelta(days=12),
            )
            prepared_at = version.published_at + (latest - version.published_at) * rng.random()
        release = Release(
            version_id=version.pk,
            section_ids=sorted(s["id"] for s in chosen),
            marking=marking,
            purpose=rng.choice(PURPOSES),
            retention_months=rng.choice((6, 12, 12, 24)),
            expires_on=self._expires_on(prepared_at, state),
            status=ReleaseStatus.DRAFT,
            prepared_by_id=preparer.pk,
            prepared_at=prepared_at,
        )
        approved = state != "draft" and (
            was_available or state != "withdrawn" or rng.random() < 0.7
        )
        if approved:
            wait = min(datetime.timedelta(hours=rng.randint(2, 96)), (self.now - prepared_at) / 2)
            release.approved_by_id = reviewer.pk
            release.approved_at = prepared_at + wait
            release.partner_content = frozen_partner_content(sanitised.partner)
            release.status = ReleaseStatus.APPROVED
        if state == "available" or was_available:
            release.available_at = release.approved_at + datetime.timedelta(minutes=2)
            release.status = ReleaseStatus.AVAILABLE
        if state == "withdrawn":
            since = release.available_at or release.approved_at or prepared_at
            release.status = ReleaseStatus.WITHDRAWN
            release.withdrawn_by_id = reviewer.pk
            release.withdrawn_at = since + (self.now - since) * rng.uniform(0.05, 0.5)
            release.withdrawn_reason = rng.choice(WITHDRAWN_REASONS)
        elif state == "expired":
            release.status = ReleaseStatus.EXPIRED
            nightly = datetime.datetime.combine(
                release.expires_on + datetime.timedelta(days=1), datetime.time(2, 0)
            )
            release.expired_at = min(timezone.make_aware(nightly), self.now)
        return release

    def _expires_on(self, prepared_at, state: str) -> datetime.date:
        rng = self.rng
        prepared = timezone.localdate(prepared_at)
        if state == "expired":
            latest = max((self.today - prepared).days - 1, 1)
            return prepared + datetime.timedelta(days=rng.randint(min(30, latest), latest))
        return max(prepared, self.today) + datetime.timedelta(days=rng.randint(30, 180))

    def number(self, releases: list[Release]) -> None:
        """REL-<year>-<nnnn> in the order prepared, as release_prepare numbers them. This year's
        numbers must leave room for the releases still to come: release_prepare takes the next
        number from the highest reference, which past 9999 no longer sorts as a number."""
        for release in sorted(releases, key=lambda r: r.prepared_at):
            year = timezone.localtime(release.prepared_at).year
            self.numbers[year] += 1
            release.reference = f"REL-{year}-{self.numbers[year]:04d}"
        if self.numbers[self.today.year] > THIS_YEAR_MAX:
            raise ValueError(
                f"{self.numbers[self.today.year]:,} releases would be numbered this year, more "
                f"than the {THIS_YEAR_MAX:,} that leave room for new ones: seed fewer releases "
                "or more meetings (a longer history)."
            )


STATES = (("expired", 80), ("withdrawn", 12), ("draft", 5), ("pending", 3))


def _by_year(candidates: list[VersionRef], since: datetime.date, today: datetime.date):
    """The candidate versions by year of publication, and each year's weight: its days within
    the dataset, so that every year sees as many releases (they follow publication closely)."""
    buckets: dict[int, list[VersionRef]] = defaultdict(list)
    for version in candidates:
        buckets[timezone.localtime(version.published_at).year].append(version)
    weights = {
        year: max(
            (min(today, datetime.date(year, 12, 31)) - max(since, datetime.date(year, 1, 1))).days,
            1,
        )
        for year in buckets
    }
    return buckets, weights


def build_partners(
    run: Run, hierarchy: Hierarchy, products: ProductsBuilt, *, releases: int
) -> PartnersBuilt:
    """The agencies, their people and `releases` releases (the bench agency's first)."""
    rng, now, today, progress = run.rng, run.now, run.today, run.progress
    built = PartnersBuilt()
    agencies, units = _agencies(rng, hierarchy, today, progress)
    built.agencies, built.bench_agency = agencies, agencies[0]
    built.counts["partner agencies"] = len(agencies)
    partner = _partner_users(rng, hierarchy, agencies, units, today, built, progress)
    hierarchy.bench[BENCH_PARTNER] = partner
    builder = ReleaseBuilder(rng, hierarchy, agencies, units, now=now)

    progress.stage("Partner releases", releases)
    bench_agency = agencies[0]
    candidates = [v for v in products.releasable if builder.eligible_for(v.unit_id)]
    bench_candidates = [v for v in candidates if bench_agency in builder.eligible_for(v.unit_id)]
    bench_count = min(BENCH_AVAILABLE_MAX, max(3, releases // 400), releases)
    if not bench_candidates:
        bench_count = 0
    if not candidates:
        releases = 0
    made: list[tuple[Release, list[PartnerAgency]]] = []
    # The bench agency's: available, and a few that were available and have ended since.
    plan = [("available", False)] * bench_count
    plan += [("expired", True), ("withdrawn", True)] * (bench_count // 10)
    for state, was_available in plan:
        for _ in range(50):
            version = rng.choice(bench_candidates)
            release = builder.release(version, state=state, was_available=was_available)
            if release is not None:
                made.append((release, [bench_agency]))
                break
    buckets, weights = _by_year(candidates, run.since, today)
    years = list(buckets)
    others = max(releases - len(made), 0)
    # One of each state whatever the size, then as they fall.
    states = [state for state, _ in STATES][:others]
    states += [weighted(rng, STATES) for _ in range(others - len(states))]
    for state in states:
        for _ in range(50):
            year = rng.choices(years, weights=[weights[y] for y in years])[0]
            version = rng.choice(buckets[year])
            release = builder.release(version, state=state)
            if release is not None:
                eligible = builder.eligible_for(version.unit_id)
                count = min(len(eligible), rng.choice((1, 1, 1, 2)))
                made.append((release, rng.sample(eligible, count)))
                break
    made.sort(key=lambda pair: pair[0].prepared_at)
    builder.number([release for release, _ in made])
    for (release, _), pk in zip(made, run.writer.ids(Release, len(made)), strict=True):
        release.pk = pk
    run.writer.write(Release, [fields_of(release) for release, _ in made], progress)
    _release_rows(run, made, built, bench_agency, hierarchy)
    return built


def _release_rows(run: Run, made, built, bench_agency, hierarchy) -> None:
    """Recipients, grants (while live), documents (the bench agency's rendered),
    acknowledgements and audit events."""
    view_release = Permission.objects.get(
        codename="view_release", content_type__app_label="partners"
    )
    release_type = ContentType.objects.get_for_model(Release)
    # Each release's classification as the model gives it, from its version and product.
    version_of = {
        row["pk"]: ProductVersion(
            marking=row["marking"],
            product=Product(
                unit_id=row["product__unit_id"], need_to_know=row["product__need_to_know"]
            ),
        )
        for row in ProductVersion.objects.filter(
            pk__in={release.version_id for release, _ in made}
        ).values("pk", "marking", "product__unit_id", "product__need_to_know")
    }
    recipients, grants, documents, events = [], [], [], []
    for release, agencies in made:
        live = release.status in (ReleaseStatus.APPROVED, ReleaseStatus.AVAILABLE)
        for agency in agencies:
            recipients.append(ReleaseRecipient(release=release, agency=agency))
            if live:
                grants.append(
                    ReleaseGroupObjectPermission(
                        permission=view_release, group_id=agency.group_id, content_object=release
                    )
                )
            if release.approved_at is not None:
                documents.append(
                    ReleaseDocument(
                        release=release,
                        agency=agency,
                        created_at=release.approved_at,
                        updated_at=release.approved_at,
                    )
                )
        preparer = hierarchy.people[release.prepared_by_id]
        classification = RecordClassification.of(
            Release(version=version_of[release.version_id])
        ).event_fields()
        events.append(
            AuditEvent(
                at=release.prepared_at,
                actor_id=preparer.pk,
                actor_username=preparer.username,
                verb=AuditVerb.CREATE,
                content_type=release_type,
                object_id=str(release.pk),
                object_repr=release.reference,
                detail={"version": release.version_id, "marking": release.marking},
                **classification,
            )
        )
    _render(documents, run.progress)
    bench_partner = hierarchy.bench[BENCH_PARTNER]
    acknowledgements = [
        HandlingAcknowledgement(
            release=release,
            user_id=bench_partner.pk,
            agency=bench_agency,
            at=release.available_at + datetime.timedelta(hours=20),
        )
        for index, release in enumerate(
            release for release, _ in made if release.status == ReleaseStatus.AVAILABLE
        )
        if index % 2 == 0
    ]
    for model, rows in (
        (ReleaseRecipient, recipients),
        (ReleaseGroupObjectPermission, grants),
        (ReleaseDocument, documents),
        (HandlingAcknowledgement, acknowledgements),
        (AuditEvent, events),
    ):
        run.writer.write(model, [fields_of(row) for row in rows])
    counts = built.counts
    counts["releases"] = len(made)
    counts["release recipients"] = len(recipients)
    counts["release grants"] = len(grants)
    counts["release documents"] = len(documents)
    counts["handling acknowledgements"] = len(acknowledgements)
    counts["audit events"] = len(events)
    for release, _ in made:
        counts[f"releases {ReleaseStatus(release.status).label.lower()}"] += 1


def _render(documents: list[ReleaseDocument], progress: Progress) -> None:
    """The PDFs of the releases that were available, rendered as partners.services does it and
    stored under names nobody can guess; every other document stays pending."""
    shown = [d for d in documents if d.release.available_at is not None]
    progress.stage("Release PDFs", len(shown))
    releases = [d.release for d in shown]
    versions = ProductVersion.objects.in_bulk({r.version_id for r in releases})
    people = User.objects.in_bulk(
        {r.prepared_by_id for r in releases} | {r.approved_by_id for r in releases}
    )
    for document in shown:
        release = document.release
        release.version = versions[release.version_id]
        release.prepared_by = people[release.prepared_by_id]
        release.approved_by = people[release.approved_by_id]
        pdf = release_pdf(release, document.agency)
        document.file.save("release.pdf", ContentFile(pdf), save=False)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.status = DocumentStatus.READY
        document.rendered_at = document.updated_at = release.available_at
        progress.advance()
