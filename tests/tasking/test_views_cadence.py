"""The admins' meeting cadence pages from both sides: system administrators change a policy, unit
administrators read the policies and the lapsed cadences of their own units, everybody else is
refused (partners with 404) and nothing changes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import Role
from nim_portal.models import Unit
from tasking.meetings.cadence import cadence_policies_default
from tasking.meetings.choices import IntervalUnit, MeetingKind, MeetingStatus
from tasking.meetings.forms import CadencePolicyForm
from tasking.models import CadencePolicy, Meeting
from tests.factories import PartnerUserFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(hierarchy):
    return cadence_policies_default()


@pytest.fixture
def superuser(hierarchy):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def force_admin(hierarchy):
    return member(hierarchy.force, Role.ADMIN, username="forceadmin")


def bcu_tactical():
    return CadencePolicy.objects.get(unit_kind="bcu", meeting_kind=MeetingKind.TACTICAL)


def edit_data(policy, **changes):
    data = {}
    for name, value in CadencePolicyForm.initial_of(policy).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def page(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"tasking:{name}", args=args))


def test_the_policies_page_lists_every_level_with_edit_links_for_superusers(
    client, policies, superuser
):
    response = page(client, superuser, "cadence_policies")
    html = response.content.decode()
    assert response.status_code == 200
    for heading in ("Basic Command Unit (Level 1)", "Force (Level 2)", "Region (Level 2)"):
        assert heading in html
    assert "Every 14 days" in html and "Every 6 months" in html
    assert reverse("tasking:cadence_policy_edit", args=[bcu_tactical().pk]) in html
    assert "OFFICIAL" in html  # the page's marking banner


def test_a_unit_admin_reads_the_policies_but_may_not_change_them(client, policies, force_admin):
    policy = bcu_tactical()
    response = page(client, force_admin, "cadence_policies")
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("tasking:cadence_policy_edit", args=[policy.pk]) not in html
    assert "Only a national or system administrator can change a cadence" in html
    response = page(client, force_admin, "cadence_policy_edit", policy.pk)
    assert response.status_code == 403
    response = client.post(
        reverse("tasking:cadence_policy_edit", args=[policy.pk]),
        edit_data(policy, interval_count=21),
    )
    assert response.status_code == 403
    assert "Only a national or system administrator can change the meeting cadence." in (
        response.content.decode()
    )
    assert bcu_tactical().interval_count == 14


def test_people_who_administer_nothing_get_403_and_partners_404(client, policies, hierarchy):
    chair = member(hierarchy.bcu, Role.CHAIR)
    for name in ("cadence_policies", "lapsed_cadences"):
        assert page(client, chair, name).status_code == 403
        assert page(client, PartnerUserFactory(), name).status_code == 404
    assert page(client, PartnerUserFactory(), "cadence_policy_edit", 1).status_code == 404


def test_a_superuser_changes_a_policy(client, policies, superuser):
    policy = bcu_tactical()
    client.force_login(superuser)
    response = client.post(
        reverse("tasking:cadence_policy_edit", args=[policy.pk]),
        edit_data(policy, interval_count=7, interval_unit=IntervalUnit.DAYS, horizon_days=60),
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.interval_count, policy.horizon_days) == (7, 60)
    assert policy.history.first().history_user == superuser


def test_a_national_administrator_changes_a_policy(client, policies, hierarchy):
    national_admin = member(hierarchy.national, Role.ADMIN, username="nationaladmin")
    policy = bcu_tactical()
    html = page(client, national_admin, "cadence_policies").content.decode()
    edit_link = reverse("tasking:cadence_policy_edit", args=[policy.pk])
    assert edit_link in html
    response = client.post(edit_link, edit_data(policy, interval_count=21))
    assert response.status_code == 302
    assert bcu_tactical().interval_count == 21


def test_the_level_3_cadence_is_on_by_default_and_a_superuser_turns_it_off(
    client, policies, superuser
):
    policy = CadencePolicy.objects.get(unit_kind="national", meeting_kind=MeetingKind.TACTICAL)
    assert policy.is_enabled  # the national TT&CG and ST&CG are scheduled by default
    assert CadencePolicy.objects.get(
        unit_kind="national", meeting_kind=MeetingKind.STRATEGIC
    ).is_enabled
    assert "National (Level 3)" in page(client, superuser, "cadence_policies").content.decode()
    response = client.post(
        reverse("tasking:cadence_policy_edit", args=[policy.pk]),
        edit_data(policy, is_enabled=False, interval_count=2),
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert not policy.is_enabled and policy.interval_count == 2


def test_an_invalid_policy_is_refused_on_the_form_with_no_change(client, policies, superuser):
    policy = bcu_tactical()
    client.force_login(superuser)
    response = client.post(
        reverse("tasking:cadence_policy_edit", args=[policy.pk]),
        edit_data(policy, assessment_due_days=20, assessment_commission_days=10),
    )
    assert response.status_code == 400
    assert "The assessment cannot be due before it is commissioned." in response.content.decode()
    policy.refresh_from_db()
    assert policy.assessment_commission_days == 14
    response = client.post(
        reverse("tasking:cadence_policy_edit", args=[policy.pk]),
        edit_data(policy, interval_count=0),
    )
    assert response.status_code == 400
    assert bcu_tactical().interval_count == 14


def test_the_lapsed_page_flags_units_the_admin_administers(
    client, policies, hierarchy, force_admin, superuser
):
    Unit.objects.update(created_at=timezone.now() - timedelta(days=400))
    # Names a random surname cannot make look like a unit's ("Stokes" holds "Stoke").
    for person in (force_admin, superuser):
        person.first_name, person.last_name = "Pat", "Administrator"
        person.save(update_fields=["first_name", "last_name"])
    Meeting.objects.create(
        unit=hierarchy.other_bcu,
        kind=MeetingKind.TACTICAL,
        starts_at=timezone.now() - timedelta(days=2),
        status=MeetingStatus.CLOSED,
    )
    html = page(client, force_admin, "lapsed_cadences").content.decode()
    assert "Birmingham" in html and "Lapsed" in html
    # Stoke is another force's: not this admin's to see.
    assert "Stoke" not in html
    html = page(client, superuser, "lapsed_cadences").content.decode()
    assert "Staffordshire Police" in html
    # Stoke held its TT&CG two days ago: its tactical cadence is kept.
    rows = [line for line in html.splitlines() if "Stoke" in line]
    assert len(rows) == 1  # its strategic cadence only


def test_no_lapsed_cadence_says_so(client, policies, superuser):
    Meeting.objects.all().delete()
    html = page(client, superuser, "lapsed_cadences").content.decode()
    # Units created today have not lapsed yet.
    assert "Every unit you administer is meeting within its cadence." in html
