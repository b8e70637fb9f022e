"""The cast of the partners tests: a force with an analyst, two reviewers and an admin, a
published tactical assessment holding canaries, and two agencies with a partner user each."""

import datetime

import pytest
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role
from partners.services import agency_create, agency_user_add, release_approve, release_prepare
from products.choices import ProductKind
from products.services import section_add, section_update
from tests.factories import PartnerUserFactory, UserFactory, member, product_drafting
from tests.products.helpers import publish, write

# Canaries: none of them may ever reach a partner.
CANARY_RESTRICTED = "CANARYRESTRICTEDSPAN"
CANARY_NOT_RELEASABLE = "CANARYNOTRELEASABLE"
CANARY_WARNING_MARKER = "CANARYWARNINGMARKER"
CANARY_SUBJECT = "CANARYSUBJECTPROFILE"
CANARIES = (CANARY_RESTRICTED, CANARY_NOT_RELEASABLE, CANARY_WARNING_MARKER, CANARY_SUBJECT)

RELEASABLE_TEXT = "Burglary rose in Northfield; partners should target lighting improvements."


def today() -> datetime.date:
    return timezone.localdate()


class Cast:
    def __init__(self, hierarchy):
        self.hierarchy = hierarchy
        self.unit = hierarchy.force
        self.analyst = member(self.unit, Role.ANALYST, username="analyst")
        self.reviewer = member(self.unit, Role.REVIEWER, username="reviewer")
        self.second_reviewer = member(self.unit, Role.REVIEWER, username="reviewer2")
        self.chair = member(self.unit, Role.CHAIR, username="chair")
        self.admin = member(self.unit, Role.ADMIN, username="admin")
        self.superuser = UserFactory(username="root", is_superuser=True)
        self.outsider = member(hierarchy.other_force, Role.ANALYST, username="outsider")
        self.agency_a = self.agency("Birmingham City Council", [hierarchy.bcu])
        self.agency_b = self.agency("West Midlands Fire Service", [self.unit])
        self.partner_a = self.partner("partner_a", self.agency_a)
        self.partner_b = self.partner("partner_b", self.agency_b)

    def agency(self, name, units, **fields):
        values = {
            "kind": "local_authority",
            "agreement_reference": f"ISA-{name[:4].upper()}",
            "agreement_purpose": "Reducing burglary and anti-social behaviour.",
            "agreement_starts_on": today() - datetime.timedelta(days=100),
            "agreement_review_on": today() + datetime.timedelta(days=300),
            **fields,
        }
        return agency_create(acting_user=self.superuser, name=name, units=units, **values)

    def partner(self, username, agency):
        user = PartnerUserFactory(username=username)
        agency_user_add(acting_user=self.admin, agency=agency, user=user)
        return user


@pytest.fixture
def cast(hierarchy):
    return Cast(hierarchy)


def published_assessment(
    cast, *, extra_sections: int = 0, section_marking: int = GSCMarking.OFFICIAL
):
    """A published tactical assessment of the force: section 1 releasable with a restricted span,
    section 2 not releasable; `extra_sections` more releasable sections of long text."""
    product = product_drafting(
        cast.unit,
        owner=cast.analyst,
        requester=cast.chair,
        kind=ProductKind.TACTICAL_ASSESSMENT,
        title="Tactical assessment: Birmingham burglary",
        warning_markers=f"Violent {CANARY_WARNING_MARKER}",
    )
    write(
        product,
        cast.analyst,
        f"{RELEASABLE_TEXT} [restricted]Source {CANARY_RESTRICTED} says more.[/restricted]",
        position=1,
        marking=section_marking,
    )
    section = product.sections.get(position=1)
    section_update(
        acting_user=cast.analyst,
        section=section,
        loaded_revision=section.revision,
        body=section.body,
        releasable_to_partners=True,
    )
    write(product, cast.analyst, f"Police only: {CANARY_NOT_RELEASABLE}.", position=2)
    for position in range(3, 3 + extra_sections):
        section = product.sections.filter(position=position).first()
        if section is None:
            section = section_add(
                acting_user=cast.analyst, product=product, title=f"Part {position}"
            )
        long_text = "\n\n".join(
            f"Paragraph {n} of part {position}: {RELEASABLE_TEXT}" for n in range(25)
        )
        section_update(
            acting_user=cast.analyst,
            section=section,
            loaded_revision=section.revision,
            body=long_text,
            marking=GSCMarking.OFFICIAL,
            releasable_to_partners=True,
        )
    return publish(product, owner=cast.analyst, reviewer=cast.reviewer)


@pytest.fixture
def version(cast):
    return published_assessment(cast)


def releasable_ids(version):
    return [s["id"] for s in version.content["sections"] if s["releasable"]]


def subject_profile(
    cast, *, name: str = f"Darren {CANARY_SUBJECT}", kind=ProductKind.SUBJECT_PROFILE
):
    """A published subject profile (of `kind`: either kind of subject profile) of the force,
    about `name`."""
    product = product_drafting(
        cast.unit,
        owner=cast.analyst,
        requester=cast.chair,
        kind=kind,
        title=f"Subject profile: {name}",
        subject_description=name,
        lawful_basis="Prevention and detection of crime.",
        purpose="Disrupt a prolific burglar.",
        proportionality="Least intrusive means.",
        warning_markers=CANARY_WARNING_MARKER,
    )
    section = product.sections.get(position=1)
    section_update(
        acting_user=cast.analyst,
        section=section,
        loaded_revision=section.revision,
        body=f"{name} is a prolific burglar.",
        releasable_to_partners=True,
    )
    return publish(product, owner=cast.analyst, reviewer=cast.reviewer)


def prepare(cast, version, **overrides):
    values = {
        "acting_user": cast.analyst,
        "version": version,
        "agencies": [cast.agency_a, cast.agency_b],
        "section_ids": releasable_ids(version),
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
        "purpose": "Target crime prevention advice in Northfield.",
        "retention_months": 12,
        "expires_on": today() + datetime.timedelta(days=90),
        **overrides,
    }
    return release_prepare(**values)


@pytest.fixture
def draft(cast, version):
    return prepare(cast, version)


@pytest.fixture
def available(cast, draft, django_capture_on_commit_callbacks):
    """A release approved and rendered (in-process, as the demo runs Celery)."""
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(acting_user=cast.reviewer, release=draft)
    draft.refresh_from_db()
    return draft
