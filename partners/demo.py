"""Demo partners for `manage.py seed_demo_partners`: two agencies working with West Midlands
Police, their people (the demo `partner` among them), and releases of the force strategic
assessment in each state a partner or an analyst meets: available, withdrawn, expired, and a draft
awaiting approval with personal-data warnings.

Everything goes through partners.services and products.services as the demo people would do it.
An agency, person or release already present (by name, username or purpose) is left as it is:
running the seed again creates nothing. Run after `seed_demo` and `seed_demo_products`.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from nim_portal.choices import GSCMarking, VettingLevel
from nim_portal.demo.seed import demo_password
from nim_portal.models import Unit, User
from partners import services
from partners.choices import AgencyKind, DocumentStatus
from partners.models import AgencyMembership, PartnerAgency, Release
from products import services as product_services
from products.choices import ReviewStandard
from products.demo import BCU, FORCE, STRATEGIC_TITLE
from products.models import Product, ProductVersion

DEMO_USERNAMES = ("admin", "analyst", "reviewer", "partner")

COUNCIL = "Birmingham City Council — Community Safety"
FIRE = "West Midlands Fire Service"
FIRE_USERNAME = "fire"


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCast:
    admin: User
    analyst: User
    reviewer: User
    partner: User
    force: Unit
    bcu: Unit
    strategic: Product


def _cast() -> DemoCast:
    people = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=(FORCE, BCU))}
    strategic = Product.objects.filter(unit__code=FORCE, title=STRATEGIC_TITLE).first()
    missing = [name for name in DEMO_USERNAMES if name not in people] + [
        code for code in (FORCE, BCU) if code not in units
    ]
    if missing:
        raise ValidationError(
            f"The demo hierarchy and people are missing ({', '.join(missing)}): "
            "run `manage.py seed_demo` first."
        )
    if strategic is None:
        raise ValidationError(
            "The demo strategic assessment is missing: run `manage.py seed_demo_products` first."
        )
    return DemoCast(
        admin=people["admin"],
        analyst=people["analyst"],
        reviewer=people["reviewer"],
        partner=people["partner"],
        force=units[FORCE],
        bcu=units[BCU],
        strategic=strategic,
    )


# Agencies and their people.


@dataclass(frozen=True)
class DemoAgency:
    name: str
    kind: str
    unit_codes: tuple[str, ...]
    agreement_reference: str
    agreement_purpose: str


AGENCIES = (
    DemoAgency(
        name=COUNCIL,
        kind=AgencyKind.LOCAL_AUTHORITY,
        unit_codes=(FORCE, BCU),
        agreement_reference="ISA-BHAM-CSP-2025-03",
        agreement_purpose=(
            "Reducing crime and disorder in Birmingham under section 17 of the Crime and Disorder "
            "Act 1998: sharing assessments of burglary, youth violence and exploitation with the "
            "council's community safety team (section 115)."
        ),
    ),
    DemoAgency(
        name=FIRE,
        kind=AgencyKind.FIRE,
        unit_codes=(FORCE,),
        agreement_reference="ISA-WMFS-WMP-2024-11",
        agreement_purpose=(
            "Targeting fire prevention and safe and well visits at households at risk from "
            "deliberate fires, arson and vehicle crime across the West Midlands."
        ),
    ),
)


def _agency(cast: DemoCast, demo: DemoAgency, result: DemoResult) -> PartnerAgency:
    agency = PartnerAgency.objects.filter(name=demo.name).first()
    if agency is not None:
        result.present.append(f"agency: {demo.name}")
        return agency
    today = timezone.localdate()
    agency = services.agency_create(
        acting_user=cast.admin,
        name=demo.name,
        kind=demo.kind,
        units=[{FORCE: cast.force, BCU: cast.bcu}[code] for code in demo.unit_codes],
        agreement_reference=demo.agreement_reference,
        agreement_purpose=demo.agreement_purpose,
        agreement_starts_on=today - datetime.timedelta(days=400),
        agreement_review_on=today + datetime.timedelta(days=330),
    )
    result.created.append(f"agency: {demo.name}")
    return agency


def _people(cast: DemoCast, agencies: dict[str, PartnerAgency], result: DemoResult) -> None:
    if not AgencyMembership.objects.filter(user=cast.partner).exists():
        services.agency_user_add(
            acting_user=cast.admin, agency=agencies[COUNCIL], user=cast.partner
        )
        result.created.append(f"member of {COUNCIL}: {cast.partner.username}")
    if User.objects.filter(username=FIRE_USERNAME).exists():
        result.present.append(f"member of {FIRE}: {FIRE_USERNAME}")
        return
    services.agency_user_add(
        acting_user=cast.admin,
        agency=agencies[FIRE],
        username=FIRE_USERNAME,
        password=demo_password(),
        first_name="Marcus",
        last_name="Bell",
        email="marcus.bell@wmfs.example",
        job_title="Watch Manager, Prevention",
        vetting_level=VettingLevel.NPPV2A,
    )
    result.created.append(f"member of {FIRE}: {FIRE_USERNAME}")


# The strategic assessment, republished with sections flagged releasable to partners.

RELEASABLE_SECTIONS = ("Current picture", "Predictions and emerging issues", "Ranked threats")
# Released in the draft only: it names a place and a vehicle, which the warnings must catch.
PREDICTIONS = "Predictions and emerging issues"
PREDICTIONS_V3_ADDITION = """
- Partner CCTV at the Fox and Goose car park, B8 2TS, recorded five keyless thefts in a month;
  one of the vehicles was recovered in Shard End on false plates BD51 SMR.
