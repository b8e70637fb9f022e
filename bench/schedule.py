"""Benchmark of the hourly meeting schedule at national size: a first run, its invitations, and
the steady state.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nim_national .venv/bin/python bench/schedule.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/schedule.py \
        --build

Never writes to the database DATABASE_URL names (PostgreSQL only). It copies it to a throwaway
database (CREATE DATABASE ... TEMPLATE, which needs no other session connected to it), deletes
the copy's upcoming meetings made by the cadence (with their invitees, agenda and reminder) so
that every unit's next months are empty, as on the first run over a new hierarchy, then times:

1. the first run, as the hourly task runs it; the jobs it hands over (an invitation for each
   invitee, the notification e-mails of each commissioned assessment) are kept as a broker
   would keep them, not run inside it;
2. the invitation jobs, each as a worker runs it (nim_portal.jobs.job_run), to the in-memory
   outbox;
3. the steady state: further runs, which create nothing (the median of --repeat).

It prints the queries and seconds of each and drops the copy (--keep keeps it). With --build the
copy is instead a new database holding only a hierarchy of the national shape (a national unit,
9 regions, 43 forces, 250 BCUs; 5,000 people, each unit below the national one with a chair, an
analyst and members), for when no national data are at hand.
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nim_portal.settings")
# The jobs the schedule sends are counted, never published: no broker is needed.
os.environ.pop("REDIS_URL", None)
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copy", default="nim_schedule_bench", help="the throwaway database")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--repeat", type=int, default=3, help="steady-state runs timed")
    parser.add_argument("--build", action="store_true", help="build a hierarchy, copy nothing")
    parser.add_argument("--regions", type=int, default=9)
    parser.add_argument("--forces", type=int, default=43)
    parser.add_argument("--bcus", type=int, default=250)
    parser.add_argument("--people", type=int, default=5000)
    return parser.parse_args()


def server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def create_copy(url: str, copy: str, *, template: str | None) -> None:
    """Create the throwaway database (a copy of `template`, or empty), replacing an old one."""
    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))
        if template is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(copy)))
            return
        try:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(copy), sql.Identifier(template)
                )
            )
        except psycopg.errors.ObjectInUse:
            sys.exit(f"{template} has other sessions connected: it cannot be copied now.")


def drop_copy(url: str, copy: str) -> None:
    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))


args = parse_args()
SOURCE_URL = os.environ.get("DATABASE_URL", "")
if not SOURCE_URL.startswith(("postgres://", "postgresql://")):
    sys.exit("Set DATABASE_URL to the PostgreSQL database to copy.")
SOURCE = urlsplit(SOURCE_URL).path.lstrip("/")
if args.copy == SOURCE:
    sys.exit("The throwaway database must not be the one DATABASE_URL names.")
create_copy(SOURCE_URL, args.copy, template=None if args.build else SOURCE)
os.environ["DATABASE_URL"] = server_url(SOURCE_URL, args.copy)

import django  # noqa: E402

django.setup()

from celery.app.task import Task  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import ProtectedError  # noqa: E402
from django.utils import timezone  # noqa: E402

from nim_portal.choices import Role, UnitKind, UserKind, VettingLevel  # noqa: E402
from nim_portal.jobs import RUN_JOB_TASK, job_run  # noqa: E402
from nim_portal.models import Job, Membership, Unit, User  # noqa: E402
from tasking.meetings.cadence import schedule_meetings  # noqa: E402
from tasking.meetings.choices import MeetingStatus  # noqa: E402
from tasking.meetings.invitations import MEETING_INVITATION_JOB  # noqa: E402
from tasking.models import Meeting, MeetingInvitee  # noqa: E402


class Counter:
    """Counts the SQL statements run (an execute wrapper: nothing is kept)."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, query, params, many, context):
        self.queries += 1
        return execute(query, params, many, context)


@contextmanager
def measured():
    """Yields a dict that holds, once the block ends, its queries and seconds."""
    counter = Counter()
    outcome = {}
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        yield outcome
        outcome["seconds"] = time.perf_counter() - started
    outcome["queries"] = counter.queries


class Broker:
    """Keeps the jobs sent (task name and arguments) instead of publishing them."""

    def __init__(self):
        self.jobs: list[tuple[str, tuple]] = []

    def __enter__(self):
        broker = self

        def apply_async(task, args=None, kwargs=None, **options):
            broker.jobs.append((task.name, tuple(args or ())))

        self.original = Task.apply_async
        Task.apply_async = apply_async
        return self

    def __exit__(self, *exc):
        Task.apply_async = self.original

    def of(self, name: str) -> list[tuple]:
        return [job_args for job_name, job_args in self.jobs if job_name == name]


