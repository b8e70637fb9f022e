"""Closing a meeting asks for its frozen minutes in PDF, a job of the pipeline (run in-process in
the tests): the marking stands at the top and bottom of every page, and readers cleared for it
download it."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from nim_portal import jobs
from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.models import AuditEvent, Job, JobState
from tasking.proceedings import minutes_pdf, services
from tasking.proceedings.choices import MinutesPrintStatus
from tests.tasking.proceedings_helpers import cast_scheduled, opened, ttcg

pytestmark = pytest.mark.django_db

PARAGRAPH = "The group moves cannabis from a storage unit on the ring road every weekend. "


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(hierarchy):
    return cast_scheduled(hierarchy)


@pytest.fixture
def closed(cast, django_capture_on_commit_callbacks):
    """A meeting with long minutes and a SECRET decision, closed with its render run."""
    sitting = opened(cast, ttcg(cast.hierarchy.bcu))
    services.minutes_save(
        acting_user=cast.chair,
        meeting=sitting,
        text="\n\n".join([PARAGRAPH * 6] * 30),
        expected_version=0,
    )
    services.decision_record(
        acting_user=cast.chair,
        meeting=sitting,
        agenda_item=None,
        text="Covert plan.",
        marking=GSCMarking.SECRET,
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    version.refresh_from_db()
    return version


def pages_of(version) -> list[str]:
    with version.pdf.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_closing_renders_the_minutes_with_the_marking_on_every_page(closed):
    assert closed.pdf_status == MinutesPrintStatus.READY and closed.pdf_sha256
    pages = pages_of(closed)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        # The @page margin boxes: the marking at the top and bottom centre, then "Page x of y".
        assert f"SECRET SECRET Page {number} of {len(pages)}" in text, number
    assert "Covert plan." in " ".join(pages)
    assert closed.sha256 in " ".join(pages).replace(" ", "")


def test_rendering_twice_leaves_the_pdf_alone(closed):
    assert minutes_pdf.minutes_pdf_render(closed.pk) is False


def test_a_cleared_reader_downloads_the_minutes_and_it_is_audited(client, cast, closed):
    client.force_login(cast.member)
    response = client.get(reverse("tasking:meeting_minutes_pdf", args=[closed.meeting_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(actor=cast.member, verb=AuditVerb.DOWNLOAD).exists()


def test_a_reader_outside_the_unit_gets_404(client, cast, closed):
    """(A reader below the marking gets the minutes printed for their vetting:
    test_minutes_portion_marking.)"""
    client.force_login(cast.outsider)
    url = reverse("tasking:meeting_minutes_pdf", args=[closed.meeting_id])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD).exists()


# The job that prints them.


@pytest.fixture
def sitting(cast):
    sitting = opened(cast, ttcg(cast.hierarchy.bcu))
    services.minutes_save(
        acting_user=cast.chair,
        meeting=sitting,
        text="Agreed: patrols on the ring road.",
        expected_version=0,
    )
    return sitting


def job_of(version) -> Job:
    return Job.objects.get(kind=minutes_pdf.MINUTES_PDF_JOB, object_id=version.pk)


def failing_renders(monkeypatch, failures: int) -> list[int]:
    attempts = []
    real = minutes_pdf.minutes_pdf

    def render(version):
        attempts.append(version.pk)
        if len(attempts) <= failures:
            raise OSError(f"fontconfig cache not writable (attempt {len(attempts)})")
        return real(version)

    monkeypatch.setattr(minutes_pdf, "minutes_pdf", render)
    return attempts


def test_closing_asks_for_the_pdf_and_the_sweep_prints_it_unasked(cast, sitting):
    """The broker was away when the meeting closed: nobody asks for the PDF, the beat's sweep of
    due jobs prints it (in-process here)."""
    version = services.meeting_close(acting_user=cast.chair, meeting=sitting)

    assert version.pdf_status == MinutesPrintStatus.PENDING
    assert job_of(version).state == JobState.WAITING
    assert jobs.jobs_dispatch_due() == [job_of(version).pk]
    version.refresh_from_db()
    assert version.pdf_status == MinutesPrintStatus.READY and version.pdf_ready
    assert job_of(version).state == JobState.DONE


def test_a_failed_attempt_leaves_the_minutes_being_printed_until_the_last(
    cast, sitting, monkeypatch, jobs_to_a_worker
):
    attempts = failing_renders(monkeypatch, failures=4)
    version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    job = job_of(version)

    for attempt in range(1, 5):
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        jobs.job_run(job.pk)
        version.refresh_from_db()
        if attempt < 4:
            assert (version.pdf_status, version.pdf_error) == (MinutesPrintStatus.PENDING, "")

    assert len(attempts) == 4
    assert version.pdf_status == MinutesPrintStatus.FAILED
    assert version.pdf_error == "Attempt 4: OSError: fontconfig cache not writable (attempt 4)"

    job.refresh_from_db()
    jobs.job_reopen(job)
    version.refresh_from_db()
    assert (version.pdf_status, version.pdf_error) == (MinutesPrintStatus.PENDING, "")
    assert jobs.job_run(job.pk) is True
    version.refresh_from_db()
    assert version.pdf_ready


def test_a_reader_asking_for_minutes_whose_print_failed_has_them_printed_again(
    client, cast, sitting, monkeypatch, django_capture_on_commit_callbacks
):
    failing_renders(monkeypatch, failures=1)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    version.refresh_from_db()
    assert version.pdf_status == MinutesPrintStatus.FAILED
    client.force_login(cast.member)
    url = reverse("tasking:meeting_minutes_pdf", args=[sitting.pk])

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.get(url, follow=True)

    assert b"Queued" in refused.content
    version.refresh_from_db()
    assert version.pdf_ready
    assert client.get(url)["Content-Type"] == "application/pdf"


# Its progress (the job-progress component, tasking.proceedings.progress).


def progress_url(job: Job) -> str:
    return reverse("job_progress", args=[job.pk])


def test_the_reader_sees_the_minutes_pdf_queued_then_its_link(client, cast, sitting):
    version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    client.force_login(cast.member)
    url = reverse("tasking:meeting_minutes_pdf", args=[sitting.pk])

    page = client.get(url)

    job = job_of(version)
    assert page.status_code == 200 and b"Queued" in page.content
    assert progress_url(job).encode() in page.content
    assert page.context["page_marking"] == version.marking
    assert client.get(progress_url(job), {"shown": JobState.WAITING}).status_code == 204
    jobs.job_run(job.pk)
    ready = client.get(progress_url(job), {"shown": JobState.WAITING})
    assert ready.status_code == 200 and b"Download the minutes (PDF)" in ready.content
    assert url.encode() in ready.content
    assert not AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD).exists()


def test_the_minutes_pdfs_progress_is_404_to_who_may_not_read_it(client, cast, sitting):
    version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    url = progress_url(job_of(version))
    for reader in (cast.member, cast.chair):
        client.force_login(reader)
        assert client.get(url).status_code == 200
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404


def test_a_failed_minutes_pdf_is_asked_for_again_by_its_try_again(client, cast, sitting):
    version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    Job.objects.filter(pk=job_of(version).pk).update(state=JobState.FAILED)
    minutes_pdf.minutes_pdf_failed(version.pk, "The renderer stopped.")
    client.force_login(cast.member)

    asked = client.post(reverse("tasking:meeting_minutes_pdf", args=[sitting.pk]))

    assert asked.status_code == 302
    version.refresh_from_db()
    assert version.pdf_status == MinutesPrintStatus.PENDING
    assert Job.objects.filter(kind=minutes_pdf.MINUTES_PDF_JOB).count() == 2


def test_asking_for_minutes_still_being_printed_asks_for_nothing_more(client, cast, sitting):
    version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    client.force_login(cast.member)

    client.get(reverse("tasking:meeting_minutes_pdf", args=[sitting.pk]))

    assert Job.objects.filter(kind=minutes_pdf.MINUTES_PDF_JOB).count() == 1
    assert job_of(version).state == JobState.WAITING
