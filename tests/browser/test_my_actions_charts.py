"""My actions and the charts in a real browser.

An action owner reads their actions as a compact list, opens one row in place to record progress
(the form takes the focus; the row comes back updated), gives two actions one RAG rating at
once, and is told which action was refused, and why, when one changed meanwhile. The action log
and the control strategy show their charts (SVG images, no script, no CSP violation) with the
table of the same figures. On every page axe finds no serious or critical WCAG 2.2 AA problem and
no `region` finding. At 390 px neither My actions nor the action log scrolls sideways, nor does
a row opened in place."""

import pytest

from tasking.actions.choices import Rag
from tasking.actions.services import action_update_add
from tasking.models import ActionUpdate, TacticalAction
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import browser_errors, sign_in  # noqa: F401 (a fixture)
from tests.tasking.factories import StrategyCast, action_raised, strategy_approved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "The court adjourned the warrant hearings to next month."


@pytest.fixture
def cast(hierarchy, vetting_table):
    return StrategyCast(hierarchy)


@pytest.fixture
def strategy(cast):
    return strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())


@pytest.fixture
def mine(cast, strategy):
    """Three open actions of the member, the first overdue with an update."""
    first, second = strategy.priorities.order_by("rank")[:2]
    actions = [
        action_raised(
            cast.unit,
            chair=cast.chair,
            priority=priority,
            owner_user=cast.member,
            description=description,
            due_in_days=days,
        )
        for priority, description, days in (
            (first, "Warrant at the cuckooed address on Coleshill Road.", -1),
            (second, "Patrols at the school gates after three o'clock.", 5),
            (first, "Visit the repeat victims with crime prevention advice.", 9),
        )
    ]
    action_update_add(
        acting_user=cast.member,
        action=actions[0],
        text="First visit made: nobody home.",
        rag=Rag.AMBER,
        expected_version=1,
    )
    return [TacticalAction.objects.get(pk=action.pk) for action in actions]


def wait_for_focus_on(page, name: str) -> None:
    """Until the element named (or with the id) `name` has the focus: htmx moves it once the
    swapped content settles."""
    page.wait_for_function(
        "(name) => [document.activeElement.getAttribute('name'), document.activeElement.id]"
        ".includes(name)",
        arg=name,
    )


def test_the_owner_updates_in_place_and_rates_several_at_once(page, cast, mine, browser_errors):  # noqa: F811
    first, second, third = mine
    sign_in(page, cast.member.username)
    page.goto("/tasking/actions/")

    rows = page.locator("tbody[id^='action-']")
    assert rows.count() == 3
    first_row = page.locator(f"#action-{first.pk}")
    assert "First visit made: nobody home." in first_row.inner_text()
    assert "Overdue" in first_row.inner_text()
    assert_accessible(page)

    # One row opens in place: the page stays, the form takes the focus.
    page.get_by_role("link", name=f"Update action {first.reference}").click()
    text = first_row.get_by_label("Progress since the last update")
    text.wait_for()
    assert page.url.endswith("/tasking/actions/")
    wait_for_focus_on(page, f"action-{first.pk}-text")
    assert_accessible(page)

    text.fill("Search team booked for Friday.")
    first_row.get_by_label("Red").check()
    first_row.get_by_role("button", name=f"Record progress on action {first.reference}").click()
    page.locator("#my-actions-status").get_by_text(
        f"Progress on action {first.reference} recorded."
    ).wait_for()
    assert "Search team booked for Friday." in first_row.inner_text()
    assert first_row.locator("form").count() == 0
    wait_for_focus_on(page, f"action-{first.pk}-toggle")
    update = ActionUpdate.objects.filter(action=first).latest("written_at")
    assert (update.author, update.text, update.rag) == (
        cast.member,
        "Search team booked for Friday.",
        Rag.RED,
    )

    # Two ticked actions take one rating, with one note.
    page.get_by_label(f"Tick action {second.reference}").check()
    page.get_by_label(f"Tick action {third.reference}").check()
    bulk = page.locator("#bulk-rag")
    bulk.get_by_label("Amber").check()
    bulk.get_by_label("Why").fill(NOTE)
    bulk.get_by_role("button", name="Give the ticked actions this rating").click()
    page.get_by_text(f"Rated amber: {second.reference}, {third.reference}.").wait_for()
    assert list(
        TacticalAction.objects.filter(pk__in=[second.pk, third.pk]).values_list("rag", flat=True)
    ) == [Rag.AMBER, Rag.AMBER]
    assert page.locator(f"#action-{second.pk}").get_by_text(NOTE).is_visible()
    assert_accessible(page)

    # One changed meanwhile: none changes, and the page says which and why.
    action_update_add(
        acting_user=cast.chair,
        action=TacticalAction.objects.get(pk=second.pk),
        text="The chair moved it.",
        rag=Rag.GREEN,
        expected_version=2,
    )
    page.get_by_label(f"Tick action {second.reference}").check()
    page.get_by_label(f"Tick action {third.reference}").check()
    bulk.get_by_label("Red").check()
    bulk.get_by_label("Why").fill("Both slip again.")
    bulk.get_by_role("button", name="Give the ticked actions this rating").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert f"{second.reference}: Action {second.reference} was changed by" in summary.inner_text()
    assert TacticalAction.objects.get(pk=third.pk).rag == Rag.AMBER
    assert page.get_by_label(f"Tick action {third.reference}").is_checked()
    assert_accessible(page)
    # The refused change's page answers 409, as it should; nothing else went wrong.
    assert [error for error in browser_errors if "status of 409" not in error] == []


def test_the_charts_show_with_their_tables(page, cast, strategy, mine, browser_errors):  # noqa: F811
    sign_in(page, cast.chair.username)

    page.goto(f"/tasking/actions/units/{cast.unit.pk}/")
    figure = page.locator("figure", has_text="Actions by priority and status")
    image = figure.get_by_role("img", name="Actions by priority and status: a bar chart")
    image.scroll_into_view_if_needed()
    assert image.evaluate("image => image.complete && image.naturalWidth > 0")
    table = figure.locator("table")
    assert not table.is_visible()
    figure.get_by_text("Show as a table").click()
    assert table.is_visible()
    assert "Open, rated amber" in table.inner_text()
    assert_accessible(page)

    page.goto(f"/tasking/strategies/{strategy.pk}/")
    figure = page.locator("figure", has_text="Priorities by MoRiLE score")
    image = figure.get_by_role("img", name="Priorities by MoRiLE score: a bar chart")
    assert image.evaluate("image => image.complete && image.naturalWidth > 0")
    figure.get_by_text("Show as a table").click()
    assert "MoRiLE score out of 100" in figure.locator("table").inner_text()
    assert_accessible(page)
    assert browser_errors == []


def test_at_390_px_my_actions_and_the_log_do_not_scroll_sideways(page, cast, mine):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, cast.member.username)
    for url in ("/tasking/actions/", f"/tasking/actions/units/{cast.unit.pk}/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    # A row opened in place stays within the screen's width too.
    page.goto("/tasking/actions/")
    page.get_by_role("link", name=f"Update action {mine[0].reference}").click()
    page.locator(f"#action-{mine[0].pk}").get_by_label("Progress since the last update").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
