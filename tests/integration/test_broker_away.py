"""Issue 11, acceptance 1, on real infrastructure: with Redis stopped, saved work answers success.

Raising an action (API), a partner submitting information (form), submitting a product (form)
and closing a meeting (API) each answer success and save their change once while the broker is
down; the work they cause (every notification's e-mail, the minutes PDF) waits as jobs that were
never handed over. Once Redis is back and a real worker runs, the beat's sweep of due jobs
(nim_portal.jobs.jobs_dispatch_due) delivers every e-mail exactly once and prints the minutes
exactly once, without anyone asking for them. (Approving a release is test_release_resilience's.)
"""

import datetime
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from nim_portal.jobs import jobs_dispatch_due
from nim_portal.models import Job, JobState, Notification
from nim_portal.services import NOTIFICATION_EMAIL_JOB
from products.choices import ProductStatus
from products.models import Product
from tasking.models import MinutesVersion, PartnerSubmission, TacticalAction
from tasking.proceedings.choices import MinutesPrintStatus
from tasking.proceedings.minutes_pdf import MINUTES_PDF_JOB
from tests.factories import product_drafting
from tests.integration.conftest import SERVICES_TEST, broker_at, wait_for
from tests.tasking.factories import meeting_sitting
from tests.tasking.submission_helpers import SubmissionCast, today

pytestmark = SERVICES_TEST

WAIT_SECONDS = 90


@pytest.fixture
def cast(hierarchy, vetting_table, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return SubmissionCast(hierarchy)


def emails_in(log: str) -> list[str]:
    """The recipients of the e-mails a worker printed (the console backend of the demo)."""
    return re.findall(r"^To: (.+)$", log, flags=re.MULTILINE)


def test_with_redis_stopped_saved_work_answers_success_and_everything_is_delivered_once_after(
    cast, private_redis, celery_worker_process
):
    priority = cast.strategy.priorities.order_by("rank").first()
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.chair)
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    # The cast's own news is not what this test delivers.
    Notification.objects.all().delete()
    Job.objects.all().delete()

    with broker_at(private_redis.url):
        private_redis.stop()

        chair_api = APIClient()
        chair_api.force_authenticate(cast.chair)
        raised = chair_api.post(
            "/api/v1/actions/",
            {
                "unit": cast.unit.pk,
                "priority": priority.pk,
                "action_type": "enforcement",
                "description": "Test purchases on the high street.",
                "owner_user": cast.analyst.pk,
                "due_date": (today() + datetime.timedelta(days=14)).isoformat(),
            },
            format="json",
        )
        assert raised.status_code == 201, raised.content

        partner = APIClient()
        partner.force_login(cast.partner_a)
        submitted_information = partner.post(
            reverse("tasking:partner_submission_create"),
            {
                "item": cast.item.pk,
                "what": "A grey van visits the flats every night.",
                "occurred_on": (today() - datetime.timedelta(days=1)).isoformat(),
                "where": "Northfield flats",
                "source_type": "own_staff",
            },
        )
        assert submitted_information.status_code == 302

        analyst = APIClient()
        analyst.force_login(cast.analyst)
        submitted_product = analyst.post(reverse("products:submit", args=[product.pk]))
        assert submitted_product.status_code == 302

        closed = chair_api.post(f"/api/v1/meetings/{meeting.pk}/close/")
        assert closed.status_code == 200, closed.content

        # Each change saved once; the work it causes waits, never handed to the broker.
        assert TacticalAction.objects.count() == 1
        assert PartnerSubmission.objects.count() == 1
        assert Product.objects.get(pk=product.pk).status == ProductStatus.SUBMITTED
        version = MinutesVersion.objects.get(meeting=meeting)
        assert version.pdf_status == MinutesPrintStatus.PENDING
        waiting = Notification.objects.exclude(recipient__email="")
        told = sorted(waiting.values_list("recipient__email", flat=True))
        assert told and not waiting.filter(emailed_at__isnull=False).exists()
        e_mails = Job.objects.filter(kind=NOTIFICATION_EMAIL_JOB)
        assert sorted(e_mails.values_list("object_id", flat=True)) == sorted(
            waiting.values_list("pk", flat=True)
        )
        minutes = Job.objects.get(kind=MINUTES_PDF_JOB, object_id=version.pk)
        jobs = Job.objects.filter(pk__in=[*e_mails.values_list("pk", flat=True), minutes.pk])
        assert set(jobs.values_list("state", "dispatched_at")) == {(JobState.WAITING, None)}

        private_redis.start()
        worker = celery_worker_process(private_redis.url)
        # What beat sends every minute: the sweep hands every waiting job to the worker.
        assert sorted(jobs_dispatch_due()) == sorted(jobs.values_list("pk", flat=True))
        wait_for(
            lambda: not jobs.exclude(state=JobState.DONE).exists(),
            seconds=WAIT_SECONDS,
            interval=0.2,
            what="every waiting job done",
            log=worker,
        )
        # A second sweep finds nothing more to hand over.
        assert jobs_dispatch_due() == []

        version.refresh_from_db()
        assert version.pdf_status == MinutesPrintStatus.READY
        assert not waiting.filter(emailed_at__isnull=True).exists()
        chair = APIClient()
        chair.force_login(cast.chair)
        downloaded = chair.get(reverse("tasking:meeting_minutes_pdf", args=[meeting.pk]))
        assert downloaded.status_code == 200

    assert sorted(emails_in(worker.log_text())) == told
    assert set(jobs.values_list("attempts", flat=True)) == {1}
    assert Job.objects.filter(kind=MINUTES_PDF_JOB).count() == 1
