"""The partner area: a partner user's releases, their handling conditions, their own copy (its
progress) and the audited download; nothing of it for police users, nothing of another agency's
for a partner, and nothing of the police side for a partner."""

import datetime
import hashlib
import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.jobs import job_run
from nim_portal.models import AuditEvent, Job
from partners.choices import DocumentStatus
from partners.models import HandlingAcknowledgement, ReleaseCopy
from partners.services import (
    RELEASE_COPY_JOB,
    agency_update,
    agency_user_add,
    release_approve,
    release_copy_render,
    release_expire,
    release_withdraw,
)
from tests.factories import PartnerUserFactory
from tests.partners.conftest import prepare, today

pytestmark = pytest.mark.django_db


def approve(cast, release, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(acting_user=cast.reviewer, release=release)
    release.refresh_from_db()
    return release


@pytest.fixture
def to_agency_a(cast, version, django_capture_on_commit_callbacks):
    """An available release to agency A only, marked OFFICIAL."""
    release = prepare(cast, version, agencies=[cast.agency_a], marking=GSCMarking.OFFICIAL)
    return approve(cast, release, django_capture_on_commit_callbacks)


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def markings(html: str) -> list[str]:
    return [part.split("</div>")[0] for part in html.split('aria-label="Protective marking">')[1:]]


def downloads(release):
    return AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD, object_id=str(release.pk))


# Who may come in.


def test_signed_out_visitors_are_sent_to_sign_in(client, available):
    for name, args in (("partners:area_releases", ()), ("partners:area_release", (available.pk,))):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["analyst", "reviewer", "admin", "superuser"])
def test_police_users_get_404_from_every_partner_page(client, cast, available, who):
    user = getattr(cast, who)
    client.force_login(user)

    assert client.get(reverse("partners:area_releases")).status_code == 404
    assert client.get(reverse("partners:area_release", args=[available.pk])).status_code == 404
    assert client.get(reverse("partners:area_download", args=[available.pk])).status_code == 404
    response = client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    assert response.status_code == 404
    assert not HandlingAcknowledgement.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["products:register", "partners:release_list", "units:tree", "people:list", "audit:log"],
)
def test_partners_get_404_from_police_pages(client, cast, name):
    assert get(client, cast.partner_a, name).status_code == 404


def test_partners_get_404_from_the_staff_page_of_their_own_release(client, cast, available):
    assert get(client, cast.partner_a, "partners:release_detail", available.pk).status_code == 404
    product = available.version.product
    assert get(client, cast.partner_a, "products:detail", product.pk).status_code == 404


# The list and the agreement.


def test_the_list_shows_each_release_to_the_agency(client, cast, available):
    response = get(client, cast.partner_a, "partners:area_releases")

    html = response.content.decode()
    assert response.status_code == 200
    assert available.reference in html
    assert available.partner_content["title"] in html
    assert "OFFICIAL-SENSITIVE" in html
    assert "Available" in html
    assert f"{available.expires_on:%-d %B %Y}" in html
    assert cast.agency_a.agreement_reference in html
    assert markings(html) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]


def test_a_partner_sees_only_their_own_agencys_releases(client, cast, to_agency_a):
    html_b = get(client, cast.partner_b, "partners:area_releases").content.decode()
    html_a = get(client, cast.partner_a, "partners:area_releases").content.decode()

    assert to_agency_a.reference not in html_b
    assert "Nothing has been released to your agency yet." in html_b
    assert to_agency_a.reference in html_a


def test_a_partner_of_another_agency_gets_404_for_every_action(client, cast, to_agency_a):
    pk = to_agency_a.pk
    client.force_login(cast.partner_b)

    assert client.get(reverse("partners:area_release", args=[pk])).status_code == 404
    assert client.post(reverse("partners:area_acknowledge", args=[pk])).status_code == 404
    assert client.get(reverse("partners:area_download", args=[pk])).status_code == 404
    assert not HandlingAcknowledgement.objects.exists()
    assert not downloads(to_agency_a).exists()


