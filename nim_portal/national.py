"""The national dataset's hierarchy and people, for `manage.py seed_national` (benchmarks).

Written straight into an empty database with bulk inserts, in batches: no history rows, and none
of the services' per-row checks (at national size they would take hours). What is written keeps
the rules the services keep: tree paths and child counts as treebeard computes them, one
membership per person, unit and role, every role at every level, vetting of every kind (some of
it lapsed), and the bench users whose names the benchmark relies on.

The other apps' builders (products, partners, tasking: each `national.py`) build on what this one
returns, and use its helpers: the `Run` (random choices, clock, `Progress`, `RowWriter`),
`bulk_insert` and `dates_as_given` for the smaller tables.
"""

import datetime
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from nim_portal.choices import NO_CLEARANCE, Role, UnitKind, UserKind, VettingLevel
from nim_portal.models import Membership, Unit, User, VettingClearance

BATCH_SIZE = 2000
# The units and people exist this long before the dataset's first meeting (older products too).
PRE_HISTORY_DAYS = 400

# The bench users (the benchmark signs in by these names; keep them).
BENCH_FORCE_ANALYST = "bench_force_analyst"
BENCH_NATIONAL_ANALYST = "bench_national_analyst"
BENCH_MEMBER = "bench_member"
BENCH_CHAIR = "bench_chair"
BENCH_ADMIN = "bench_admin"
BENCH_SUPERUSER = "bench_superuser"
BENCH_LAPSED = "bench_lapsed"


# Progress, bulk inserts and dates.


class Progress:
    """A progress bar on one line of `stream`, one stage at a time (label, count, bar, time).

    Redrawn at most every 0.2 s and at the end of each stage; `quiet` draws nothing.
    """

    WIDTH = 30

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.monotonic()
        self.label, self.total, self.done = "", 0, 0
        self._drawn_at = 0.0

    def stage(self, label: str, total: int) -> None:
        self.finish()
        self.label, self.total, self.done = label, max(total, 1), 0
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total)
        self._draw(force=self.done == self.total)

    def finish(self) -> None:
        if self.label:
            self.done = self.total
            self._draw(force=True)
            if not self.quiet:
                self.stream.write("\n")
                self.stream.flush()
        self.label = ""

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if self.quiet or (not force and now - self._drawn_at < 0.2):
            return
        self._drawn_at = now
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        elapsed = int(now - self.started)
        self.stream.write(
            f"\r{self.label:<28} [{bar}] {100 * self.done // self.total:3d}% "
            f"{self.done:>9,}/{self.total:,}  {elapsed // 60:d}:{elapsed % 60:02d}"
        )
        self.stream.flush()


class RowWriter:
    """Writes rows of one model at a time, each a dict of field attnames (the dates given for
    auto_now fields kept): by COPY on PostgreSQL, where at national size bulk_create spends
    more time building SQL than the database spends storing rows, by bulk_create elsewhere.

    `ids` reserves primary keys, so that rows can point at each other before they are written.
    """

    def __init__(self, connection):
        self.connection = connection
        self.copies = connection.vendor == "postgresql"
        self._next_ids: dict[str, int] = {}

    def ids(self, model: type[models.Model], count: int) -> range:
        table = model._meta.db_table
        if count <= 0:
            return range(0)
        with self.connection.cursor() as cursor:
            if self.copies:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), "
                    "nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                    [table, model._meta.pk.column, table, model._meta.pk.column, count],
                )
                last = cursor.fetchone()[0]
                return range(last - count + 1, last + 1)
            cursor.execute(
                f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {table}"  # noqa: S608
            )
            first = max(cursor.fetchone()[0] + 1, self._next_ids.get(table, 1))
        self._next_ids[table] = first + count
        return range(first, first + count)

    def write(
        self, model: type[models.Model], rows: list[dict], progress: Progress | None = None
    ) -> None:
        if not rows:
            return
        if self.copies:
            self._copy(model, rows)
        else:
            with dates_as_given(model):
                model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        if progress is not None:
            progress.advance(len(rows))

    def _copy(self, model: type[models.Model], rows: list[dict]) -> None:
        pk = model._meta.pk.attname
        fields = [f for f in model._meta.concrete_fields if pk in rows[0] or f.attname != pk]
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        plan = []
        for f in fields:
            is_json = isinstance(f, models.JSONField)
            if f.has_default() and callable(f.default):
                plan.append((f.attname, None, f.get_default, is_json))
            else:
                plan.append((f.attname, f.get_default(), None, is_json))
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                values = []
                for attname, default, make_default, is_json in plan:
                    value = (
                        row.get(attname, default)
                        if make_default is None
                        else (row[attname] if attname in row else make_default())
                    )
                    if is_json and value is not None:
                        value = json.dumps(value)
                    values.append(value)
                copy.write_row(values)


