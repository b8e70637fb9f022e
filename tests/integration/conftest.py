"""Services tests run against the real PostgreSQL and Redis named by DATABASE_URL and REDIS_URL.

Without them the tests skip; under CI (CI=true) they fail instead, so a missing service can never
pass unnoticed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from nim_portal.celery import app as celery_app
from partners.choices import ReleaseStatus
from tests.partners.conftest import Cast

REDIS_SERVER = shutil.which("redis-server")
# A task whose worker died is delivered again this soon by the broker to the workers tests start.
TEST_VISIBILITY_TIMEOUT = 3
# How long a child process may take to stop before it is killed.
STOP_SECONDS = 20

# Each module's `pytestmark`: it needs the services (skipped, or failed under CI, without them),
# runs in their xdist group, and commits, since the processes it starts read what it writes.
SERVICES_TEST = [
    pytest.mark.services,
    pytest.mark.xdist_group("services"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def cast(hierarchy, vetting_table):
    """The partners' cast (tests.partners.conftest), whose releases the tests render; a module
    that needs other people defines its own."""
    return Cast(hierarchy)


def missing_service() -> str | None:
    """Why the services cannot be used, or None when PostgreSQL and Redis are both there."""
    if not os.environ.get("DATABASE_URL"):
        return "DATABASE_URL is not set"
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "DATABASE_URL does not point at PostgreSQL"
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL is not set"
    client = redis.Redis.from_url(
        os.environ["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL does not answer ({exc.__class__.__name__})"
    finally:
        client.close()
    return None


@pytest.fixture(autouse=True)
def require_services(request):
    if request.node.get_closest_marker("services") is None:
        return
    reason = missing_service()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"services test under CI=true, but {reason}", pytrace=False)
    pytest.skip(f"services test: {reason}")


@pytest.fixture
def worker_queue():
    """A queue of this test's own, so that parallel test processes never take each other's tasks."""
    name = f"nim-portal-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield name
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(name)


def close_thread_connections(**kwargs):
    # The worker thread's database connection would otherwise outlive the test database.
    connections.close_all()


@contextmanager
def broker_mode():
    """Send tasks through the broker (the suite otherwise runs them in-process)."""
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = was_eager


@pytest.fixture
def celery_worker_thread(worker_queue, settings):
    """A real Celery worker in a thread of this process, consuming only `worker_queue`."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    task_postrun.connect(close_thread_connections, weak=False)
    try:
        with (
            broker_mode(),
            start_worker(
                celery_app,
                pool="solo",
                perform_ping_check=False,
                queues=[worker_queue],
                hostname=f"{worker_queue}@{threading.get_ident()}",
                shutdown_timeout=20,
            ) as worker,
        ):
            yield worker
    finally:
        task_postrun.disconnect(close_thread_connections)


def switch_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    # Celery keeps this process's broker connection pools: drop them, so the next publish
    # connects to `url` (as a freshly started web process would).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Publish this process's tasks to the broker at `url` (and not as eager), then go back."""
    previous = celery_app.conf.broker_url
    switch_broker(url)
    try:
        with broker_mode():
            yield
    finally:
        switch_broker(previous)


def redis_url_with_db(db: int) -> str:
    """REDIS_URL's server, database number `db`."""
    return urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{db}"))


@contextmanager
def emptied_redis_db(db: int):
    """REDIS_URL's server, database `db` (its URL and a client), emptied before and after: a
    test's own broker database, so that its workers take no other test's tasks, nothing left by an
    interrupted run is delivered, and nothing is left behind."""
    url = redis_url_with_db(db)
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url, client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def media_root(settings, tmp_path):
    """A MEDIA_ROOT of the test's own, handed to the worker and web processes it starts."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def worker_database_url() -> str:
    """DATABASE_URL naming the database of this test (pytest-django's test_<name>, with the xdist
    suffix), for processes started by the test."""
    name = connections["default"].settings_dict["NAME"]
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def wait_for(condition, *, seconds: float, what: str, interval: float = 0.05, log=None):
    """The first truthy value of `condition()`, polled for at most `seconds`; the failure shows
    the tail of `log` (a ChildProcess, or several in a list) when given."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    logs = [] if log is None else log if isinstance(log, list | tuple) else [log]
    details = "".join(f"\n{child.log_path.name}:\n{child.log_tail()}" for child in logs)
    raise AssertionError(f"{what}: not within {seconds}s{details}")


