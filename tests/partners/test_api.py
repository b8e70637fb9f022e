"""The partners API: agencies (admins), releases for staff, and partners' own releases through
an allow-list. Partners get 404 from every staff endpoint; no partner response holds a canary."""

import datetime
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, Role
from nim_portal.models import Membership
from partners.choices import ReleaseStatus
from partners.models import PartnerAgency, Release
from partners.services import release_approve, release_withdraw
from tests.partners.conftest import (
    CANARIES,
    prepare,
    published_assessment,
    releasable_ids,
    subject_profile,
    today,
)


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def release_body(cast, version, **overrides):
    return {
        "product": version.product_id,
        "version_number": version.number,
        "sections": releasable_ids(version),
        "agencies": [cast.agency_a.pk, cast.agency_b.pk],
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
        "purpose": "Target crime prevention advice.",
        "retention_months": 12,
        "expires_on": (today() + datetime.timedelta(days=60)).isoformat(),
        **overrides,
    }


# Agencies.


def test_admins_list_and_read_agencies(api, cast):
    as_user(api, cast.admin)
    names = [a["name"] for a in api.get("/api/v1/agencies/").json()["results"]]
    assert names == ["Birmingham City Council", "West Midlands Fire Service"]
    detail = api.get(f"/api/v1/agencies/{cast.agency_a.pk}/").json()
    assert [p["username"] for p in detail["people"]] == ["partner_a"]
    assert detail["lapsed_reason"] == ""


def test_non_admins_get_403_and_partners_404_from_agencies(api, cast):
    assert as_user(api, cast.analyst).get("/api/v1/agencies/").status_code == 403
    assert as_user(api, cast.partner_a).get("/api/v1/agencies/").status_code == 404


