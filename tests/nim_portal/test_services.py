"""The hierarchy and people services: who may change what, and what each change leaves behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nim_portal.choices import AuditVerb, Role, UnitKind, VettingLevel
from nim_portal.models import AuditEvent, Membership, Unit, User
from nim_portal.services import (
    membership_grant,
    membership_revoke,
    unit_create,
    unit_deactivate,
    unit_move,
    unit_reactivate,
    unit_rename,
    user_create,
    user_update_vetting,
)
from tests.factories import PartnerUserFactory, UserFactory, add_unit, member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Tasking-Group-Fortnightly-7"

# People who must never change the force or its BCU: each is built from the hierarchy.
OUTSIDERS = {
    "analyst in the force": lambda h: member(h.force, Role.ANALYST),
    "chair in the force": lambda h: member(h.force, Role.CHAIR),
    "admin of the sibling force": lambda h: member(h.other_force, Role.ADMIN),
    "partner": lambda h: PartnerUserFactory(),
}


@pytest.fixture(params=OUTSIDERS, ids=list(OUTSIDERS))
def outsider(request, hierarchy):
    return OUTSIDERS[request.param](hierarchy)


@pytest.fixture
def force_admin(hierarchy):
    return member(hierarchy.force, Role.ADMIN)


@pytest.fixture
def national_admin(hierarchy):
    return member(hierarchy.national, Role.ADMIN)


def state():
    """Everything a refused change must leave untouched."""
    return (
        list(Unit.objects.values_list("pk", "path", "code", "name", "is_active")),
        Unit.history.count(),
        list(Membership.objects.values_list("pk", "user_id", "unit_id", "role")),
        list(User.objects.values_list("pk", "username", "vetting_level")),
        AuditEvent.objects.count(),
    )


def last_event(verb):
    return AuditEvent.objects.filter(verb=verb).latest("id")


def latest_history(unit):
    return Unit.objects.get(pk=unit.pk).history.first()


class TestUnitCreate:
    def test_admin_adds_a_bcu_under_their_force(self, hierarchy, force_admin):
        bcu = unit_create(
            acting_user=force_admin,
            parent=hierarchy.force,
            kind=UnitKind.BCU,
            code=" cov ",
            name="Coventry",
        )

        assert Unit.objects.get_parent(bcu) == hierarchy.force
        assert (bcu.code, bcu.name, bcu.nim_level) == ("COV", "Coventry", 1)
        assert latest_history(bcu).history_type == "+"
        event = last_event(AuditVerb.CREATE)
        assert (event.actor, event.object_id) == (force_admin, str(bcu.pk))

    def test_national_admin_adds_a_force_to_a_region(self, hierarchy, national_admin):
        force = unit_create(
            acting_user=national_admin,
            parent=hierarchy.region,
            kind=UnitKind.FORCE,
            code="WARKS",
            name="Warwickshire Police",
        )

        assert Unit.objects.get_parent(force) == hierarchy.region
        assert force.nim_level == 2

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        before = state()

        with pytest.raises(PermissionDenied):
            unit_create(
                acting_user=outsider,
                parent=hierarchy.force,
                kind=UnitKind.BCU,
                code="COV",
                name="Coventry",
            )

        assert state() == before

    def test_only_a_superuser_adds_a_top_level_unit(self, hierarchy, national_admin):
        with pytest.raises(PermissionDenied):
            unit_create(
                acting_user=national_admin,
                parent=None,
                kind=UnitKind.NATIONAL,
                code="NCA",
                name="National Crime Agency",
            )

        unit = unit_create(
            acting_user=UserFactory(is_superuser=True),
            parent=None,
            kind=UnitKind.NATIONAL,
            code="NCA",
            name="National Crime Agency",
        )
        assert unit.is_root() and unit.nim_level == 3

    @pytest.mark.parametrize(
        ("parent", "kind"),
        [
            ("region", UnitKind.BCU),
            ("national", UnitKind.FORCE),
            ("bcu", UnitKind.BCU),
            ("force", UnitKind.REGION),
        ],
    )
    def test_wrong_kind_of_parent_is_refused(self, hierarchy, national_admin, parent, kind):
        before = state()

        with pytest.raises(ValidationError) as error:
            unit_create(
                acting_user=national_admin,
                parent=getattr(hierarchy, parent),
                kind=kind,
                code="NEW",
                name="New unit",
            )

        assert "must sit directly under" in str(error.value)
        assert state() == before

    def test_code_already_used_beside_it_is_refused_whatever_the_case(self, hierarchy, force_admin):
        before = state()

        with pytest.raises(ValidationError, match="already uses the code BIRM"):
            unit_create(
                acting_user=force_admin,
                parent=hierarchy.force,
                kind=UnitKind.BCU,
                code="birm",
                name="Birmingham again",
            )

        assert state() == before

    def test_name_already_used_beside_it_is_refused_whatever_the_case(self, hierarchy, force_admin):
        before = state()

        with pytest.raises(ValidationError, match="already called birmingham"):
            unit_create(
                acting_user=force_admin,
                parent=hierarchy.force,
                kind=UnitKind.BCU,
                code="BIRM2",
                name="birmingham",
            )

        assert state() == before

    def test_same_name_under_another_parent_is_fine(self, hierarchy, national_admin):
        unit = unit_create(
            acting_user=national_admin,
            parent=hierarchy.other_force,
            kind=UnitKind.BCU,
            code="B2",
            name="Birmingham",
        )

        assert Unit.objects.get_parent(unit) == hierarchy.other_force

    def test_same_code_under_another_parent_is_fine(self, hierarchy, national_admin):
        unit = unit_create(
            acting_user=national_admin,
            parent=hierarchy.other_force,
            kind=UnitKind.BCU,
            code="BIRM",
            name="Not Birmingham",
        )

        assert Unit.objects.get_parent(unit) == hierarchy.other_force

    def test_blank_name_is_refused(self, hierarchy, force_admin):
        with pytest.raises(ValidationError, match="Enter the unit's name"):
            unit_create(
                acting_user=force_admin,
                parent=hierarchy.force,
                kind=UnitKind.BCU,
                code="X",
                name="   ",
            )

    def test_no_unit_under_an_inactive_parent(self, hierarchy, national_admin):
        Unit.objects.filter(pk=hierarchy.other_bcu.pk).update(is_active=False)
        Unit.objects.filter(pk=hierarchy.other_force.pk).update(is_active=False)

        with pytest.raises(ValidationError, match="inactive"):
            unit_create(
                acting_user=national_admin,
                parent=hierarchy.other_force,
                kind=UnitKind.BCU,
                code="NEW",
                name="New",
            )


class TestUnitRename:
    def test_admin_renames_and_the_change_is_kept(self, hierarchy, force_admin):
        unit = unit_rename(
            acting_user=force_admin, unit=hierarchy.bcu, code="birm-e", name="Birmingham East"
        )

        assert (unit.code, unit.name) == ("BIRM-E", "Birmingham East")
        record = latest_history(unit)
        assert record.history_change_reason == "Renamed from Birmingham (BIRM)"
        assert record.prev_record.name == "Birmingham"
        event = last_event(AuditVerb.UPDATE)
        assert event.detail == {
            "before": {"code": "BIRM", "name": "Birmingham"},
            "after": {"code": "BIRM-E", "name": "Birmingham East"},
        }

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        before = state()

        with pytest.raises(PermissionDenied):
            unit_rename(acting_user=outsider, unit=hierarchy.bcu, code="X", name="Renamed")

        assert state() == before

    def test_code_of_a_sibling_is_refused(self, hierarchy, force_admin):
        add_unit(hierarchy.force, kind=UnitKind.BCU, code="COV", name="Coventry")
        before = state()

        with pytest.raises(ValidationError, match="already uses the code COV"):
            unit_rename(acting_user=force_admin, unit=hierarchy.bcu, code="Cov", name="B")

        assert state() == before

    def test_code_used_under_another_parent_is_fine(self, hierarchy, national_admin):
        unit = unit_rename(
            acting_user=national_admin, unit=hierarchy.bcu, code="STOKE", name="Stoke (WMP)"
        )

        assert unit.code == "STOKE"

    def test_unchanged_name_writes_nothing(self, hierarchy, force_admin):
        before = state()

        unit_rename(acting_user=force_admin, unit=hierarchy.bcu, code="BIRM", name="Birmingham")

        assert state() == before


class TestUnitMove:
    def test_region_admin_moves_a_bcu_to_the_neighbouring_force(self, hierarchy):
        admin = member(hierarchy.region, Role.ADMIN)

        unit = unit_move(acting_user=admin, unit=hierarchy.bcu, new_parent=hierarchy.other_force)

        assert Unit.objects.get_parent(unit) == hierarchy.other_force
        assert set(Unit.objects.get_children(hierarchy.force)) == set()
        assert Unit.objects.find_problems() == ([], [], [], [], [])
        record = latest_history(unit)
        expected_reason = "Moved from West Midlands Police to Staffordshire Police"
        assert record.history_change_reason == expected_reason
        event = last_event(AuditVerb.MOVE)
        assert event.detail["from"]["id"] == hierarchy.force.pk
        assert event.detail["to"]["id"] == hierarchy.other_force.pk

    def test_force_admin_cannot_move_a_bcu_into_a_force_they_do_not_administer(
        self, hierarchy, force_admin
    ):
        before = state()

        with pytest.raises(PermissionDenied):
            unit_move(acting_user=force_admin, unit=hierarchy.bcu, new_parent=hierarchy.other_force)

        assert state() == before

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        before = state()

        with pytest.raises(PermissionDenied):
            unit_move(acting_user=outsider, unit=hierarchy.bcu, new_parent=hierarchy.other_force)

        assert state() == before

    @pytest.mark.parametrize("target", ["force", "bcu"])
    def test_a_unit_cannot_move_under_itself_or_below_it(self, hierarchy, national_admin, target):
        before = state()

        with pytest.raises(ValidationError, match="under itself or a unit below it"):
            unit_move(
                acting_user=national_admin,
                unit=hierarchy.force,
                new_parent=getattr(hierarchy, target),
            )

        assert state() == before

    def test_wrong_kind_of_new_parent_is_refused(self, hierarchy, national_admin):
        before = state()

        with pytest.raises(ValidationError, match="must sit directly under a force"):
            unit_move(acting_user=national_admin, unit=hierarchy.bcu, new_parent=hierarchy.region)

        assert state() == before

    def test_code_clash_under_the_new_parent_is_refused(self, hierarchy, national_admin):
        add_unit(hierarchy.other_force, kind=UnitKind.BCU, code="BIRM", name="Clash")
        before = state()

        with pytest.raises(ValidationError, match="already uses the code BIRM"):
            unit_move(
                acting_user=national_admin, unit=hierarchy.bcu, new_parent=hierarchy.other_force
            )

        assert state() == before

    def test_moving_to_the_same_parent_is_refused(self, hierarchy, national_admin):
        with pytest.raises(ValidationError, match="already sits under"):
            unit_move(acting_user=national_admin, unit=hierarchy.bcu, new_parent=hierarchy.force)


class TestUnitDeactivateAndReactivate:
    def test_admin_deactivates_a_leaf_unit_with_a_reason(self, hierarchy, force_admin):
        unit = unit_deactivate(acting_user=force_admin, unit=hierarchy.bcu, reason="Merged")

        assert not unit.is_active
        assert latest_history(unit).history_change_reason == "Deactivated: Merged"
        assert last_event(AuditVerb.DEACTIVATE).detail == {"reason": "Merged"}

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        before = state()

        with pytest.raises(PermissionDenied):
            unit_deactivate(acting_user=outsider, unit=hierarchy.bcu, reason="Merged")

        assert state() == before

    def test_unit_with_active_units_below_is_refused(self, hierarchy, national_admin):
        before = state()

        with pytest.raises(ValidationError, match="still has active units under it"):
            unit_deactivate(acting_user=national_admin, unit=hierarchy.force, reason="Merged")

        assert state() == before

    def test_reason_is_required(self, hierarchy, force_admin):
        with pytest.raises(ValidationError, match="reason"):
            unit_deactivate(acting_user=force_admin, unit=hierarchy.bcu, reason=" ")

    def test_deactivating_twice_is_refused(self, hierarchy, force_admin):
        unit_deactivate(acting_user=force_admin, unit=hierarchy.bcu, reason="Merged")

        with pytest.raises(ValidationError, match="already inactive"):
            unit_deactivate(acting_user=force_admin, unit=hierarchy.bcu, reason="Again")

    def test_admin_reactivates_and_the_change_is_kept(self, hierarchy, force_admin):
        unit_deactivate(acting_user=force_admin, unit=hierarchy.bcu, reason="Merged")

        unit = unit_reactivate(acting_user=force_admin, unit=hierarchy.bcu)

        assert unit.is_active
        assert latest_history(unit).history_change_reason == "Reactivated"
        assert last_event(AuditVerb.REACTIVATE).object_id == str(unit.pk)

    def test_outsiders_cannot_reactivate(self, hierarchy, force_admin, outsider):
        unit_deactivate(acting_user=force_admin, unit=hierarchy.bcu, reason="Merged")
        before = state()

        with pytest.raises(PermissionDenied):
            unit_reactivate(acting_user=outsider, unit=hierarchy.bcu)

        assert state() == before

    def test_reactivating_under_an_inactive_parent_is_refused(self, hierarchy, national_admin):
        unit_deactivate(acting_user=national_admin, unit=hierarchy.bcu, reason="Merged")
        unit_deactivate(acting_user=national_admin, unit=hierarchy.force, reason="Merged")

        with pytest.raises(ValidationError, match="reactivate it first"):
            unit_reactivate(acting_user=national_admin, unit=hierarchy.bcu)

    def test_reactivating_an_active_unit_is_refused(self, hierarchy, force_admin):
        with pytest.raises(ValidationError, match="already active"):
            unit_reactivate(acting_user=force_admin, unit=hierarchy.bcu)


class TestUserCreate:
    def test_admin_adds_a_person_with_a_first_role(self, hierarchy, force_admin):
        person = user_create(
            acting_user=force_admin,
            unit=hierarchy.bcu,
            role=Role.MEMBER,
            username="j.patel",
            password=NEW_PASSWORD,
            first_name="Jas",
            last_name="Patel",
            vetting_level=VettingLevel.RV,
        )

        assert person.check_password(NEW_PASSWORD)
        assert not person.is_partner
        assert list(person.memberships.values_list("unit", "role")) == [
            (hierarchy.bcu.pk, Role.MEMBER)
        ]
        assert last_event(AuditVerb.CREATE).object_id == str(person.pk)
        assert last_event(AuditVerb.GRANT).detail["role"] == Role.MEMBER

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        before = state()

        with pytest.raises(PermissionDenied):
            user_create(
                acting_user=outsider,
                unit=hierarchy.bcu,
                role=Role.MEMBER,
                username="j.patel",
                password=NEW_PASSWORD,
            )

        assert state() == before

    def test_username_taken_whatever_the_case_is_refused(self, hierarchy, force_admin):
        UserFactory(username="j.patel")
        before = state()

        with pytest.raises(ValidationError, match="already taken"):
            user_create(
                acting_user=force_admin,
                unit=hierarchy.bcu,
                role=Role.MEMBER,
                username="J.Patel",
                password=NEW_PASSWORD,
            )

        assert state() == before

    def test_weak_password_is_refused(self, hierarchy, force_admin):
        before = state()

        with pytest.raises(ValidationError):
            user_create(
                acting_user=force_admin,
                unit=hierarchy.bcu,
                role=Role.MEMBER,
                username="j.patel",
                password="short",
            )

        assert state() == before


class TestMembershipGrant:
    def test_admin_grants_a_role_below_them(self, hierarchy, force_admin):
        person = UserFactory()

        membership = membership_grant(
            acting_user=force_admin, user=person, unit=hierarchy.bcu, role=Role.CHAIR
        )

        assert (membership.granted_by, membership.role) == (force_admin, Role.CHAIR)
        assert membership.history.first().history_type == "+"
        event = last_event(AuditVerb.GRANT)
        assert event.object_id == str(person.pk)
        assert event.detail == {
            "unit": hierarchy.bcu.pk,
            "unit_name": hierarchy.bcu.name,
            "role": Role.CHAIR,
        }

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        before = state()

        with pytest.raises(PermissionDenied):
            membership_grant(
                acting_user=outsider, user=UserFactory(), unit=hierarchy.bcu, role=Role.ANALYST
            )

        assert state()[2] == before[2]
        assert state()[4] == before[4]

    def test_admin_cannot_grant_above_their_own_unit(self, hierarchy, force_admin):
        with pytest.raises(PermissionDenied):
            membership_grant(
                acting_user=force_admin, user=UserFactory(), unit=hierarchy.region, role=Role.ADMIN
            )

    def test_partner_users_cannot_hold_police_roles(self, hierarchy, national_admin):
        partner = PartnerUserFactory()

        with pytest.raises(ValidationError, match="Partner agency users cannot hold a police role"):
            membership_grant(
                acting_user=national_admin, user=partner, unit=hierarchy.bcu, role=Role.MEMBER
            )

        assert not partner.memberships.exists()
        with pytest.raises(ValidationError):
            Membership(user=partner, unit=hierarchy.bcu, role=Role.MEMBER).clean()

    def test_role_already_held_is_refused_with_a_clear_message(self, hierarchy, force_admin):
        person = member(hierarchy.bcu, Role.MEMBER)

        with pytest.raises(ValidationError, match="already holds the t&cg member role"):
            membership_grant(
                acting_user=force_admin, user=person, unit=hierarchy.bcu, role=Role.MEMBER
            )

        assert person.memberships.count() == 1

    def test_unknown_role_and_inactive_unit_are_refused(self, hierarchy, force_admin):
        with pytest.raises(ValidationError, match="Choose a role"):
            membership_grant(
                acting_user=force_admin, user=UserFactory(), unit=hierarchy.bcu, role="superhero"
            )
        closed = unit_deactivate(acting_user=force_admin, unit=hierarchy.bcu, reason="Merged")
        with pytest.raises(ValidationError, match="inactive"):
            membership_grant(
                acting_user=force_admin, user=UserFactory(), unit=closed, role=Role.MEMBER
            )


class TestMembershipRevoke:
    def test_admin_revokes_a_role_below_them(self, hierarchy, force_admin):
        person = member(hierarchy.bcu, Role.CHAIR)
        membership = person.memberships.get()

        membership_pk = membership.pk

        membership_revoke(acting_user=force_admin, membership=membership)

        assert not person.memberships.exists()
        assert Membership.history.filter(id=membership_pk).first().history_type == "-"
        event = last_event(AuditVerb.REVOKE)
        assert (event.object_id, event.detail["role"]) == (str(person.pk), Role.CHAIR)

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        membership = member(hierarchy.bcu, Role.CHAIR).memberships.get()
        before = state()

        with pytest.raises(PermissionDenied):
            membership_revoke(acting_user=outsider, membership=membership)

        assert state() == before

    def test_admin_cannot_revoke_their_own_admin_role(self, hierarchy, force_admin):
        with pytest.raises(ValidationError, match="cannot revoke your own admin role"):
            membership_revoke(acting_user=force_admin, membership=force_admin.memberships.get())

        assert force_admin.memberships.exists()


class TestUserUpdateVetting:
    def test_admin_updates_the_vetting_of_someone_they_administer(self, hierarchy, force_admin):
        person = member(hierarchy.bcu, vetting_level=VettingLevel.RV)

        updated = user_update_vetting(
            acting_user=force_admin, user=person, vetting_level=VettingLevel.SC
        )

        assert updated.vetting_level == VettingLevel.SC
        assert updated.history.first().history_change_reason == "Vetting updated"
        event = last_event(AuditVerb.UPDATE)
        assert event.detail["before"]["vetting_level"] == VettingLevel.RV
        assert event.detail["after"]["vetting_level"] == VettingLevel.SC

    def test_outsiders_are_refused_and_nothing_changes(self, hierarchy, outsider):
        person = member(hierarchy.bcu, vetting_level=VettingLevel.RV)
        before = state()

        with pytest.raises(PermissionDenied):
            user_update_vetting(acting_user=outsider, user=person, vetting_level=VettingLevel.DV)

        assert state() == before

    def test_unknown_vetting_level_is_refused(self, hierarchy, force_admin):
        person = member(hierarchy.bcu, vetting_level=VettingLevel.RV)

        with pytest.raises(ValidationError):
            user_update_vetting(acting_user=force_admin, user=person, vetting_level="GOLD")

        person.refresh_from_db()
        assert person.vetting_level == VettingLevel.RV