def test_a_partner_in_no_agency_is_told_so(client, available):
    html = get(client, PartnerUserFactory(), "partners:area_releases").content.decode()

    assert "You do not belong to a partner agency yet." in html
    assert available.reference not in html


def test_a_lapsed_agreement_is_explained(client, cast, available):
    lapsed_on = today() - datetime.timedelta(days=1)
    agency_update(acting_user=cast.superuser, agency=cast.agency_a, agreement_review_on=lapsed_on)

    html = get(client, cast.partner_a, "partners:area_releases").content.decode()
    dashboard = get(client, cast.partner_a, "dashboard").content.decode()
    page = get(client, cast.partner_a, "partners:area_release", available.pk).content.decode()

    notice = (
        f"Your agency's information sharing agreement lapsed on {lapsed_on:%-d %B %Y}: "
        "no new releases until it is renewed"
    )
    assert notice in html
    assert notice in dashboard
    assert cast.hierarchy.bcu.name in html  # whom to contact
    assert "I accept these conditions" not in page
    assert "Downloads resume once it is renewed." in page


def test_the_list_is_constant_in_queries(
    client, cast, version, to_agency_a, django_capture_on_commit_callbacks
):
    client.force_login(cast.partner_a)
    url = reverse("partners:area_releases")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(2):
        release = prepare(cast, version, agencies=[cast.agency_a])
        approve(cast, release, django_capture_on_commit_callbacks)

    with CaptureQueriesContext(connection) as three:
        response = client.get(url)

    assert response.content.decode().count("/partners/area/") >= 3
    assert len(three) == len(one)


# A release's page, the conditions and the download.


def test_the_release_page_shows_the_conditions_and_asks_for_acceptance(client, cast, to_agency_a):
    response = get(client, cast.partner_a, "partners:area_release", to_agency_a.pk)

    html = response.content.decode()
    assert "No onward disclosure without the written consent" in html
    assert f"Purpose: {to_agency_a.purpose}" in html
    assert "Retention: delete within 12 months of receipt." in html
    assert "I accept these conditions" in html
    assert reverse("partners:area_download", args=[to_agency_a.pk]) not in html
    assert markings(html) == ["OFFICIAL", "OFFICIAL"]  # the release's own marking
    viewed = AuditEvent.objects.filter(verb=AuditVerb.VIEW, object_id=str(to_agency_a.pk))
    assert viewed.filter(actor=cast.partner_a).count() == 1


