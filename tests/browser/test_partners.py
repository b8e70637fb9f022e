"""Acceptance 1 in a real browser: the analyst prepares a release of a published tactical assessment
holding restricted spans and a section that is not releasable, sees the personal-data warnings and
acknowledges them; another reviewer approves it; the PDF renders through Celery (in-process, as
the demo runs it); the partner accepts the handling conditions and downloads their own copy,
which names them and their agency; the download is in the audit log. axe-core finds nothing
serious or critical in the partner area."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from nim_portal.choices import AuditVerb, GSCMarking, Role
from nim_portal.models import AuditEvent
from partners.choices import ReleaseStatus
from partners.models import Release
from products.choices import ProductKind
from products.services import section_update
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import sign_in
from tests.factories import member, product_drafting
from tests.partners.conftest import (
    CANARIES,
    CANARY_NOT_RELEASABLE,
    CANARY_RESTRICTED,
    CANARY_WARNING_MARKER,
    Cast,
    today,
)
from tests.products.helpers import publish, write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RELEASABLE = (
    "Burglaries with keys taken rose in Northfield; a stolen car, BD51 SMR, was recovered "
    "near the station."
)


@pytest.fixture
def cast(hierarchy, vetting_table, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Cast(hierarchy)


@pytest.fixture
def version(cast):
    """A published tactical assessment: section 1 releasable with a restricted span and a vehicle
    registration, section 2 police only."""
    product = product_drafting(
        cast.unit,
        owner=cast.analyst,
        requester=cast.chair,
        kind=ProductKind.TACTICAL_ASSESSMENT,
        title="Tactical assessment: Northfield burglary",
        warning_markers=f"Violent {CANARY_WARNING_MARKER}",
    )
    write(
        product,
        cast.analyst,
        f"{RELEASABLE} [restricted]Source {CANARY_RESTRICTED} named the driver.[/restricted]",
        marking=GSCMarking.OFFICIAL,
    )
    section = product.sections.get(position=1)
    section_update(
        acting_user=cast.analyst,
        section=section,
        loaded_revision=section.revision,
        body=section.body,
        releasable_to_partners=True,
    )
    write(product, cast.analyst, f"Police only: {CANARY_NOT_RELEASABLE}.", position=2)
    return publish(product, owner=cast.analyst, reviewer=cast.reviewer)


def signed_in(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, username)
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_a_release_from_preparation_to_audited_download(browser, live_server, cast, version):
    product = version.product

    # The analyst prepares the release: the section that is not releasable cannot be chosen.
    analyst = signed_in(browser, live_server, cast.analyst.username)
    analyst.goto(f"/partners/releases/prepare/{product.pk}/{version.number}/")
    assert "Not releasable" in analyst.locator("main").inner_text()
    sections = analyst.get_by_role("group", name="Sections to release")
    assert sections.get_by_role("checkbox").count() == 1
    sections.get_by_role("checkbox").check()
    analyst.get_by_label(cast.agency_a.name).check()
    analyst.get_by_label("OFFICIAL-SENSITIVE").check()
    analyst.get_by_label("Purpose").fill("Target burglary prevention advice in Northfield.")
    analyst.get_by_label("Retention (months)").fill("12")
    analyst.get_by_label("Downloads end on").fill(
        (today() + datetime.timedelta(days=60)).isoformat()
    )
    analyst.get_by_role("button", name="Prepare the release").click()
    analyst.wait_for_url(re.compile(r"/partners/releases/\d+/$"))
    release = Release.objects.get(version=version)

    # The personal-data warnings appear; the analyst acknowledges them.
    preview = analyst.locator("main").inner_text()
    assert "vehicle registration: “BD51 SMR”" in preview
    assert "must be acknowledged" in preview
    assert CANARY_NOT_RELEASABLE not in preview.split("Removed — police only")[0]
    for checkbox in analyst.get_by_role("checkbox", name=re.compile("Acknowledge")).all():
        checkbox.check()
    analyst.get_by_role("button", name="Acknowledge the ticked warnings").click()
    analyst.wait_for_load_state()
    assert "must be acknowledged" not in analyst.locator("main").inner_text()
    analyst.context.close()

    # The reviewer approves it; the PDF renders through Celery (eager, as in the demo).
    reviewer = signed_in(browser, live_server, cast.reviewer.username)
    reviewer.goto(f"/partners/releases/{release.pk}/")
    reviewer.get_by_role("button", name="Approve the release").click()
    reviewer.wait_for_url(re.compile(rf"/partners/releases/{release.pk}/$"))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.AVAILABLE
    reviewer.context.close()

    # The partner sees it on the dashboard, accepts the conditions and downloads it.
    partner = signed_in(browser, live_server, cast.partner_a.username)
    assert release.reference in partner.locator("main").inner_text()
    assert_accessible(partner)
    partner.get_by_role("link", name="Releases", exact=True).click()
    partner.wait_for_url("**/partners/area/")
    assert partner.locator(".nim-marking").all_inner_texts() == ["OFFICIAL-SENSITIVE"] * 2
    assert_accessible(partner)
    partner.get_by_role("link", name=release.reference).click()
    assert "No onward disclosure" in partner.locator("main").inner_text()
    assert_accessible(partner)
    partner.get_by_role("button", name="I accept these conditions").click()
    partner.get_by_role("link", name=re.compile("Download your copy")).wait_for()
    assert_accessible(partner)
    with partner.expect_download() as download_info:
        partner.get_by_role("link", name=re.compile("Download your copy")).click()
    download = download_info.value
    assert download.suggested_filename == f"{release.reference}.pdf"
    with open(download.path(), "rb") as handle:
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages]
    text = " ".join(" ".join(pages).split())
    assert "Burglaries with keys taken rose in Northfield" in text
    assert not [canary for canary in CANARIES if canary in text]
    assert f"Released to {cast.partner_a.get_full_name()}, {cast.agency_a.name}" in text
    partner.context.close()

    # The download is in the audit log, with the partner and their agency.
    event = AuditEvent.objects.get(verb=AuditVerb.DOWNLOAD, object_id=str(release.pk))
    assert event.actor == cast.partner_a
    assert event.detail["agency_name"] == cast.agency_a.name
    # A national admin reads the whole log (a force admin reads their own people's).
    national_admin = member(cast.hierarchy.national, Role.ADMIN, username="national_admin")
    admin = signed_in(browser, live_server, national_admin.username)
    admin.goto(f"/staff/audit/?verb=download&person={cast.partner_a.username}")
    rows = admin.locator("main tbody tr").all_inner_texts()
    assert len(rows) == 1
    assert "Downloaded" in rows[0] and release.reference in rows[0]
    admin.context.close()
