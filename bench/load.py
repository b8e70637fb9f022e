"""A bounded load test: signed-in clients against gunicorn on the loopback, on national data.

    createdb -h 127.0.0.1 -U postgres nim_national
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/nim_national
    .venv/bin/python manage.py migrate --no-input
    .venv/bin/python manage.py seed_national
    .venv/bin/python bench/load.py [--clients 50 --duration 60 --workers 4 --threads 4]

Starts gunicorn itself (gthread workers, on 127.0.0.1 and a free port: never another address)
with DEBUG off against DATABASE_URL, and always stops it, its whole process group, at the end.
Refuses to run without DATABASE_URL or on a database without the bench data.

Each client signs in through the real sign-in form (GET for the CSRF cookie and token, then
POST), cycling over the bench users that seed_national creates, each client with a session of
its own. Then, until --duration passes or --max-requests are sent, each client asks for one page
after another among its user's pages and the floor (the password-change form: signed in, one
query of its own), picked at random by weight, with --think seconds between. Each chair's and
member's client also keeps a meeting screen open, as htmx does: it fetches the screen (the
chair's view or the shared screen) for a poll ticket of its own session, then polls it every two
seconds on a connection of its own, expecting "nothing changed" (204).

The report, per page and overall: requests, errors, throughput, p50, p95 and max in
milliseconds, and p95 divided by the floor's p95 under the same load. An error is any answer
other than the page's expected status (a redirect to sign-in included), a refused connection
or a timeout (--timeout); the first few are listed. --pages narrows the mix (the poll and the
floor always run), e.g. to compare the polls' answers with and without a slow page in it.
"""

import argparse
import http.client
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.urls import reverse

