"""Closing a meeting renders its frozen minutes to PDF (Celery, eager in the tests): the marking
stands at the top and bottom of every page, and only readers cleared for it download it."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from nim_portal.choices import AuditVerb, GSCMarking, VettingLevel
from nim_portal.models import AuditEvent
from tasking.choices_proceedings import MinutesPrintStatus
from tasking.services import proceedings as services
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
    services.minutes_save(cast.chair, sitting, "\n\n".join([PARAGRAPH * 6] * 30), 0)
    services.decision_record(cast.chair, sitting, None, "Covert plan.", marking=GSCMarking.SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.meeting_close(cast.chair, sitting)
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
    assert services.minutes_pdf_render(closed.pk) is False


def test_a_cleared_reader_downloads_the_minutes_and_it_is_audited(client, cast, closed):
    client.force_login(cast.member)
    response = client.get(reverse("tasking:meeting_minutes_pdf", args=[closed.meeting_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(actor=cast.member, verb=AuditVerb.DOWNLOAD).exists()


def test_a_reader_below_the_marking_or_outside_the_unit_gets_404(client, cast, closed):
    cast.member.vetting_level = VettingLevel.RV
    cast.member.save()
    for person in (cast.member, cast.outsider):
        client.force_login(person)
        url = reverse("tasking:meeting_minutes_pdf", args=[closed.meeting_id])
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD).exists()