@dataclass
class Run:
    """One seeding run: its random choices, its clock, its progress bar and its row writer."""

    rng: random.Random
    now: datetime.datetime
    since: datetime.date
    progress: Progress
    writer: RowWriter

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)


def fields_of(obj: models.Model) -> dict:
    """A model instance as a row for RowWriter (its primary key only when it has one)."""
    row = {f.attname: f.get_prep_value(f.value_from_object(obj)) for f in obj._meta.concrete_fields}
    if row[obj._meta.pk.attname] is None:
        del row[obj._meta.pk.attname]
    return row


def bulk_insert(
    model: type[models.Model], rows: Iterable[models.Model], progress: Progress | None = None
) -> list:
    """Insert `rows` in batches; returns them with their primary keys (also on SQLite)."""
    rows = list(rows)
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        model.objects.bulk_create(batch)
        if progress is not None:
            progress.advance(len(batch))
    return rows


@contextmanager
def dates_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """While open, inserts of these models keep the dates given to their auto_now(_add) fields,
    so that a dataset spread over years does not look created in one second. Every row must then
    carry those dates itself."""
    fields = [
        f
        for model in model_classes
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """`total` split in proportion to `weights`, each share at least `minimum` (largest
    remainders first, so that the shares add up to `total` when it covers the minimums)."""
    count = len(weights)
    spare = max(total - minimum * count, 0)
    scale = sum(weights) or 1
    exact = [spare * w / scale for w in weights]
    shares = [minimum + int(e) for e in exact]
    left = spare - sum(int(e) for e in exact)
    for index in sorted(range(count), key=lambda i: exact[i] - int(exact[i]), reverse=True)[:left]:
        shares[index] += 1
    return shares


def moment(day: datetime.date, rng: random.Random, *, start_hour=8, end_hour=18):
    """A time of day on `day`, in working hours, aware in the current time zone."""
    minutes = rng.randrange(start_hour * 60, end_hour * 60)
    naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
    return timezone.make_aware(naive)


# The hierarchy.

REGION_NAMES = (
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
)
FORCE_NAMES = (
    ("CLEV", "Cleveland Police"),
    ("DURH", "Durham Constabulary"),
    ("NBRIA", "Northumbria Police"),
    ("CHES", "Cheshire Constabulary"),
    ("CUMB", "Cumbria Constabulary"),
    ("GMP", "Greater Manchester Police"),
    ("LANCS", "Lancashire Constabulary"),
    ("MERS", "Merseyside Police"),
    ("HUMB", "Humberside Police"),
    ("NYP", "North Yorkshire Police"),
    ("SYP", "South Yorkshire Police"),
    ("WYP", "West Yorkshire Police"),
    ("DERBYS", "Derbyshire Constabulary"),
    ("LEICS", "Leicestershire Police"),
    ("LINCS", "Lincolnshire Police"),
    ("NTHANTS", "Northamptonshire Police"),
    ("NOTTS", "Nottinghamshire Police"),
    ("STAFFS", "Staffordshire Police"),
    ("WARKS", "Warwickshire Police"),
    ("WMERC", "West Mercia Police"),
    ("WMP", "West Midlands Police"),
    ("BEDS", "Bedfordshire Police"),
    ("CAMBS", "Cambridgeshire Constabulary"),
    ("ESSEX", "Essex Police"),
    ("HERTS", "Hertfordshire Constabulary"),
    ("NORF", "Norfolk Constabulary"),
    ("SUFF", "Suffolk Constabulary"),
    ("MPS", "Metropolitan Police Service"),
    ("COLP", "City of London Police"),
    ("HIOW", "Hampshire and Isle of Wight Constabulary"),
    ("KENT", "Kent Police"),
    ("SURREY", "Surrey Police"),
    ("SUSSEX", "Sussex Police"),
    ("TVP", "Thames Valley Police"),
    ("ASP", "Avon and Somerset Police"),
    ("DCP", "Devon and Cornwall Police"),
    ("DORSET", "Dorset Police"),
    ("GLOS", "Gloucestershire Constabulary"),
    ("WILTS", "Wiltshire Police"),
    ("DPP", "Dyfed-Powys Police"),
    ("GWENT", "Gwent Police"),
    ("NWP", "North Wales Police"),
    ("SWP", "South Wales Police"),
)
AREA_NAMES = (
    "North",
    "South",
    "East",
    "West",
    "Central",
    "City",
    "North East",
    "North West",
    "South East",
    "South West",
    "Coast",
    "Valleys",
    "Borough",
    "Riverside",
    "Moorlands",
    "Vale",
)


@dataclass(frozen=True, slots=True)
class Person:
    """Who a seeded user is, for the builders: their vetting ceiling today (0 when lapsed)."""

    pk: int
    username: str
    first_name: str
    last_name: str
    kind: str
    vetting_level: str
    ceiling: int

    @property
    def name(self) -> str:
        """As User.__str__ shows the person."""
        return f"{self.first_name} {self.last_name}".strip() or self.username

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.last_name, self.first_name, self.username)

    def may_read(self, marking: int) -> bool:
        return marking <= self.ceiling


