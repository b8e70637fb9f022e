"""Times every key page of the portal on national-size data, through the whole middleware stack,
against a one-query floor view measured in the same run.

    createdb -h 127.0.0.1 -U postgres nim_national
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/nim_national
    .venv/bin/python manage.py migrate --no-input
    .venv/bin/python manage.py seed_national          # or --small for a quick, small dataset
    .venv/bin/python bench/national.py [--repeat 20] [--pages register poll ...] [--markdown]

Runs on the database DATABASE_URL names, and refuses to run without one or on one without the
bench data. Each bench user that seed_national creates (password "national-bench-password", or
--password) signs in through the real sign-in form, CSRF token and all, in a django.test.Client
of their own; every request then goes through every middleware (sessions, CSRF, authentication,
OTP, session timeouts, CSP, history, axes) with DEBUG off and the second factor off, as in the
demo. Pages are found by their URL names; the objects they show are picked through the selectors
as the page's user may read them (a product with two published versions for the product page,
compare and a searched word; the TT&CG in session that bench_chair chairs for the meeting pages).

The floor is the cheapest signed-in page of the portal: the password-change form, which runs one
query of its own (the navigation's) after the session and the user. Each page is requested once
to warm up, once to count its SQL queries (CaptureQueriesContext), then timed --repeat times,
round-robin over the pages and each time right after a floor request by the same user, so that
noise falls on pages and floor alike. The poll gets a ticket minted in the member's own session
by the shared screen, as a browser would, and must answer "nothing changed" (204, no HX-Trigger).

The table: page, user, queries, median and p95 (nearest rank) in milliseconds, and both divided
by the floor's. Each request is checked for its expected status: the script stops on any other.
What it leaves in the database: the bench users' sessions, and the audit events that every read
of the product page and compare writes.
"""

import argparse
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench._common import (
    DEFAULT_PASSWORD,
    FLOOR_LABEL,
    FLOOR_URL_NAME,
    PAGES_BY_KEY,
    BenchFailure,
    Page,
    Plan,
    csrf_token_in,
    database_label,
    machine_line,
    median,
    pages_named,
    percentile,
    poll_url_in,
    print_table,
    require_bench_data,
    require_database_url,
    sizes_line,
)

# A poll ticket lives five minutes: the bench mints a new one well before, untimed.
POLL_TICKET_REFRESH_SECONDS = 120
HTMX = {"HX-Request": "true"}


def sign_in(username: str, password: str) -> Client:
    """A client signed in as `username` through the sign-in form, with its CSRF token."""
    client = Client(enforce_csrf_checks=True)
    login = reverse("login")
    form = client.get(login)
    if form.status_code != 200:
        raise BenchFailure(f"the sign-in page answered {form.status_code}")
    answer = client.post(
        login,
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf_token_in(form.content.decode()),
        },
    )
    if answer.status_code != 302 or SESSION_KEY not in client.session:
        raise BenchFailure(
            f"{username} could not sign in (answer {answer.status_code}): wrong --password?"
        )
    return client


@dataclass
class Timed:
    """A page (or the floor) as one user: its address, its queries and its timings."""

    label: str
    username: str
    client: Client
    url: str
    expected_status: int = 200
    screen_url: str | None = None
    queries: int = 0
    timings: list[float] = field(default_factory=list)
    _ticket_minted_at: float | None = None

    def _address(self) -> str:
        """The page's address; for a poll, with a ticket of the user's session (minted untimed
        by fetching the screen, as the browser does, when there is none or it ages)."""
        if self.screen_url is None:
            return self.url
        minted = self._ticket_minted_at
        if minted is None or time.monotonic() - minted > POLL_TICKET_REFRESH_SECONDS:
            screen = self.client.get(self.screen_url)
            _expect(screen, 200, f"{self.label}'s screen", self.username)
            self.url = poll_url_in(screen.content.decode())
            self._ticket_minted_at = time.monotonic()
        return self.url

    def _send(self, address: str) -> float:
        """Milliseconds the request took; stops the bench on an unexpected answer."""
        headers = HTMX if self.screen_url else {}
        start = time.perf_counter()
        response = self.client.get(address, headers=headers)
        elapsed = (time.perf_counter() - start) * 1000
        _expect(response, self.expected_status, self.label, self.username)
        if self.screen_url and "HX-Trigger" in response:
            raise BenchFailure(f"{self.label}: the poll says the screen changed")
        return elapsed

    def count_queries(self) -> None:
        self._send(self._address())  # warm-up: first-use caches are not the page's cost
        address = self._address()
        with CaptureQueriesContext(connection) as captured:
            self._send(address)
        self.queries = len(captured)

    def time_once(self) -> None:
        address = self._address()
        self.timings.append(self._send(address))


