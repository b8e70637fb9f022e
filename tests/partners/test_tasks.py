"""partners.tasks: the beat's expiry of releases. Their PDFs are jobs of the one pipeline
(nim_portal.jobs), with no Celery task of their own."""

import datetime

from nim_portal.celery import app as celery_app
from partners import tasks
from partners.choices import ReleaseStatus
from partners.models import Release
from tests.partners.conftest import today


def test_the_expiry_task_ends_releases_past_their_date(cast, available):
    Release.objects.filter(pk=available.pk).update(expires_on=today() - datetime.timedelta(days=1))

    assert tasks.expire_releases.delay().get() == 1

    available.refresh_from_db()
    assert available.status == ReleaseStatus.EXPIRED


def test_beat_runs_the_expiry_and_no_task_of_the_app_renders():
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {task for task in scheduled if task.startswith("partners.")} == {
        "partners.tasks.expire_releases"
    }
    celery_app.loader.import_default_modules()
    assert [name for name in celery_app.tasks if name.startswith("partners.")] == [
        "partners.tasks.expire_releases"
    ]