@dataclass
class Hierarchy:
    """The units and police people of the national dataset, indexed for the other builders."""

    units: list[Unit]
    bench_force: Unit
    bench_bcu: Unit
    clearance: dict[str, int]
    people: dict[int, Person] = field(default_factory=dict)
    bench: dict[str, Person] = field(default_factory=dict)
    # (unit pk, role) -> the people holding the role in that unit itself.
    holders: dict[tuple[int, str], list[Person]] = field(default_factory=lambda: defaultdict(list))
    memberships: int = 0
    # The one password hash of every seeded person (see `password_hash`).
    password_hash: str = ""

    def __post_init__(self):
        self.by_path = {unit.path: unit for unit in self.units}
        self.by_pk = {unit.pk: unit for unit in self.units}
        self.children: dict[int, list[Unit]] = defaultdict(list)
        for unit in self.units:
            if unit.depth > 1:
                self.children[self.by_path[unit.parent_path].pk].append(unit)

    def of_kind(self, kind: str) -> list[Unit]:
        return [unit for unit in self.units if unit.kind == kind]

    @property
    def national(self) -> Unit:
        return self.units[0]

    def parent(self, unit: Unit) -> Unit | None:
        return self.by_path.get(unit.parent_path) if unit.depth > 1 else None

    def lineage(self, unit: Unit) -> list[Unit]:
        """`unit` and every unit above it, nearest first."""
        step = Unit.steplen
        return [self.by_path[unit.path[:end]] for end in range(len(unit.path), 0, -step)]

    def below(self, unit: Unit) -> list[Unit]:
        """Every unit under `unit` (not itself)."""
        return [u for u in self.units if u.path.startswith(unit.path) and u.pk != unit.pk]

    def holders_in(self, unit: Unit, roles: Iterable[str]) -> list[Person]:
        return [person for role in roles for person in self.holders[(unit.pk, role)]]

    def holders_over(
        self, unit: Unit, roles: Iterable[str], *, marking: int = NO_CLEARANCE
    ) -> list[Person]:
        """People holding one of `roles` at `unit` or above it who may read `marking`, nearest
        units first (rule 1: a role inherits down the tree)."""
        roles = tuple(roles)
        found = []
        for place in self.lineage(unit):
            found += [p for p in self.holders_in(place, roles) if p.may_read(marking)]
        return found

    def workers_around(self, unit: Unit, *, marking: int = NO_CLEARANCE) -> list[Person]:
        """People holding any role at `unit`, above or below it, who may read `marking`."""
        places = self.lineage(unit) + self.below(unit)
        seen, found = set(), []
        for place in places:
            for person in self.holders_in(place, Role.values):
                if person.pk not in seen and person.may_read(marking):
                    seen.add(person.pk)
                    found.append(person)
        return found


