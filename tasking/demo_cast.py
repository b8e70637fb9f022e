"""The people and units the tasking demo works with: those `seed_demo` made (the demo hierarchy's
force and two BCUs, the neighbouring force, the demo people) and the three it adds (two chairs and
an analyst)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from nim_portal.choices import Role, UnitKind, VettingLevel
from nim_portal.demo.seed import demo_password
from nim_portal.models import Unit, User
from nim_portal.services import user_create
from products.demo import BCU, FORCE, STRATEGIC_TITLE
from products.models import Product

WEST_BCU = "WMP-BW"
# The neighbouring force, whose T&CGs the force's ask sideways (and the other way round).
NEIGHBOUR = "STAFFS"
DEMO_USERNAMES = ("admin", "analyst", "reviewer", "chair", "member", "partner")
NEIGHBOUR_USERNAMES = ("staffschair", "staffsanalyst", "staffsreviewer", "staffsmember")


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCast:
    admin: User
    analyst: User
    reviewer: User
    chair: User
    member: User
    partner: User
    force: Unit
    bcu: Unit
    west: Unit
    neighbour: Unit
    neighbours_people: dict[str, User]

    def unit(self, code: str) -> Unit:
        return {FORCE: self.force, BCU: self.bcu, WEST_BCU: self.west, NEIGHBOUR: self.neighbour}[
            code
        ]


def demo_cast() -> DemoCast:
    usernames = DEMO_USERNAMES + NEIGHBOUR_USERNAMES
    people = {user.username: user for user in User.objects.filter(username__in=usernames)}
    units = {
        unit.code: unit
        for unit in Unit.objects.filter(kind=UnitKind.FORCE, code__in=(FORCE, NEIGHBOUR))
        | Unit.objects.filter(kind=UnitKind.BCU, code__in=(BCU, WEST_BCU))
    }
    missing = [name for name in usernames if name not in people] + [
        code for code in (FORCE, BCU, WEST_BCU, NEIGHBOUR) if code not in units
    ]
    if missing:
        raise ValidationError(
            f"The demo hierarchy and people are missing ({', '.join(missing)}): "
            "run `manage.py seed_demo` first."
        )
    if not Product.objects.filter(unit=units[FORCE], title=STRATEGIC_TITLE).exists():
        raise ValidationError(
            "The demo strategic assessment is missing: run `manage.py seed_demo_products` first."
        )
    return DemoCast(
        **{name: people[name] for name in DEMO_USERNAMES},
        force=units[FORCE],
        bcu=units[BCU],
        west=units[WEST_BCU],
        neighbour=units[NEIGHBOUR],
        neighbours_people={name: people[name] for name in NEIGHBOUR_USERNAMES},
    )


# The chairs of the force's and Birmingham West's T&CGs (the demo `chair` chairs Birmingham East),
# and Birmingham East's own analyst, who develops the tactical assessment before each of its TT&CGs
# (the schedule commissions it from an analyst of the unit itself).


@dataclass(frozen=True)
class DemoPerson:
    username: str
    unit_code: str
    first_name: str
    last_name: str
    job_title: str
    role: str = Role.CHAIR
    vetting_level: str = VettingLevel.MV


FORCE_CHAIR = DemoPerson(
    "forcechair", FORCE, "James", "Adeyemi", "Assistant Chief Constable, force ST&CG chair"
)
WEST_CHAIR = DemoPerson(
    "westchair", WEST_BCU, "Nadia", "Rahman", "Chief Inspector, Birmingham West TT&CG chair"
)
EAST_ANALYST = DemoPerson(
    "eastanalyst",
    BCU,
    "Tom",
    "Okafor",
    "Intelligence analyst, Birmingham East",
    role=Role.ANALYST,
    vetting_level=VettingLevel.SC,
)


def _demo_person(cast: DemoCast, demo: DemoPerson, result: DemoResult) -> User:
    user = User.objects.filter(username__iexact=demo.username).first()
    if user is not None:
        result.present.append(f"person: {demo.username}")
        return user
    user = user_create(
        acting_user=cast.admin,
        unit=cast.unit(demo.unit_code),
        role=demo.role,
        username=demo.username,
        password=demo_password(),
        first_name=demo.first_name,
        last_name=demo.last_name,
        email=f"{demo.first_name}.{demo.last_name}@wmp.police.example".lower(),
        job_title=demo.job_title,
        vetting_level=demo.vetting_level,
    )
    result.created.append(f"person: {demo.username}")
    return user


def seed_people(cast: DemoCast, result: DemoResult) -> dict[str, User]:
    """The people the demo's tasking names, by username: the demo people who chair, analyse,
    review and attend (the neighbouring force's too), and the three added here."""
    with transaction.atomic():
        added = [
            _demo_person(cast, demo, result) for demo in (FORCE_CHAIR, WEST_CHAIR, EAST_ANALYST)
        ]
    people = {user.username: user for user in (cast.analyst, cast.reviewer, cast.chair)}
    people |= {cast.member.username: cast.member, **{person.username: person for person in added}}
    return people | cast.neighbours_people
