"""`manage.py seed_demo_partners`: two agencies with their people, releases in each state, built
through the services, and nothing new when run again; the demo `partner` sees what was released
to their agency and downloads the available release once they accept its conditions."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from nim_portal.models import AuditEvent, Notification
from partners import services
from partners.choices import DocumentStatus, ReleaseStatus
from partners.demo import COUNCIL, FIRE, FIRE_USERNAME, RELEASES
from partners.models import (
    AgencyMembership,
    HandlingAcknowledgement,
    PartnerAgency,
    Release,
    ReleaseDocument,
)
from partners.sanitise import WarningKind
from partners.selectors import releases_for_partner
from products.models import ProductVersion

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "agencies": PartnerAgency.objects.count(),
        "memberships": AgencyMembership.objects.count(),
        "releases": Release.objects.count(),
        "documents": ReleaseDocument.objects.count(),
        "versions": ProductVersion.objects.count(),
        "release history": Release.history.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    call_command("seed_demo", "--quiet")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_products", "--quiet")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_partners", stdout=out)
    assert "0 created" not in out.getvalue()
    return {release.purpose: release for release in Release.objects.all()}


def test_running_again_creates_nothing(seeded, django_capture_on_commit_callbacks):
    before = counts()
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_partners", stdout=out)

    assert counts() == before
    assert out.getvalue().startswith("Demo partners: 0 created")


def test_two_agencies_with_their_people(seeded):
    council = PartnerAgency.objects.get(name=COUNCIL)
    fire = PartnerAgency.objects.get(name=FIRE)

    assert council.kind == "local_authority" and fire.kind == "fire"
    assert {u.code for u in council.units.all()} == {"WMP", "WMP-BE"}
    assert not council.lapsed_reason() and not fire.lapsed_reason()
    assert AgencyMembership.objects.get(user__username="partner").agency == council
    fire_user = AgencyMembership.objects.get(user__username=FIRE_USERNAME)
    assert fire_user.agency == fire and fire_user.user.is_partner
    assert fire_user.user.groups.filter(pk=fire.group_id).exists()


def test_releases_in_every_state(seeded):
    by_state = {demo.state: seeded[demo.purpose] for demo in RELEASES}

    assert by_state["available"].status == ReleaseStatus.AVAILABLE
    assert by_state["withdrawn"].status == ReleaseStatus.WITHDRAWN
    assert by_state["withdrawn"].withdrawn_reason
    assert by_state["expired"].status == ReleaseStatus.EXPIRED
    assert by_state["draft"].status == ReleaseStatus.DRAFT
    assert set(by_state["available"].documents.values_list("status", flat=True)) == {
        DocumentStatus.READY
    }
    assert by_state["available"].documents.count() == 2


def test_the_draft_awaits_approval_with_personal_data_warnings(seeded):
    draft = next(seeded[d.purpose] for d in RELEASES if d.state == "draft")
    analyst = draft.prepared_by

    preview = services.release_preview(acting_user=analyst, release=draft)

    assert {(w.kind, w.matched_text) for w in preview.outstanding} >= {
        (WarningKind.POSTCODE, "B8 2TS"),
        (WarningKind.VEHICLE_REGISTRATION, "BD51 SMR"),
    }


def test_the_demo_partner_sees_the_released_ones_and_downloads_the_available_one(
    seeded, django_capture_on_commit_callbacks
):
    partner = AgencyMembership.objects.get(user__username="partner").user
    by_state = {demo.state: seeded[demo.purpose] for demo in RELEASES}

    seen = set(releases_for_partner(partner))

    assert seen == {by_state["available"], by_state["withdrawn"], by_state["expired"]}
    available = by_state["available"]
    with pytest.raises(services.HandlingNotAcknowledged):
        services.release_download(acting_user=partner, release=available)
    with django_capture_on_commit_callbacks(execute=True):
        services.handling_acknowledge(acting_user=partner, release=available)
    copy = services.release_download(acting_user=partner, release=available)
    assert copy.file.read().startswith(b"%PDF")
    assert HandlingAcknowledgement.objects.filter(release=available, user=partner).exists()
    with pytest.raises(ValidationError):
        services.release_download(acting_user=partner, release=by_state["withdrawn"])


def test_the_fire_service_user_sees_only_releases_to_their_agency(seeded):
    fire_user = AgencyMembership.objects.get(user__username=FIRE_USERNAME).user
    by_state = {demo.state: seeded[demo.purpose] for demo in RELEASES}

    assert set(releases_for_partner(fire_user)) == {by_state["available"], by_state["expired"]}
