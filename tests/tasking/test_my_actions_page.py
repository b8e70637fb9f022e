"""My actions, a compact list: each open action a row with its last update, and one row opened
in place (htmx) to record progress; without htmx the row's link leads to the action's page.
A constant number of queries however many actions and updates there are."""

import pytest
from django.urls import reverse

from nim_portal.choices import Role
from tasking.actions.choices import Rag
from tasking.actions.services import action_update_add
from tests.factories import member
from tests.tasking.factories import StrategyCast, action_raised, strategy_approved

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def priority(cast):
    strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    return strategy.priorities.order_by("rank").first()


@pytest.fixture
def action(cast, priority):
    return action_raised(
        cast.unit,
        chair=cast.chair,
        priority=priority,
        owner_user=cast.member,
        description="Warrant at the cuckooed address on Coleshill Road.",
        due_in_days=-2,
    )


def update(action, user, text, rag=Rag.AMBER):
    action.refresh_from_db()
    return action_update_add(
        acting_user=user, action=action, text=text, rag=rag, expected_version=action.version
    )


def row_url(action, **params):
    url = reverse("tasking:my_action_row", args=[action.pk])
    return f"{url}?open=1" if params.get("open") else url


def update_data(action, **overrides):
    prefix = f"action-{action.pk}"
    data = {
        f"{prefix}-text": "Search team booked for Friday.",
        f"{prefix}-rag": Rag.RED,
        f"{prefix}-version": action.version,
        f"{prefix}-return_to": "mine",
    }
    data.update({f"{prefix}-{name}": value for name, value in overrides.items()})
    return data


def test_each_action_is_a_row_with_its_last_update(client, cast, action):
    update(action, cast.member, "First visit made.")
    update(action, cast.member, "Second visit: nobody home. " + "x" * 400)
    client.force_login(cast.member)
    html = client.get(reverse("tasking:my_actions")).content.decode()

    assert f'<tbody class="govuk-table__body" id="action-{action.pk}">' in html
    assert "Warrant at the cuckooed address on Coleshill Road." in html
    assert "Overdue" in html
    assert "Second visit: nobody home." in html and "First visit made." not in html
    # The last update's text is cut short in the list; its page has it whole.
    assert "x" * 200 not in html
    assert 'hx-get="' + row_url(action, open=True) + '"' in html
    # Without JavaScript, the row's link opens the action's page at its update form.
    assert f'href="{reverse("tasking:action_detail", args=[action.pk])}#update"' in html


def test_a_row_opens_in_place_with_its_form_and_closes_again(client, cast, action):
    client.force_login(cast.member)

    opened = client.get(row_url(action, open=True), **HTMX)
    html = opened.content.decode()
    assert opened.status_code == 200 and "<html" not in html
    assert html.strip().startswith(f'<tbody class="govuk-table__body" id="action-{action.pk}">')
    assert f'hx-post="{reverse("tasking:action_update", args=[action.pk])}"' in html
    assert "autofocus" in html and 'aria-expanded="true"' in html

    closed = client.get(row_url(action), **HTMX).content.decode()
    assert "<form" not in closed and 'aria-expanded="false"' in closed


def test_a_row_is_no_page_without_htmx(client, cast, action):
    client.force_login(cast.member)
    response = client.get(row_url(action, open=True))
    assert response.status_code == 302
    assert response.url == reverse("tasking:action_detail", args=[action.pk])


def test_a_reader_who_may_not_update_gets_the_row_without_a_form(client, cast, action):
    client.force_login(cast.analyst)
    html = client.get(row_url(action, open=True), **HTMX).content.decode()
    assert "<form" not in html


def test_a_row_is_404_to_those_who_may_not_read_the_action(client, cast, action):
    client.force_login(cast.outsider)
    assert client.get(row_url(action, open=True), **HTMX).status_code == 404


def test_progress_recorded_in_place_comes_back_as_the_updated_row(client, cast, action):
    client.force_login(cast.member)
    url = reverse("tasking:action_update", args=[action.pk])
    response = client.post(url, update_data(action), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Search team booked for Friday." in html and "<form" not in html
    assert f'value="{action.pk}:2" form="bulk-rag"' in html
    assert 'hx-swap-oob="innerHTML">Progress on action' in html
    assert "autofocus" in html
    action.refresh_from_db()
    assert (action.rag, action.version) == (Rag.RED, 2)


def test_a_refused_update_in_place_comes_back_open_with_its_errors(client, cast, action):
    client.force_login(cast.member)
    url = reverse("tasking:action_update", args=[action.pk])
    response = client.post(url, update_data(action, text=""), **HTMX)

    html = response.content.decode()
    assert "Enter the progress since the last update." in html
    assert 'aria-expanded="true"' in html
    assert not action.updates.exists()


def test_a_stale_update_in_place_shows_the_change_and_keeps_the_text(client, cast, action):
    loaded = update_data(action, text="My own news.")
    update(action, cast.chair, "The chair's news.")
    client.force_login(cast.member)
    response = client.post(reverse("tasking:action_update", args=[action.pk]), loaded, **HTMX)

    html = response.content.decode()
    assert "was changed by" in html and "The chair&#x27;s news." in html
    assert "My own news." in html
    assert f'name="action-{action.pk}-version" value="2"' in html
    assert action.updates.count() == 1


def test_somebody_else_may_not_update_in_place(client, cast, action):
    client.force_login(cast.analyst)
    url = reverse("tasking:action_update", args=[action.pk])
    assert client.post(url, update_data(action), **HTMX).status_code == 403
    assert not action.updates.exists()


def test_a_unit_member_updates_an_action_their_unit_owns(client, cast, priority):
    owned = action_raised(cast.unit, chair=cast.chair, priority=priority, owner_unit=cast.unit)
    colleague = member(cast.unit, Role.MEMBER)
    client.force_login(colleague)
    url = reverse("tasking:action_update", args=[owned.pk])
    assert client.post(url, update_data(owned), **HTMX).status_code == 200
    assert owned.updates.get().author == colleague


@pytest.mark.parametrize("count", [2, 25])
def test_the_list_reads_a_constant_number_of_queries_with_updates(
    client, cast, priority, django_assert_max_num_queries, count
):
    for number in range(count):
        owned = action_raised(
            cast.unit, chair=cast.chair, priority=priority, owner_user=cast.member
        )
        update(owned, cast.member, f"Update {number}.")
    client.force_login(cast.member)
    # Session and user (2), count, page and its rows (3), readable logs (1), navigation (2),
    # the session's save (3).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("tasking:my_actions"))
    assert response.content.decode().count('type="checkbox"') == count