from bench._common import (
    CHAIR,
    DEFAULT_PASSWORD,
    FLOOR_URL_NAME,
    MEMBER,
    PAGES_BY_KEY,
    REPO,
    BenchFailure,
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

LOOPBACK = "127.0.0.1"
POLL_SECONDS = 2
# A poll ticket lives five minutes: each screen fetches itself again well before.
POLL_TICKET_REFRESH_SECONDS = 120
MAX_DURATION_SECONDS = 600
MAX_CLIENTS = 500
SERVER_START_SECONDS = 60
SERVER_STOP_SECONDS = 15
FLOOR = "floor"
POLL = "poll"
# How often each page comes up among its user's pages (the floor: FLOOR_WEIGHT for every user).
WEIGHTS = {
    "dashboard": 3,
    "register": 3,
    "register-filtered": 2,
    "register-search": 2,
    "register-national": 3,
    "register-national-filtered": 2,
    "register-national-search": 2,
    "site-search": 2,
    "product": 3,
    "compare": 1,
    "meeting": 2,
    "chair-view": 2,
    "screen": 1,
    "action-log": 3,
    "my-actions": 3,
    "partner-downloads": 5,
    "unit-tree": 1,
    "audit-log": 2,
    "admin-products": 1,
    "register-superuser": 1,
}
FLOOR_WEIGHT = 2
# The screen each polling client keeps open.
SCREEN_OF = {CHAIR: "chair-view", MEMBER: "screen"}


@dataclass(frozen=True)
class Target:
    key: str
    url: str
    expected_status: int = 200
    weight: int = 1


@dataclass
class Sample:
    key: str
    milliseconds: float
    error: str | None


class Browser:
    """One client's cookies over plain http.client, a new loopback connection a request (so
    that no keep-alive race with the server shows up as an error)."""

    def __init__(self, port: int, timeout: float):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(
        self, path: str, *, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, str]:
        """The answer's status and body text; raises OSError or HTTPException on failure."""
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
        with self._lock:
            cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent = {"Host": f"{LOOPBACK}:{self.port}", **(headers or {})}
        if cookie:
            sent["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request("POST" if form is not None else "GET", path, body, sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            self._keep_cookies(response.msg.get_all("Set-Cookie") or [])
            return response.status, text
        finally:
            connection.close()

    def _keep_cookies(self, headers: list[str]) -> None:
        with self._lock:
            for header in headers:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def sign_in(self, username: str, password: str) -> None:
        login = reverse("login")
        status, page = self.request(login)
        if status != 200:
            raise BenchFailure(f"the sign-in page answered {status}")
        status, _ = self.request(
            login,
            form={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": csrf_token_in(page),
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise BenchFailure(f"{username} could not sign in (answer {status}): wrong --password?")

    def timed(self, key: str, url: str, expected: int, headers: dict | None = None):
        """A Sample of one request, and the body text when it answered as expected."""
        start = time.perf_counter()
        try:
            status, text = self.request(url, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            elapsed = (time.perf_counter() - start) * 1000
            return Sample(key, elapsed, f"{type(exc).__name__}: {exc}"), None
        elapsed = (time.perf_counter() - start) * 1000
        if status != expected:
            return Sample(key, elapsed, f"answered {status}, expected {expected}"), None
        return Sample(key, elapsed, None), text


@dataclass
class Run:
    """What every client thread shares: when to stop, the request budget and the samples."""

    deadline: float
    max_requests: int
    stop: threading.Event = field(default_factory=threading.Event)
    samples: list[Sample] = field(default_factory=list)
    _sent: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def may_send(self) -> bool:
        with self._lock:
            if self.stop.is_set() or time.monotonic() >= self.deadline:
                return False
            if self._sent >= self.max_requests:
                self.stop.set()
                return False
            self._sent += 1
            return True

    def record(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def pause(self, seconds: float) -> None:
        self.stop.wait(max(0.0, min(seconds, self.deadline - time.monotonic())))


def browse(run: Run, browser: Browser, targets: list[Target], think: float, seed: int) -> None:
    """A user clicking through their pages: one at a time, `think` seconds apart."""
    chooser = random.Random(seed)  # noqa: S311  (a page mix, not a secret)
    weights = [target.weight for target in targets]
    while run.may_send():
        target = chooser.choices(targets, weights)[0]
        sample, _ = browser.timed(target.key, target.url, target.expected_status)
        run.record(sample)
        run.pause(think)


def watch_screen(run: Run, browser: Browser, screen: Target) -> None:
    """An open meeting screen: fetched for a ticket, then polled every two seconds."""
    poll_url, minted_at = None, 0.0
    while run.may_send():
        started = time.monotonic()
        if poll_url is None or started - minted_at > POLL_TICKET_REFRESH_SECONDS:
            sample, text = browser.timed(screen.key, screen.url, screen.expected_status)
            run.record(sample)
            if text is not None:
                poll_url, minted_at = poll_url_in(text), started
        else:
            sample, _ = browser.timed(POLL, poll_url, 204, {"HX-Request": "true"})
            run.record(sample)
        run.pause(POLL_SECONDS - (time.monotonic() - started))


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int, log) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "nim_portal.wsgi:application",
        f"--bind={LOOPBACK}:{port}",
        "--worker-class=gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        "--timeout=300",
        "--graceful-timeout=5",
        f"--chdir={REPO}",
    ]
    environment = {**os.environ, "DJANGO_DEBUG": "false", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(  # noqa: S603  (our own interpreter, fixed arguments)
        command, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_serving(server: subprocess.Popen, port: int, log_path: str) -> None:
    login = reverse("login")
    give_up = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise BenchFailure(f"gunicorn stopped at start:\n{Path(log_path).read_text()[-2000:]}")
        try:
            status, _ = Browser(port, timeout=5).request(login)
            if status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.5)
    raise BenchFailure(f"gunicorn did not answer within {SERVER_START_SECONDS} s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def targets_by_user(keys: list[str] | None) -> dict[str, list[Target]]:
    """Each bench user's pages in the mix (those built) and the floor, with their weights."""
    plan = Plan()
    floor = reverse(FLOOR_URL_NAME)
    targets: dict[str, list[Target]] = defaultdict(list)
    for page in pages_named(keys):
        if page.polls_screen:
            continue
        url = plan.url(page)
        if url is not None:
            targets[page.username].append(
                Target(page.key, url, page.expected_status, WEIGHTS[page.key])
            )
    # The meeting screens are always open (weight 0: out of the mix when not chosen).
    for username, screen_key in SCREEN_OF.items():
        if not any(target.key == screen_key for target in targets[username]):
            targets[username].append(
                Target(screen_key, plan.url(PAGES_BY_KEY[screen_key]), weight=0)
            )
    for username in targets:
        targets[username].append(Target(FLOOR, floor, weight=FLOOR_WEIGHT))
    return dict(targets)


def report(samples: list[Sample], seconds: float, markdown: bool) -> tuple[int, list[str]]:
    by_key: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_key[sample.key].append(sample)
    floor_p95 = percentile([s.milliseconds for s in by_key[FLOOR]], 95) if by_key[FLOOR] else 0
    rows = [("page", "requests", "errors", "req/s", "p50 ms", "p95 ms", "max ms", "p95 / floor")]

    def row(name: str, group: list[Sample]) -> tuple[str, ...]:
        times = [s.milliseconds for s in group]
        p95 = percentile(times, 95)
        return (
            name,
            str(len(group)),
            str(sum(1 for s in group if s.error)),
            f"{len(group) / seconds:.1f}",
            f"{median(times):.1f}",
            f"{p95:.1f}",
            f"{max(times):.1f}",
            f"{p95 / floor_p95:.1f}" if floor_p95 else "",
        )

    for key in [FLOOR, *PAGES_BY_KEY]:
        if by_key.get(key):
            rows.append(row(key, by_key[key]))
    if samples:
        rows.append(row("all", samples))
    print_table(rows, markdown=markdown, text_columns=1)
    errors = Counter(f"{s.key}: {s.error}" for s in samples if s.error)
    return sum(errors.values()), [f"{count}: {what}" for what, count in errors.most_common(10)]


def _stopped(number, frame) -> None:
    sys.exit(f"bench/load.py: stopped by {signal.Signals(number).name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="signed-in clients")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000, help="a hard cap")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a client's pages")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a request fails")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads of each worker")
    parser.add_argument(
        "--pages", nargs="+", metavar="PAGE", help=f"a subset of: {' '.join(PAGES_BY_KEY)}"
    )
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the bench users' password")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    if not 0 < args.duration <= MAX_DURATION_SECONDS:
        parser.error(f"--duration must be more than 0 and at most {MAX_DURATION_SECONDS} seconds")
    if not 0 < args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be between 1 and {MAX_CLIENTS}")
    if args.max_requests < 1 or args.workers < 1 or args.threads < 1 or args.timeout <= 0:
        parser.error("--max-requests, --workers, --threads and --timeout must be positive")

    try:
        require_database_url()
        sizes = require_bench_data()
        targets = targets_by_user(args.pages)
    except BenchFailure as exc:
        sys.exit(f"bench/load.py: {exc}")
    # Stopped by a signal, the script still stops its server (in a session of its own).
    for stop_signal in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(stop_signal, _stopped)
    port = free_loopback_port()
    with tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log") as log:
        server = start_gunicorn(port, args.workers, args.threads, log)
        try:
            wait_until_serving(server, port, log.name)
            outcome = run_load(args, port, targets)
        except BenchFailure as exc:
            sys.exit(f"bench/load.py: {exc}")
        finally:
            stop_gunicorn(server)
    print_outcome(args, port, outcome, sizes)


@dataclass
class Outcome:
    samples: list[Sample]
    seconds: float
    pollers: int
    still_running: int
    client_cpu_seconds: float


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_load(args, port: int, targets: dict[str, list[Target]]) -> Outcome:
    usernames = sorted(targets)
    clients = [
        (usernames[i % len(usernames)], Browser(port, args.timeout)) for i in range(args.clients)
    ]
    print(f"Signing {args.clients} clients in as {', '.join(usernames)} …", flush=True)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda client: client[1].sign_in(client[0], args.password), clients))

    run = Run(deadline=time.monotonic() + args.duration, max_requests=args.max_requests)
    threads = []
    for number, (username, browser) in enumerate(clients):
        mix = [target for target in targets[username] if target.weight]
        threads.append(
            threading.Thread(
                target=browse, args=(run, browser, mix, args.think, number), daemon=True
            )
        )
        if username in SCREEN_OF:
            screen = next(t for t in targets[username] if t.key == SCREEN_OF[username])
            threads.append(
                threading.Thread(target=watch_screen, args=(run, browser, screen), daemon=True)
            )
    started, cpu_at_start = time.monotonic(), _cpu_seconds()
    for thread in threads:
        thread.start()
    run.pause(args.duration)
    run.stop.set()
    for thread in threads:
        thread.join(max(0.0, started + args.duration + args.timeout + 5 - time.monotonic()))
    return Outcome(
        samples=list(run.samples),
        seconds=time.monotonic() - started,
        pollers=len(threads) - args.clients,
        still_running=sum(thread.is_alive() for thread in threads),
        client_cpu_seconds=_cpu_seconds() - cpu_at_start,
    )


def print_outcome(args, port: int, outcome: Outcome, sizes: dict[str, int]) -> None:
    print(f"\nLoad on the {database_label()}: {sizes_line(sizes)}")
    print(f"Machine: {machine_line()}")
    print(
        f"gunicorn gthread on {LOOPBACK}:{port}, {args.workers} workers of {args.threads} threads, "
        f"DEBUG off; {args.clients} clients, {outcome.pollers} of them also polling a meeting "
        f"screen every {POLL_SECONDS} s; think time {args.think} s; {outcome.seconds:.0f} s in "
        f"all, of which this script's own clients used {outcome.client_cpu_seconds:.0f} CPU "
        "seconds on the same machine\n"
    )
    errors, listed = report(outcome.samples, outcome.seconds, args.markdown)
    print(f"\n{errors} errors" + (":" if listed else "."))
    for line in listed:
        print(f"  {line}")
    if outcome.still_running:
        print(f"{outcome.still_running} clients were still waiting for an answer at the end")


if __name__ == "__main__":
    main()
