"""Creates the demo hierarchy and people, or brings them back: safe to run any number of times.

There is no acting user when the demo is seeded (the first admin is made here), so units and
people are written directly, found again by code and username; simple-history records each row
created or changed with the reason below. Nothing an admin has changed in the hierarchy since
(moves, renames, deactivations) is undone; demo people get their role, vetting and password back.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from nim_portal.choices import Role, UnitKind, VettingLevel
from nim_portal.demo.hierarchy import AGENCIES, BCUS_BY_FORCE, FORCES_BY_REGION, NATIONAL, DemoUnit
from nim_portal.demo.people import DEMO_PEOPLE, DemoPerson
from nim_portal.models import Membership, Unit, User
from nim_portal.settings.env import env_str

SEED_REASON = "Demo data (seed_demo)"


def demo_password() -> str:
    """NIM_DEMO_PASSWORD, or the printed default of the settings when it is unset or empty."""
    return env_str("NIM_DEMO_PASSWORD") or settings.NIM_DEMO_PASSWORD_DEFAULT


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str
    vetting: str
    password: str


@dataclass
class SeedResult:
    units_created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(UnitKind.values, 0))
    people_created: int = 0
    people_updated: int = 0
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.units_created.values()) or self.people_created or self.people_updated)


def _ensure_unit(
    parent: Unit | None, kind: str, demo: DemoUnit, result: SeedResult, *, is_agency=False
) -> Unit:
    siblings = (
        Unit.objects.get_children(parent) if parent is not None else Unit.objects.get_root_nodes()
    )
    unit = (
        siblings.filter(kind=kind, code__iexact=demo.code).first()
        # An admin may have moved it since: demo codes are unique per kind, so it is still ours.
        or Unit.objects.filter(kind=kind, code__iexact=demo.code).order_by("path").first()
    )
    if unit is not None:
        return unit
    unit = Unit(kind=kind, code=demo.code, name=demo.name, is_agency=is_agency)
    unit._change_reason = SEED_REASON
    result.units_created[kind] += 1
    if parent is None:
        return Unit.objects.add_root(instance=unit)
    return Unit.objects.add_child(parent, instance=unit)


def _seed_hierarchy(result: SeedResult) -> dict[str, Unit]:
    units = {NATIONAL.code: _ensure_unit(None, UnitKind.NATIONAL, NATIONAL, result)}
    for agency in AGENCIES:
        units[agency.code] = _ensure_unit(None, UnitKind.NATIONAL, agency, result, is_agency=True)
    for region, forces in FORCES_BY_REGION.items():
        units[region.code] = _ensure_unit(units[NATIONAL.code], UnitKind.REGION, region, result)
        for force in forces:
            units[force.code] = _ensure_unit(units[region.code], UnitKind.FORCE, force, result)
            for bcu in BCUS_BY_FORCE.get(force.code, []):
                units[bcu.code] = _ensure_unit(units[force.code], UnitKind.BCU, bcu, result)
    return units


def _ensure_person(person: DemoPerson, unit: Unit | None, password: str, result: SeedResult):
    user = User.objects.filter(username__iexact=person.username).first()
    created = user is None
    if created:
        user = User(username=person.username)
    wanted = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "job_title": person.job_title,
        "kind": person.kind,
        "vetting_level": person.vetting_level,
        "vetting_expires_on": None,
        "is_staff": person.is_staff,
        "is_active": True,
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    # Reset only a password that differs, so that a second run writes nothing.
    if created or not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user._change_reason = SEED_REASON
        user.save()

    if unit is not None and person.role is not None:
        held = Membership.objects.filter(user=user, unit=unit, role=person.role).exists()
        if not held:
            membership = Membership(user=user, unit=unit, role=person.role)
            membership._change_reason = SEED_REASON
            membership.save()
            changed.append("membership")

    if created:
        result.people_created += 1
    elif changed:
        result.people_updated += 1

    result.logins.append(
        DemoLogin(
            username=user.username,
            role=Role(person.role).label if person.role else "Partner agency user (no police role)",
            unit=unit.name if unit is not None else "-",
            vetting=VettingLevel(person.vetting_level).value,
            password=password,
        )
    )


@transaction.atomic
def seed_demo(password: str) -> SeedResult:
    """Seed the demo; a password the validators reject raises ValidationError, nothing written."""
    for person in DEMO_PEOPLE:
        validate_password(
            password,
            User(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
            ),
        )
    result = SeedResult()
    units = _seed_hierarchy(result)
    for person in DEMO_PEOPLE:
        unit = units[person.unit_code] if person.unit_code else None
        _ensure_person(person, unit, password, result)
    return result