"""


def _releasable_version(cast: DemoCast) -> ProductVersion:
    """The latest published version, republished (by the analyst and the reviewer) with the
    sections partners may receive flagged releasable when it has none."""
    product = cast.strategic
    latest = product.versions.order_by("-number").first()
    if any(section["releasable"] for section in latest.content["sections"]):
        return latest
    for section in product.sections.filter(title__in=RELEASABLE_SECTIONS):
        body = section.body
        if section.title == PREDICTIONS:
            body = f"{body.rstrip()}\n{PREDICTIONS_V3_ADDITION.rstrip()}"
        product_services.section_update(
            acting_user=cast.analyst,
            section=section,
            loaded_revision=section.revision,
            body=body,
            releasable_to_partners=True,
        )
    product_services.product_submit(acting_user=cast.analyst, product=product)
    return product_services.product_approve(
        acting_user=cast.reviewer, product=product, standards=ReviewStandard.values
    )


# Releases, oldest first (their references follow this order).


@dataclass(frozen=True)
class DemoRelease:
    purpose: str  # unique among the demo releases: how the seed finds one again
    agencies: tuple[str, ...]
    sections: tuple[str, ...]
    state: str  # "expired", "withdrawn", "available" or "draft"
    withdrawn_reason: str = ""


RELEASES = (
    DemoRelease(
        purpose="Plan the council's summer diversionary activities for young people at risk.",
        agencies=(COUNCIL, FIRE),
        sections=("Current picture",),
        state="expired",
    ),
    DemoRelease(
        purpose="Brief the community safety partnership board on the force's ranked threats.",
        agencies=(COUNCIL,),
        sections=("Current picture", "Ranked threats"),
        state="withdrawn",
        withdrawn_reason=(
            "The ranked threats were revised: organised vehicle crime moved up. Use the later "
            "release of the same assessment."
        ),
    ),
    DemoRelease(
        purpose="Target crime prevention, safe and well visits and diversion at the threats "
        "the force ranks highest.",
        agencies=(COUNCIL, FIRE),
        sections=("Current picture", "Ranked threats"),
        state="available",
    ),
    DemoRelease(
        purpose="Plan joint vehicle crime prevention with the council's parking enforcement team.",
        agencies=(COUNCIL,),
        sections=RELEASABLE_SECTIONS,
        state="draft",
    ),
)


def _render_now(release: Release) -> None:
    """Render the PDFs at once, as the worker would: the job is safe to run twice, so the jobs
    written at approval find them ready and do nothing."""
    pending = release.documents.exclude(status=DocumentStatus.READY).values_list("pk", flat=True)
    for document_id in list(pending):
        services.release_document_render(document_id)


def _approve(cast: DemoCast, release: Release) -> Release:
    preview = services.release_preview(acting_user=cast.analyst, release=release)
    if preview.outstanding:
        services.release_acknowledge_warnings(
            acting_user=cast.analyst,
            release=release,
            warning_ids=[warning.id for warning in preview.outstanding],
        )
    services.release_approve(acting_user=cast.reviewer, release=release)
    _render_now(release)
    release.refresh_from_db()
    return release


def _expire(release: Release) -> None:
    """The demo cannot wait for the expiry date: it moves the date back (with its history) and
    runs the nightly job that ends the release."""
    release.expires_on = timezone.localdate() - datetime.timedelta(days=14)
    release._change_reason = "Demo: expiry date moved back to show an expired release"
    release.save(update_fields=["expires_on"])
    services.release_expire(release.pk)


def _release(
    cast: DemoCast,
    version: ProductVersion,
    agencies: dict[str, PartnerAgency],
    demo: DemoRelease,
    result: DemoResult,
) -> None:
    label = f"release ({demo.state}): {demo.purpose}"
    if Release.objects.filter(version__product=cast.strategic, purpose=demo.purpose).exists():
        result.present.append(label)
        return
    section_ids = [s["id"] for s in version.content["sections"] if s["title"] in demo.sections]
    release = services.release_prepare(
        acting_user=cast.analyst,
        version=version,
        agencies=[agencies[name] for name in demo.agencies],
        section_ids=section_ids,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        purpose=demo.purpose,
        retention_months=12,
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    if demo.state != "draft":
        _approve(cast, release)
    if demo.state == "withdrawn":
        services.release_withdraw(
            acting_user=cast.reviewer, release=release, reason=demo.withdrawn_reason
        )
    elif demo.state == "expired":
        _expire(release)
    result.created.append(label)


def seed_demo_partners() -> DemoResult:
    """Create the demo agencies, people and releases that are missing."""
    cast = _cast()
    result = DemoResult()
    with transaction.atomic():
        agencies = {demo.name: _agency(cast, demo, result) for demo in AGENCIES}
        _people(cast, agencies, result)
        version = _releasable_version(cast)
    for demo in RELEASES:
        with transaction.atomic():  # each release whole or not at all
            _release(cast, version, agencies, demo, result)
    return result
