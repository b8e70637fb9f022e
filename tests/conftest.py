from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from nim_portal.celery import app as celery_app
from nim_portal.choices import DEFAULT_VETTING_CLEARANCE
from nim_portal.jobs import RUN_JOB_TASK
from nim_portal.models import VettingClearance
from tests.factories import HierarchyFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs about 0.4 s a user; the tests check rules, not the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hierarchy(db):
    return HierarchyFactory()


@pytest.fixture
def vetting_table(transactional_db):
    """The vetting table as the migration seeds it (a transactional test's flush empties it)."""
    for level, marking in DEFAULT_VETTING_CLEARANCE.items():
        VettingClearance.objects.get_or_create(
            vetting_level=level, defaults={"max_marking": marking}
        )


@pytest.fixture
def jobs_to_a_worker(settings):
    """As in production: the pipeline hands its jobs to a broker (the runner task's `delay`,
    yielded as a mock, so nothing runs unless the test runs it), and a failed attempt waits for
    its retry instead of stopping at once as it does in-process."""
    # Read before the Django setting changes (Celery reads through to it), and put back by
    # name: Celery keeps the setting under its Django name, so a monkeypatch.setitem would
    # delete the key afterwards and leave eager mode off for the tests that follow.
    eager = celery_app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    try:
        with mock.patch.object(celery_app.tasks[RUN_JOB_TASK], "delay") as delay:
            yield delay
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def broker_away(jobs_to_a_worker):
    """`jobs_to_a_worker` with the broker down: every hand-over fails as Redis's would."""
    jobs_to_a_worker.side_effect = OperationalError(
        "Error 111 connecting to localhost:6379. Connection refused."
    )
    return jobs_to_a_worker
