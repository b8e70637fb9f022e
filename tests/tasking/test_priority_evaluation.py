"""The ST&CG evaluates each priority of the ending period at its sitting (issue 14, point 9):
recorded only there, by who may decide there, with the counts of the actions raised and closed
against it; shown on the strategy's page (and the next strategy's), carried into the strategic
assessment of the next ST&CG, and in the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tasking.meetings.choices import MeetingKind
from tasking.models import Meeting
from tasking.proceedings.evaluation import evaluations_for_assessment, priority_evaluate
from tasking.proceedings.models import Decision
from tasking.strategy.choices import EvaluationOutcome
from tasking.strategy.evaluations import strategy_evaluations_for
from tasking.strategy.models import PriorityEvaluation

# The evaluation page, whatever the number of priorities (session, meeting, chair check,
# strategies, priorities, action counts, evaluations, navigation).
QUERY_BUDGET = 12
TEXT = {"activity": "Twelve warrants executed.", "results": "Two lines closed down."}


@pytest.fixture
def cast(hierarchy):
    from tests.tasking.factories import StrategyCast

    return StrategyCast(hierarchy)


@pytest.fixture
def strategy(cast):
    from tests.tasking.factories import strategy_approved

    return strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())


def _evaluate(cast, sitting, priority, **fields):
    fields = {**TEXT, "outcome": EvaluationOutcome.REDUCED, **fields}
    return priority_evaluate(acting_user=cast.chair, meeting=sitting, priority=priority, **fields)


def test_the_sitting_evaluates_a_priority_with_its_action_counts_and_a_decision(cast, strategy):
    from tasking.actions.services import action_close
    from tests.tasking.factories import action_raised, stcg_sitting

    priority = strategy.priorities.order_by("rank").first()
    done = action_raised(cast.unit, chair=cast.chair, priority=priority)
    action_raised(cast.unit, chair=cast.chair, priority=priority)
    action_close(
        acting_user=cast.chair, action=done, outcome="Two arrests.", expected_version=done.version
    )
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    evaluation = _evaluate(cast, sitting, priority, measures="Fewer lines reported.")
    assert (evaluation.actions_raised, evaluation.actions_closed) == (2, 1)
    assert evaluation.sitting == sitting and evaluation.recorded_by == cast.chair
    decision = sitting.decisions.get()
    assert decision.text == f"Priority “{priority.theme}” evaluated: Threat reduced."
    assert decision.agenda_item.kind == "control_strategy"
    assert decision.marking == strategy.marking

    shown = strategy_evaluations_for(cast.member, strategy)
    assert shown.own == [evaluation] and shown.previous == []
    assert strategy_evaluations_for(cast.outsider, strategy).own == []
    with pytest.raises(ValidationError, match="already evaluated at this sitting"):
        _evaluate(cast, sitting, priority)


def test_outside_a_sitting_or_by_anybody_else_it_is_refused_and_nothing_changes(
    cast, strategy, hierarchy
):
    from tests.tasking.factories import meeting_sitting, stcg_sitting

    priority = strategy.priorities.first()
    decisions = Decision.objects.count()
    scheduled = Meeting.objects.create(
        unit=cast.unit, kind=MeetingKind.STRATEGIC, starts_at=timezone.now(), chair=cast.chair
    )
    with pytest.raises(ValidationError, match="Open the meeting first: you can evaluate"):
        _evaluate(cast, scheduled, priority)
    with pytest.raises(ValidationError, match="Only an ST&CG evaluates"):
        _evaluate(cast, meeting_sitting(cast.unit, chair=cast.chair), priority)
    with pytest.raises(ValidationError, match="decides only on the priorities"):
        _evaluate(cast, stcg_sitting(hierarchy.bcu, chair=cast.chair), priority)
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    with pytest.raises(PermissionDenied):
        priority_evaluate(
            acting_user=cast.member, meeting=sitting, priority=priority, outcome="reduced", **TEXT
        )
    with pytest.raises(ValidationError) as refused:
        _evaluate(cast, sitting, priority, activity=" ", results="", outcome="better")
    assert set(refused.value.message_dict) == {"activity", "results", "outcome"}
    assert not PriorityEvaluation.objects.exists()
    assert Decision.objects.count() == decisions


def test_a_draft_strategys_priority_is_not_evaluated(cast):
    from tests.tasking.factories import priority_added, stcg_sitting, strategy_drafted

    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(draft, chair=cast.chair)
    with pytest.raises(ValidationError, match="no period to evaluate"):
        _evaluate(cast, stcg_sitting(cast.unit, chair=cast.chair), priority)


def test_the_evaluations_carry_into_the_next_strategy_and_strategic_assessment(cast, strategy):
    from tests.factories import product_commissioned
    from tests.tasking.factories import stcg_sitting, strategy_drafted

    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    evaluations = [_evaluate(cast, sitting, p) for p in strategy.priorities.order_by("rank")]
    start = strategy.period_end + timedelta(days=1)
    following = strategy_drafted(
        cast.unit, chair=cast.chair, version=cast.assessment(), start=start
    )
    shown = strategy_evaluations_for(cast.chair, following)
    assert shown.previous_strategy == strategy and shown.previous == evaluations
    assert shown.marking == strategy.marking

    assessment = product_commissioned(cast.unit, owner=cast.analyst, title="Next assessment")
    Meeting.objects.create(
        unit=cast.unit,
        kind=MeetingKind.STRATEGIC,
        starts_at=timezone.now() + timedelta(days=180),
        chair=cast.chair,
        strategic_assessment=assessment,
    )
    panel = evaluations_for_assessment(cast.analyst, assessment)
    assert panel["sitting"] == sitting and panel["evaluations"] == evaluations
    assert evaluations_for_assessment(cast.outsider, assessment) is None
    # An assessment commissioned for that very sitting carries the period before it: none here.
    sitting.strategic_assessment = product_commissioned(cast.unit, owner=cast.analyst)
    sitting.save()
    assert evaluations_for_assessment(cast.analyst, sitting.strategic_assessment) is None


# The pages: the chair's evaluation page at the sitting, the strategy's and the assessment's.


def test_the_chair_evaluates_from_the_sitting_and_the_strategy_shows_it(client, cast, strategy):
    from django.urls import reverse

    from tests.tasking.factories import stcg_sitting

    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    page = reverse("tasking:meeting_priority_evaluations", args=[sitting.pk])
    priority = strategy.priorities.order_by("rank").first()
    client.force_login(cast.chair)
    assert page in client.get(reverse("tasking:meeting_detail", args=[sitting.pk])).content.decode()
    shown = client.get(page)
    assert [row.priority for row in shown.context["rows"]] == list(
        strategy.priorities.order_by("rank")
    )
    refused = client.post(page, {"priority": priority.pk, "outcome": "reduced", "results": "x"})
    assert refused.status_code == 400
    assert "Say what was done against the priority." in refused.content.decode()
    assert not PriorityEvaluation.objects.exists()
    done = client.post(page, {"priority": priority.pk, "outcome": "unchanged", **TEXT})
    assert done.status_code == 302
    assert PriorityEvaluation.objects.get().outcome == EvaluationOutcome.UNCHANGED

    client.force_login(cast.member)
    assert client.get(page).status_code == 403
    detail = client.get(reverse("tasking:strategy_detail", args=[strategy.pk]))
    assert "Two lines closed down." in detail.content.decode()
    assert detail.context["evaluations"].own == [PriorityEvaluation.objects.get()]


def test_the_next_strategic_assessments_page_carries_the_evaluations(client, cast, strategy):
    from django.urls import reverse

    from tests.factories import product_commissioned
    from tests.tasking.factories import stcg_sitting

    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    _evaluate(cast, sitting, strategy.priorities.first())
    assessment = product_commissioned(cast.unit, owner=cast.analyst, title="Next assessment")
    client.force_login(cast.analyst)
    page = client.get(reverse("products:detail", args=[assessment.pk])).content.decode()
    assert "How the priorities of the ending period fared" in page
    assert "Two lines closed down." in page


def test_outside_a_sitting_the_page_refuses_the_evaluation(client, cast, strategy):
    from django.urls import reverse

    scheduled = Meeting.objects.create(
        unit=cast.unit, kind=MeetingKind.STRATEGIC, starts_at=timezone.now(), chair=cast.chair
    )
    page = reverse("tasking:meeting_priority_evaluations", args=[scheduled.pk])
    client.force_login(cast.chair)
    assert client.get(page).context["form"] is None
    priority = strategy.priorities.first()
    refused = client.post(page, {"priority": priority.pk, "outcome": "reduced", **TEXT})
    assert refused.status_code == 400 and "Open the meeting first" in refused.content.decode()
    assert not PriorityEvaluation.objects.exists()


def test_the_api_reads_and_records_evaluations_through_the_same_service(cast, strategy):
    from tests.tasking.factories import stcg_sitting
    from tests.tasking.test_api_strategy import api_as

    url = "/api/v1/priority-evaluations/"
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    priority = strategy.priorities.order_by("rank").first()
    body = {"meeting": sitting.pk, "priority": priority.pk, "outcome": "increased", **TEXT}
    assert api_as(cast.member).post(url, body, format="json").status_code == 403
    refused = api_as(cast.chair).post(url, {**body, "results": ""}, format="json")
    assert refused.status_code == 400 and "results" in refused.json()
    assert api_as(cast.outsider).post(url, body, format="json").status_code == 404
    assert not PriorityEvaluation.objects.exists()

    made = api_as(cast.chair).post(url, body, format="json")
    assert made.status_code == 201 and made.json()["outcome"] == "increased"
    listed = api_as(cast.member).get(url, {"control_strategy": strategy.pk}).json()
    assert [e["id"] for e in listed["results"]] == [made.json()["id"]]
    assert api_as(cast.outsider).get(f"{url}{made.json()['id']}/").status_code == 404


@pytest.mark.parametrize("themes", [("Burglary",), ("Burglary", "Fraud", "Robbery", "Arson")])
def test_the_evaluation_page_runs_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries, themes
):
    from django.urls import reverse

    from tests.tasking.factories import stcg_sitting, strategy_approved

    strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment(), themes=themes)
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    client.force_login(cast.chair)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(reverse("tasking:meeting_priority_evaluations", args=[sitting.pk]))
    assert len(response.context["rows"]) == len(themes)
