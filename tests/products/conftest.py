import pytest

from nim_portal.choices import GSCMarking, Role, UnitKind, VettingLevel
from tests.factories import add_unit, member, product_commissioned, product_drafting


class People:
    """The cast of the products tests, all around the force's unit (West Midlands Police)."""

    def __init__(self, hierarchy):
        self.hierarchy = hierarchy
        self.unit = hierarchy.force
        self.analyst = member(self.unit, Role.ANALYST, username="analyst")
        self.second_analyst = member(self.unit, Role.ANALYST, username="analyst2")
        self.requester = member(self.unit, Role.CHAIR, username="chair")
        self.reviewer = member(self.unit, Role.REVIEWER, username="reviewer")
        self.regional_reviewer = member(hierarchy.region, Role.REVIEWER, username="rreviewer")
        self.bcu_reviewer = member(hierarchy.bcu, Role.REVIEWER, username="bcureviewer")
        self.member = member(self.unit, Role.MEMBER, username="member")
        self.outsider = member(hierarchy.other_force, Role.ANALYST, username="outsider")
        self.neighbour_reviewer = member(hierarchy.other_force, Role.REVIEWER, username="nrev")


@pytest.fixture
def people(hierarchy):
    return People(hierarchy)


@pytest.fixture
def far_force(hierarchy):
    """A force in another region."""
    region = add_unit(hierarchy.national, kind=UnitKind.REGION, code="NW", name="North West")
    return add_unit(region, kind=UnitKind.FORCE, code="GMP", name="Greater Manchester Police")


@pytest.fixture
def commissioned(people):
    return product_commissioned(people.unit, owner=people.analyst, requester=people.requester)


@pytest.fixture
def drafting(people):
    return product_drafting(people.unit, owner=people.analyst, requester=people.requester)


@pytest.fixture
def subject_profile(people):
    return product_drafting(
        people.unit,
        owner=people.analyst,
        requester=people.requester,
        kind="subject",
        title="Subject profile: OCG nominal 14",
        marking=GSCMarking.SECRET,
    )


@pytest.fixture
def dv_user(hierarchy):
    return member(hierarchy.force, Role.ANALYST, vetting_level=VettingLevel.DV)
