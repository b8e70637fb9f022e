"""Law enforcement agencies at Level 3 (issue 14, point 8): the NCA, a ROCU, BTP, HMRC or Border
Force is a unit of its own beside the national unit (a root of kind national, flagged), with its
own people and T&CGs; its administrators are not the national administrators, it asks the national
unit or another agency sideways, and has no T&CG above it to escalate to."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from nim_portal.choices import AuditVerb, Role, UnitKind
from nim_portal.models import Unit
from nim_portal.selectors import audit_events_visible_to
from nim_portal.services import audit_record
from tasking.meetings.cadence import schedule_meetings
from tasking.meetings.choices import MeetingKind
from tasking.meetings.policy import can_change_cadence
from tasking.models import Meeting
from tasking.requests.policy import neighbours_of
from tests.factories import member


@pytest.fixture
def nca(hierarchy):
    return Unit.objects.add_root(
        {
            "kind": UnitKind.NATIONAL,
            "code": "NCA",
            "name": "National Crime Agency",
            "is_agency": True,
        }
    )


def test_an_agency_is_a_level_3_unit_of_its_own(hierarchy, nca):
    assert nca.nim_level == 3 and nca.depth == 1
    with transaction.atomic(), pytest.raises(IntegrityError):
        Unit.objects.filter(pk=hierarchy.force.pk).update(is_agency=True)


def test_an_agency_administrator_is_not_a_national_administrator(hierarchy, nca):
    agency_admin = member(nca, Role.ADMIN, username="ncaadmin")
    national_admin = member(hierarchy.national, Role.ADMIN, username="nationaladmin")
    assert can_change_cadence(national_admin)
    assert not can_change_cadence(agency_admin)
    stranger = member(hierarchy.force, Role.CHAIR, username="forcechair")
    audit_record(actor=stranger, verb=AuditVerb.UPDATE, obj=hierarchy.force)
    assert audit_events_visible_to(national_admin).filter(actor=stranger).exists()
    assert not audit_events_visible_to(agency_admin).filter(actor=stranger).exists()


def test_an_agency_has_its_own_t_and_cgs_by_the_national_cadence(hierarchy, nca):
    member(nca, Role.CHAIR, username="ncachair")
    schedule_meetings(now=datetime(2030, 6, 1, 8, 0, tzinfo=UTC))
    kinds = set(Meeting.objects.filter(unit=nca).values_list("kind", flat=True))
    assert kinds == {MeetingKind.TACTICAL, MeetingKind.STRATEGIC}


def test_agencies_and_the_national_unit_are_neighbours_and_forces_are_not(hierarchy, nca):
    assert set(neighbours_of(nca)) == {hierarchy.national}
    assert nca in neighbours_of(hierarchy.national)
    assert nca not in neighbours_of(hierarchy.force)