def wait_until_available(release, *, seconds: float, log=None):
    """Wait until the release's PDFs are rendered and its partners may download them."""

    def available():
        release.refresh_from_db()
        return release.status == ReleaseStatus.AVAILABLE

    wait_for(
        available, seconds=seconds, interval=0.2, what=f"{release.reference} available", log=log
    )


class ChildProcess:
    """A process started by a test in a session of its own, its output in a log file."""

    def __init__(self, command: list[str], *, log_path: Path, env: dict | None = None):
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, as when a machine or the OOM killer kills."""
        if self.running:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """SIGTERM (a worker's warm shutdown), then SIGKILL if it lingers."""
        if self.running:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def child_environment(broker_url: str, settings, environment: dict | None = None) -> dict:
    """The environment of a Celery process started by a test: this test's database, MEDIA_ROOT
    and `broker_url`, tasks through the broker, then `environment`."""
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(TEST_VISIBILITY_TIMEOUT),
        **(environment or {}),
    }


@pytest.fixture
def celery_worker_process(tmp_path, settings):
    """Start real `celery worker` processes (solo pool) on this test's database and MEDIA_ROOT:
    `start(broker_url, queues, environment)`. Every one is stopped at teardown, killed if it
    lingers."""
    started: list[ChildProcess] = []

    def start(
        broker_url: str, queues: tuple[str, ...] = ("celery",), environment: dict | None = None
    ) -> ChildProcess:
        name = f"nim-portal-test-{uuid.uuid4().hex[:8]}"
        env = child_environment(broker_url, settings, environment)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nim_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            f"--queues={','.join(queues)}",
            f"--hostname={name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        worker = ChildProcess(command, log_path=tmp_path / f"{name}.log", env=env)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


@pytest.fixture
def celery_beat_process(tmp_path, settings):
    """Start one real `celery beat` process with its schedule file in `tmp_path`:
    `start(broker_url, environment)` (a second one would send every task twice). It is stopped
    at teardown, killed if it lingers."""
    started: list[ChildProcess] = []

    def start(broker_url: str, environment: dict | None = None) -> ChildProcess:
        assert not started, "one beat only"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nim_portal",
            "beat",
            f"--schedule={tmp_path / 'celerybeat-schedule'}",
            # Wake up every second, so that a schedule shortened by the test is kept to.
            "--max-interval=1",
            "--loglevel=INFO",
        ]
        env = child_environment(broker_url, settings, environment)
        beat = ChildProcess(command, log_path=tmp_path / "celery-beat.log", env=env)
        started.append(beat)
        return beat

    try:
        yield start
    finally:
        for beat in started:
            beat.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own on a free port, which the test may stop and start again
    (the shared Redis at REDIS_URL is never stopped)."""

    def __init__(self, binary: str, log_dir: Path):
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_dir = log_dir
        self.process: ChildProcess | None = None

    def ping(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ]
        self.process = ChildProcess(command, log_path=self.log_dir / f"redis-{self.port}.log")
        wait_for(self.ping, seconds=10, what=f"redis-server on port {self.port} answers")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    """A started PrivateRedis; stopped at teardown whatever happened."""
    if REDIS_SERVER is None:
        reason = "services test: no redis-server binary on PATH"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} under CI=true", pytrace=False)
        pytest.skip(reason)
    server = PrivateRedis(REDIS_SERVER, tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()
