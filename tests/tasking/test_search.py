"""Search over meetings, actions and control strategies: vectors kept by the services, ranking and
snippets on PostgreSQL, the plain fallback on SQLite, and from both sides of access (planted
canaries above the reader's vetting, drafts, other forces)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.actions.search import refresh_action_vectors, search_actions
from tasking.actions.services import action_close
from tasking.meetings.choices import MeetingKind
from tasking.meetings.search import meeting_hit, refresh_meeting_vectors, search_meetings
from tasking.meetings.services import meeting_reschedule
from tasking.models import ControlStrategy, Meeting, TacticalAction
from tasking.proceedings.services import agenda_item_add, agenda_item_edit, minutes_save
from tasking.strategy.search import refresh_strategy_vectors, search_control_strategies
from tasking.strategy.services import priority_update
from tests.factories import PartnerUserFactory, member
from tests.tasking.factories import (
    StrategyCast,
    action_raised,
    meeting_sitting,
    priority_added,
    strategy_approved,
    strategy_drafted,
)

pytestmark = pytest.mark.django_db

CANARY = "Canary-9c2e informant meets at the lido"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL full-text search: runs in CI's PostgreSQL pass",
)
sqlite_only = pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite fallback")


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def strategy(cast):
    return strategy_approved(
        cast.unit, chair=cast.chair, version=cast.assessment(), title="Force control strategy"
    )


@pytest.fixture
def priority(strategy):
    return strategy.priorities.order_by("rank").first()


@pytest.fixture
def rv_member(cast):
    return member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)


@pytest.fixture
def sitting(cast):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    agenda_item_add(
        acting_user=cast.chair,
        meeting=meeting,
        title="Knife arches at the station",
        notes="Results of the weekend.",
    )
    return meeting


def pks(queryset) -> list[int]:
    return [row.pk for row in queryset]


def snippets(queryset) -> str:
    return " ".join(str(row.search_snippet) for row in queryset)


# Actions.


def test_actions_are_found_by_description_and_outcome_within_visibility(cast, priority):
    action = action_raised(
        cast.unit, chair=cast.chair, priority=priority, description="Close the cuckooed flat."
    )
    assert pks(search_actions(cast.member, "cuckooed")) == [action.pk]
    assert pks(search_actions(cast.outsider, "cuckooed")) == []
    assert pks(search_actions(PartnerUserFactory(), "cuckooed")) == []

    action_close(
        acting_user=cast.chair,
        action=action,
        outcome="Closure order granted by the magistrates.",
        expected_version=action.version,
    )
    assert pks(search_actions(cast.member, "magistrates")) == [action.pk]


def test_an_action_above_the_readers_vetting_is_never_found(cast, priority, rv_member):
    secret = action_raised(
        cast.unit,
        chair=cast.chair,
        priority=priority,
        description=CANARY,
        marking=GSCMarking.SECRET,
    )
    assert pks(search_actions(rv_member, "lido")) == []
    assert pks(search_actions(rv_member, "Canary-9c2e")) == []
    assert pks(search_actions(cast.member, "lido")) == [secret.pk]


# Meetings.


def test_meetings_are_found_by_their_agenda_within_visibility(cast, sitting):
    assert pks(search_meetings(cast.member, "knife arches")) == [sitting.pk]
    assert pks(search_meetings(cast.member, "weekend")) == [sitting.pk]
    assert pks(search_meetings(cast.outsider, "knife arches")) == []
    assert pks(search_meetings(PartnerUserFactory(), "knife")) == []

    item = sitting.agenda_items.get(title="Knife arches at the station")
    agenda_item_edit(acting_user=cast.chair, item=item, title="Test purchase operation")
    assert pks(search_meetings(cast.member, "knife arches")) == []
    assert pks(search_meetings(cast.member, "purchase")) == [sitting.pk]


def test_the_place_of_a_rescheduled_meeting_is_found(cast):
    meeting = Meeting.objects.create(
        unit=cast.unit,
        kind=MeetingKind.TACTICAL,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        chair=cast.chair,
    )
    meeting_reschedule(
        acting_user=cast.chair,
        meeting=meeting,
        starts_at=meeting.starts_at + datetime.timedelta(days=1),
        place="Lloyd House, Colmore Circus",
    )
    assert pks(search_meetings(cast.member, "Colmore")) == [meeting.pk]


def test_minutes_above_the_readers_vetting_are_never_found_nor_quoted(cast, sitting, rv_member):
    minutes_save(
        acting_user=cast.chair,
        meeting=sitting,
        text=CANARY,
        expected_version=sitting.minutes_version,
        marking=GSCMarking.SECRET,
    )

    assert pks(search_meetings(rv_member, "lido")) == []
    assert pks(search_meetings(rv_member, "Canary-9c2e")) == []
    # Found by its agenda, the meeting is quoted from the agenda, never from the minutes.
    found = search_meetings(rv_member, "knife lido")
    assert "lido" not in snippets(found)
    (hit,) = [meeting_hit(meeting, "lido") for meeting in search_meetings(cast.member, "lido")]
    assert hit.marking == GSCMarking.SECRET
    assert "lido" in hit.snippet
    (hit,) = [meeting_hit(meeting, "knife") for meeting in search_meetings(rv_member, "knife")]
    assert hit.marking == GSCMarking.OFFICIAL


# Control strategies.


def test_strategies_are_found_by_title_and_priorities_within_visibility(cast, strategy):
    assert pks(search_control_strategies(cast.member, "force control")) == [strategy.pk]
    assert pks(search_control_strategies(cast.bcu_member, "county lines")) == [strategy.pk]
    assert pks(search_control_strategies(cast.outsider, "county lines")) == []


def test_a_draft_is_found_only_by_its_drafter_and_chairs(cast):
    draft = strategy_drafted(cast.unit, chair=cast.chair, title="Draft strategy")
    priority = priority_added(draft, chair=cast.chair, theme="Modern slavery")
    priority_update(
        acting_user=cast.chair, priority=priority, rationale="Car washes and nail bars."
    )

    assert pks(search_control_strategies(cast.chair, "slavery")) == [draft.pk]
    assert pks(search_control_strategies(cast.chair, "nail bars")) == [draft.pk]
    assert pks(search_control_strategies(cast.member, "slavery")) == []


def test_a_strategy_above_the_readers_vetting_is_never_found(cast, rv_member):
    secret = strategy_drafted(cast.unit, chair=cast.chair, title=CANARY, marking=GSCMarking.SECRET)
    assert pks(search_control_strategies(rv_member, "lido")) == []
    assert pks(search_control_strategies(cast.chair, "lido")) == [secret.pk]


# Whatever is typed.


@pytest.mark.parametrize("text", ["", "  ", "lido\x00", "\x00", "knife " * 400, None])
def test_text_that_cannot_be_searched_finds_nothing_without_failing(cast, sitting, text):
    for search in (search_meetings, search_actions, search_control_strategies):
        assert list(search(cast.chair, text)) == []


# PostgreSQL.


@postgresql_only
def test_ranking_and_highlighted_snippets(cast, priority):
    once = action_raised(
        cast.unit, chair=cast.chair, priority=priority, description="Visit the scrap yard once."
    )
    often = action_raised(
        cast.unit,
        chair=cast.chair,
        priority=priority,
        description="Scrap yard checks: scrap metal dealers, scrap licences.",
    )
    found = list(search_actions(cast.member, "scrap"))

    assert found == [often, once]
    assert found[0].search_rank > found[1].search_rank
    assert "\ue000scrap\ue001" in found[0].search_snippet.lower()


@postgresql_only
def test_web_search_syntax(cast, priority):
    yard = action_raised(cast.unit, chair=cast.chair, priority=priority, description="Scrap yard")
    cars = action_raised(cast.unit, chair=cast.chair, priority=priority, description="Scrap cars")

    assert pks(search_actions(cast.member, "scrap -yard")) == [cars.pk]
    assert pks(search_actions(cast.member, '"scrap yard"')) == [yard.pk]


@postgresql_only
def test_rows_written_in_bulk_are_found_after_refresh(cast, strategy, priority, sitting):
    TacticalAction.objects.filter(
        pk=action_raised(cast.unit, chair=cast.chair, priority=priority).pk
    ).update(description="Bulk seeded hydroponics action", search_vector=None)
    Meeting.objects.filter(pk=sitting.pk).update(search_vector=None, place="Tally Ho")
    ControlStrategy.objects.filter(pk=strategy.pk).update(search_vector=None)
    assert pks(search_actions(cast.member, "hydroponics")) == []
    assert pks(search_meetings(cast.member, "knife")) == []

    refresh_action_vectors(TacticalAction.objects.all())
    refresh_meeting_vectors(Meeting.objects.all())
    refresh_strategy_vectors(ControlStrategy.objects.all())

    assert len(pks(search_actions(cast.member, "hydroponics"))) == 1
    assert pks(search_meetings(cast.member, "tally")) == [sitting.pk]
    assert pks(search_meetings(cast.member, "knife")) == [sitting.pk]
    assert pks(search_control_strategies(cast.member, "burglary")) == [strategy.pk]


# SQLite.


@sqlite_only
def test_the_fallback_matches_contained_text_newest_first(cast, priority):
    older = action_raised(cast.unit, chair=cast.chair, priority=priority, description="Scrap yard")
    newer = action_raised(cast.unit, chair=cast.chair, priority=priority, description="SCRAP cars")

    assert pks(search_actions(cast.member, "scrap")) == [newer.pk, older.pk]
