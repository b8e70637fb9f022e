import dataclasses
import random
import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from nim_portal.choices import UnitKind, VettingLevel
from nim_portal.models import Membership, Unit, User
from nim_portal.national import (
    BENCH_ADMIN,
    BENCH_CHAIR,
    BENCH_FORCE_ANALYST,
    BENCH_LAPSED,
    BENCH_MEMBER,
    BENCH_NATIONAL_ANALYST,
    BENCH_SUPERUSER,
    Progress,
    RowWriter,
    Run,
    build_hierarchy,
)
from partners.models import PartnerAgency, Release
from partners.national import BENCH_PARTNER, build_partners
from products.models import Product
from products.national import build_products
from tasking.actions.models import TacticalAction
from tasking.meetings.models import Meeting
from tasking.national import (
    DEFAULT_SIZE,
    SMALL_SIZE,
    build_tasking,
    history_start,
)
from tasking.strategy.models import ControlStrategy

DEFAULT_PASSWORD = "national-bench-password"  # noqa: S105 (bench data only)
# Rows that mean the database is in use: the command then writes nothing.
IN_USE = (
    (Unit, "units"),
    (User, "people"),
    (Product, "products"),
    (PartnerAgency, "partner agencies"),
    (Release, "releases"),
    (ControlStrategy, "control strategies"),
    (Meeting, "meetings"),
    (TacticalAction, "actions"),
)
BENCH_USERS = (
    BENCH_FORCE_ANALYST,
    BENCH_NATIONAL_ANALYST,
    BENCH_MEMBER,
    BENCH_CHAIR,
    BENCH_PARTNER,
    BENCH_ADMIN,
    BENCH_SUPERUSER,
    BENCH_LAPSED,
)


class _Unterminated:
    """The command's stderr without its newline after each write: the bar redraws its line."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with a dataset of national size for the benchmarks "
        "(1 national unit, 9 regions, 43 forces, ~250 BCUs, ~5,000 people, 100,000 products, "
        "30,000 meetings, 300,000 actions, 20,000 partner releases; --small for tests) and the "
        "bench users, all with one password. Refuses a database that holds data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--small",
            action="store_true",
            help="The small size the tests use (1 region, 4 forces, 20 BCUs, 1,000 products …).",
        )
        for name in (f.name for f in dataclasses.fields(DEFAULT_SIZE)):
            parser.add_argument(
                f"--{name}",
                type=int,
                help=f"How many {'BCUs' if name == 'bcus' else name} "
                f"(default {getattr(DEFAULT_SIZE, name):,}; "
                f"--small: {getattr(SMALL_SIZE, name):,}).",
            )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The password of every seeded person (default {DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the random choices (default 1)."
        )

    def handle(self, *args, **options):
        size = SMALL_SIZE if options["small"] else DEFAULT_SIZE
        chosen = {
            name: options[name]
            for name in (f.name for f in dataclasses.fields(size))
            if options[name] is not None
        }
        if any(value < 1 for value in chosen.values()):
            raise CommandError("Every size must be at least 1.")
        size = dataclasses.replace(size, **chosen)
        self._refuse_if_in_use()
        try:
            validate_password(options["password"])
        except ValidationError as exc:
            raise CommandError(
                "The password is refused by the password validators: " + " ".join(exc.messages)
            ) from exc

        quiet = options["verbosity"] == 0
        started = time.monotonic()
        now = timezone.now()
        run = Run(
            rng=random.Random(options["seed"]),  # noqa: S311 (test data, not secrets)
            now=now,
            since=history_start(timezone.localdate(now), size),
            progress=Progress(_Unterminated(self.stderr), quiet=quiet),
            writer=RowWriter(connection),
        )
        password = options["password"]
        with transaction.atomic():
            hierarchy = build_hierarchy(
                run,
                regions=size.regions,
                forces=size.forces,
                bcus=size.bcus,
                people=size.people,
                password=password,
            )
            products = build_products(run, hierarchy, count=size.products)
            partners = build_partners(run, hierarchy, products, releases=size.releases)
            tasking = build_tasking(run, hierarchy, products, partners, actions=size.actions)
        if connection.vendor == "postgresql":
            # Fresh statistics and visibility maps, so that the benchmarks meet the plans
            # production would (VACUUM cannot run inside a caller's transaction, e.g. a test's).
            statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            run.progress.stage(statement, 1)
            with connection.cursor() as cursor:
                cursor.execute(statement)
        run.progress.finish()
        if quiet:
            return

        counts = {
            "units": len(hierarchy.units),
            **{
                f"  {UnitKind(kind).label.lower()}": len(hierarchy.of_kind(kind))
                for kind in UnitKind.values
            },
            "  of them agencies": sum(unit.is_agency for unit in hierarchy.units),
            "police people": len(hierarchy.people),
            "memberships": hierarchy.memberships,
            **products.counts,
            **partners.counts,
            **tasking.counts,
        }
        counts["audit events"] = products.counts["audit events"] + partners.counts["audit events"]
        self.stdout.write(
            f"National dataset from {run.since:%d %B %Y} to {run.today:%d %B %Y}, "
            f"in {time.monotonic() - started:.0f} s:"
        )
        width = max(len(label) for label in counts)
        for label, count in counts.items():
            self.stdout.write(f"  {label:<{width}}  {count:>10,}")
        self.stdout.write("")
        self._bench_users(options["password"])
        bucket = getattr(default_storage, "bucket_name", None)
        self.stdout.write(
            f"Release PDFs stored in the bucket {bucket}."
            if bucket
            else f"Release PDFs stored under {default_storage.location}."
        )

    def _refuse_if_in_use(self) -> None:
        found = [
            f"{model.objects.count():,} {label}"
            for model, label in IN_USE
            if model.objects.exists()
        ]
        if found:
            raise CommandError(
                f"This database already holds data ({', '.join(found)}). seed_national writes "
                "only into an empty database, just migrated, and deletes nothing: create a new "
                "database, run `manage.py migrate` there and seed that one."
            )

    def _bench_users(self, password: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"Bench users (password {password!r})"))
        users = User.objects.in_bulk(BENCH_USERS, field_name="username")
        roles = {}
        for membership in Membership.objects.filter(user__username__in=BENCH_USERS).select_related(
            "unit", "user"
        ):
            label = f"{membership.get_role_display()}, {membership.unit.name}"
            roles.setdefault(membership.user.username, []).append(label)
        for username in BENCH_USERS:
            user = users[username]
            where = "; ".join(roles.get(username, [])) or "partner agency user"
            vetting = VettingLevel(user.vetting_level).value
            if user.vetting_expires_on and not user.vetting_current:
                vetting += f" (lapsed {user.vetting_expires_on:%d %b %Y})"
            if user.is_superuser:
                where += "; superuser"
            self.stdout.write(f"  {username:<24} {vetting:<28} {where}")
