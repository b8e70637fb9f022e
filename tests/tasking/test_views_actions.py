"""The action log pages from both sides: readers and 404 for everybody else, raising (never
without a priority), progress updates from "my actions" with stale versions refused, closing
with an outcome, markings per row and in the banner, constant queries as the log grows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.actions import views as action_views
from tasking.actions.choices import ActionStatus, ActionType, Rag
from tasking.actions.services import action_close, action_update_add
from tasking.actions.views import MY_ACTIONS_PER_PAGE
from tasking.models import ActionUpdate, TacticalAction
from tests.factories import PartnerUserFactory, member
from tests.paging import two_pages
from tests.tasking.factories import StrategyCast, action_raised, strategy_approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def strategy(cast):
    return strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())


@pytest.fixture
def priority(strategy):
    return strategy.priorities.order_by("rank").first()


@pytest.fixture
def action(cast, priority):
    return action_raised(cast.unit, chair=cast.chair, priority=priority, owner_user=cast.member)


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"tasking:{name}", args=args), params)


def post(client, user, name, *args, data=None):
    client.force_login(user)
    return client.post(reverse(f"tasking:{name}", args=args), data or {})


def update_data(action, *, text="Two test purchases made.", rag=Rag.AMBER, version=None, to="mine"):
    prefix = f"action-{action.pk}"
    return {
        f"{prefix}-text": text,
        f"{prefix}-rag": rag,
        f"{prefix}-version": version or action.version,
        f"{prefix}-return_to": to,
    }


# The log.


def test_the_log_lists_open_and_closed_actions_with_their_markings(client, cast, priority):
    overdue = action_raised(cast.unit, chair=cast.chair, priority=priority, due_in_days=-2)
    secret = action_raised(
        cast.unit, chair=cast.chair, priority=priority, marking=GSCMarking.SECRET
    )
    closed = action_raised(cast.unit, chair=cast.chair, priority=priority)
    action_close(
        acting_user=cast.chair, action=closed, outcome="Dealers charged.", expected_version=1
    )

    response = get(client, cast.member, "action_log", cast.unit.pk)

    assert response.status_code == 200
    assert response.context["open_actions"] == [overdue, secret]
    assert response.context["closed_actions"] == [closed]
    assert response.context["page_marking"] == GSCMarking.SECRET
    html = response.content.decode()
    assert "Dealers charged." in html and "Overdue" in html
    # Each row carries its own marking.
    assert html.count(">SECRET</strong>") == 1
    assert html.count(">OFFICIAL-SENSITIVE</strong>") == 2


def test_the_banner_is_the_highest_marking_the_reader_sees(client, cast, priority, action):
    action_raised(cast.unit, chair=cast.chair, priority=priority, marking=GSCMarking.SECRET)
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)

    response = get(client, rv_member, "action_log", cast.unit.pk)

    assert response.context["open_actions"] == [action]
    assert response.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE
    assert "SECRET" not in response.content.decode().replace("OFFICIAL-SENSITIVE", "")


@pytest.mark.parametrize("who", ["outsider", "outside_chair", "bcu_member"])
def test_a_member_of_another_unit_gets_404(client, cast, action, who):
    assert get(client, getattr(cast, who), "action_log", cast.unit.pk).status_code == 404
    assert get(client, getattr(cast, who), "action_detail", action.pk).status_code == 404


def test_partners_get_404(client, cast, action):
    partner = PartnerUserFactory()
    assert get(client, partner, "action_log", cast.unit.pk).status_code == 404
    assert get(client, partner, "my_actions").status_code == 404


def test_the_log_filters_by_status_rag_priority_and_owner(client, cast, strategy, action):
    burglary = strategy.priorities.get(theme="Burglary")
    other = action_raised(
        cast.unit, chair=cast.chair, priority=burglary, owner_unit=cast.hierarchy.bcu
    )
    action_update_add(
        acting_user=cast.chair, action=other, text="Late.", rag=Rag.RED, expected_version=1
    )

    def shown(**params):
        response = get(client, cast.member, "action_log", cast.unit.pk, **params)
        assert response.status_code == 200
        return response.context["open_actions"] + response.context["closed_actions"]

    assert shown(rag=Rag.RED) == [other]
    assert shown(priority=burglary.pk) == [other]
    assert shown(owner=f"user-{cast.member.pk}") == [action]
    assert shown(owner=f"unit-{cast.hierarchy.bcu.pk}") == [other]
    assert shown(status=ActionStatus.CLOSED) == []
    # An owner not on the log is refused with a message, and the log shown unfiltered.
    response = get(client, cast.member, "action_log", cast.unit.pk, owner=f"user-{cast.chair.pk}")
    assert response.context["form"].errors["owner"]


def _many_actions(cast, priority, count):
    for i in range(count):
        action = action_raised(
            cast.unit,
            chair=cast.chair,
            priority=priority,
            owner_user=cast.member if i % 2 else None,
            owner_unit=None if i % 2 else cast.hierarchy.bcu,
            due_in_days=i - 3,
        )
        action_update_add(
            acting_user=cast.chair,
            action=action,
            text="Going.",
            rag=Rag.AMBER,
            expected_version=1,
        )
        if i % 3 == 0:
            action_close(acting_user=cast.chair, action=action, outcome="Done.", expected_version=2)


@pytest.mark.parametrize("count", [2, 12])
def test_the_log_runs_a_constant_number_of_queries(
    client, cast, priority, django_assert_max_num_queries, count
):
    _many_actions(cast, priority, count)
    client.force_login(cast.member)
    # Session and user (2), unit (1), filter choices (3), count, page and its rows (3),
    # the chart's counts by priority (1), "may raise" (1), navigation (1), the session's save (3).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("tasking:action_log", args=[cast.unit.pk]))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == count


def test_the_log_and_my_actions_walk_two_pages_in_constant_queries(
    client, cast, priority, monkeypatch
):
    monkeypatch.setattr(action_views, "ACTIONS_PER_PAGE", 2)
    monkeypatch.setattr(action_views, "MY_ACTIONS_PER_PAGE", 2)
    client.force_login(cast.member)
    log = reverse("tasking:action_log", args=[cast.unit.pk])
    mine = reverse("tasking:my_actions")

    def add(count):
        for day in range(count):
            action_raised(
                cast.unit,
                chair=cast.chair,
                priority=priority,
                owner_user=cast.member,
                due_in_days=day,
            )

    add(5)
    small = two_pages(client, log, {"status": ActionStatus.OPEN}), two_pages(client, mine)
    add(5)
    assert (two_pages(client, log, {"status": ActionStatus.OPEN}), two_pages(client, mine)) == small


# Raising.


def raise_data(priority, **overrides):
    data = {
        "priority": priority.pk if priority else "",
        "action_type": ActionType.INTELLIGENCE,
        "description": "Map the line's runners from the custody records.",
        "owner_user": "",
        "owner_unit": "",
        "due_date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
    }
    data.update(overrides)
    return data


def test_a_chair_raises_an_action_from_the_log(client, cast, priority):
    response = post(
        client,
        cast.chair,
        "action_raise",
        cast.unit.pk,
        data=raise_data(priority, owner_user=cast.member.pk),
    )
    action = TacticalAction.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tasking:action_detail", args=[action.pk])
    assert (action.priority, action.owner_user) == (priority, cast.member)


def test_an_action_with_no_priority_is_refused_with_a_clear_message(client, cast, priority):
    response = post(
        client,
        cast.chair,
        "action_raise",
        cast.unit.pk,
        data=raise_data(None, owner_user=cast.member.pk),
    )
    assert response.status_code == 400
    assert "every action is tied to one" in response.content.decode()
    assert not TacticalAction.objects.exists()


def test_the_services_refusals_go_back_onto_the_form(client, cast, priority):
    response = post(
        client,
        cast.chair,
        "action_raise",
        cast.unit.pk,
        data=raise_data(priority, owner_user=cast.member.pk, owner_unit=cast.hierarchy.bcu.pk),
    )
    assert response.status_code == 400
    assert "a person or a unit, not both" in response.content.decode()
    assert not TacticalAction.objects.exists()


def test_a_member_may_not_raise(client, cast, priority):
    assert get(client, cast.member, "action_raise", cast.unit.pk).status_code == 403
    response = post(
        client,
        cast.member,
        "action_raise",
        cast.unit.pk,
        data=raise_data(priority, owner_user=cast.member.pk),
    )
    assert response.status_code == 403
    assert not TacticalAction.objects.exists()
    assert get(client, cast.outsider, "action_raise", cast.unit.pk).status_code == 404


def test_the_raise_page_warns_when_there_is_no_strategy(client, cast):
    response = get(client, cast.chair, "action_raise", cast.unit.pk)
    assert response.status_code == 200
    assert "no approved control strategy" in response.content.decode()


# One action and its progress.


def test_the_action_page_shows_its_dated_updates_and_marking(client, cast, action):
    action_update_add(
        acting_user=cast.member,
        action=action,
        text="Warrant granted.",
        rag=Rag.AMBER,
        expected_version=1,
    )
    response = get(client, cast.analyst, "action_detail", action.pk)
    assert response.status_code == 200
    assert [u.text for u in response.context["updates"]] == ["Warrant granted."]
    assert response.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE
    # The analyst reads but may neither update nor close.
    assert response.context["update_form"] is None and not response.context["may_close"]
    owner_page = get(client, cast.member, "action_detail", action.pk)
    assert owner_page.context["update_form"] is not None


def test_the_owner_adds_progress_from_my_actions(client, cast, action):
    page = get(client, cast.member, "my_actions")
    assert [row["action"] for row in page.context["rows"]] == [action]

    response = post(client, cast.member, "action_update", action.pk, data=update_data(action))

    assert response.status_code == 302
    assert response.url == f"{reverse('tasking:my_actions')}?page=1#action-{action.pk}"
    action.refresh_from_db()
    assert action.rag == Rag.AMBER and action.updates.get().text == "Two test purchases made."


def test_a_stale_update_is_refused_with_a_message_and_nothing_changed(client, cast, action):
    stale = update_data(action, text="Mine.", rag=Rag.RED)
    action_update_add(
        acting_user=cast.chair,
        action=action,
        text="Chair's.",
        rag=Rag.GREEN,
        expected_version=1,
    )

    response = post(client, cast.member, "action_update", action.pk, data=stale)

    assert response.status_code == 409
    html = response.content.decode()
    assert "nothing was saved" in html and "Mine." in html
    assert list(ActionUpdate.objects.values_list("text", flat=True)) == ["Chair's."]
    # Sent again, having seen the change, it is recorded.
    form = next(r["form"] for r in response.context["rows"] if r["action"].pk == action.pk)
    again = {f"{form.prefix}-{name}": value for name, value in form.data.items() if False} or {
        **stale,
        f"action-{action.pk}-version": 2,
    }
    assert post(client, cast.member, "action_update", action.pk, data=again).status_code == 302


def test_an_empty_update_is_refused_on_the_action_page(client, cast, action):
    response = post(
        client,
        cast.member,
        "action_update",
        action.pk,
        data=update_data(action, text="", to="detail"),
    )
    assert response.status_code == 400
    assert response.context["update_form"].errors["text"]
    assert not ActionUpdate.objects.exists()


def test_somebody_else_may_not_update(client, cast, action):
    response = post(client, cast.analyst, "action_update", action.pk, data=update_data(action))
    assert response.status_code == 403
    assert (
        post(
            client, cast.outsider, "action_update", action.pk, data=update_data(action)
        ).status_code
        == 404
    )
    assert not ActionUpdate.objects.exists()


def test_my_actions_come_in_pages_and_an_update_returns_to_its_page(client, cast, priority):
    owned = [
        action_raised(
            cast.unit, chair=cast.chair, priority=priority, owner_user=cast.member, due_in_days=day
        )
        for day in range(1, MY_ACTIONS_PER_PAGE + 3)
    ]
    last = owned[-1]  # due last: on page 2

    first_page = get(client, cast.member, "my_actions")
    second_page = get(client, cast.member, "my_actions", page=2)

    assert [row["action"] for row in first_page.context["rows"]] == owned[:MY_ACTIONS_PER_PAGE]
    assert [row["action"] for row in second_page.context["rows"]] == owned[MY_ACTIONS_PER_PAGE:]
    assert f'id="my-actions-title">{len(owned)} open actions</h2>' in first_page.content.decode()

    refused = post(client, cast.member, "action_update", last.pk, data=update_data(last, text=""))

    assert refused.status_code == 400
    assert refused.context["page_obj"].number == 2
    assert "Enter the progress since the last update." in refused.content.decode()
    assert not last.updates.exists()

    done = post(client, cast.member, "action_update", last.pk, data=update_data(last))

    assert done.url == f"{reverse('tasking:my_actions')}?page=2#action-{last.pk}"
    assert last.updates.count() == 1


@pytest.mark.parametrize("count", [1, 8])
def test_my_actions_runs_a_constant_number_of_queries(
    client, cast, priority, django_assert_max_num_queries, count
):
    _many_actions(cast, priority, count)
    client.force_login(cast.member)
    # Session and user (2), count, page and its rows (3), readable logs (1), navigation (1),
    # the session's save (3).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tasking:my_actions"))
    assert response.status_code == 200


# Closing.


def test_a_chair_closes_an_action_with_its_outcome(client, cast, action):
    assert get(client, cast.chair, "action_close", action.pk).status_code == 200
    response = post(
        client,
        cast.chair,
        "action_close",
        action.pk,
        data={"outcome": "Two dealers charged.", "version": 1},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED and action.outcome == "Two dealers charged."


def test_closing_without_an_outcome_or_over_a_stale_version_changes_nothing(client, cast, action):
    response = post(
        client, cast.chair, "action_close", action.pk, data={"outcome": "", "version": 1}
    )
    assert response.status_code == 400
    action_update_add(
        acting_user=cast.member, action=action, text="Half.", rag=Rag.AMBER, expected_version=1
    )
    response = post(
        client, cast.chair, "action_close", action.pk, data={"outcome": "Done.", "version": 1}
    )
    assert response.status_code == 409 and "nothing was saved" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_a_member_may_not_close(client, cast, action):
    assert get(client, cast.member, "action_close", action.pk).status_code == 403
    response = post(
        client, cast.member, "action_close", action.pk, data={"outcome": "Done.", "version": 1}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


# The dashboard.


def test_the_dashboard_counts_my_open_overdue_and_red_actions(client, cast, priority, action):
    late = action_raised(
        cast.unit, chair=cast.chair, priority=priority, owner_user=cast.member, due_in_days=-1
    )
    action_update_add(
        acting_user=cast.member, action=late, text="Late.", rag=Rag.RED, expected_version=1
    )
    client.force_login(cast.member)
    response = client.get(reverse("dashboard"))
    (panel,) = [p for p in response.context["panels"] if "red" in p["context"]]
    assert panel["context"] == {"open": 2, "overdue": 1, "red": 1}
    assert "You own 2 open actions, 1 overdue, 1 rated red" in response.content.decode()