def build_hierarchy(regions: int, forces: int, bcus: int, people: int) -> None:
    """The national shape: units through the tree's own API, people and roles in bulk."""

    def add(parent, kind: str, code: str, name: str) -> Unit:
        fields = {"kind": kind, "code": code, "name": name}
        if parent is None:
            return Unit.objects.add_root(fields)
        return Unit.objects.add_child(parent, fields)

    national = add(None, UnitKind.NATIONAL, "UK", "United Kingdom")
    region_units = [
        add(national, UnitKind.REGION, f"R{n:02}", f"Region {n}") for n in range(regions)
    ]
    force_units = [
        add(region_units[n % regions], UnitKind.FORCE, f"F{n:02}", f"Force {n}")
        for n in range(forces)
    ]
    bcu_units = [
        add(force_units[n % forces], UnitKind.BCU, f"B{n:03}", f"BCU {n}") for n in range(bcus)
    ]
    users = User.objects.bulk_create(
        User(
            username=f"officer{n:05}",
            first_name="Officer",
            last_name=f"{n:05}",
            email=f"officer{n:05}@police.example",
            password=make_password(None),
            kind=UserKind.POLICE,
            vetting_level=VettingLevel.MV,
        )
        for n in range(people)
    )
    units = region_units + force_units + bcu_units
    roles = [Role.CHAIR, Role.ANALYST]
    Membership.objects.bulk_create(
        Membership(
            user=user,
            unit=units[n % len(units)],
            role=roles[n // len(units)] if n // len(units) < len(roles) else Role.MEMBER,
        )
        for n, user in enumerate(users)
    )


def clear_upcoming_meetings(now) -> tuple[int, int]:
    """Delete the upcoming scheduled meetings the cadence made; those something else protects
    (a bid for them, say) stay. Returns (deleted, kept)."""
    deleted = kept = 0
    upcoming = Meeting.objects.filter(
        cadence_slot__isnull=False, status=MeetingStatus.SCHEDULED, starts_at__gt=now
    )
    for meeting in upcoming.iterator():
        try:
            with transaction.atomic():
                meeting.delete()
        except ProtectedError:
            kept += 1
        else:
            deleted += 1
    return deleted, kept


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    try:
        if args.build:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            build_hierarchy(args.regions, args.forces, args.bcus, args.people)
            print(f"built the hierarchy in {time.perf_counter() - started:.0f} s")
        else:
            deleted, kept = clear_upcoming_meetings(timezone.now())
            print(f"copied {SOURCE}; deleted {deleted} upcoming cadence meetings ({kept} kept)")
        print(
            f"{Unit.objects.filter(is_active=True).count()} active units, "
            f"{User.objects.filter(is_active=True).count()} active people, "
            f"{Meeting.objects.count()} meetings"
        )

        with Broker() as broker, measured() as first:
            result = schedule_meetings()
        handed_over = {job_id for (job_id,) in broker.of(RUN_JOB_TASK)}
        invitation_jobs = list(
            Job.objects.filter(kind=MEETING_INVITATION_JOB, pk__in=handed_over).values_list(
                "pk", flat=True
            )
        )
        invitees = MeetingInvitee.objects.filter(meeting_id__in=result.created).count()
        print(
            f"\nfirst run: {first['seconds']:.1f} s, {first['queries']} queries "
            f"(task soft time limit {limit} s)\n"
            f"  created {len(result.created)} meetings with {invitees} invitations, "
            f"commissioned {len(result.commissioned)} tactical assessments, "
            f"flagged {len(result.flagged)}\n"
            f"  {first['queries'] / max(len(result.created), 1):.1f} queries a meeting; "
            f"jobs sent: {len(invitation_jobs)} invitation jobs, "
            f"{len(broker.jobs) - len(invitation_jobs)} others"
        )

        job_seconds, emails, queries = [], 0, 0
        for job_id in invitation_jobs:
            mail.outbox = []
            with measured() as job:
                job_run(job_id)
            job_seconds.append(job["seconds"])
            queries += job["queries"]
            emails += len(mail.outbox)
        if job_seconds:
            job_seconds.sort()
            print(
                f"invitation jobs: {len(job_seconds)} jobs, {emails} e-mails in "
                f"{sum(job_seconds):.1f} s; a job: median {statistics.median(job_seconds):.3f} s, "
                f"slowest {job_seconds[-1]:.3f} s, {queries / len(job_seconds):.1f} queries"
            )

        runs = []
        for _ in range(args.repeat):
            with Broker(), measured() as steady:
                again = schedule_meetings()
            runs.append(steady)
            assert again.created == [], "a steady-state run created meetings"
        seconds = statistics.median(run["seconds"] for run in runs)
        print(
            f"steady state: median {seconds * 1000:.0f} ms of {len(runs)} runs, "
            f"{runs[-1]['queries']} queries a run"
        )
    finally:
        connection.close()
        if not args.keep:
            drop_copy(SOURCE_URL, args.copy)


if __name__ == "__main__":
    main()
