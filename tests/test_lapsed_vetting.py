"""A person whose vetting lapses reads nothing marked above OFFICIAL, at any URL.

The permission matrix's world (tests.matrix_world), with a canary in every text of its records
marked above OFFICIAL. For each URL pattern a person can GET (the matrix's rows), the police
people of the force, their vetting current, visit it; their vetting then lapses (through the
people service) and they visit it again. A URL that reached a record marked above OFFICIAL (or
one that belongs to such a record) before must now answer as for a record that does not exist;
every other URL may still answer, but shows no canary. A person of the same roles whose vetting
stays current still gets what they got before.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone

from nim_portal.choices import Role, VettingLevel
from nim_portal.models import Membership
from nim_portal.services import user_update_vetting
from tests.factories import member
from tests.matrix_world import (
    ROUTES,
    World,
    answered,
    described,
    parameters_of,
    url_of,
    world_in_transaction,
)
from tests.permission_matrix import ADMIN_LOGIN, LOGIN, RELOAD, ROWS

# The whole module on one worker, so that its world is built once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("lapsed-vetting")]

# Every canary is this word and the name of the text it is planted in (lower case: some texts
# are lowered on their way to a page).
CANARY_WORD = "kestrel"
CANARY = re.compile(rf"{CANARY_WORD}-[a-z]+(?:-[a-z]+)*", re.IGNORECASE)

# The force's police people whose vetting lapses: one holding every police role of the force,
# and the world's people whose own records open more to them than their role does: the author
# of the products and the release, the owner of the action (invited to the meeting), and the
# chair of the meeting.
LAPSING = ("everyrole", "analyst", "member", "chair")
# Holds every police role of the force too; their vetting stays current.
STEADY = "steady"

# The world's records marked above OFFICIAL, and the records that belong to one of them: a
# section to its product, a document to its release, a priority and requirement item to their
# OFFICIAL-SENSITIVE strategy, an attachment to its submission; a meeting holds its
# OFFICIAL-SENSITIVE minutes and shows the SECRET action, and its agenda items and invitees
# belong to it.
MARKED_RECORDS = {
    "product",
    "draft",
    "section",
    "release",
    "document",
    "strategy",
    "priority",
    "requirement_item",
    "submission",
    "attachment",
    "meeting",
    "closed_meeting",
    "agenda_item",
    "invitee",
    "partner_invitee",
    "action",
    "escalation",
}
# How a URL refuses a record its visitor may not read: as one that does not exist (the meeting
# screen's poll sends the screen back through its page, which answers 404).
NOT_FOUND = "404"
REFUSAL = {"tasking:meeting_screen_poll": RELOAD}
REFUSED = {LOGIN, ADMIN_LOGIN, RELOAD, "403", "404", "405"}

GET_ROWS = [row for row in ROWS if row.method == "get"]


class CanaryWorld(World):
    """The matrix's world, a canary in every text of a record marked above OFFICIAL, and two
    people holding every police role of the force, SC vetted until next year."""

    def __init__(self, capture_on_commit):
        self.canaries = set()
        super().__init__(capture_on_commit)
        self.everyrole = self._every_role("everyrole")
        self.steady = self._every_role(STEADY)

    def marked(self, name: str, text: str) -> str:
        canary = f"{CANARY_WORD}-{name}"
        self.canaries.add(canary)
        return f"{text} {canary}"

    def _every_role(self, username):
        person = member(
            self.unit,
            Role.ANALYST,
            username=username,
            vetting_level=VettingLevel.SC,
            vetting_expires_on=timezone.localdate() + datetime.timedelta(days=365),
        )
        for role in (Role.REVIEWER, Role.CHAIR, Role.MEMBER, Role.ADMIN):
            Membership.objects.create(user=person, unit=self.unit, role=role)
        return person


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The canary world and a signed-in session for each person who visits, in a transaction
    rolled back after the module's tests (each test's lapse is rolled back at its end)."""
    with world_in_transaction(django_db_blocker, CanaryWorld, (*LAPSING, STEADY)) as built:
        yield built


@dataclass(frozen=True)
class Visit:
    url: str
    answer: str
    canaries: frozenset[str]
    response: HttpResponseBase

    @property
    def reached(self) -> bool:
        """Whether the URL let its visitor in (not refused, not sent to sign in)."""
        return not any(answered(self.response, token) for token in REFUSED)


def visit(world: CanaryWorld, row, person: str) -> Visit:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[person]
    url = url_of(row, ROUTES[row.name], world, person)
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    canaries = frozenset(match.lower() for match in CANARY.findall(body.decode(errors="replace")))
    return Visit(url, described(response), canaries, response)


def names_marked_record(row) -> bool:
    """Whether the row's URL names a record marked above OFFICIAL (or one belonging to it)."""
    return any(value in MARKED_RECORDS for value in parameters_of(row, ROUTES[row.name]).values())


def lapse(world: CanaryWorld, person: str) -> None:
    user = world.user(person)
    user_update_vetting(
        acting_user=world.superuser,
        user=user,
        vetting_level=user.vetting_level,
        vetting_expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )


def test_a_current_reader_sees_every_canary(world):
    """The canaries are where the pages show them: each one reaches a current reader."""
    seen = set()
    for row in GET_ROWS:
        seen |= visit(world, row, STEADY).canaries
    assert seen == world.canaries


@pytest.mark.parametrize("row", GET_ROWS, ids=lambda row: row.name)
def test_lapsed_vetting_reads_nothing_marked(world, row):
    before = {person: visit(world, row, person) for person in LAPSING}
    for person in LAPSING:
        lapse(world, person)

    refusal = REFUSAL.get(row.name, NOT_FOUND)
    marked = names_marked_record(row)
    for person in LAPSING:
        now = visit(world, row, person)
        assert now.response.status_code < 500, f"GET {now.url} as {person}, lapsed: {now.answer}"
        assert not now.canaries, f"GET {now.url} as {person}, lapsed: shows {sorted(now.canaries)}"
        if marked and before[person].reached:
            assert answered(now.response, refusal), (
                f"GET {now.url} as {person}, lapsed: {now.answer} (before: "
                f"{before[person].answer}), not {refusal}"
            )

    # Both sides of the rule: the same roles, their vetting current, still read what they did.
    steady, everyrole = visit(world, row, STEADY), before["everyrole"]
    assert (steady.answer, steady.canaries) == (everyrole.answer, everyrole.canaries), (
        f"GET {steady.url} as {STEADY}, vetting current: {steady.answer} showing "
        f"{sorted(steady.canaries)}; before the lapse everyrole got {everyrole.answer} showing "
        f"{sorted(everyrole.canaries)}"
    )
