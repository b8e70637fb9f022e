"""Several actions set to one RAG rating at once, all or none, from both sides: the service, the
"My actions" page and the API. Each action meets the same rules as one action's change (its
owner or a chair or administrator over its unit; open; the version loaded; not already at that
rating); when any is refused, nothing changes and the answer says which and why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from tasking.actions.choices import Rag
from tasking.actions.services import (
    RAG_SET_MANY_LIMIT,
    ActionsRefused,
    StaleAction,
    action_close,
    action_rag_set_many,
    action_update_add,
)
from tasking.models import ActionUpdate, TacticalAction
from tests.factories import PartnerUserFactory, member
from tests.tasking.factories import StrategyCast, action_raised, strategy_approved
from tests.tasking.test_api_actions import api_as

pytestmark = pytest.mark.django_db

NOTE = "Search warrants refused by the court: all three slip."


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def priority(cast):
    strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    return strategy.priorities.order_by("rank").first()


@pytest.fixture
def mine(cast, priority):
    """Three open actions the member owns, due on three days."""
    return [
        action_raised(
            cast.unit,
            chair=cast.chair,
            priority=priority,
            owner_user=cast.member,
            description=f"Warrant number {n}.",
            due_in_days=n,
        )
        for n in (1, 2, 3)
    ]


def loaded(actions):
    return [(action, action.version) for action in actions]


def unchanged(actions) -> bool:
    """Nothing written: same rating and version, no update, as loaded."""
    saved = TacticalAction.objects.in_bulk([a.pk for a in actions])
    return not ActionUpdate.objects.filter(action__in=actions).exists() and all(
        (saved[a.pk].rag, saved[a.pk].version) == (a.rag, a.version) for a in actions
    )


# The service.


def test_the_owner_sets_several_to_one_rating_with_one_note(cast, mine):
    changed = action_rag_set_many(
        acting_user=cast.member, actions=loaded(mine), rag=Rag.RED, note=NOTE
    )

    assert [a.pk for a in changed] == [a.pk for a in mine]
    for action in mine:
        action.refresh_from_db()
        assert (action.rag, action.version) == (Rag.RED, 2)
        update = action.updates.get()
        assert (update.author, update.text, update.rag) == (cast.member, NOTE, Rag.RED)
        assert action.history.first().history_change_reason == "RAG rating changed"
    assert AuditEvent.objects.filter(object_id__in=[str(a.pk) for a in mine]).count() >= 3


def test_a_chair_over_the_unit_may_set_actions_others_own(cast, mine):
    action_rag_set_many(acting_user=cast.chair, actions=loaded(mine[:2]), rag=Rag.AMBER, note=NOTE)
    assert list(
        TacticalAction.objects.filter(pk__in=[a.pk for a in mine]).values_list("rag", flat=True)
    ) == [Rag.AMBER, Rag.AMBER, Rag.GREEN]


def test_one_the_user_may_not_change_refuses_them_all(cast, priority, mine):
    theirs = action_raised(cast.unit, chair=cast.chair, priority=priority, owner_user=cast.analyst)

    with pytest.raises(ActionsRefused) as refused:
        action_rag_set_many(
            acting_user=cast.member, actions=loaded([*mine, theirs]), rag=Rag.RED, note=NOTE
        )

    ((action, reason),) = refused.value.reasons
    assert action.pk == theirs.pk
    assert reason.startswith(f"{theirs.reference}: Only the owner of action {theirs.reference}")
    assert isinstance(refused.value.refusals[0][1], PermissionDenied)
    assert refused.value.message_dict == {"actions": [reason]}
    assert unchanged([*mine, theirs])


def test_a_stale_version_refuses_them_all_and_says_who_changed_it(cast, mine):
    action_update_add(
        acting_user=cast.chair, action=mine[1], text="Moved.", rag=Rag.AMBER, expected_version=1
    )
    mine[1].refresh_from_db()
    before = [mine[0], mine[2]]

    with pytest.raises(ActionsRefused) as refused:
        action_rag_set_many(
            acting_user=cast.member,
            actions=[(mine[0], 1), (mine[1], 1), (mine[2], 1)],
            rag=Rag.RED,
            note=NOTE,
        )

    ((action, refusal),) = refused.value.refusals
    assert action.pk == mine[1].pk and isinstance(refusal, StaleAction)
    assert "changed by" in refused.value.reasons[0][1] and "nothing was saved" in str(refusal)
    assert unchanged(before)
    assert mine[1].updates.count() == 1


def test_a_closed_action_or_one_at_that_rating_already_refuses_them_all(cast, mine):
    action_close(acting_user=cast.chair, action=mine[0], outcome="Done.", expected_version=1)
    action_rag_set_many(acting_user=cast.member, actions=loaded(mine[2:]), rag=Rag.RED, note=NOTE)
    mine[2].refresh_from_db()

    with pytest.raises(ActionsRefused) as refused:
        action_rag_set_many(
            acting_user=cast.member,
            actions=[(mine[0], 2), (mine[1], 1), (mine[2], 2)],
            rag=Rag.RED,
            note=NOTE,
        )

    reasons = {a.pk: r for a, r in refused.value.reasons}
    assert set(reasons) == {mine[0].pk, mine[2].pk}
    assert "is closed" in reasons[mine[0].pk]
    assert "already rated red" in reasons[mine[2].pk]
    assert unchanged([mine[1]])


@pytest.mark.parametrize(
    ("rag", "note", "field"),
    [(Rag.RED, "  ", "note"), ("purple", NOTE, "rag")],
)
def test_a_missing_note_or_an_unknown_rating_changes_nothing(cast, mine, rag, note, field):
    with pytest.raises(ValidationError) as refused:
        action_rag_set_many(acting_user=cast.member, actions=loaded(mine), rag=rag, note=note)
    assert field in refused.value.message_dict
    assert unchanged(mine)


def test_none_or_too_many_actions_are_refused(cast, mine):
    with pytest.raises(ValidationError) as none:
        action_rag_set_many(acting_user=cast.member, actions=[], rag=Rag.RED, note=NOTE)
    assert none.value.message_dict == {"actions": ["Tick the actions whose RAG rating to change."]}

    too_many = [(TacticalAction(pk=n, version=1), 1) for n in range(1, RAG_SET_MANY_LIMIT + 2)]
    with pytest.raises(ValidationError, match=f"at most {RAG_SET_MANY_LIMIT}"):
        action_rag_set_many(acting_user=cast.member, actions=too_many, rag=Rag.RED, note=NOTE)


def test_an_action_named_twice_changes_once(cast, mine):
    changed = action_rag_set_many(
        acting_user=cast.member, actions=[(mine[0], 1), (mine[0], 1)], rag=Rag.RED, note=NOTE
    )
    assert len(changed) == 1 and mine[0].updates.count() == 1


def test_a_partner_may_not(cast, mine):
    with pytest.raises(PermissionDenied):
        action_rag_set_many(
            acting_user=PartnerUserFactory(), actions=loaded(mine), rag=Rag.RED, note=NOTE
        )
    assert unchanged(mine)


# The page.


def ticks(actions, versions=None):
    versions = versions or [a.version for a in actions]
    return [f"{a.pk}:{v}" for a, v in zip(actions, versions, strict=True)]


def bulk(client, user, data, page=None):
    client.force_login(user)
    url = reverse("tasking:my_actions_rag")
    return client.post(f"{url}?page={page}" if page else url, data)


def test_the_page_offers_each_action_a_tick_box_over_its_version(client, cast, mine):
    client.force_login(cast.member)
    html = client.get(reverse("tasking:my_actions")).content.decode()
    for action in mine:
        tick = f'id="select-{action.pk}" name="actions" type="checkbox" value="{action.pk}:1"'
        assert f'{tick} form="bulk-rag"' in html
    assert '<form id="bulk-rag" method="post"' in html


def test_the_owner_gives_the_ticked_actions_a_rating(client, cast, mine):
    response = bulk(
        client, cast.member, {"actions": ticks(mine[:2]), "rag": Rag.AMBER, "note": NOTE}, page=1
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('tasking:my_actions')}?page=1"
    page = client.get(response.url).content.decode()
    assert f"Rated amber: {mine[0].reference}, {mine[1].reference}." in page
    assert [
        a.rag
        for a in TacticalAction.objects.filter(pk__in=[a.pk for a in mine]).order_by("due_date")
    ] == [Rag.AMBER, Rag.AMBER, Rag.GREEN]
    # The note is each action's last update in the list.
    assert page.count(NOTE) == 2


def test_a_refusal_says_which_and_why_and_keeps_the_choices(client, cast, mine):
    action_update_add(
        acting_user=cast.chair, action=mine[1], text="Moved.", rag=Rag.AMBER, expected_version=1
    )
    response = bulk(
        client, cast.member, {"actions": ticks(mine, [1, 1, 1]), "rag": Rag.RED, "note": NOTE}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "<title>Error: My actions" in html
    reference = mine[1].reference
    assert f'<a href="#select-{mine[1].pk}">{reference}: Action {reference} was changed by' in html
    for action in mine:
        assert f'id="select-{action.pk}" name="actions" type="checkbox"' in html
    # Ticks kept, over the version saved now: sending again makes the change.
    assert f'value="{mine[1].pk}:2" form="bulk-rag" checked' in html
    assert NOTE in html and 'value="red" checked' in html
    assert unchanged([mine[0], mine[2]])


def test_somebody_else_is_refused_by_name_and_nothing_changes(client, cast, mine):
    response = bulk(
        client, cast.analyst, {"actions": ticks(mine[:1]), "rag": Rag.RED, "note": NOTE}
    )

    assert response.status_code == 400
    assert (
        f"{mine[0].reference}: Only the owner of action {mine[0].reference}"
        in response.content.decode()
    )
    assert unchanged(mine)


def test_a_chair_over_the_unit_is_allowed_as_for_one_action(client, cast, mine):
    response = bulk(client, cast.chair, {"actions": ticks(mine[:1]), "rag": Rag.RED, "note": NOTE})
    assert response.status_code == 302
    mine[0].refresh_from_db()
    assert mine[0].rag == Rag.RED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"actions": [], "rag": Rag.RED, "note": NOTE},
            "Tick the actions whose RAG rating to change.",
        ),
        ({"actions": ["x:1"], "rag": Rag.RED, "note": NOTE}, "Tick actions of the list only."),
        ({"rag": Rag.RED}, "Enter a note: why these actions move to this rating."),
        ({"note": NOTE}, "Choose the RAG rating to give them."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, cast, mine, data, message):
    data.setdefault("actions", ticks(mine[:1]))
    response = bulk(client, cast.member, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert unchanged(mine)


def test_an_action_the_user_may_not_read_is_404_and_nothing_changes(
    client, cast, priority, mine, hierarchy
):
    elsewhere_chair = member(hierarchy.other_force, Role.CHAIR)
    elsewhere = strategy_approved(
        hierarchy.other_force, chair=elsewhere_chair, version=cast.assessment(hierarchy.other_force)
    ).priorities.first()
    hidden = action_raised(hierarchy.other_force, chair=elsewhere_chair, priority=elsewhere)
    response = bulk(
        client, cast.member, {"actions": ticks([mine[0], hidden]), "rag": Rag.RED, "note": NOTE}
    )
    assert response.status_code == 404
    assert unchanged([mine[0], hidden])


def test_a_chair_vetted_below_an_actions_marking_gets_404(client, cast, priority, mine):
    secret = action_raised(
        cast.unit,
        chair=cast.chair,
        priority=priority,
        owner_user=cast.chair,
        marking=GSCMarking.SECRET,
    )
    rv_chair = member(cast.unit, Role.CHAIR, vetting_level=VettingLevel.RV)
    data = {"actions": ticks([mine[0], secret]), "rag": Rag.RED, "note": NOTE}
    assert bulk(client, rv_chair, data).status_code == 404
    assert unchanged([mine[0], secret])


# The API.

RAG_MANY = "/api/v1/actions/rag/"


def body(actions, versions=None, **fields):
    versions = versions or [a.version for a in actions]
    return {
        "actions": [{"id": a.pk, "version": v} for a, v in zip(actions, versions, strict=True)],
        "rag": fields.get("rag", Rag.RED),
        "note": fields.get("note", NOTE),
    }


def test_the_api_sets_several_ratings_at_once(cast, mine):
    response = api_as(cast.member).post(RAG_MANY, body(mine), format="json")
    assert response.status_code == 200
    assert sorted((row["id"], row["rag"], row["version"]) for row in response.json()) == sorted(
        (a.pk, Rag.RED, 2) for a in mine
    )


def test_the_api_refuses_all_naming_each_refused_action(cast, priority, mine):
    theirs = action_raised(cast.unit, chair=cast.chair, priority=priority, owner_user=cast.analyst)
    response = api_as(cast.member).post(RAG_MANY, body([mine[0], theirs]), format="json")
    assert response.status_code == 400
    (reason,) = response.json()["actions"]
    assert reason.startswith(f"{theirs.reference}: Only the owner")
    assert unchanged([mine[0], theirs])


def test_the_api_refuses_bad_input_and_unreadable_actions(cast, mine, hierarchy):
    client = api_as(cast.member)
    assert client.post(RAG_MANY, {**body(mine), "actions": []}, format="json").status_code == 400
    assert client.post(RAG_MANY, body(mine, note=""), format="json").status_code == 400
    outsider = api_as(cast.outsider).post(RAG_MANY, body(mine), format="json")
    assert outsider.status_code == 404
    assert unchanged(mine)
