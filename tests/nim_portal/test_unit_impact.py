"""Moving or deactivating a unit asks for confirmation on a page that says what it reaches (the
units below, the people, open products and actions, upcoming meetings: nim_portal.unit_impact,
one query each); the unit tree folds each unit's units away, open down to the viewer's own."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import AuditVerb, Role, UnitKind
from nim_portal.models import AuditEvent, Unit
from nim_portal.unit_impact import unit_impact
from products.choices import ProductStatus
from products.models import Product
from tasking.meetings.choices import MeetingKind
from tasking.models import Meeting
from tests.factories import UserFactory, add_unit, member, product_drafting
from tests.tasking.factories import action_raised, strategy_approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_admin(hierarchy):
    return member(hierarchy.region, Role.ADMIN, username="region-admin")


@pytest.fixture
def reached(hierarchy):
    """At and below the force: its chair, the analyst and reviewer who published its strategic
    assessment (an open product), the BCU with two people, two open products and a closed one,
    an open action on the force's log and two upcoming meetings and a past one. Elsewhere: a
    product of the other force."""
    chair = member(hierarchy.force, Role.CHAIR, username="chair")
    analyst = member(hierarchy.bcu, Role.ANALYST, username="analyst")
    member(hierarchy.bcu, Role.REVIEWER, username="reviewer")
    for title in ("Burglary profile", "Drugs profile", "Closed profile"):
        product_drafting(hierarchy.bcu, owner=analyst, requester=chair, title=title)
    Product.objects.filter(title="Closed profile").update(status=ProductStatus.CLOSED)
    product_drafting(
        hierarchy.other_bcu, owner=member(hierarchy.other_bcu, Role.ANALYST), title="Elsewhere"
    )
    strategy = strategy_approved(hierarchy.force, chair=chair)
    action_raised(hierarchy.force, chair=chair, priority=strategy.priorities.first())
    now = timezone.now()
    for days in (7, 21, -7):
        Meeting.objects.create(
            unit=hierarchy.bcu,
            kind=MeetingKind.TACTICAL,
            starts_at=now + datetime.timedelta(days=days),
            chair=chair,
        )
    return hierarchy


def counts(unit) -> dict[str, int]:
    return {item.label: item.count for item in unit_impact(unit)}


def test_the_impact_counts_what_sits_at_or_below_the_unit(reached):
    assert counts(reached.force) == {
        "units below it": 1,
        "people holding a role in it or below it": 5,
        "open products": 3,
        "open actions on its action logs": 1,
        "upcoming meetings": 2,
    }
    assert counts(reached.other_bcu)["open products"] == 1


def test_the_impact_reads_one_query_each(reached, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        unit_impact(reached.force)


def test_a_move_asks_for_confirmation_with_what_it_reaches(client, reached, region_admin):
    client.force_login(region_admin)
    url = reverse("units:move", args=[reached.bcu.pk])
    before = Unit.objects.get(pk=reached.bcu.pk).path

    page = client.post(url, {"parent": reached.other_force.pk})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Move Birmingham under Staffordshire Police?" in html
    assert {item.label: item.count for item in page.context["impact"]}["open products"] == 2
    assert f'name="parent" value="{reached.other_force.pk}"' in html
    assert 'name="confirmed" value="yes"' in html
    assert Unit.objects.get(pk=reached.bcu.pk).path == before
    assert not AuditEvent.objects.filter(verb=AuditVerb.MOVE).exists()

    done = client.post(url, {"parent": reached.other_force.pk, "confirmed": "yes"})

    assert done.status_code == 302
    assert Unit.objects.get(pk=reached.bcu.pk).path.startswith(reached.other_force.path)


def test_a_move_the_service_would_refuse_is_refused_before_the_confirmation(
    client, hierarchy, region_admin
):
    add_unit(hierarchy.other_force, kind=UnitKind.BCU, code="BIRM", name="Burton")
    client.force_login(region_admin)

    response = client.post(
        reverse("units:move", args=[hierarchy.bcu.pk]), {"parent": hierarchy.other_force.pk}
    )

    assert "Another unit under Staffordshire Police already uses the code BIRM." in (
        response.content.decode()
    )
    assert "confirmed" not in response.content.decode()


def test_a_deactivation_asks_for_confirmation_then_deactivates(client, hierarchy, region_admin):
    client.force_login(region_admin)
    url = reverse("units:deactivate", args=[hierarchy.bcu.pk])

    page = client.post(url, {"reason": "Merged into the force"})

    assert "Deactivate Birmingham?" in page.content.decode()
    assert 'name="reason" value="Merged into the force"' in page.content.decode()
    assert Unit.objects.get(pk=hierarchy.bcu.pk).is_active

    client.post(url, {"reason": "Merged into the force", "confirmed": "yes"})

    assert not Unit.objects.get(pk=hierarchy.bcu.pk).is_active


def test_a_unit_with_active_units_below_is_refused_before_the_confirmation(
    client, hierarchy, region_admin
):
    client.force_login(region_admin)

    response = client.post(
        reverse("units:deactivate", args=[hierarchy.force.pk]), {"reason": "Merger"}
    )

    assert "still has active units under it (Birmingham)" in response.content.decode()
    assert "impact" not in response.context
    assert Unit.objects.get(pk=hierarchy.force.pk).is_active


def test_somebody_who_administers_nothing_there_gets_no_confirmation(client, hierarchy):
    client.force_login(member(hierarchy.other_force, Role.ADMIN))

    response = client.post(
        reverse("units:move", args=[hierarchy.bcu.pk]), {"parent": hierarchy.other_force.pk}
    )

    assert response.status_code == 403
    assert "Birmingham under" not in response.content.decode()


# The tree.


def open_units(response) -> set[str]:
    found, stack = set(), list(response.context["roots"])
    while stack:
        node = stack.pop()
        if node["open"] and node["children"]:
            found.add(node["unit"].code)
        stack.extend(node["children"])
    return found


def test_the_tree_is_open_down_to_the_viewers_own_unit(client, hierarchy):
    client.force_login(member(hierarchy.force, Role.ADMIN, username="wmp-admin"))

    response = client.get(reverse("units:tree"))

    assert open_units(response) == {"UK", "WM", "WMP"}
    html = response.content.decode()
    assert html.count("<details") == 4  # national, region and the two forces
    assert html.count('<details class="govuk-details nim-unit-tree__below" open>') == 3


def test_a_system_administrator_sees_only_the_top_open(client, hierarchy):
    client.force_login(UserFactory(is_superuser=True))

    assert open_units(client.get(reverse("units:tree"))) == {"UK"}
