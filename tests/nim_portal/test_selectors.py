"""Who may act where: membership inheritance down the hierarchy (docs/access.md, rule 1)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from nim_portal import access
from nim_portal.choices import AuditVerb, Role, UnitKind
from nim_portal.models import AuditEvent, Membership, Unit
from nim_portal.selectors import audit_events_visible_to, people_administered_by
from nim_portal.services import audit_record
from tests.factories import PartnerUserFactory, UserFactory, add_unit, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    """national > 2 regions > forces > several BCUs each."""
    t = SimpleNamespace()
    t.national = add_unit(None, kind=UnitKind.NATIONAL, code="UK", name="National")
    t.region = add_unit(t.national, kind=UnitKind.REGION, code="WM", name="West Midlands")
    t.other_region = add_unit(t.national, kind=UnitKind.REGION, code="NW", name="North West")
    t.force = add_unit(t.region, kind=UnitKind.FORCE, code="WMP", name="West Midlands Police")
    t.sibling_force = add_unit(t.region, kind=UnitKind.FORCE, code="STAFFS", name="Staffordshire")
    t.far_force = add_unit(
        t.other_region, kind=UnitKind.FORCE, code="GMP", name="Greater Manchester"
    )
    t.bcus = [
        add_unit(t.force, kind=UnitKind.BCU, code=code, name=name)
        for code, name in [
            ("BE", "Birmingham East"),
            ("BW", "Birmingham West"),
            ("COV", "Coventry"),
        ]
    ]
    t.sibling_bcus = [
        add_unit(t.sibling_force, kind=UnitKind.BCU, code=code, name=name)
        for code, name in [("STOKE", "Stoke-on-Trent"), ("STAFF", "Stafford")]
    ]
    t.far_bcus = [add_unit(t.far_force, kind=UnitKind.BCU, code="BOLTON", name="Bolton")]
    return t


def held(user, role=Role.ANALYST, **kwargs):
    return set(access.units_covered(user, role, **kwargs))


def all_units():
    return set(Unit.objects.all())


class TestUnitsWhereUserHolds:
    def test_role_at_a_force_covers_the_force_and_its_bcus(self, tree):
        analyst = member(tree.force, Role.ANALYST)

        assert held(analyst) == {tree.force, *tree.bcus}

    def test_role_at_a_force_does_not_reach_its_sibling_its_region_or_above(self, tree):
        units = held(member(tree.force, Role.ANALYST))

        assert tree.sibling_force not in units
        assert not units & set(tree.sibling_bcus)
        assert tree.region not in units
        assert tree.national not in units

    def test_role_at_a_region_covers_its_forces_and_bcus_only(self, tree):
        units = held(member(tree.region, Role.ANALYST))

        assert units == {
            tree.region,
            tree.force,
            tree.sibling_force,
            *tree.bcus,
            *tree.sibling_bcus,
        }
        assert tree.far_force not in units

    def test_role_at_national_covers_every_unit(self, tree):
        assert held(member(tree.national, Role.ANALYST)) == all_units()

    def test_role_at_a_bcu_covers_that_bcu_alone(self, tree):
        assert held(member(tree.bcus[0], Role.ANALYST)) == {tree.bcus[0]}

    def test_several_memberships_add_up(self, tree):
        analyst = member(tree.bcus[0], Role.ANALYST)
        Membership.objects.create(user=analyst, unit=tree.far_force, role=Role.ANALYST)

        assert held(analyst) == {tree.bcus[0], tree.far_force, *tree.far_bcus}

    def test_another_role_grants_nothing(self, tree):
        analyst = member(tree.national, Role.ANALYST)

        for role in [Role.REVIEWER, Role.CHAIR, Role.MEMBER, Role.ADMIN]:
            assert held(analyst, role) == set()

    def test_a_membership_in_a_deactivated_unit_grants_nothing(self, tree):
        analyst = member(tree.force, Role.ANALYST)
        Unit.objects.filter(pk=tree.force.pk).update(is_active=False)

        assert held(analyst) == set()
        assert held(analyst, include_inactive=True) == set()

    def test_inactive_units_below_are_left_out_unless_asked_for(self, tree):
        analyst = member(tree.force, Role.ANALYST)
        closed = tree.bcus[2]
        Unit.objects.filter(pk=closed.pk).update(is_active=False)

        assert held(analyst) == {tree.force, *tree.bcus[:2]}
        assert held(analyst, include_inactive=True) == {tree.force, *tree.bcus}

    def test_partner_users_get_nothing_even_with_a_stray_membership(self, tree):
        partner = PartnerUserFactory()
        Membership.objects.create(user=partner, unit=tree.national, role=Role.ANALYST)

        assert held(partner) == set()

    def test_inactive_and_anonymous_users_get_nothing(self, tree):
        analyst = member(tree.national, Role.ANALYST, is_active=False)

        assert held(analyst) == set()
        assert held(AnonymousUser()) == set()

    def test_memberships_of_other_people_do_not_count(self, tree):
        member(tree.national, Role.ANALYST)

        assert held(UserFactory()) == set()


@pytest.fixture
def wide_tree(db):
    """A wide and deep hierarchy: 6 regions x 5 forces x 6 BCUs."""
    national = add_unit(None, kind=UnitKind.NATIONAL, code="UK", name="National")
    units = SimpleNamespace(national=national, regions=[], forces=[], bcus=[])
    for r in range(6):
        region = add_unit(national, kind=UnitKind.REGION, code=f"R{r}")
        units.regions.append(region)
        for f in range(5):
            force = add_unit(region, kind=UnitKind.FORCE, code=f"F{r}{f}")
            units.forces.append(force)
            for b in range(6):
                units.bcus.append(add_unit(force, kind=UnitKind.BCU, code=f"B{r}{f}{b}"))
    return units


@pytest.mark.parametrize(
    ("level", "expected"),
    [("national", 1 + 6 + 30 + 180), ("region", 1 + 5 + 30), ("force", 1 + 6), ("bcu", 1)],
)
def test_answer_is_one_query_at_every_depth(wide_tree, django_assert_num_queries, level, expected):
    unit = {
        "national": wide_tree.national,
        "region": wide_tree.regions[3],
        "force": wide_tree.forces[17],
        "bcu": wide_tree.bcus[100],
    }[level]
    analyst = member(unit, Role.ANALYST)
    Membership.objects.create(user=analyst, unit=wide_tree.bcus[0], role=Role.ANALYST)

    with django_assert_num_queries(1):
        units = list(access.units_covered(analyst, Role.ANALYST))

    extra = 0 if level == "national" else 1  # the second membership's BCU
    assert len(units) == expected + extra


class TestUserMayAdminister:
    def test_admin_administers_their_unit_and_below(self, tree):
        admin = member(tree.force, Role.ADMIN)

        assert access.may_administer(admin, tree.force)
        assert all(access.may_administer(admin, bcu) for bcu in tree.bcus)

    def test_admin_does_not_administer_a_sibling_or_above(self, tree):
        admin = member(tree.force, Role.ADMIN)

        assert not access.may_administer(admin, tree.sibling_force)
        assert not access.may_administer(admin, tree.sibling_bcus[0])
        assert not access.may_administer(admin, tree.region)

    def test_other_roles_administer_nothing(self, tree):
        for role in [Role.ANALYST, Role.REVIEWER, Role.CHAIR, Role.MEMBER]:
            assert not access.may_administer(member(tree.national, role), tree.bcus[0])

    def test_superuser_administers_everything_and_partner_nothing(self, tree):
        assert access.may_administer(UserFactory(is_superuser=True), tree.far_bcus[0])
        partner = PartnerUserFactory()
        Membership.objects.create(user=partner, unit=tree.national, role=Role.ADMIN)
        assert not access.may_administer(partner, tree.bcus[0])


class TestPeopleAdministeredBy:
    def test_force_admin_administers_people_of_the_force_and_its_bcus(self, tree):
        admin = member(tree.force, Role.ADMIN)
        in_force = member(tree.force, Role.ANALYST)
        in_bcu = member(tree.bcus[1], Role.MEMBER)
        in_sibling = member(tree.sibling_force, Role.ANALYST)
        in_region = member(tree.region, Role.ANALYST)

        people = set(people_administered_by(admin))

        assert {in_force, in_bcu, admin} <= people
        assert in_sibling not in people
        assert in_region not in people

    def test_national_admin_administers_everyone_placed(self, tree):
        admin = member(tree.national, Role.ADMIN)
        others = {member(tree.far_bcus[0]), member(tree.region, Role.CHAIR)}

        assert others <= set(people_administered_by(admin))

    def test_non_admins_administer_nobody(self, tree):
        analyst = member(tree.national, Role.ANALYST)
        member(tree.bcus[0])

        assert list(people_administered_by(analyst)) == []
        assert list(people_administered_by(PartnerUserFactory())) == []

    def test_someone_with_two_memberships_is_listed_once(self, tree):
        admin = member(tree.force, Role.ADMIN)
        person = member(tree.bcus[0])
        Membership.objects.create(user=person, unit=tree.bcus[1], role=Role.CHAIR)

        assert list(people_administered_by(admin)).count(person) == 1


class TestAuditEventsVisibleTo:
    @pytest.fixture
    def events(self, tree):
        ns = SimpleNamespace()
        ns.force_person = member(tree.bcus[0])
        ns.sibling_person = member(tree.sibling_force)
        ns.own = audit_record(actor=ns.force_person, verb=AuditVerb.SIGN_IN)
        ns.failed = audit_record(
            actor=None, verb=AuditVerb.FAILED_SIGN_IN, username=ns.force_person.username
        )
        ns.sibling = audit_record(actor=ns.sibling_person, verb=AuditVerb.SIGN_IN)
        ns.stranger = audit_record(actor=None, verb=AuditVerb.FAILED_SIGN_IN, username="nobody")
        return ns

    def test_national_admin_reads_the_whole_log(self, tree, events):
        admin = member(tree.national, Role.ADMIN)

        assert set(audit_events_visible_to(admin)) == set(AuditEvent.objects.all())

    def test_force_admin_reads_only_their_peoples_events(self, tree, events):
        admin = member(tree.force, Role.ADMIN)

        visible = set(audit_events_visible_to(admin))

        assert {events.own, events.failed} <= visible
        assert events.sibling not in visible
        assert events.stranger not in visible

    def test_non_admins_read_nothing(self, tree, events):
        assert list(audit_events_visible_to(member(tree.national, Role.ANALYST))) == []
        assert list(audit_events_visible_to(events.force_person)) == []
        assert list(audit_events_visible_to(PartnerUserFactory())) == []