def _expect(response, status: int, label: str, username: str) -> None:
    if response.status_code != status:
        where = f" to {response['Location']}" if response.has_header("Location") else ""
        raise BenchFailure(
            f"{label} as {username} answered {response.status_code}{where}, expected {status}"
        )


@dataclass
class Results:
    """The floor and each chosen page in order (None: the page is not built yet)."""

    floor: Timed
    pages: list[tuple[Page, Timed | None]]

    def rows(self) -> list[tuple[str, ...]]:
        floor_median = median(self.floor.timings)
        floor_p95 = percentile(self.floor.timings, 95)
        rows = [
            ("page", "user", "queries", "median ms", "p95 ms", "median / floor", "p95 / floor"),
            (
                FLOOR_LABEL,
                "each page's user",
                str(self.floor.queries),
                f"{floor_median:.1f}",
                f"{floor_p95:.1f}",
                "1.0",
                "1.0",
            ),
        ]
        for page, row in self.pages:
            if row is None:
                rows.append((page.label, page.username, "not built", "", "", "", ""))
                continue
            page_median, page_p95 = median(row.timings), percentile(row.timings, 95)
            rows.append(
                (
                    page.label,
                    page.username,
                    str(row.queries),
                    f"{page_median:.1f}",
                    f"{page_p95:.1f}",
                    f"{page_median / floor_median:.1f}",
                    f"{page_p95 / floor_p95:.1f}",
                )
            )
        return rows


def measure(
    pages: list[Page], *, repeat: int, password: str, progress: Callable[[str], None] = print
) -> Results:
    """Sign the pages' users in, count each page's queries, then time the pages round-robin,
    each request right after a floor request by the same user."""
    plan = Plan()
    clients: dict[str, Client] = {}
    measured: list[tuple[Page, Timed | None]] = []
    for page in pages:
        url = plan.url(page)
        if url is None:
            measured.append((page, None))
            continue
        if page.username not in clients:
            clients[page.username] = sign_in(page.username, password)
        row = Timed(page.label, page.username, clients[page.username], url, page.expected_status)
        if page.polls_screen:
            row.screen_url = url
        progress(f"counting the queries of {page.key} as {page.username}")
        row.count_queries()
        measured.append((page, row))
    timed = [row for _, row in measured if row is not None]
    if not timed:
        raise BenchFailure("none of the chosen pages is built")
    floor = Timed(FLOOR_LABEL, timed[0].username, timed[0].client, reverse(FLOOR_URL_NAME))
    floor.count_queries()
    for round_number in range(1, repeat + 1):
        progress(f"timing round {round_number} of {repeat}")
        for row in timed:
            floor.client, floor.username = row.client, row.username
            floor.time_once()
            row.time_once()
    return Results(floor, measured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests of each page")
    parser.add_argument(
        "--pages", nargs="+", metavar="PAGE", help=f"a subset of: {' '.join(PAGES_BY_KEY)}"
    )
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the bench users' password")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    logging.disable(logging.INFO)  # request and task log lines would bury the table
    try:
        require_database_url()
        pages = pages_named(args.pages)
        sizes = require_bench_data()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        started = time.perf_counter()
        results = measure(
            pages,
            repeat=args.repeat,
            password=args.password,
            progress=lambda line: print(f"  … {line}", file=sys.stderr, flush=True),
        )
    except BenchFailure as exc:
        sys.exit(f"bench/national.py: {exc}")
    print(f"NIM Portal pages on the {database_label()}: {sizes_line(sizes)}")
    print(f"Machine: {machine_line()}")
    print(
        f"{args.repeat} timed requests of each page, each after a floor request by the same user "
        f"(DEBUG off, whole middleware stack); {time.perf_counter() - started:.0f} s in all\n"
    )
    print_table(results.rows(), markdown=args.markdown)


if __name__ == "__main__":
    main()
