"""partners.selectors: who sees which release, in one query, 404 alike."""

import pytest
from django.http import Http404

from nim_portal.choices import AuditVerb
from partners.selectors import (
    agencies_for_unit,
    get_release_for_partner,
    get_release_for_staff,
    release_download_history,
    release_subject_names,
    releases_for_partner,
    releases_visible_to_staff,
)
from partners.services import handling_acknowledge, release_approve, release_download
from products.choices import ProductKind
from tests.partners.conftest import prepare, subject_profile


def test_a_partner_sees_only_available_releases_to_their_agency_in_one_query(
    cast, version, available, django_assert_num_queries
):
    prepare(cast, version)  # a draft: never listed
    only_b = prepare(cast, version, agencies=[cast.agency_b])
    release_approve(acting_user=cast.reviewer, release=only_b)  # approved, not rendered

    with django_assert_num_queries(1):
        assert list(releases_for_partner(cast.partner_a)) == [available]
    assert list(releases_for_partner(cast.partner_b)) == [available]
    assert get_release_for_partner(cast.partner_a, available.pk) == available
    for pk in (only_b.pk, "nonsense", 999999):
        with pytest.raises(Http404):
            get_release_for_partner(cast.partner_b, pk)


def test_police_users_see_no_partner_releases(cast, available):
    assert not releases_for_partner(cast.analyst).exists()
    with pytest.raises(Http404):
        get_release_for_partner(cast.reviewer, available.pk)


def test_staff_see_releases_of_products_they_may_read(cast, draft):
    assert list(releases_visible_to_staff(cast.reviewer)) == [draft]
    assert get_release_for_staff(cast.analyst, draft.pk) == draft
    assert not releases_visible_to_staff(cast.outsider).exists()
    assert not releases_visible_to_staff(cast.partner_a).exists()
    with pytest.raises(Http404):
        get_release_for_staff(cast.outsider, draft.pk)


def test_download_history_lists_each_download_for_staff(
    cast, available, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handling_acknowledge(acting_user=cast.partner_a, release=available)
    release_download(acting_user=cast.partner_a, release=available)

    history = list(release_download_history(cast.reviewer, available))

    assert [(e.actor, e.verb, e.detail["agency_name"]) for e in history] == [
        (cast.partner_a, AuditVerb.DOWNLOAD, "Birmingham City Council")
    ]
    with pytest.raises(Http404):
        release_download_history(cast.outsider, available)


def test_agencies_for_unit_takes_units_above_and_below_never_neighbours(cast):
    regional = cast.agency("Regional Probation", [cast.hierarchy.region])
    neighbour = cast.agency("Stoke Council", [cast.hierarchy.other_bcu])

    assert set(agencies_for_unit(cast.unit)) == {cast.agency_a, cast.agency_b, regional}
    assert set(agencies_for_unit(cast.hierarchy.other_force)) == {regional, neighbour}


def test_subject_names_come_from_readable_profiles_in_one_query(cast, django_assert_num_queries):
    subject_profile(cast, name="Darren Kilby")
    subject_profile(cast, name="Lee Marsh", kind=ProductKind.FIREARMS_PROFILE)

    with django_assert_num_queries(1):
        names = release_subject_names(cast.analyst, cast.unit)
    assert "Darren Kilby" in names and "Lee Marsh" in names
    assert release_subject_names(cast.outsider, cast.unit) == []