def test_accepting_then_downloading_your_own_copy(
    client, cast, available, django_capture_on_commit_callbacks
):
    client.force_login(cast.partner_a)
    accept = reverse("partners:area_acknowledge", args=[available.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(accept, follow=True)
    client.post(accept)

    assert HandlingAcknowledgement.objects.filter(release=available).count() == 1
    # The job runs once the request's change commits: here, as the capture ends.
    assert "You accepted the handling conditions. Your copy, which names you" in (
        response.content.decode()
    )
    html = client.get(reverse("partners:area_release", args=[available.pk])).content.decode()
    download_url = reverse("partners:area_download", args=[available.pk])
    assert download_url in html

    download = client.get(download_url)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{available.reference}.pdf"'
    assert "no-store" in download["Cache-Control"]
    pdf = b"".join(download.streaming_content)
    copy = ReleaseCopy.objects.get(release=available, user=cast.partner_a)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == copy.sha256
    for page in PdfReader(io.BytesIO(pdf)).pages:
        text = " ".join(page.extract_text().split())
        reader = cast.partner_a.get_full_name()
        assert f"Released to {reader}, {cast.agency_a.name} — {available.reference}" in text
    event = downloads(available).get()
    assert event.actor == cast.partner_a
    assert event.detail["agency"] == cast.agency_a.pk
    assert event.detail["copy"] == copy.pk and event.detail["sha256"] == copy.sha256


def test_while_your_copy_is_made_the_page_follows_its_job(client, cast, available):
    client.force_login(cast.partner_a)
    client.post(reverse("partners:area_acknowledge", args=[available.pk]))  # its job waits
    copy = ReleaseCopy.objects.get(release=available, user=cast.partner_a)
    job = Job.objects.get(kind=RELEASE_COPY_JOB, object_id=copy.pk)

    page = client.get(reverse("partners:area_release", args=[available.pk])).content.decode()
    download = client.get(reverse("partners:area_download", args=[available.pk]), follow=True)

    assert 'role="status" aria-live="polite"' in page and "Queued" in page
    assert f'hx-get="{reverse("job_progress", args=[job.pk])}?shown=waiting"' in page
    assert "Your copy is not ready yet" in download.content.decode()
    assert not downloads(available).exists()

    job_run(job.pk)
    done = client.get(reverse("job_progress", args=[job.pk]), {"shown": "waiting"})

    link = reverse("partners:area_download", args=[available.pk])
    assert f'href="{link}">Download your copy of {available.reference}</a>' in done.content.decode()
    assert done["HX-Trigger"] == "nimJobFinished"


def test_your_copys_progress_is_yours_alone(client, cast, available):
    """Another partner of the same agency, a partner of another and police staff get 404."""
    client.force_login(cast.partner_a)
    client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    copy = ReleaseCopy.objects.get(release=available, user=cast.partner_a)
    url = reverse(
        "job_progress", args=[Job.objects.get(kind=RELEASE_COPY_JOB, object_id=copy.pk).pk]
    )
    colleague = PartnerUserFactory(username="colleague")
    agency_user_add(acting_user=cast.admin, agency=cast.agency_a, user=colleague)

    assert client.get(url).status_code == 200
    for other in (colleague, cast.partner_b, cast.analyst, cast.reviewer):
        client.force_login(other)
        assert client.get(url).status_code == 404, other


def test_a_failed_copy_is_asked_for_again_by_its_reader(
    client, cast, available, django_capture_on_commit_callbacks
):
    client.force_login(cast.partner_a)
    failing = mock.patch("partners.services.copies.release_pdf", side_effect=RuntimeError("no"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    copy = ReleaseCopy.objects.get(release=available, user=cast.partner_a)
    assert copy.status == DocumentStatus.FAILED

    page = client.get(reverse("partners:area_release", args=[available.pk])).content.decode()
    again = reverse("partners:area_copy", args=[available.pk])
    assert "Failed" in page and "Your copy of" in page and "could not be made." in page
    assert f'action="{again}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(again, follow=True)

    assert "Your copy, which names you and your agency, is being made" in (
        response.content.decode()
    )
    copy.refresh_from_db()
    assert copy.status == DocumentStatus.READY
    assert Job.objects.filter(kind=RELEASE_COPY_JOB, object_id=copy.pk).count() == 2


def test_asking_for_a_copy_is_refused_like_a_download(client, cast, available):
    again = reverse("partners:area_copy", args=[available.pk])
    client.force_login(cast.partner_a)

    not_accepted = client.post(again, follow=True)

    assert "Acknowledge the handling conditions first." in not_accepted.content.decode()
    assert not ReleaseCopy.objects.exists()
    for other in (cast.analyst, PartnerUserFactory(username="agencyless")):
        client.force_login(other)
        assert client.post(again).status_code == 404
    assert client.get(again).status_code == 405


def test_a_copy_is_not_made_for_a_release_withdrawn_meanwhile(client, cast, available):
    client.force_login(cast.partner_a)
    client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    copy = ReleaseCopy.objects.get(release=available, user=cast.partner_a)
    release_withdraw(acting_user=cast.reviewer, release=available, reason="Superseded.")

    assert release_copy_render(copy.pk) is False

    copy.refresh_from_db()
    assert (copy.status, copy.file.name) == (DocumentStatus.PENDING, "")


def test_a_lapsed_agency_gets_no_copy_until_renewed(client, cast, available):
    lapsed_on = today() - datetime.timedelta(days=1)
    agency_update(acting_user=cast.superuser, agency=cast.agency_a, agreement_review_on=lapsed_on)
    client.force_login(cast.partner_a)

    client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    refused = client.post(reverse("partners:area_copy", args=[available.pk]), follow=True)

    assert not ReleaseCopy.objects.exists()
    assert "Downloads resume once it is renewed." in refused.content.decode()


def test_downloading_before_accepting_is_refused_with_a_message(client, cast, available):
    client.force_login(cast.partner_a)

    response = client.get(reverse("partners:area_download", args=[available.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("partners:area_release", args=[available.pk])
    assert "Acknowledge the handling conditions first." in response.content.decode()
    assert not downloads(available).exists()


def test_a_withdrawn_release_shows_why_and_cannot_be_downloaded(client, cast, available):
    client.force_login(cast.partner_a)
    client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    release_withdraw(acting_user=cast.reviewer, release=available, reason="Superseded by v2.")

    listing = client.get(reverse("partners:area_releases")).content.decode()
    page = client.get(reverse("partners:area_release", args=[available.pk])).content.decode()
    download = client.get(reverse("partners:area_download", args=[available.pk]), follow=True)

    assert "Withdrawn" in listing and "Superseded by v2." in listing
    assert f"withdrawn on {today():%-d %B %Y}: Superseded by v2." in page
    assert reverse("partners:area_download", args=[available.pk]) not in page
    assert "I accept these conditions" not in page
    assert download.redirect_chain and "was withdrawn" in download.content.decode()
    assert not downloads(available).exists()


def test_an_expired_release_cannot_be_downloaded(client, cast, available):
    client.force_login(cast.partner_a)
    client.post(reverse("partners:area_acknowledge", args=[available.pk]))
    available.expires_on = today() - datetime.timedelta(days=1)
    available.save(update_fields=["expires_on"])
    release_expire(available.pk)

    listing = client.get(reverse("partners:area_releases")).content.decode()
    page = client.get(reverse("partners:area_release", args=[available.pk])).content.decode()
    download = client.get(reverse("partners:area_download", args=[available.pk]), follow=True)

    assert "Expired" in listing
    assert "This release expired on" in page
    assert reverse("partners:area_download", args=[available.pk]) not in page
    assert "can no longer be downloaded" in download.content.decode()
    assert not downloads(available).exists()


def test_accepting_an_ended_release_is_refused(client, cast, available):
    release_withdraw(acting_user=cast.reviewer, release=available, reason="Wrong area.")
    client.force_login(cast.partner_a)

    response = client.post(reverse("partners:area_acknowledge", args=[available.pk]), follow=True)

    assert "was withdrawn" in response.content.decode()
    assert not HandlingAcknowledgement.objects.exists()


def test_only_get_and_post_where_meant(client, cast, available):
    client.force_login(cast.partner_a)
    assert client.post(reverse("partners:area_releases")).status_code == 405
    assert client.get(reverse("partners:area_acknowledge", args=[available.pk])).status_code == 405


def test_a_made_up_id_is_404(client, cast):
    assert get(client, cast.partner_a, "partners:area_release", 999999).status_code == 404


# The dashboard.


def test_the_dashboard_panel_lists_the_newest_releases(client, cast, available):
    html = get(client, cast.partner_a, "dashboard").content.decode()

    assert "Releases for your agency" in html
    assert available.reference in html
    assert reverse("partners:area_releases") in html


def test_the_dashboard_carries_the_highest_marking_of_the_releases_it_lists(
    client, cast, available
):
    html = get(client, cast.partner_a, "dashboard").content.decode()

    assert markings(html) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]


def test_police_users_get_no_partner_panel(client, cast, available):
    html = get(client, cast.analyst, "dashboard").content.decode()

    assert "Releases for your agency" not in html
    assert reverse("partners:area_releases") not in html
