"""The action log's export and the charts of the action log and the control strategy.

The export (nim_portal.exports) holds exactly the rows the reader sees on the log, filtered as on
screen, in its order; it is marked with the highest marking of what its rows show (an action and
its priority's strategy) and audited; a filter that does not parse is a message on the page.
The charts show the same figures as their tables."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from tasking.actions.choices import ActionStatus, Rag
from tasking.actions.services import action_close, action_rag_set
from tasking.strategy.morile import morile_score_text
from tasking.strategy.services import priority_override_rank
from tests.factories import member
from tests.tasking.factories import (
    StrategyCast,
    action_raised,
    priority_added,
    scores,
    strategy_approved,
    strategy_drafted,
)

pytestmark = pytest.mark.django_db

CANARY = "Canary-7f3e handler meets the source at the lock-up"


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def strategy(cast):
    return strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())


@pytest.fixture
def reader(cast):
    """A member of the force vetted to OFFICIAL-SENSITIVE."""
    return member(cast.unit, Role.MEMBER, username="rv-reader", vetting_level=VettingLevel.RV)


@pytest.fixture
def log(cast, strategy):
    """Four actions the reader reads (one closed, one OFFICIAL) and one SECRET they may not."""
    first, second = strategy.priorities.order_by("rank")[:2]
    raised = {
        "warrant": action_raised(
            cast.unit, chair=cast.chair, priority=first, description="Warrant at the flat."
        ),
        "patrols": action_raised(
            cast.unit,
            chair=cast.chair,
            priority=second,
            description="Patrols at the school gates.",
            marking=GSCMarking.OFFICIAL,
            due_in_days=3,
        ),
        "visits": action_raised(
            cast.unit, chair=cast.chair, priority=first, description="Visit the victims."
        ),
        "closed": action_raised(
            cast.unit, chair=cast.chair, priority=second, description="Map the lines."
        ),
        "secret": action_raised(
            cast.unit,
            chair=cast.chair,
            priority=first,
            description=CANARY,
            marking=GSCMarking.SECRET,
        ),
    }
    action_rag_set(acting_user=cast.chair, action=raised["visits"], rag=Rag.RED, expected_version=1)
    action_close(
        acting_user=cast.chair, action=raised["closed"], outcome="Done.", expected_version=1
    )
    return raised


def get_log(client, user, unit, **params):
    client.force_login(user)
    return client.get(reverse("tasking:action_log", args=[unit.pk]), params)


def file_rows(response) -> list[list]:
    body = b"".join(response.streaming_content)
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def shown_references(response) -> list[str]:
    return [action.reference for action in response.context["page_obj"].object_list]


# The export.


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_export_holds_exactly_the_rows_the_reader_sees(
    client, cast, reader, log, export_format
):
    response = get_log(client, reader, cast.unit, export=export_format)

    assert response.status_code == 200
    marking, headings, *rows = file_rows(response)
    assert marking[0] == "OFFICIAL-SENSITIVE"
    assert headings[:3] == ["Action", "Description", "Priority"]
    assert [row[0] for row in rows] == shown_references(get_log(client, reader, cast.unit))
    assert CANARY not in str(rows) and log["secret"].reference not in [row[0] for row in rows]
    assert "action-log-OFFICIAL-SENSITIVE-" in response["Content-Disposition"]


def test_the_export_keeps_the_filters_on_screen_and_its_marking_counts_the_priority(
    client, cast, reader, log
):
    response = get_log(client, reader, cast.unit, export="csv", status=ActionStatus.OPEN)
    _, _, *rows = file_rows(response)
    assert [row[0] for row in rows] == shown_references(
        get_log(client, reader, cast.unit, status=ActionStatus.OPEN)
    )
    assert log["closed"].reference not in [row[0] for row in rows]

    # The one OFFICIAL action, shown with its priority's OFFICIAL-SENSITIVE strategy.
    patrols = get_log(
        client,
        reader,
        cast.unit,
        export="csv",
        owner=f"user-{cast.chair.pk}",
        rag=Rag.GREEN,
        status=ActionStatus.OPEN,
        priority=log["patrols"].priority_id,
    )
    marking, _, *rows = file_rows(patrols)
    assert [row[0] for row in rows] == [log["patrols"].reference]
    assert rows[0][10] == "OFFICIAL" and marking == ["OFFICIAL-SENSITIVE"]


def test_a_reader_vetted_higher_exports_the_secret_action_marked_secret(client, cast, log):
    response = get_log(client, cast.chair, cast.unit, export="xlsx")
    marking, _, *rows = file_rows(response)
    assert marking[0] == "SECRET"
    assert CANARY in [row[1] for row in rows]


def test_the_export_is_audited_with_its_filters(client, cast, reader, log):
    get_log(client, reader, cast.unit, export="csv", status=ActionStatus.CLOSED, page="2")

    event = AuditEvent.objects.get(verb=AuditVerb.EXPORT)
    assert event.actor == reader
    assert event.detail == {
        "export": "action log",
        "format": "csv",
        "filter": {"status": ActionStatus.CLOSED},
        "rows": 1,
        "marking": "OFFICIAL-SENSITIVE",
    }


def test_a_bad_filter_is_a_message_and_nothing_is_exported(client, cast, reader, log):
    response = get_log(client, reader, cast.unit, export="csv", rag="purple")

    assert response["Content-Type"].startswith("text/html")
    assert "The action log was not downloaded: correct the filters below first." in (
        response.content.decode()
    )
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_a_member_of_another_unit_gets_404_and_nothing_is_exported(client, cast, log):
    response = get_log(client, cast.outsider, cast.unit, export="csv")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_the_log_links_to_its_exports_with_its_filters(client, cast, reader, log):
    html = get_log(client, reader, cast.unit, status=ActionStatus.OPEN, page="1").content.decode()
    url = reverse("tasking:action_log", args=[cast.unit.pk])
    assert f'href="{url}?status=open&amp;export=csv"' in html
    assert f'href="{url}?status=open&amp;export=xlsx"' in html


def test_the_export_reads_a_constant_number_of_queries(
    client, cast, strategy, django_assert_max_num_queries
):
    priority = strategy.priorities.first()
    for number in range(30):
        action_raised(
            cast.unit, chair=cast.chair, priority=priority, description=f"Action {number}"
        )
    client.force_login(cast.member)
    url = reverse("tasking:action_log", args=[cast.unit.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url, {"export": "csv"})
        assert len(file_rows(response)) == 32


# The action log's chart.


def test_the_log_charts_its_actions_by_priority_and_status(client, cast, reader, log):
    response = get_log(client, reader, cast.unit)
    chart = response.context["status_chart"]
    first, second = log["warrant"].priority, log["patrols"].priority

    assert chart.categories == [first.theme, second.theme]
    assert chart.table_rows == [
        (first.theme, ["1", "0", "1", "0"]),  # visits red; warrant green (the secret one unread)
        (second.theme, ["0", "0", "1", "1"]),  # patrols green; one closed
    ]
    assert chart.description == (
        "4 actions under 2 priorities: 3 open (1 rated red, 0 amber, 2 green) and 1 closed."
    )
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and "Show as a table" in html
    assert CANARY not in chart.svg


def test_the_chart_follows_the_filters_and_goes_when_nothing_matches(client, cast, reader, log):
    filtered = get_log(client, reader, cast.unit, status=ActionStatus.CLOSED)
    chart = filtered.context["status_chart"]
    assert chart.description.startswith("1 action matching the filters under 1 priority")

    empty = get_log(client, reader, cast.unit, rag=Rag.AMBER)
    assert empty.context["status_chart"] is None
    assert "Show as a table" not in empty.content.decode()


# The control strategy's chart.


def test_the_strategy_charts_its_priorities_by_score_highest_first(client, cast):
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    low = priority_added(draft, chair=cast.chair, theme="Burglary", scores=scores(1))
    high = priority_added(draft, chair=cast.chair, theme="County lines", scores=scores(3))
    priority_added(draft, chair=cast.chair, theme="Not scored", scores=None)
    priority_override_rank(acting_user=cast.chair, priority=low, rank=1, reason="Community.")
    low.refresh_from_db()
    high.refresh_from_db()

    client.force_login(cast.chair)
    response = client.get(reverse("tasking:strategy_detail", args=[draft.pk]))
    chart = response.context["score_chart"]

    assert chart.table_rows == [
        ("County lines", [morile_score_text(high.score, with_scale=False)]),
        ("Burglary", [morile_score_text(low.score, with_scale=False)]),
    ]
    assert chart.series[0].name == "MoRiLE score out of 100"
    assert chart.description == (
        f"2 scored priorities, highest first: County lines scores "
        f"{morile_score_text(high.score)}. The ST&CG ranked Burglary otherwise than by score."
    )
    html = response.content.decode()
    assert 'id="priority-scores-title">Priorities by MoRiLE score</figcaption>' in html
    assert ">MoRiLE score out of 100</th>" in html


def test_a_strategy_with_nothing_scored_has_no_chart(client, cast):
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority_added(draft, chair=cast.chair, scores=None)
    client.force_login(cast.chair)
    response = client.get(reverse("tasking:strategy_detail", args=[draft.pk]))
    assert response.context["score_chart"] is None
    assert "Priorities by MoRiLE score" not in response.content.decode()
