"""Printing a published version: rendered once by its job (nim_portal.jobs), from its snapshot,
marked on every page, downloaded only by its readers and audited every time."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from nim_portal import jobs, pdf
from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent, Job, JobState
from products import services
from products.models import PrintStatus, ProductVersionPrint
from products.services import prints, product_grant_need_to_know, product_version_print_request
from tests.factories import PartnerUserFactory, member, product_drafting
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db

PARAGRAPH = (
    "Intelligence graded 2/B/P indicates that the group moves cannabis and cocaine from a "
    "storage unit on the ring road to street dealers in the north of the city every weekend. "
)
LONG_BODY = "\n\n".join(PARAGRAPH * 3 for _ in range(14))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(drafting, people):
    write(drafting, people.analyst, "Burglary rose 12% in the north of the city.")
    version = publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    return version


@pytest.fixture
def long_published(drafting, people):
    """A version of three sections that prints on several pages, one section marked lower."""
    write(drafting, people.analyst, LONG_BODY, position=1)
    write(drafting, people.analyst, LONG_BODY, position=2, marking=GSCMarking.OFFICIAL)
    write(drafting, people.analyst, LONG_BODY, position=3)
    return publish(drafting, owner=people.analyst, reviewer=people.reviewer)


def print_url(version, name="products:version_print"):
    return reverse(name, args=[version.product_id, version.number])


def request_print(user, version, django_capture_on_commit_callbacks):
    """Ask for the print and let its job run (in-process) once the request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        product_version_print_request(acting_user=user, version=version)
    return ProductVersionPrint.objects.get(version=version)


def pdf_of(job) -> PdfReader:
    with job.file.open("rb") as stored:
        return PdfReader(io.BytesIO(stored.read()))


def placed_text(page) -> list[tuple[str, float]]:
    """Each piece of text on the page with its height from the bottom, as a share of the page."""
    height = float(page.mediabox.height)
    pieces = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            pieces.append((text.strip(), (tm[4] * cm[1] + tm[5] * cm[3] + cm[5]) / height))

    page.extract_text(visitor_text=visit)
    return pieces


def page_texts(reader: PdfReader) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def downloads_of(version) -> int:
    return AuditEvent.objects.filter(verb=AuditVerb.PRINT, object_id=str(version.pk)).count()


def jobs_of(printed) -> list[Job]:
    return list(
        Job.objects.filter(kind=services.VERSION_PRINT_JOB, object_id=printed.pk).order_by("pk")
    )


# Request, render, download.


def test_a_reader_asks_for_the_print_and_downloads_the_pdf(
    client, people, published, django_capture_on_commit_callbacks
):
    client.force_login(people.member)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(print_url(published))
    assert waiting.status_code == 200
    assert b"Queued" in waiting.content
    assert waiting.context["page_marking"] == "OFFICIAL-SENSITIVE"
    job = ProductVersionPrint.objects.get(version=published)
    assert job.status == PrintStatus.READY
    assert [(done.state, done.attempts) for done in jobs_of(job)] == [(JobState.DONE, 1)]
    assert job.file.name.startswith("product-prints/") and len(job.file.name) > 50

    response = client.get(print_url(published))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"-v{published.number}.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert downloads_of(published) == 1


def test_every_page_carries_the_marking_at_top_and_bottom_and_page_x_of_y(
    people, long_published, django_capture_on_commit_callbacks
):
    job = request_print(people.analyst, long_published, django_capture_on_commit_callbacks)
    reader = pdf_of(job)
    total = len(reader.pages)

    assert total >= 3
    for number, page in enumerate(reader.pages, start=1):
        heights = [y for text, y in placed_text(page) if text == "OFFICIAL-SENSITIVE"]
        assert any(y > 0.9 for y in heights), f"no marking at the top of page {number}"
        assert any(y < 0.1 for y in heights), f"no marking at the bottom of page {number}"
        assert f"Page {number} of {total}" in page_texts(reader)[number - 1]


def test_the_document_control_and_each_sections_own_marking_are_printed(
    people, long_published, django_capture_on_commit_callbacks
):
    job = request_print(people.analyst, long_published, django_capture_on_commit_callbacks)
    text = " ".join(page_texts(pdf_of(job)))

    assert long_published.sha256 in text.replace(" ", "")
    assert "Version 1" in text
    assert "Document control" in text
    assert people.analyst.get_full_name() in text
    assert people.reviewer.get_full_name() in text
    sections = long_published.content["sections"]
    assert f"{sections[0]['title']} (OFFICIAL-SENSITIVE)" in text
    assert f"{sections[1]['title']} (OFFICIAL)" in text
    assert job.sha256 == hashlib.sha256(job.file.open("rb").read()).hexdigest()


