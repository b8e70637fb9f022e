"""A PDF's progress in a real browser (issue 13, point 11): the print page of a product version
and the minutes' PDF page show the core job-progress component, Queued, then what the work is
doing, then the download link, turning by themselves while the page stays open; axe finds no
serious or critical problem nor a `region` finding at each step."""

import pytest
from playwright.sync_api import expect

from nim_portal import jobs
from nim_portal.choices import GSCMarking, VettingLevel
from nim_portal.models import Job, JobState
from nim_portal.views import job_progress as job_progress_view
from tasking.proceedings import services as proceedings
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import sign_in
from tests.factories import product_drafting
from tests.products.conftest import People
from tests.products.helpers import publish, write
from tests.tasking.proceedings_helpers import cast_scheduled, opened, ttcg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held_jobs(monkeypatch, settings, tmp_path):
    """From here, work handed to Celery waits for the page's polls, one step a poll: the first
    finds it queued and sets it running, the next runs it (the worker's part, played inside the
    live server, where SQLite serves one request at a time)."""
    settings.MEDIA_ROOT = tmp_path
    held: list[int] = []
    monkeypatch.setattr(jobs, "_dispatch", held.extend)
    read = job_progress_view.job_progress_for

    def one_step_then_read(user, job):
        if job is not None and job.pk in held:
            if job.state == JobState.WAITING:
                Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
            else:
                Job.objects.filter(pk=job.pk).update(state=JobState.WAITING)
                held.remove(job.pk)
                jobs.job_run(job.pk)
            job.refresh_from_db()
        return read(user, job)

    monkeypatch.setattr(job_progress_view, "job_progress_for", one_step_then_read)
    return held


def watch_it_turn_into(page, working: str, link_name: str) -> None:
    progress = page.get_by_role("status")
    expect(progress).to_contain_text("Queued")
    assert_accessible(page)
    expect(progress).to_contain_text(working, timeout=20_000)
    assert_accessible(page)
    expect(page.get_by_role("link", name=link_name)).to_be_visible(timeout=20_000)
    expect(progress).to_contain_text("Ready")
    assert_accessible(page)


def test_a_versions_print_shows_its_progress_then_its_download(
    page, hierarchy, vetting_table, held_jobs
):
    people = People(hierarchy)
    product = product_drafting(people.unit, owner=people.analyst, requester=people.requester)
    write(product, people.analyst, "Burglary rose 12% in the north of the city.")
    version = publish(product, owner=people.analyst, reviewer=people.reviewer)

    sign_in(page, people.member.username)
    page.goto(f"/products/{product.pk}/versions/{version.number}/print/")
    watch_it_turn_into(page, "Printing…", "Download the PDF of version 1")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF of version 1").click()
    assert download.value.suggested_filename.endswith("-v1.pdf")


def test_the_minutes_printed_for_a_readers_vetting_show_their_progress(
    page, hierarchy, vetting_table, held_jobs
):
    cast = cast_scheduled(hierarchy)
    sitting = opened(cast, ttcg(hierarchy.bcu))
    proceedings.decision_record(
        acting_user=cast.chair,
        meeting=sitting,
        agenda_item=None,
        text="Covert plan.",
        marking=GSCMarking.SECRET,
    )
    proceedings.meeting_close(acting_user=cast.chair, meeting=sitting)
    cast.member.vetting_level = VettingLevel.RV
    cast.member.save()

    sign_in(page, cast.member.username)
    page.goto(f"/tasking/meetings/{sitting.pk}/minutes.pdf")
    watch_it_turn_into(page, "Rendering…", "Download the minutes (PDF)")
