from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nim_portal.models import Job, WorkerHeartbeat
from nim_portal.views import health

CLOSED_REDIS_URL = "redis://:broker-secret@127.0.0.1:1/0"


@pytest.fixture
def broker_mode(settings):
    """Non-eager settings with a broker nobody listens on."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = CLOSED_REDIS_URL
    return settings


def fresh_heartbeat(age_seconds: int = 0) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        hostname="worker-1", beat_at=timezone.now() - timedelta(seconds=age_seconds)
    )


@pytest.mark.django_db
def test_healthy_in_eager_mode_without_signing_in(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "eager (in-process)",
        "worker": "in-process",
        "jobs": "ok",
        "oldest_waiting_job_seconds": 0,
        "status": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_unreachable_broker_gives_503_quickly_and_names_no_host(client, broker_mode):
    fresh_heartbeat()

    started = timezone.now()
    response = client.get(reverse("healthz"))
    elapsed = timezone.now() - started

    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "broker": "unreachable",
        "worker": "ok",
        "jobs": "ok",
        "oldest_waiting_job_seconds": 0,
        "status": "unhealthy",
    }
    assert elapsed < timedelta(seconds=5)
    body = response.content.decode()
    assert "127.0.0.1" not in body
    assert "broker-secret" not in body


@pytest.mark.django_db
def test_stale_heartbeat_gives_503(client, broker_mode):
    broker_mode.NIM_WORKER_HEARTBEAT_MAX_AGE_SECONDS = 180
    fresh_heartbeat(age_seconds=181)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["worker"] == "no recent heartbeat"


@pytest.mark.django_db
def test_no_heartbeat_at_all_gives_503(client, broker_mode):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["worker"] == "no recent heartbeat"


@pytest.mark.django_db
def test_heartbeat_within_max_age_counts_as_alive(broker_mode):
    broker_mode.NIM_WORKER_HEARTBEAT_MAX_AGE_SECONDS = 180
    fresh_heartbeat(age_seconds=170)

    assert health.worker_state() == "ok"


class BrokenConnection:
    def cursor(self):
        raise ConnectionError("could not connect to server at db.internal:5432")


@pytest.mark.django_db
def test_unreachable_database_gives_503_without_the_error_text(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setattr(health, "connection", BrokenConnection())

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert "db.internal" not in response.content.decode()


@pytest.mark.django_db
def test_only_reads_are_allowed(client):
    assert client.post(reverse("healthz")).status_code == 405
    assert client.head(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_a_job_waiting_too_long_gives_503_with_its_age(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.NIM_JOB_WAITING_MAX_SECONDS = 900
    Job.objects.create(
        kind="nim_portal.notification_email",
        object_id=1,
        run_after=timezone.now() - timedelta(seconds=600),
    )
    answer = client.get(reverse("healthz")).json()
    assert answer["jobs"] == "ok" and 600 <= answer["oldest_waiting_job_seconds"] < 660

    Job.objects.update(run_after=timezone.now() - timedelta(seconds=901))
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["jobs"] == "jobs waiting too long"
    assert response.json()["oldest_waiting_job_seconds"] >= 901
