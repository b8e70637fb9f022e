"""Benchmark of the meeting on screen and the action log as a unit's log grows.

    .venv/bin/python bench/meeting_screen.py [--sizes 10 100 1000 --repeat 30]

Loads the demo (every seed command) into a throwaway test database (SQLite in memory; PostgreSQL
when DATABASE_URL is set: a `test_` database beside it, dropped at the end), opens Birmingham
East's TT&CG as the demo `chair`, then grows the unit's action log to each size and times, through
the whole middleware stack (django.test.Client): the screen's "nothing changed" poll (every open
screen sends one every 2 seconds), the shared screen's live region as `member`, the chair's
private view, the unit's action log and "My actions". Queries are counted once, time is the median
and best of the timed runs (time.perf_counter).
"""

import argparse
import datetime
import io
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nim_portal.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from nim_portal.choices import GSCMarking  # noqa: E402
from nim_portal.models import User  # noqa: E402
from tasking.actions.choices import ActionType  # noqa: E402
from tasking.actions.services import action_raise  # noqa: E402
from tasking.meetings.choices import MeetingKind, MeetingStatus  # noqa: E402
from tasking.models import Meeting, TacticalAction  # noqa: E402
from tasking.proceedings.services import meeting_open  # noqa: E402
from tasking.strategy.selectors import current_control_strategy  # noqa: E402

DEMO_SEEDS = ["seed_demo", "seed_demo_products", "seed_demo_partners", "seed_demo_tasking"]
POLL_URL = re.compile(r'hx-get="(/tasking/screen/\d+/poll/\?ticket=[^"]+)"')


def load_demo() -> None:
    for command in DEMO_SEEDS:
        call_command(command, stdout=io.StringIO())


def sitting_meeting() -> tuple[Meeting, User, User]:
    """Birmingham East's TT&CG of today, opened by the demo chair; its chair and a member."""
    chair = User.objects.get(username="chair")
    member = User.objects.get(username="member")
    meeting = (
        Meeting.objects.filter(
            unit__name="Birmingham East",
            kind=MeetingKind.TACTICAL,
            status=MeetingStatus.SCHEDULED,
        )
        .order_by("starts_at")
        .first()
    )
    meeting_open(acting_user=chair, meeting=meeting)
    return Meeting.objects.get(pk=meeting.pk), chair, member


def grow_log(meeting: Meeting, chair: User, member: User, size: int) -> None:
    """Raise actions between meetings through the service until the unit's log holds `size`."""
    priorities = list(current_control_strategy(meeting.unit).priorities.all())
    due = timezone.localdate() + datetime.timedelta(days=28)
    for number in range(TacticalAction.objects.filter(unit=meeting.unit).count(), size):
        action_raise(
            acting_user=chair,
            unit=meeting.unit,
            priority=priorities[number % len(priorities)],
            action_type=ActionType.values[number % len(ActionType.values)],
            description=f"Benchmark action {number}: patrol and report back",
            owner_user=member,
            due_date=due,
            marking=GSCMarking.OFFICIAL,
        )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def measure(send, repeat: int) -> tuple[int, int, float, float]:
    """Status, queries, median and best milliseconds of `send()` over `repeat` runs."""
    with CaptureQueriesContext(connection) as captured:
        status = send().status_code
    queries = len(captured)  # before the timed requests reset the connection's query log
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        send()
        timings.append((time.perf_counter() - start) * 1000)
    return status, queries, statistics.median(timings), min(timings)


def requests_to_time(meeting: Meeting, chair: User, member: User) -> list[tuple[str, object]]:
    member_client, chair_client = signed_in(member), signed_in(chair)
    screen = member_client.get(reverse("tasking:meeting_screen", args=[meeting.pk]))
    poll = POLL_URL.search(screen.content.decode()).group(1).replace("&amp;", "&")
    live = reverse("tasking:meeting_screen_live", args=[meeting.pk])
    private = reverse("tasking:meeting_screen_private_live", args=[meeting.pk])
    log = reverse("tasking:action_log", args=[meeting.unit_id])
    mine = reverse("tasking:my_actions")
    return [
        ("poll, nothing changed", lambda: member_client.get(poll)),
        ("shared screen, live region", lambda: member_client.get(live)),
        ("chair's view, live region", lambda: chair_client.get(private)),
        ("unit's action log", lambda: member_client.get(log)),
        ("my actions", lambda: member_client.get(mine)),
    ]


def print_table(table: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for index, row in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of each request")
    args = parser.parse_args()

    logging.disable(logging.INFO)  # the tasks' success lines would bury the table
    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        load_demo()
        meeting, chair, member = sitting_meeting()
        print(
            f"{connection.vendor}: demo loaded and {meeting} opened in "
            f"{time.perf_counter() - started:.1f} s; {args.repeat} timed runs each\n"
        )
        table = [("actions on the log", "request", "status", "queries", "median ms", "best ms")]
        for size in sorted(args.sizes):
            grow_log(meeting, chair, member, size)
            for name, send in requests_to_time(meeting, chair, member):
                status, queries, median, best = measure(send, args.repeat)
                table.append(
                    (str(size), name, str(status), str(queries), f"{median:.1f}", f"{best:.1f}")
                )
        print_table(table)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
