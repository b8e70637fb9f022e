"""partners.models: the invariants the database holds whatever the code does."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from nim_portal.choices import GSCMarking
from partners.choices import RELEASE_TRANSITIONS, ReleaseStatus
from partners.models import HandlingAcknowledgement, Release
from partners.services.lifecycle import RELEASE_LIFECYCLE
from tests.partners.conftest import today


def test_the_database_refuses_a_release_above_official_sensitive(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.filter(pk=draft.pk).update(marking=GSCMarking.SECRET)


def test_the_database_refuses_an_approver_who_prepared_it(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.filter(pk=draft.pk).update(
            approved_by=draft.prepared_by, approved_at=draft.prepared_at, partner_content={}
        )


def test_an_approved_release_has_its_frozen_text(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.filter(pk=draft.pk).update(status=ReleaseStatus.APPROVED)


def test_handling_is_acknowledged_once_per_user(cast, available):
    HandlingAcknowledgement.objects.create(
        release=available, user=cast.partner_a, agency=cast.agency_a
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        HandlingAcknowledgement.objects.create(
            release=available, user=cast.partner_a, agency=cast.agency_a
        )


def test_an_agency_lapses_after_its_review_date_or_when_inactive(cast):
    agency = cast.agency_a
    assert not agency.agency_lapsed and agency.lapsed_reason() == ""
    assert "lapsed on" in agency.lapsed_reason(today() + datetime.timedelta(days=400))
    agency.is_active = False
    assert agency.agency_lapsed and "no longer an active" in agency.lapsed_reason()


def test_withdrawn_and_expired_are_final():
    assert RELEASE_TRANSITIONS[ReleaseStatus.WITHDRAWN] == frozenset()
    assert RELEASE_TRANSITIONS[ReleaseStatus.EXPIRED] == frozenset()
    assert not RELEASE_LIFECYCLE.allows(ReleaseStatus.DRAFT, ReleaseStatus.AVAILABLE)
    assert RELEASE_LIFECYCLE.allows(ReleaseStatus.AVAILABLE, ReleaseStatus.WITHDRAWN)


def test_handling_conditions_always_forbid_onward_disclosure(draft):
    assert draft.handling_conditions[0].startswith("No onward disclosure")
    assert any("12 months" in condition for condition in draft.handling_conditions)