def test_admins_add_and_change_agencies(api, cast):
    as_user(api, cast.admin)
    body = {
        "name": "Sandwell Council",
        "kind": "local_authority",
        "units": [cast.hierarchy.bcu.pk],
        "agreement_reference": "ISA-1",
        "agreement_purpose": "ASB.",
        "agreement_starts_on": today().isoformat(),
        "agreement_review_on": (today() + datetime.timedelta(days=30)).isoformat(),
    }
    created = api.post("/api/v1/agencies/", body, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]

    changed = api.patch(f"/api/v1/agencies/{pk}/", {"is_active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    assert "no longer an active" in changed.json()["lapsed_reason"]


def test_a_non_admin_cannot_add_an_agency(api, cast):
    response = as_user(api, cast.analyst).post("/api/v1/agencies/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert PartnerAgency.objects.count() == 2


def test_admins_add_and_remove_people(api, cast):
    as_user(api, cast.admin)
    url = f"/api/v1/agencies/{cast.agency_a.pk}/people/"
    weak = api.post(
        url,
        {
            "username": "p2",
            "password": "x",
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.example",
            "vetting_level": "NPPV2A",
        },
        format="json",
    )
    assert weak.status_code == 400
    added = api.post(
        url,
        {
            "username": "p2",
            "password": "Seven-Long-Words-42",
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.example",
            "vetting_level": "NPPV2A",
        },
        format="json",
    )
    assert added.status_code == 201
    removed = api.delete(f"{url}{added.json()['id']}/")
    assert removed.status_code == 204


# Releases, for staff.


def test_an_analyst_prepares_a_release(api, cast, version):
    response = as_user(api, cast.analyst).post(
        "/api/v1/releases/", release_body(cast, version), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == ReleaseStatus.DRAFT
    assert Release.objects.count() == 1


@pytest.mark.parametrize(
    "change,message",
    [
        ("subject_profile", "A subject profile cannot be released"),
        ("secret", "never higher"),
        ("lapsed", "cannot receive new releases"),
    ],
)
def test_refused_releases_say_why_and_change_nothing(api, cast, version, change, message):
    body = release_body(cast, version)
    if change == "subject_profile":
        profile = subject_profile(cast)
        body = release_body(cast, profile)
    elif change == "secret":
        body["marking"] = GSCMarking.SECRET
    else:
        lapsed = cast.agency(
            "Lapsed Trust",
            [cast.unit],
            agreement_starts_on=today() - datetime.timedelta(days=400),
            agreement_review_on=today() - datetime.timedelta(days=1),
        )
        body["agencies"] = [lapsed.pk]

    response = as_user(api, cast.analyst).post("/api/v1/releases/", body, format="json")

    assert response.status_code == 400
    assert message in json.dumps(response.json())
    assert not Release.objects.exists()


def test_a_chair_cannot_prepare(api, cast, version):
    response = as_user(api, cast.chair).post(
        "/api/v1/releases/", release_body(cast, version), format="json"
    )
    assert response.status_code == 403
    assert not Release.objects.exists()


def test_staff_list_filter_and_read(api, cast, draft):
    as_user(api, cast.chair)
    assert [r["reference"] for r in api.get("/api/v1/releases/").json()["results"]] == [
        draft.reference
    ]
    assert api.get("/api/v1/releases/", {"status": "available"}).json()["results"] == []
    assert api.get("/api/v1/releases/", {"status": "nonsense"}).status_code == 400
    assert api.get(f"/api/v1/releases/{draft.pk}/").json()["documents"] == []
    assert as_user(api, cast.outsider).get(f"/api/v1/releases/{draft.pk}/").status_code == 404


def test_approving_your_own_release_is_403(api, cast, draft):
    Membership.objects.create(user=cast.analyst, unit=cast.unit, role=Role.REVIEWER)
    response = as_user(api, cast.analyst).post(f"/api/v1/releases/{draft.pk}/approve/")
    assert response.status_code == 403
    assert "You prepared this release" in response.json()["detail"]
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT


def test_a_reviewer_approves_then_withdraws(api, cast, draft, django_capture_on_commit_callbacks):
    as_user(api, cast.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        approved = api.post(f"/api/v1/releases/{draft.pk}/approve/")
    assert approved.status_code == 200
    assert len(approved.json()["documents"]) == 2

    refused = api.post(f"/api/v1/releases/{draft.pk}/withdraw/", {"reason": ""}, format="json")
    assert refused.status_code == 400
    withdrawn = api.post(
        f"/api/v1/releases/{draft.pk}/withdraw/", {"reason": "Superseded."}, format="json"
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == ReleaseStatus.WITHDRAWN


def test_warnings_are_acknowledged_by_id(api, cast, draft):
    response = as_user(api, cast.analyst).post(
        f"/api/v1/releases/{draft.pk}/acknowledge-warnings/", {"warnings": ["x"]}, format="json"
    )
    assert response.status_code == 400
    assert "no longer in the text" in json.dumps(response.json())


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/releases/"),
        ("get", "/api/v1/releases/{pk}/"),
        ("post", "/api/v1/releases/"),
        ("post", "/api/v1/releases/{pk}/approve/"),
        ("post", "/api/v1/releases/{pk}/withdraw/"),
        ("post", "/api/v1/releases/{pk}/acknowledge-warnings/"),
        ("get", "/api/v1/agencies/{agency}/"),
    ],
)
def test_partners_get_404_from_every_staff_endpoint(api, cast, available, method, path):
    url = path.format(pk=available.pk, agency=cast.agency_a.pk)
    response = getattr(as_user(api, cast.partner_a), method)(url, {}, format="json")
    assert response.status_code == 404
    available.refresh_from_db()
    assert available.status == ReleaseStatus.AVAILABLE


# Releases, for partners.

PARTNER_FIELDS = {
    "reference",
    "title",
    "marking",
    "status",
    "expires_on",
    "handling_conditions",
    "agency",
    "download_url",
}


def test_partners_read_their_own_releases_through_the_allow_list(api, cast, available):
    as_user(api, cast.partner_a)
    (row,) = api.get("/api/v1/partner/releases/").json()["results"]
    assert set(row) == PARTNER_FIELDS
    assert row["agency"] == "Birmingham City Council"
    assert row["marking"] == "OFFICIAL-SENSITIVE" and row["status"] == "available"
    assert row["download_url"].endswith(reverse("partners:area_download", args=[available.pk]))
    detail = api.get(f"/api/v1/partner/releases/{available.pk}/").json()
    assert set(detail) == PARTNER_FIELDS


def test_a_withdrawn_release_has_no_download_url(api, cast, available):
    release_withdraw(acting_user=cast.reviewer, release=available, reason="Superseded.")
    (row,) = as_user(api, cast.partner_a).get("/api/v1/partner/releases/").json()["results"]
    assert row["status"] == "withdrawn" and row["download_url"] is None


def test_another_agencys_release_is_404(api, cast, version, django_capture_on_commit_callbacks):
    only_b = prepare(cast, version, agencies=[cast.agency_b])
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(acting_user=cast.reviewer, release=only_b)
    as_user(api, cast.partner_a)
    assert api.get(f"/api/v1/partner/releases/{only_b.pk}/").status_code == 404
    assert api.get("/api/v1/partner/releases/").json()["results"] == []


def test_police_users_get_404_from_the_partner_endpoints(api, cast, available):
    as_user(api, cast.reviewer)
    assert api.get("/api/v1/partner/releases/").status_code == 404
    assert api.get(f"/api/v1/partner/releases/{available.pk}/").status_code == 404


def test_no_partner_response_holds_a_canary(api, cast, version, django_capture_on_commit_callbacks):
    """Canaries planted in a restricted span, a non-releasable section, the warning markers and
    a subject profile (tests/partners/conftest.py) never reach a partner through the API."""
    subject_profile(cast)
    release = prepare(cast, published_assessment(cast, extra_sections=1))
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(acting_user=cast.reviewer, release=release)
    as_user(api, cast.partner_a)
    urls = ["/api/v1/partner/releases/", f"/api/v1/partner/releases/{release.pk}/"]
    urls += [f"/api/v1/releases/{release.pk}/", f"/api/v1/products/{release.version.product_id}/"]
    for url in urls:
        body = api.get(url).content.decode()
        assert not [canary for canary in CANARIES if canary in body], url
