"""Portion-marked minutes (issue 13, point 3): a reader of the meeting reads every part of its
frozen minutes within their vetting; a part above it shows as "Withheld" and its marking only,
on the meeting's page, in the PDF printed for their ceiling and in the API. A canary planted in
a SECRET decision reaches a cleared member and no RV member."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from nim_portal.choices import GSCMarking, VettingLevel
from nim_portal.models import Job
from tasking.proceedings import minutes_pdf, services
from tasking.proceedings.models import MinutesPrint
from tasking.proceedings.selectors import minutes_for_reader
from tests.tasking.proceedings_helpers import cast_scheduled, opened, ttcg

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a-covert-plan"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(hierarchy):
    return cast_scheduled(hierarchy)


@pytest.fixture
def rv_member(cast):
    cast.member.vetting_level = VettingLevel.RV
    cast.member.save()
    return cast.member


@pytest.fixture
def closed(cast, django_capture_on_commit_callbacks):
    """Minutes with an OFFICIAL-SENSITIVE decision and a SECRET one holding the canary."""
    sitting = opened(cast, ttcg(cast.hierarchy.bcu))
    services.minutes_save(
        acting_user=cast.chair,
        meeting=sitting,
        text="Patrols agreed on the ring road.",
        expected_version=0,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
    )
    for text, marking in (
        ("Extra patrols at weekends.", GSCMarking.OFFICIAL_SENSITIVE),
        (f"Covert deployment {CANARY}.", GSCMarking.SECRET),
    ):
        services.decision_record(
            acting_user=cast.chair, meeting=sitting, agenda_item=None, text=text, marking=marking
        )
    with django_capture_on_commit_callbacks(execute=True):
        version = services.meeting_close(acting_user=cast.chair, meeting=sitting)
    version.refresh_from_db()
    return version


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_rv_member_reads_the_minutes_with_the_secret_decision_withheld(
    client, cast, rv_member, closed
):
    client.force_login(rv_member)
    html = client.get(reverse("tasking:meeting_detail", args=[closed.meeting_id])).content
    html = html.decode()
    assert "Extra patrols at weekends." in html
    assert "Patrols agreed on the ring road." in html
    assert "Withheld: SECRET" in html
    assert CANARY not in html
    assert "No minutes you may read" not in html


def test_a_cleared_member_reads_the_whole_minutes(client, cast, closed):
    client.force_login(cast.member)
    html = client.get(reverse("tasking:meeting_detail", args=[closed.meeting_id])).content
    html = html.decode()
    assert CANARY in html and "Withheld" not in html


def test_the_rv_member_downloads_a_pdf_printed_for_their_vetting(
    client, cast, rv_member, closed, django_capture_on_commit_callbacks
):
    client.force_login(rv_member)
    url = reverse("tasking:meeting_minutes_pdf", args=[closed.meeting_id])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url, follow=True)
    assert b"Queued" in first.content
    minutes_print = MinutesPrint.objects.get(version=closed)
    assert minutes_print.ceiling == rv_member.readable_marking
    assert Job.objects.filter(
        kind=minutes_pdf.MINUTES_READER_PDF_JOB, object_id=minutes_print.pk
    ).exists()

    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert CANARY not in text
    assert "Withheld: SECRET" in text
    assert "Extra patrols at weekends." in text
    # Marked as what it holds, not as the whole minutes.
    assert "OFFICIAL-SENSITIVE OFFICIAL-SENSITIVE Page 1" in text
    assert "SECRET SECRET Page 1" not in text.replace("OFFICIAL-SENSITIVE", "")


def test_the_print_for_a_ceilings_progress_shows_to_its_readers_alone(
    client, cast, rv_member, closed
):
    client.force_login(rv_member)
    url = reverse("tasking:meeting_minutes_pdf", args=[closed.meeting_id])
    page = client.get(url)
    minutes_print = MinutesPrint.objects.get(version=closed)
    job = Job.objects.get(kind=minutes_pdf.MINUTES_READER_PDF_JOB, object_id=minutes_print.pk)
    progress = reverse("job_progress", args=[job.pk])
    assert b"Queued" in page.content and progress.encode() in page.content
    assert page.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE
    assert client.get(progress).status_code == 200
    whole = Job.objects.get(kind=minutes_pdf.MINUTES_PDF_JOB, object_id=closed.pk)
    assert client.get(reverse("job_progress", args=[whole.pk])).status_code == 404

    for refused in (cast.chair, cast.outsider):
        client.force_login(refused)
        assert client.get(progress).status_code == 404


def test_a_cleared_member_downloads_the_whole_minutes(client, cast, closed):
    client.force_login(cast.member)
    response = client.get(reverse("tasking:meeting_minutes_pdf", args=[closed.meeting_id]))
    assert CANARY in pdf_text(response)
    assert not MinutesPrint.objects.exists()


def test_an_outsider_still_gets_404_and_nothing_is_printed(client, cast, closed):
    client.force_login(cast.outsider)
    for name in ("meeting_detail", "meeting_minutes_pdf"):
        assert client.get(reverse(f"tasking:{name}", args=[closed.meeting_id])).status_code == 404
    assert not MinutesPrint.objects.exists()


def test_the_api_never_hands_the_rv_member_the_canary(client, cast, rv_member, closed):
    client.force_login(rv_member)
    for url in (
        f"/api/v1/meetings/{closed.meeting_id}/",
        f"/api/v1/meetings/{closed.meeting_id}/decisions/",
    ):
        response = client.get(url)
        assert CANARY not in response.content.decode(), url


def test_minutes_frozen_without_part_markings_withhold_each_part_as_the_whole():
    content = {
        "marking": GSCMarking.SECRET,
        "minutes": f"Text {CANARY}",
        "decisions": [{"item": "", "text": CANARY}],
        "escalations_decided": [{"title": CANARY, "decision": CANARY}],
    }
    reader = minutes_for_reader(content, GSCMarking.OFFICIAL_SENSITIVE)
    assert CANARY not in str(reader)
    assert reader["decisions"] == [{"withheld": "SECRET"}]
    assert reader["minutes_withheld"] == "SECRET"
    assert reader["reader_marking"] == GSCMarking.OFFICIAL