def test_the_print_comes_from_the_snapshot_not_the_live_sections(
    people, drafting, published, django_capture_on_commit_callbacks
):
    drafting.refresh_from_db()
    write(drafting, people.analyst, "LIVE-DRAFT-TEXT written after publication.")

    job = request_print(people.analyst, published, django_capture_on_commit_callbacks)
    text = " ".join(page_texts(pdf_of(job)))

    assert "Burglary rose 12% in the north of the city." in text
    assert "LIVE-DRAFT-TEXT" not in text


def test_restricted_spans_print_highlighted_and_raw_script_never_reaches_the_pdf_as_markup(
    people, drafting, monkeypatch, django_capture_on_commit_callbacks
):
    write(
        drafting,
        people.analyst,
        "The group meets at [restricted]the flat above 12 Mill Lane[/restricted] on Fridays.\n\n"
        '<script>alert("x")</script> <img src="http://169.254.169.254/x"> <b>bold?</b>',
    )
    version = publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    printed_html = []
    real_render_pdf = pdf.render_pdf

    def capture(html, **kwargs):
        printed_html.append(html)
        return real_render_pdf(html, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", capture)
    job = request_print(people.analyst, version, django_capture_on_commit_callbacks)

    (html,) = printed_html
    assert '<mark class="nim-restricted">' in html
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>" not in html
    assert "&lt;script&gt;" in html
    with job.file.open("rb") as stored:
        document = stored.read()
    assert b"/JavaScript" not in document and b"/JS" not in document
    text = " ".join(page_texts(PdfReader(io.BytesIO(document))))
    assert "the flat above 12 Mill Lane" in text


# Rendered once.


def test_the_job_run_twice_renders_once_and_asking_again_asks_for_nothing_more(
    people, published, monkeypatch, django_capture_on_commit_callbacks
):
    renders = []
    real = services.product_version_pdf
    monkeypatch.setattr(
        prints,
        "product_version_pdf",
        lambda version, ceiling: renders.append(version.pk) or real(version, ceiling),
    )
    job = request_print(people.analyst, published, django_capture_on_commit_callbacks)
    stored_as, digest = job.file.name, job.sha256

    assert services.product_version_print_render(job.pk) is False
    again = request_print(people.reviewer, published, django_capture_on_commit_callbacks)

    assert renders == [published.pk]
    assert (again.pk, again.file.name, again.sha256) == (job.pk, stored_as, digest)
    assert len(jobs_of(job)) == 1


def test_asking_while_it_is_printed_adds_no_job_and_its_one_job_prints_it(people, published):
    first = product_version_print_request(acting_user=people.analyst, version=published)
    again = product_version_print_request(acting_user=people.member, version=published)

    assert again.pk == first.pk
    assert first.status == again.status == PrintStatus.PENDING
    (waiting,) = jobs_of(first)
    assert waiting.state == JobState.WAITING
    assert jobs.job_run(waiting.pk) is True
    assert ProductVersionPrint.objects.get(pk=first.pk).is_ready


def test_a_print_whose_job_waited_for_the_broker_is_printed_by_the_sweep(people, published):
    """The broker was away when the request committed: nobody asks again, the beat's sweep of
    due jobs prints it (in-process here)."""
    Job.objects.all().delete()  # the e-mails of the product's making, not this test's
    printed = product_version_print_request(acting_user=people.analyst, version=published)
    assert printed.status == PrintStatus.PENDING

    assert jobs.jobs_dispatch_due() == [job.pk for job in jobs_of(printed)]

    assert ProductVersionPrint.objects.get(pk=printed.pk).is_ready


def test_a_stored_pdf_that_went_missing_is_printed_again(
    client, people, published, django_capture_on_commit_callbacks
):
    job = request_print(people.analyst, published, django_capture_on_commit_callbacks)
    job.file.storage.delete(job.file.name)
    client.force_login(people.analyst)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(print_url(published))

    assert response.status_code == 200
    assert b"missing" in response.content
    assert downloads_of(published) == 0
    assert client.get(print_url(published))["Content-Type"] == "application/pdf"


# Failures.


def failing_renders(monkeypatch, failures: int):
    """Make the first `failures` renders fail; returns the list of attempts made."""
    attempts = []
    real = services.product_version_pdf

    def render(version, ceiling):
        attempts.append(version.pk)
        if len(attempts) <= failures:
            raise OSError(f"fontconfig cache not writable (attempt {len(attempts)})")
        return real(version, ceiling)

    monkeypatch.setattr(prints, "product_version_pdf", render)
    return attempts


def run_attempt(job: Job) -> None:
    """One attempt of the job, its backoff skipped."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    jobs.job_run(job.pk)


def test_a_failed_attempt_leaves_the_print_being_printed_and_the_next_prints_it(
    people, published, monkeypatch, jobs_to_a_worker
):
    attempts = failing_renders(monkeypatch, failures=2)
    printed = product_version_print_request(acting_user=people.analyst, version=published)
    (job,) = jobs_of(printed)

    for _attempt in range(2):
        run_attempt(job)
        printed.refresh_from_db()
        assert (printed.status, printed.error, printed.file.name) == (PrintStatus.PENDING, "", "")
    run_attempt(job)

    printed.refresh_from_db()
    assert len(attempts) == 3
    assert (printed.status, printed.error) == (PrintStatus.READY, "")
    assert Job.objects.get(pk=job.pk).attempts == 3


def test_after_the_last_attempt_the_print_shows_the_failure(
    people, published, monkeypatch, jobs_to_a_worker
):
    registered = jobs.job_kind(services.VERSION_PRINT_JOB)
    attempts = failing_renders(monkeypatch, failures=registered.max_attempts)
    printed = product_version_print_request(acting_user=people.analyst, version=published)
    (job,) = jobs_of(printed)

    for _attempt in range(registered.max_attempts):
        run_attempt(job)

    printed.refresh_from_db()
    assert len(attempts) == registered.max_attempts
    assert printed.status == PrintStatus.FAILED
    assert printed.error == "Attempt 4: OSError: fontconfig cache not writable (attempt 4)"
    assert Job.objects.get(pk=job.pk).state == JobState.FAILED


def test_a_failed_print_retried_by_staff_is_printed_again(
    people, published, monkeypatch, jobs_to_a_worker
):
    failing_renders(monkeypatch, failures=4)
    printed = product_version_print_request(acting_user=people.analyst, version=published)
    (job,) = jobs_of(printed)
    for _attempt in range(4):
        run_attempt(job)
    job.refresh_from_db()

    jobs.job_reopen(job)

    printed.refresh_from_db()
    assert (printed.status, printed.error) == (PrintStatus.PENDING, "")
    assert jobs.job_run(job.pk) is True
    assert ProductVersionPrint.objects.get(pk=printed.pk).is_ready


def test_a_failure_shows_its_error_and_try_again_prints_it(
    client, people, published, monkeypatch, django_capture_on_commit_callbacks
):
    failing_renders(monkeypatch, failures=1)
    job = request_print(people.analyst, published, django_capture_on_commit_callbacks)
    assert job.status == PrintStatus.FAILED
    client.force_login(people.analyst)

    page = client.get(print_url(published))

    assert b"could not be made" in page.content and b"Try again" in page.content
    assert b"Attempt 1: OSError: fontconfig cache not writable (attempt 1)" in page.content
    assert b"hx-trigger" not in page.content
    assert downloads_of(published) == 0

    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(print_url(published))

    assert retried.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error) == (PrintStatus.READY, "")
    assert [done.state for done in jobs_of(job)] == [JobState.FAILED, JobState.DONE]
    assert client.get(print_url(published))["Content-Type"] == "application/pdf"


def test_only_a_failed_print_can_be_tried_again(people, published):
    ProductVersionPrint.objects.create(version=published, ceiling=published.marking)
    with pytest.raises(ValidationError, match="Only a print that failed"):
        services.product_version_print_retry(acting_user=people.analyst, version=published)
    assert ProductVersionPrint.objects.get(version=published).status == PrintStatus.PENDING


# Its progress (the core job-progress component, products.progress).


def progress_url(printed) -> str:
    (job,) = jobs_of(printed)
    return reverse("job_progress", args=[job.pk])


def test_the_page_shows_the_print_queued_then_its_link_once_printed(client, people, published):
    client.force_login(people.analyst)
    page = client.get(print_url(published))
    printed = ProductVersionPrint.objects.get()
    url = progress_url(printed)
    assert b"Queued" in page.content and url.encode() in page.content
    assert page.context["page_marking"] == "OFFICIAL-SENSITIVE"
    assert client.get(url, {"shown": JobState.WAITING}).status_code == 204

    (job,) = jobs_of(printed)
    jobs.job_run(job.pk)
    ready = client.get(url, {"shown": JobState.WAITING})

    assert ready.status_code == 200 and ready["HX-Trigger"] == "nimJobFinished"
    assert b"Download the PDF of version 1" in ready.content
    assert print_url(published).encode() in ready.content
    assert downloads_of(published) == 0


def test_a_failed_print_shows_its_try_again_to_its_reader(client, people, published):
    client.force_login(people.analyst)
    client.get(print_url(published))
    printed = ProductVersionPrint.objects.get()
    (job,) = jobs_of(printed)
    Job.objects.filter(pk=job.pk).update(state=JobState.FAILED)
    services.product_version_print_failed(printed.pk, "The renderer stopped.")

    page = client.get(print_url(published))

    assert b"Failed" in page.content and b"Try again" in page.content
    assert f'action="{print_url(published)}"'.encode() in page.content


def test_the_prints_progress_is_404_to_who_may_not_read_that_print(client, people, published):
    client.force_login(people.analyst)
    client.get(print_url(published))
    url = progress_url(ProductVersionPrint.objects.get())

    for refused in (people.outsider, PartnerUserFactory()):
        client.force_login(refused)
        assert client.get(url).status_code == 404, refused
    for reader in (people.member, people.reviewer):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader


def test_a_reader_handed_another_ceilings_print_does_not_see_this_ones_progress(
    client, people, drafting
):
    write(drafting, people.analyst, "Burglary rose in the north.", position=1)
    write(
        drafting, people.analyst, "A source names the fence.", position=2, marking=GSCMarking.SECRET
    )
    version = publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    client.force_login(people.analyst)
    client.get(print_url(version))
    secret_print = ProductVersionPrint.objects.get(ceiling=GSCMarking.SECRET)
    low_vetting = member(people.unit, Role.ANALYST, vetting_level=VettingLevel.RV)
    client.force_login(low_vetting)
    assert client.get(print_url(version)).status_code == 200

    assert client.get(progress_url(secret_print)).status_code == 404
    own_print = ProductVersionPrint.objects.exclude(pk=secret_print.pk).get()
    assert client.get(progress_url(own_print)).status_code == 200


# Who may print.


@pytest.fixture
def secret_need_to_know(people):
    product = product_drafting(
        people.unit,
        owner=people.analyst,
        requester=people.requester,
        title="Need-to-know PRINT-CANARY-5521",
        marking=GSCMarking.SECRET,
        need_to_know=True,
    )
    write(product, people.analyst, "Only for those with the need to know.")
    return publish(product, owner=people.analyst, reviewer=people.reviewer)


def test_someone_outside_the_units_gets_404_and_nothing_is_printed(client, people, published):
    client.force_login(people.outsider)
    url = print_url(published)

    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert client.post(url).status_code in (404, 405)
    assert not ProductVersionPrint.objects.exists()


def test_a_missing_version_gets_the_same_404(client, people, published):
    client.force_login(people.analyst)
    missing = reverse("products:version_print", args=[published.product_id, 99])
    assert client.get(missing).status_code == 404


def test_need_to_know_and_vetting_decide_who_prints(
    client, people, hierarchy, secret_need_to_know, django_capture_on_commit_callbacks
):
    version = secret_need_to_know
    request_print(people.analyst, version, django_capture_on_commit_callbacks)
    low_vetting = member(people.unit, Role.ANALYST, vetting_level=VettingLevel.RV)
    product_grant_need_to_know(
        acting_user=people.analyst, product=version.product, user=people.member
    )

    for outsider in (people.second_analyst, low_vetting, people.outsider):
        client.force_login(outsider)
        response = client.get(print_url(version))
        assert response.status_code == 404
        assert b"PRINT-CANARY" not in response.content
        with pytest.raises(Http404):
            services.product_version_print_download(acting_user=outsider, version=version)
    assert downloads_of(version) == 0

    for reader in (people.member, people.reviewer, people.analyst):
        client.force_login(reader)
        assert client.get(print_url(version))["Content-Type"] == "application/pdf"
    assert downloads_of(version) == 3


def test_partners_get_404(client, published):
    client.force_login(PartnerUserFactory())
    assert client.get(print_url(published)).status_code == 404


def test_every_download_is_audited_with_who_and_which_version(
    client, people, published, django_capture_on_commit_callbacks
):
    request_print(people.analyst, published, django_capture_on_commit_callbacks)
    for reader in (people.member, people.member, people.reviewer):
        client.force_login(reader)
        assert client.get(print_url(published)).status_code == 200

    events = AuditEvent.objects.filter(verb=AuditVerb.PRINT).order_by("pk")
    assert [event.actor for event in events] == [people.member, people.member, people.reviewer]
    job = ProductVersionPrint.objects.get(version=published)
    assert events[0].detail == {
        "product": published.product_id,
        "number": 1,
        "sha256": published.sha256,
        "pdf_sha256": job.sha256,
        "ceiling": GSCMarking.OFFICIAL_SENSITIVE,
    }
