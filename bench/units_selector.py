"""Benchmark of the membership-inheritance selectors on a large hierarchy.

    .venv/bin/python bench/units_selector.py [--regions 10 --forces 5 --bcus 12 --people 4]

Builds national > regions > forces > BCUs and people placed in every BCU in a throwaway test
database (SQLite in memory; PostgreSQL when DATABASE_URL is set: a `test_` database beside it,
dropped at the end), then times units_where_user_holds and people_administered_by for a user
holding a role at each level, with time.perf_counter over repeated runs.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nim_portal.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from nim_portal import access  # noqa: E402
from nim_portal.choices import Role, UnitKind, VettingLevel  # noqa: E402
from nim_portal.models import Membership, Unit, User  # noqa: E402
from nim_portal.selectors import people_administered_by  # noqa: E402


def build_hierarchy(regions: int, forces: int, bcus: int) -> dict[str, list[Unit]]:
    """Bulk-insert the tree with treebeard's own path arithmetic (no history: it is throwaway)."""
    rows: list[Unit] = []

    def node(parent_path: str | None, depth: int, step: int, kind: str, code: str, children: int):
        path = Unit._get_path(parent_path, depth, step)
        rows.append(
            Unit(path=path, depth=depth, numchild=children, kind=kind, code=code, name=code)
        )
        return path

    national = node(None, 1, 1, UnitKind.NATIONAL, "UK", regions)
    for r in range(1, regions + 1):
        region = node(national, 2, r, UnitKind.REGION, f"R{r}", forces)
        for f in range(1, forces + 1):
            force = node(region, 3, f, UnitKind.FORCE, f"R{r}F{f}", bcus)
            for b in range(1, bcus + 1):
                node(force, 4, b, UnitKind.BCU, f"R{r}F{f}B{b}", 0)
    Unit.objects.bulk_create(rows, batch_size=1000)
    return {kind: list(Unit.objects.filter(kind=kind)) for kind in UnitKind.values}


def place_people(bcus: list[Unit], per_bcu: int) -> None:
    password = make_password(None)  # unusable: nobody signs in here
    users = [
        User(username=f"{bcu.code}-{n}", password=password, vetting_level=VettingLevel.RV)
        for bcu in bcus
        for n in range(per_bcu)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    by_name = dict(User.objects.values_list("username", "pk"))
    Membership.objects.bulk_create(
        [
            Membership(user_id=by_name[f"{bcu.code}-{n}"], unit=bcu, role=Role.MEMBER)
            for bcu in bcus
            for n in range(per_bcu)
        ],
        batch_size=1000,
    )


def holder_at(unit: Unit, role: str) -> User:
    user = User.objects.create(username=f"{role}-at-{unit.code}", vetting_level=VettingLevel.MV)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def measure(evaluate, repeat: int) -> tuple[int, int, float, float]:
    """Rows, queries, median and best milliseconds of `evaluate()` over `repeat` runs."""
    with CaptureQueriesContext(connection) as queries:
        rows = evaluate()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        evaluate()
        timings.append((time.perf_counter() - start) * 1000)
    return rows, len(queries), statistics.median(timings), min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regions", type=int, default=10)
    parser.add_argument("--forces", type=int, default=5, help="forces in each region")
    parser.add_argument("--bcus", type=int, default=12, help="BCUs in each force")
    parser.add_argument("--people", type=int, default=4, help="people placed in each BCU")
    parser.add_argument("--repeat", type=int, default=50, help="timed runs of each measurement")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        units = build_hierarchy(args.regions, args.forces, args.bcus)
        place_people(units[UnitKind.BCU], args.people)
        built = time.perf_counter() - started
        print(
            f"{connection.vendor}: {Unit.objects.count()} units, {User.objects.count()} people, "
            f"{Membership.objects.count()} memberships (built in {built:.1f} s); "
            f"{args.repeat} timed runs each\n"
        )

        header = ("selector", "holder at", "rows", "queries", "median ms", "best ms")
        table = [header]
        for kind in UnitKind.values:
            # A unit in the middle of its level, so that its subtree is a typical one.
            unit = units[kind][len(units[kind]) // 2]
            admin = holder_at(unit, Role.ADMIN)
            for name, evaluate in [
                (
                    "units_where_user_holds",
                    lambda admin=admin: len(list(access.units_covered(admin, Role.ADMIN))),
                ),
                (
                    "people_administered_by",
                    lambda admin=admin: len(list(people_administered_by(admin))),
                ),
            ]:
                rows, queries, median, best = measure(evaluate, args.repeat)
                table.append((name, kind, str(rows), str(queries), f"{median:.2f}", f"{best:.2f}"))

        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for index, row in enumerate(table):
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                print("  ".join("-" * width for width in widths))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