def place_name(name: str) -> str:
    """The place a force is named after ("West Midlands" of "West Midlands Police")."""
    for suffix in (" Police Service", " Constabulary", " Police"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


# The law enforcement agencies at Level 3, each a root of its own beside the national unit
# (Unit.is_agency); with them, one Regional Organised Crime Unit for each region.
AGENCY_NAMES = (
    ("NCA", "National Crime Agency"),
    ("BTP", "British Transport Police"),
    ("HMRC", "HM Revenue and Customs"),
    ("BF", "Border Force"),
)


def agency_count(regions: int) -> int:
    """How many agencies a dataset of `regions` regions holds (a ROCU a region)."""
    return len(AGENCY_NAMES) + max(regions, 1)


def _agencies(regions: list[Unit], created_at) -> list[Unit]:
    rocus = [(f"ROCU-{r.code}", f"{r.name} Regional Organised Crime Unit") for r in regions]
    return [
        Unit(
            path=_path(None, 1, step),
            depth=1,
            numchild=0,
            kind=UnitKind.NATIONAL,
            code=code,
            name=name,
            is_agency=True,
            created_at=created_at,
        )
        # The national unit is the first root.
        for step, (code, name) in enumerate([*AGENCY_NAMES, *rocus], start=2)
    ]


def _path(parent_path: str | None, depth: int, step: int) -> str:
    return Unit._get_path(parent_path, depth, step)


def _force_plan(rng: random.Random, forces: int) -> list[tuple[str, str, float]]:
    """(code, name, weight) of each force: real names while they last; the first is the
    largest (the bench force)."""
    plan = []
    for index in range(forces):
        code, name = FORCE_NAMES[index] if index < len(FORCE_NAMES) else (f"F{index + 1:03d}", "")
        plan.append((code, name or f"Force {index + 1}", rng.uniform(0.5, 2.0)))
    if plan:
        code, name, _ = plan[0]
        plan[0] = (code, name, max(weight for *_, weight in plan) * 2.5)
    return plan


def _units(rng: random.Random, *, regions: int, forces: int, bcus: int, since) -> list[Unit]:
    """National > regions > forces > BCUs, with paths as treebeard builds them; then the
    agencies, roots of their own."""
    forces = max(forces, 1)
    regions = min(max(regions, 1), forces)
    force_plan = _force_plan(rng, forces)
    bcu_counts = allocate(max(bcus, forces), [weight for *_, weight in force_plan], minimum=1)
    forces_of_region: list[list[int]] = [[] for _ in range(regions)]
    for index in range(forces):
        forces_of_region[index % regions].append(index)

    created = since - datetime.timedelta(days=PRE_HISTORY_DAYS)
    created_at = timezone.make_aware(datetime.datetime.combine(created, datetime.time(9)))
    national = Unit(
        path=_path(None, 1, 1),
        depth=1,
        numchild=regions,
        kind=UnitKind.NATIONAL,
        code="UK",
        name="National",
        created_at=created_at,
    )
    units = [national]
    regions_ = []
    for r, members in enumerate(forces_of_region, start=1):
        region_name = REGION_NAMES[r - 1] if r <= len(REGION_NAMES) else f"Region {r}"
        region = Unit(
            path=_path(national.path, 2, r),
            depth=2,
            numchild=len(members),
            kind=UnitKind.REGION,
            code=f"R{r:02d}",
            name=region_name,
            created_at=created_at,
        )
        units.append(region)
        regions_.append(region)
        for f, index in enumerate(members, start=1):
            code, name, _ = force_plan[index]
            force = Unit(
                path=_path(region.path, 3, f),
                depth=3,
                numchild=bcu_counts[index],
                kind=UnitKind.FORCE,
                code=code,
                name=name,
                created_at=created_at,
            )
            units.append(force)
            for b in range(1, bcu_counts[index] + 1):
                area = AREA_NAMES[(b - 1) % len(AREA_NAMES)]
                round_ = (b - 1) // len(AREA_NAMES)
                units.append(
                    Unit(
                        path=_path(force.path, 4, b),
                        depth=4,
                        numchild=0,
                        kind=UnitKind.BCU,
                        code=f"{code}-{b:02d}",
                        name=f"{place_name(name)} {area}" + (f" {round_ + 1}" if round_ else ""),
                        created_at=created_at,
                    )
                )
    return units + _agencies(regions_, created_at)


# People.

FIRST_NAMES = (
    "Aisha", "Alan", "Amelia", "Amir", "Andrew", "Anna", "Ben", "Bethan", "Chloe", "Chris",
    "Claire", "Daniel", "David", "Deborah", "Dylan", "Eleanor", "Emma", "Fatima", "Gareth",
    "Grace", "Hannah", "Harry", "Helen", "Imran", "Isla", "Jack", "James", "Jasmine", "Joanne",
    "John", "Kate", "Kieran", "Laura", "Leon", "Lucy", "Mark", "Martin", "Megan", "Mohammed",
    "Nadia", "Naomi", "Neil", "Nicola", "Oliver", "Olivia", "Paul", "Priya", "Rachel", "Rhys",
    "Richard", "Robert", "Ruth", "Sam", "Sarah", "Simon", "Sophie", "Stephen", "Tom", "Usman",
    "Victoria", "William", "Yasmin", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Ahmed", "Ali", "Allen", "Bailey", "Baker", "Bell", "Bennett", "Brown", "Campbell",
    "Carter", "Clarke", "Cooper", "Davies", "Edwards", "Evans", "Fisher", "Green", "Griffiths",
    "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James", "Johnson", "Jones", "Kaur",
    "Khan", "King", "Lewis", "Lloyd", "Martin", "Mitchell", "Moore", "Morgan", "Morris",
    "Murphy", "Owen", "Parker", "Patel", "Phillips", "Price", "Rahman", "Roberts", "Robinson",
    "Scott", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Turner", "Walker",
    "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
)  # fmt: skip

# The roles of a unit's people, in the order they are filled; past the end, the tail repeats.
ROLE_ORDER = {
    UnitKind.NATIONAL: (
        (Role.ANALYST, Role.REVIEWER, Role.REVIEWER, Role.CHAIR, Role.ADMIN, Role.MEMBER),
        (Role.ANALYST, Role.REVIEWER, Role.MEMBER),
    ),
    UnitKind.REGION: (
        (Role.ANALYST, Role.REVIEWER, Role.CHAIR, Role.ADMIN, Role.MEMBER, Role.ANALYST),
        (Role.ANALYST, Role.MEMBER),
    ),
    UnitKind.FORCE: (
        (Role.CHAIR, Role.ANALYST, Role.REVIEWER, Role.ADMIN, Role.ANALYST, Role.MEMBER),
        (Role.ANALYST, Role.MEMBER, Role.MEMBER, Role.REVIEWER, Role.MEMBER, Role.CHAIR),
    ),
    UnitKind.BCU: (
        (Role.CHAIR, Role.ANALYST, Role.REVIEWER, Role.MEMBER, Role.ADMIN, Role.ANALYST),
        (Role.MEMBER, Role.MEMBER, Role.MEMBER, Role.MEMBER, Role.MEMBER, Role.CHAIR),
    ),
}
# Vetting held by role: (level, weight). Every level appears somewhere in the dataset.
VETTING_OF_ROLE = {
    Role.MEMBER: ((VettingLevel.RV, 60), (VettingLevel.MV, 22), (VettingLevel.CTC, 12),
                  (VettingLevel.NONE, 6)),
    Role.ANALYST: ((VettingLevel.MV, 40), (VettingLevel.SC, 45), (VettingLevel.DV, 8),
                   (VettingLevel.CTC, 7)),
    Role.REVIEWER: ((VettingLevel.SC, 70), (VettingLevel.DV, 20), (VettingLevel.MV, 10)),
    Role.CHAIR: ((VettingLevel.MV, 50), (VettingLevel.SC, 40), (VettingLevel.DV, 10)),
    Role.ADMIN: ((VettingLevel.MV, 60), (VettingLevel.SC, 40)),
}  # fmt: skip
PARTNER_VETTING = (
    (VettingLevel.NPPV2A, 50),
    (VettingLevel.NPPV2F, 25),
    (VettingLevel.NPPV3, 15),
    (VettingLevel.NPPV1, 10),
)
# Vetting some positions must hold (kind of unit, position in ROLE_ORDER): top secret work has
# a national analyst and reviewers to do it; each force and region a reviewer cleared to SECRET.
REQUIRED_VETTING = {
    (UnitKind.NATIONAL, 0): VettingLevel.DV,
    (UnitKind.NATIONAL, 1): VettingLevel.DV,
    (UnitKind.NATIONAL, 2): VettingLevel.DV,
    (UnitKind.NATIONAL, 3): VettingLevel.SC,
    (UnitKind.REGION, 1): VettingLevel.SC,
    (UnitKind.FORCE, 0): VettingLevel.SC,
    (UnitKind.FORCE, 2): VettingLevel.SC,
    (UnitKind.BCU, 0): VettingLevel.MV,
}
JOB_OF_ROLE = {
    Role.ANALYST: "Intelligence analyst",
    Role.REVIEWER: "Detective Inspector, senior intelligence officer",
    Role.CHAIR: "Chief Inspector, T&CG chair",
    Role.MEMBER: "Police Sergeant, neighbourhood policing team",
    Role.ADMIN: "Systems administrator",
}
# Shares of the police people at each level (the BCUs take the rest).
SHARE_NATIONAL, SHARE_REGIONS, SHARE_FORCES = 0.006, 0.018, 0.17
LAPSED_SHARE = 0.03


def weighted(rng: random.Random, choices: Sequence[tuple[object, int]]):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass(frozen=True)
class PersonPlan:
    username: str
    first_name: str
    last_name: str
    kind: str
    vetting_level: str
    vetting_expires_on: datetime.date | None
    job_title: str
    is_staff: bool = False
    is_superuser: bool = False


class PeopleFactory:
    """Names people and sets their vetting, reproducibly from the seeded random generator."""

    def __init__(self, rng: random.Random, today: datetime.date, email_domain: str, tag: str = ""):
        self.rng, self.today, self.email_domain, self.tag = rng, today, email_domain, tag
        self.count = 0

    def plan(
        self,
        *,
        role: str | None,
        kind: str = UserKind.POLICE,
        job_title: str = "",
        level: str | None = None,
    ):
        """A person holding `role` (a partner: None), vetted at `level` and current, or at a
        level drawn for the role and, now and then, lapsed."""
        self.count += 1
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        choices = VETTING_OF_ROLE[role] if role else PARTNER_VETTING
        drawn = weighted(rng, choices)
        expires = None
        if level is None:
            draw = rng.random()
            if draw < LAPSED_SHARE:
                expires = self.today - datetime.timedelta(days=rng.randint(1, 400))
            elif draw < 0.75:
                expires = self.today + datetime.timedelta(days=rng.randint(30, 5 * 365))
        return PersonPlan(
            username=f"{first}.{last}.{self.tag}{self.count:05d}".lower(),
            first_name=first,
            last_name=last,
            kind=kind,
            vetting_level=level or drawn,
            vetting_expires_on=expires,
            job_title=job_title or (JOB_OF_ROLE[role] if role else ""),
        )

    def user(self, plan: PersonPlan, password_hash: str, joined) -> User:
        return User(
            username=plan.username,
            first_name=plan.first_name,
            last_name=plan.last_name,
            email=f"{plan.username}@{self.email_domain}",
            kind=plan.kind,
            vetting_level=plan.vetting_level,
            vetting_expires_on=plan.vetting_expires_on,
            job_title=plan.job_title,
            password=password_hash,
            is_staff=plan.is_staff,
            is_superuser=plan.is_superuser,
            date_joined=joined,
        )


def person_of(user: User, clearance: dict[str, int], today: datetime.date) -> Person:
    lapsed = user.vetting_expires_on is not None and user.vetting_expires_on < today
    return Person(
        pk=user.pk,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        kind=user.kind,
        vetting_level=user.vetting_level,
        ceiling=NO_CLEARANCE if lapsed else clearance.get(user.vetting_level, NO_CLEARANCE),
    )


def _roles_for(kind: str, count: int) -> list[str]:
    head, tail = ROLE_ORDER[kind]
    return [head[i] if i < len(head) else tail[(i - len(head)) % len(tail)] for i in range(count)]


def _people_per_unit(units: list[Unit], total: int) -> dict[int, int]:
    """How many police people work in each unit: a share of them at each level, every unit with
    enough people for every role."""
    by_kind = {kind: [u for u in units if u.kind == kind] for kind in UnitKind.values}
    shares = {
        UnitKind.NATIONAL: (SHARE_NATIONAL, 6),
        UnitKind.REGION: (SHARE_REGIONS, 5),
        UnitKind.FORCE: (SHARE_FORCES, 6),
    }
    counts = {}
    used = 0
    for kind, (share, minimum) in shares.items():
        places = by_kind[kind]
        for unit, count in zip(
            places, allocate(int(total * share), [1] * len(places), minimum), strict=True
        ):
            counts[unit.pk] = count
            used += count
    bcus = by_kind[UnitKind.BCU]
    for unit, count in zip(bcus, allocate(total - used, [1] * len(bcus), 5), strict=True):
        counts[unit.pk] = count
    return counts


def _bench_plans(hierarchy: Hierarchy, today: datetime.date):
    """(plan, unit, role) of each bench user."""
    valid = today + datetime.timedelta(days=3 * 365)
    national, force, bcu = hierarchy.national, hierarchy.bench_force, hierarchy.bench_bcu

    def plan(username, first, last, level, *, expires=valid, job="", **flags):
        return PersonPlan(
            username=username,
            first_name=first,
            last_name=last,
            kind=UserKind.POLICE,
            vetting_level=level,
            vetting_expires_on=expires,
            job_title=job,
            **flags,
        )

    return [
        (plan(BENCH_FORCE_ANALYST, "Bench", "Force Analyst", VettingLevel.SC,
              job="Intelligence analyst"), force, Role.ANALYST),
        (plan(BENCH_NATIONAL_ANALYST, "Bench", "National Analyst", VettingLevel.DV,
              job="Intelligence analyst"), national, Role.ANALYST),
        (plan(BENCH_MEMBER, "Bench", "Member", VettingLevel.RV,
              job="Police Sergeant, neighbourhood policing team"), bcu, Role.MEMBER),
        (plan(BENCH_CHAIR, "Bench", "Chair", VettingLevel.MV,
              job="Chief Inspector, TT&CG chair"), bcu, Role.CHAIR),
        (plan(BENCH_ADMIN, "Bench", "Admin", VettingLevel.MV,
              job="Systems administrator"), force, Role.ADMIN),
        (plan(BENCH_SUPERUSER, "Bench", "Superuser", VettingLevel.DV, job="System administrator",
              is_staff=True, is_superuser=True), national, Role.ANALYST),
        (plan(BENCH_LAPSED, "Bench", "Lapsed", VettingLevel.SC,
              expires=today - datetime.timedelta(days=1), job="Intelligence analyst"),
         force, Role.ANALYST),
    ]  # fmt: skip


def password_hash(password: str) -> str:
    """One hash for everybody: hashing thousands of passwords would take most of the run, and
    any seeded person may sign in with the bench password."""
    return make_password(password)


def build_hierarchy(
    run: Run, *, regions: int, forces: int, bcus: int, people: int, password: str
) -> Hierarchy:
    """The units, the police people and their memberships; returns them indexed."""
    rng, since, today, progress = run.rng, run.since, run.today, run.progress
    units = _units(rng, regions=regions, forces=forces, bcus=bcus, since=since)
    progress.stage("Units", len(units))
    with dates_as_given(Unit):
        bulk_insert(Unit, units, progress)
    forces_ = [u for u in units if u.kind == UnitKind.FORCE]
    bench_force = forces_[0]
    bench_bcu = next(
        u for u in units if u.kind == UnitKind.BCU and u.path.startswith(bench_force.path)
    )
    clearance = dict(VettingClearance.objects.values_list("vetting_level", "max_marking"))
    hierarchy = Hierarchy(
        units=units, bench_force=bench_force, bench_bcu=bench_bcu, clearance=clearance
    )

    factory = PeopleFactory(rng, today, "police.example")
    placed: list[tuple[PersonPlan, Unit, str]] = list(_bench_plans(hierarchy, today))
    per_unit = _people_per_unit(units, max(people - len(placed), 0))
    for unit in units:
        for index, role in enumerate(_roles_for(unit.kind, per_unit[unit.pk])):
            level = REQUIRED_VETTING.get((unit.kind, index))
            placed.append((factory.plan(role=role, level=level), unit, role))

    hashed = hierarchy.password_hash = password_hash(password)
    joined = timezone.make_aware(
        datetime.datetime.combine(
            since - datetime.timedelta(days=PRE_HISTORY_DAYS), datetime.time(9)
        )
    )
    progress.stage("People", len(placed))
    users = [factory.user(plan, hashed, joined) for plan, _, _ in placed]
    with dates_as_given(User):
        bulk_insert(User, users, progress)

    memberships = []
    for user, (_, unit, role) in zip(users, placed, strict=True):
        person = person_of(user, clearance, today)
        hierarchy.people[person.pk] = person
        hierarchy.holders[(unit.pk, role)].append(person)
        memberships.append((user.pk, unit, role))
        if user.username.startswith("bench_"):
            hierarchy.bench[user.username] = person
    memberships += _second_roles(rng, hierarchy, placed, users)
    # The bench users' roles are the oldest of their units: the schedule makes the first chair
    # of a unit its meetings' chair.
    bench = {person.pk for person in hierarchy.bench.values()}
    rows = [
        Membership(
            user_id=user_id,
            unit=unit,
            role=role,
            granted_at=joined
            + datetime.timedelta(
                days=0 if user_id in bench else rng.randint(1, 200), minutes=index
            ),
        )
        for index, (user_id, unit, role) in enumerate(memberships)
    ]
    progress.stage("Memberships", len(rows))
    with dates_as_given(Membership):
        bulk_insert(Membership, rows, progress)
    hierarchy.memberships = len(rows)
    return hierarchy


def _second_roles(rng, hierarchy: Hierarchy, placed, users) -> list[tuple[int, Unit, str]]:
    """A few people hold a second role: a reviewer or chair who also chairs a unit below, an
    analyst who also works for a unit below (every role then appears at several levels)."""
    extra = []
    for user, (_, unit, role) in zip(users, placed, strict=True):
        if user.username.startswith("bench_") or rng.random() > 0.05:
            continue
        children = hierarchy.children.get(unit.pk)
        if not children:
            continue
        place = rng.choice(children)
        second = Role.CHAIR if role in (Role.REVIEWER, Role.CHAIR) else role
        person = hierarchy.people[user.pk]
        hierarchy.holders[(place.pk, second)].append(person)
        extra.append((user.pk, place, second))
    return extra
