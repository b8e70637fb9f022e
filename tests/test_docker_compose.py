"""docker-compose.yml and the Dockerfile, checked without a Docker engine: every command, module,
environment variable and copied path they name must exist in the project."""

import importlib
import re
from pathlib import Path

import pytest
import yaml
from celery.app.utils import find_app
from django.core.management import get_commands

from nim_portal.celery import app as portal_celery_app
from tests.test_tooling import environment_variables_read

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PORTAL_SERVICES = {name for name, service in SERVICES.items() if "build" in service}
PRODUCTION_VARIABLES = {
    "DJANGO_ENV",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
}


def command_of(name: str) -> list[str]:
    command = SERVICES[name].get("command")
    return command if isinstance(command, list) else command.split()


def services_running(program: str, subcommand: str | None = None) -> list[str]:
    return [
        name
        for name in PORTAL_SERVICES
        if command_of(name)[0] == program and (subcommand is None or subcommand in command_of(name))
    ]


def test_the_portal_runs_as_web_worker_beat_with_postgres_and_redis():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(SERVICES)
    assert {"web", "worker", "beat"} <= PORTAL_SERVICES


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_is_health_checked_or_waits_on_conditions(name):
    service = SERVICES[name]
    depends_on = service.get("depends_on", {})

    waits_on_conditions = isinstance(depends_on, dict) and all(
        "condition" in wanted for wanted in depends_on.values()
    )
    assert "healthcheck" in service or (depends_on and waits_on_conditions)
    if isinstance(depends_on, dict):
        assert set(depends_on) <= set(SERVICES)


def test_web_health_check_calls_healthz():
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", sorted(PORTAL_SERVICES))
def test_portal_services_pass_only_variables_the_settings_read(name):
    passed = set(SERVICES[name]["environment"])

    assert passed - environment_variables_read() == set()
    assert passed >= PRODUCTION_VARIABLES
    assert SERVICES[name]["environment"]["DJANGO_ENV"] == "production"


@pytest.mark.parametrize("name", sorted(PORTAL_SERVICES))
def test_service_urls_point_at_the_compose_services(name):
    environment = SERVICES[name]["environment"]

    assert re.match(r"postgres://[^@]+@postgres:5432/", environment["DATABASE_URL"])
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")


@pytest.mark.parametrize("name", sorted(PORTAL_SERVICES))
def test_portal_services_keep_files_in_the_object_store_not_on_a_shared_volume(name):
    service = SERVICES[name]
    environment = service["environment"]

    assert environment["NIM_S3_BUCKET"]
    assert "http://minio:9000" in environment["NIM_S3_ENDPOINT_URL"]
    assert "volumes" not in service
    assert "MEDIA_ROOT" not in environment


def test_the_object_store_keeps_its_data_and_its_bucket_is_made_before_files_are_stored():
    minio = SERVICES["minio"]
    bucket = SERVICES["bucket"]

    assert minio["image"].startswith("minio/minio:")
    assert minio["command"] == ["server", "/data"]
    assert any(volume.endswith(":/data") for volume in minio["volumes"])
    assert bucket["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "mc mb --ignore-existing" in " ".join(bucket["command"])
    for name in services_running("gunicorn") + services_running("celery", "worker"):
        wanted = SERVICES[name]["depends_on"]["bucket"]["condition"]
        assert wanted == "service_completed_successfully"


def test_gunicorn_serves_an_importable_wsgi_application():
    (web,) = services_running("gunicorn")
    module_name, attribute = next(arg for arg in command_of(web)[1:] if ":" in arg).split(":")

    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_celery_commands_name_the_portal_app():
    celery_services = services_running("celery")
    assert celery_services
    for name in celery_services:
        command = command_of(name)
        app_name = command[command.index("-A") + 1]
        assert find_app(app_name) is portal_celery_app


def test_exactly_one_beat_and_workers_are_recycled():
    (beat,) = services_running("celery", "beat")
    assert SERVICES[beat].get("deploy", {}).get("replicas", 1) == 1

    (worker,) = services_running("celery", "worker")
    assert any(arg.startswith("--max-tasks-per-child") for arg in command_of(worker))


def test_beat_keeps_its_schedule_file_where_the_unprivileged_user_may_write():
    # The default (celerybeat-schedule in the working directory /app) is not writable by `nim`.
    (beat,) = services_running("celery", "beat")
    schedules = [arg for arg in command_of(beat) if arg.startswith(("--schedule=", "-s"))]

    assert len(schedules) == 1
    # The container's own /tmp, not a shared one.
    writable = ("/tmp/", "/app/var/")  # noqa: S108
    assert schedules[0].removeprefix("--schedule=").startswith(writable)
    assert "NIM_MEETING_SCHEDULE_SECONDS" not in SERVICES[beat]["environment"]


def test_manage_py_commands_exist():
    known = get_commands()
    manage_commands = [
        command_of(name)[command_of(name).index("manage.py") + 1]
        for name in PORTAL_SERVICES
        if "manage.py" in command_of(name)
    ]

    assert manage_commands
    assert set(manage_commands) <= set(known)


def dockerfile_instructions(keyword: str) -> list[list[str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [
        line.split()[1:]
        for line in text.splitlines()
        if line.strip().upper().startswith(f"{keyword} ")
    ]


def test_dockerfile_copies_only_paths_that_exist():
    sources = [
        source
        for arguments in dockerfile_instructions("COPY")
        if not any(argument.startswith("--from=") for argument in arguments)
        for source in arguments[:-1]
    ]

    assert sources
    missing = [source for source in sources if not (ROOT / source).exists()]
    assert missing == []


def test_dockerfile_builds_on_python_311_and_runs_unprivileged_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic" in dockerfile
    users = dockerfile_instructions("USER")
    assert users and users[-1] != ["root"]
    assert "nim_portal.wsgi:application" in dockerfile


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".git", ".venv", "node_modules", "var", ".env"} <= set(ignored)


def test_the_web_processes_alone_cap_statements_and_keep_threads_for_polls():
    (web,) = services_running("gunicorn")
    command = command_of(web)
    handed_to_workers = {arg.split("=")[1] for arg in command if arg.startswith("--env=")}

    assert handed_to_workers == {"NIM_DB_STATEMENT_TIMEOUT_MS"}
    assert handed_to_workers <= environment_variables_read()
    assert "--worker-class=gthread" in command
    for name in PORTAL_SERVICES - {web}:
        assert "NIM_DB_STATEMENT_TIMEOUT_MS" not in SERVICES[name]["environment"]
        assert "NIM_DB_STATEMENT_TIMEOUT_MS" not in " ".join(command_of(name))
