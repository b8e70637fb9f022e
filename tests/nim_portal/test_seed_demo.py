"""`manage.py seed_demo`: the national hierarchy of England and Wales and the demo people (West
Midlands Police's six and its neighbour Staffordshire's four)."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory

from nim_portal import access
from nim_portal.choices import Role, UnitKind, UserKind, VettingLevel
from nim_portal.demo.hierarchy import BCUS_BY_FORCE, FORCES_BY_REGION
from nim_portal.demo.people import DEMO_PEOPLE
from nim_portal.models import AuditEvent, Membership, Unit, User
from nim_portal.services import unit_move

pytestmark = pytest.mark.django_db

PASSWORD = "fresh-clone-Passw0rd"

REGIONS = {
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "Eastern",
    "London",
    "South East",
    "South West",
    "Wales",
}

# A force from every region, and every force of two regions, with the region it belongs to.
FORCE_REGION = {
    "Cleveland Police": "North East",
    "Cumbria Constabulary": "North West",
    "Humberside Police": "Yorkshire and the Humber",
    "Northamptonshire Police": "East Midlands",
    "West Midlands Police": "West Midlands",
    "Staffordshire Police": "West Midlands",
    "Warwickshire Police": "West Midlands",
    "West Mercia Police": "West Midlands",
    "Bedfordshire Police": "Eastern",
    "Metropolitan Police Service": "London",
    "City of London Police": "London",
    "Thames Valley Police": "South East",
    "Kent Police": "South East",
    "Gloucestershire Constabulary": "South West",
    "Dyfed-Powys Police": "Wales",
    "Gwent Police": "Wales",
    "North Wales Police": "Wales",
    "South Wales Police": "Wales",
}

# username -> (role, kind of unit, vetting)
DEMO_ROLES = {
    "admin": (Role.ADMIN, UnitKind.NATIONAL, VettingLevel.MV),
    "analyst": (Role.ANALYST, UnitKind.FORCE, VettingLevel.MV),
    "reviewer": (Role.REVIEWER, UnitKind.FORCE, VettingLevel.SC),
    "chair": (Role.CHAIR, UnitKind.BCU, VettingLevel.MV),
    "member": (Role.MEMBER, UnitKind.BCU, VettingLevel.RV),
}


@pytest.fixture(autouse=True)
def demo_env(monkeypatch, settings):
    monkeypatch.setenv("NIM_DEMO_PASSWORD", PASSWORD)
    # The seed hashes a password a person a run: a fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "units": list(Unit.objects.values_list("pk", "path", "kind", "code", "name", "is_active")),
        "users": list(User.objects.values_list("pk", "username", "password", "vetting_level")),
        "memberships": list(Membership.objects.values_list("pk", "user_id", "unit_id", "role")),
        "unit history": Unit.history.count(),
        "user history": User.history.count(),
        "membership history": Membership.history.count(),
        "audit events": AuditEvent.objects.count(),
    }


def units_of(kind):
    return Unit.objects.filter(kind=kind)


def test_hierarchy_has_national_ten_regions_and_all_43_forces():
    seed("--quiet")

    national = units_of(UnitKind.NATIONAL).get(is_agency=False)
    assert national.is_root() and national.code == "UK"
    # The law enforcement agencies at Level 3 are roots of their own beside it.
    agencies = units_of(UnitKind.NATIONAL).filter(is_agency=True)
    assert {agency.code for agency in agencies} == {"NCA", "ROCU-WM", "BTP", "HMRC", "BF"}
    assert all(agency.is_root() for agency in agencies)
    assert set(units_of(UnitKind.REGION).values_list("name", flat=True)) == REGIONS
    assert all(Unit.objects.get_parent(region) == national for region in units_of(UnitKind.REGION))
    assert units_of(UnitKind.FORCE).count() == 43
    assert units_of(UnitKind.FORCE).values("name").distinct().count() == 43
    for force_name, region_name in FORCE_REGION.items():
        force = units_of(UnitKind.FORCE).get(name=force_name)
        assert Unit.objects.get_parent(force).name == region_name, force_name
    region_sizes = {
        region.name: region.numchild for region in units_of(UnitKind.REGION).order_by("name")
    }
    assert region_sizes["London"] == 2
    assert region_sizes["West Midlands"] == 4
    assert region_sizes["Eastern"] == 6
    assert sum(region_sizes.values()) == 43


def test_bcus_sit_in_at_least_three_forces():
    seed("--quiet")

    forces_with_bcus = (
        units_of(UnitKind.FORCE).filter(numchild__gt=0).values_list("name", flat=True)
    )
    assert {"West Midlands Police", "Staffordshire Police"} <= set(forces_with_bcus)
    assert len(forces_with_bcus) >= 3
    wmp = units_of(UnitKind.FORCE).get(code="WMP")
    assert {"Birmingham East", "Birmingham West", "Coventry", "Wolverhampton"} <= set(
        Unit.objects.get_children(wmp).values_list("name", flat=True)
    )
    assert all(
        Unit.objects.get_parent(bcu).kind == UnitKind.FORCE for bcu in units_of(UnitKind.BCU)
    )


def test_each_kind_of_unit_has_its_nim_level():
    seed("--quiet")

    levels = {kind: {unit.nim_level for unit in units_of(kind)} for kind in UnitKind.values}
    assert levels == {
        UnitKind.NATIONAL: {3},
        UnitKind.REGION: {2},
        UnitKind.FORCE: {2},
        UnitKind.BCU: {1},
    }


def test_demo_data_codes_are_unique_for_each_kind():
    regions = list(FORCES_BY_REGION)
    forces = [force for forces in FORCES_BY_REGION.values() for force in forces]
    bcus = [bcu for bcus in BCUS_BY_FORCE.values() for bcu in bcus]

    for units in (regions, forces, bcus):
        codes = [unit.code for unit in units]
        assert len(codes) == len(set(codes))
        assert all(len(code) <= 20 for code in codes)
    assert set(BCUS_BY_FORCE) <= {force.code for force in forces}


def test_demo_people_have_their_role_unit_and_vetting():
    seed("--quiet")

    for username, (role, unit_kind, vetting) in DEMO_ROLES.items():
        user = User.objects.get(username=username)
        membership = user.memberships.select_related("unit").get()
        assert (membership.role, membership.unit.kind) == (role, unit_kind), username
        assert user.vetting_level == vetting
        assert user.kind == UserKind.POLICE
        assert user.email.endswith(".example") and user.get_full_name()
    assert User.objects.filter(username__in=DEMO_ROLES).count() == 5

    analyst = User.objects.get(username="analyst")
    assert analyst.memberships.get().unit.name == "West Midlands Police"
    assert User.objects.get(username="reviewer").memberships.get().unit.name == (
        "West Midlands Police"
    )
    chair_unit = User.objects.get(username="chair").memberships.get().unit
    assert Unit.objects.get_parent(chair_unit).name == "West Midlands Police"


def test_demo_admin_is_staff_national_admin_but_not_superuser():
    seed("--quiet")

    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert all(access.may_administer(admin, unit) for unit in Unit.objects.filter(is_agency=False))
    # A law enforcement agency is administered by its own administrators, not the national ones.
    assert not access.may_administer(admin, Unit.objects.get(code="NCA"))
    analyst = User.objects.get(username="analyst")
    assert not analyst.is_staff
    assert not access.may_administer(analyst, units_of(UnitKind.FORCE).get(code="WMP"))


def test_demo_partner_holds_no_police_role():
    seed("--quiet")

    partner = User.objects.get(username="partner")
    assert partner.is_partner
    assert partner.vetting_level == VettingLevel.NPPV2A
    assert not partner.memberships.exists()
    assert not access.units_covered(partner, Role.MEMBER).exists()


def test_every_demo_user_signs_in_with_the_password_from_the_environment():
    seed("--quiet")

    # Each from its own address: one address failing for many usernames is locked out.
    for n, username in enumerate([*DEMO_ROLES, "partner"], start=1):
        factory = RequestFactory(REMOTE_ADDR=f"10.0.0.{n}")
        request = factory.post("/accounts/login/")
        assert authenticate(request, username=username, password=PASSWORD) is not None, username
        request = factory.post("/accounts/login/")
        assert authenticate(request, username=username, password="wrong-Passw0rd-1") is None


def test_running_twice_changes_nothing_and_duplicates_nothing():
    first_output = seed()
    before = snapshot()

    second_output = seed()

    assert snapshot() == before
    duplicated = (
        Membership.objects.values("user", "unit", "role").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicated.exists()
    assert User.objects.filter(username__in=[*DEMO_ROLES, "partner"]).count() == 6
    assert "43 forces" in first_output
    assert "Nothing to change" in second_output


def test_a_second_run_resets_passwords_and_restores_the_demo_people():
    seed("--quiet")
    admin = User.objects.get(username="admin")
    admin.set_password("Someone-changed-it-99")
    admin.vetting_level = VettingLevel.NPPV1
    admin.save()
    admin.memberships.all().delete()

    seed("--quiet")

    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)
    assert admin.vetting_level == VettingLevel.MV
    assert admin.memberships.filter(role=Role.ADMIN, unit__kind=UnitKind.NATIONAL).exists()


def test_a_unit_an_admin_moved_is_not_created_again():
    seed("--quiet")
    admin = User.objects.get(username="admin")
    coventry = Unit.objects.get(code="WMP-COV")
    warwickshire = Unit.objects.get(code="WARKS")
    unit_move(acting_user=admin, unit=coventry, new_parent=warwickshire)
    before = snapshot()

    seed("--quiet")

    assert snapshot() == before
    assert Unit.objects.get_parent(Unit.objects.get(code="WMP-COV")) == warwickshire


def test_without_the_environment_variable_the_settings_default_is_used(monkeypatch):
    monkeypatch.delenv("NIM_DEMO_PASSWORD")

    output = seed()

    assert settings.NIM_DEMO_PASSWORD_DEFAULT in output
    assert User.objects.get(username="member").check_password(settings.NIM_DEMO_PASSWORD_DEFAULT)


def test_a_password_the_validators_refuse_stops_the_seed_before_any_write(monkeypatch):
    monkeypatch.setenv("NIM_DEMO_PASSWORD", "short")

    with pytest.raises(CommandError, match="too short"):
        seed("--quiet")

    assert not Unit.objects.exists()
    assert not User.objects.exists()


def test_the_printed_table_lists_each_login_and_quiet_prints_nothing():
    output = seed()

    table = output.split("Demo logins", 1)[1]
    for username in [*DEMO_ROLES, "partner"]:
        assert f"\n{username} " in table
    # The neighbouring force's people too: every demo person signs in with the printed password.
    assert table.count(PASSWORD) == len(DEMO_PEOPLE) == 10
    assert "staffschair " in table and "Staffordshire Police" in table
    assert "West Midlands Police" in table and "NPPV2A" in table
    assert seed("--quiet") == ""
