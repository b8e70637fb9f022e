"""The meeting schedule at the size of the country: what a run costs in queries as the hierarchy,
its people and its meetings grow, and invitations sent a job each.

The cost of a first run, as counted here (the test's transaction turns each unit's transaction
into a savepoint pair, counted too):
- RUN_QUERIES for the run itself: the default cadence policies written (eight rows with their
  history, each in a savepoint) and the run's reads (policies, units, last slots, people, the
  meetings due an assessment);
- UNIT_QUERIES for each unit with meetings to create, whatever their number and the unit's
  people: the meetings inserted and read back by their uids, then the history of the meetings,
  the agenda items, the invitees and the reminders, each table in one insert (with one for its
  history), the audit events in one, the invitation jobs in two and, on PostgreSQL, the
  meetings' search vectors in one;
- ASSESSMENT_QUERIES for each tactical assessment commissioned: the products service's
  commissioning (product, terms, template sections, each with its history; its checks; the
  notification of the terms and its e-mails' jobs), the meeting's lock and its update with
  history.
The old run cost about 18 queries a meeting created, here about 2 without the assessments.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from nim_portal.choices import Role, UnitKind
from tasking.meetings.cadence import schedule_meetings
from tasking.meetings.choices import MeetingKind
from tasking.meetings.invitations import invitation_send
from tasking.models import Meeting, MeetingInvitee
from tests.factories import add_unit, member
from tests.tasking.scheduling_helpers import twice_at_once

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)

RUN_QUERIES = 50
UNIT_QUERIES = 13
# The products service's commissioning is about 31 of these and the notification of its terms,
# written in its transaction, about 13 (with its readers' delivery choices and their e-mail
# jobs); the rest leaves them room to change.
ASSESSMENT_QUERIES = 55
# Policies, units, last slots, the meetings due an assessment.
SECOND_RUN_QUERIES = 8


def national_shaped(*, regions: int, forces: int, bcus: int, members: int, analysts=True):
    """A national unit over `regions` regions of `forces` forces of `bcus` BCUs each; every unit
    below the national one has a chair, `members` members and (unless told) an analyst."""
    national = add_unit(None, kind=UnitKind.NATIONAL, code="UK", name="National")
    units = []
    for r in range(regions):
        region = add_unit(national, kind=UnitKind.REGION, code=f"R{r}")
        units.append(region)
        for f in range(forces):
            force = add_unit(region, kind=UnitKind.FORCE, code=f"R{r}F{f}")
            units.append(force)
            units.extend(
                add_unit(force, kind=UnitKind.BCU, code=f"R{r}F{f}B{b}") for b in range(bcus)
            )
    for unit in units:
        member(unit, Role.CHAIR)
        if analysts:
            member(unit, Role.ANALYST)
        for _ in range(members):
            member(unit, Role.MEMBER)
    return units


def first_run_budget(units: int, assessments: int) -> int:
    return RUN_QUERIES + UNIT_QUERIES * units + ASSESSMENT_QUERIES * assessments


def first_run(**shape):
    """Build a hierarchy, run the schedule over it for the first time within its budget, and
    undo both: returns (queries, units, result)."""
    with transaction.atomic():
        units = national_shaped(**shape)
        # Every unit under the national one gets meetings; each force and BCU at least its
        # TT&CG's tactical assessment, and an ST&CG in its window its strategic one.
        tactical = sum(unit.kind != UnitKind.REGION for unit in units)
        # Each run reads the content types of its audit events once, as a new worker would.
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as queries:
            result = schedule_meetings(now=NOW)
        transaction.set_rollback(True)
    assert len(result.commissioned) >= tactical
    # The national unit is scheduled too: its ST&CG and TT&CG are on by default (issue 14).
    budget = first_run_budget(len(units) + 1, len(result.commissioned))
    assert len(queries) <= budget, f"{len(queries)} queries, the budget is {budget}"
    return len(queries), len(units), result


def test_a_first_runs_queries_do_not_grow_with_the_people():
    few, units, result = first_run(regions=1, forces=2, bcus=2, members=1)
    many, same_units, same_result = first_run(regions=1, forces=2, bcus=2, members=8)

    assert same_units == units and len(same_result.created) == len(result.created)
    assert many == few


def test_a_first_run_costs_a_constant_per_unit_far_below_a_query_a_meeting():
    small, small_units, small_result = first_run(regions=1, forces=2, bcus=2, members=2)
    big, big_units, big_result = first_run(regions=2, forces=3, bcus=3, members=4)

    assert big_units > 3 * small_units
    assessments = len(big_result.commissioned) - len(small_result.commissioned)
    assert big - small <= UNIT_QUERIES * (big_units - small_units) + (
        ASSESSMENT_QUERIES * assessments
    )
    # Each unit gets several meetings: a query a meeting would cost far more.
    assert len(big_result.created) > 6 * big_units
    # With the assessments commissioned (each told to its readers as they chose: issue 13), the
    # strategic ones before the ST&CGs in their window too (issue 14).
    assert big / len(big_result.created) < 16
    without_assessments = big - ASSESSMENT_QUERIES * len(big_result.commissioned)
    assert without_assessments / len(big_result.created) < 2


def second_run(assert_max_queries, **shape) -> tuple[int, int]:
    """Build a hierarchy with two months of meetings behind it and its first run for today
    done, then run again: returns (queries of the second run, meetings existing)."""
    with transaction.atomic():
        units = national_shaped(**shape)
        # A unit without an analyst: its flagged TT&CG costs nothing more until one is added.
        add_unit(units[0], kind=UnitKind.FORCE, code="NOANALYST")
        schedule_meetings(now=NOW - timedelta(days=60))
        schedule_meetings(now=NOW)
        existing = Meeting.objects.count()
        with assert_max_queries(SECOND_RUN_QUERIES) as queries:
            result = schedule_meetings(now=NOW)
        # Flagged: the meetings of the units without an analyst (the national one has none).
        flagged_units = set(
            Meeting.objects.filter(pk__in=result.flagged).values_list("unit__code", flat=True)
        )
        transaction.set_rollback(True)
    assert result.created == [] and result.commissioned == []
    assert flagged_units == {"NOANALYST", "UK"}
    return len(queries), existing


def test_a_second_run_costs_the_same_few_queries_whatever_exists(django_assert_max_num_queries):
    small, small_meetings = second_run(
        django_assert_max_num_queries, regions=1, forces=1, bcus=1, members=1
    )
    big, big_meetings = second_run(
        django_assert_max_num_queries, regions=2, forces=3, bcus=3, members=3
    )

    assert big_meetings > 5 * small_meetings
    assert big == small


# Invitations.


class CountingBackend(EmailBackend):
    """The test outbox, failing at the `fail_at`th message when told."""

    sent = 0
    fail_at = None
    seconds_a_message = 0.0

    def send_messages(self, messages):
        for _ in messages:
            type(self).sent += 1
            if type(self).sent == type(self).fail_at:
                raise ConnectionResetError("The mail server went away.")
            time.sleep(type(self).seconds_a_message)
        return super().send_messages(messages)


@pytest.fixture
def counting_backend(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.sent = 0
    CountingBackend.fail_at = None
    CountingBackend.seconds_a_message = 0.0
    return CountingBackend


def meeting_with_invitees(members: int) -> Meeting:
    """The first TT&CG of a BCU with a chair and `members` members, scheduled."""
    national = add_unit(None, kind=UnitKind.NATIONAL, code="UK")
    region = add_unit(national, kind=UnitKind.REGION, code="R")
    bcu = add_unit(add_unit(region, kind=UnitKind.FORCE, code="F"), kind=UnitKind.BCU, code="B")
    member(bcu, Role.CHAIR)
    for _ in range(members):
        member(bcu, Role.MEMBER)
    schedule_meetings(now=NOW)
    return Meeting.objects.filter(unit=bcu, kind=MeetingKind.TACTICAL).first()


def invitation_queries(assert_max_queries, members: int) -> int:
    """The queries of one invitee's job, in a meeting of `members` members and its chair."""
    with transaction.atomic():
        meeting = meeting_with_invitees(members)
        invitee = meeting.invitees.order_by("pk").last()
        with assert_max_queries(5) as queries:
            assert invitation_send(invitee.pk, now=NOW) is True
        transaction.set_rollback(True)
    return len(queries)


def test_an_invitation_job_costs_the_same_few_queries_whatever_the_meeting(
    django_assert_max_num_queries, counting_backend
):
    few = invitation_queries(django_assert_max_num_queries, members=1)
    many = invitation_queries(django_assert_max_num_queries, members=12)

    assert many == few
    assert len(mail.outbox) == 2


def test_a_failed_send_leaves_only_that_invitation_pending(counting_backend):
    """One job an invitee: the others' invitations stand, and the failed one's next attempt
    sends it alone."""
    with transaction.atomic():  # the schedule's own jobs are not run: the test runs them
        meeting = meeting_with_invitees(members=4)
    invitees = list(MeetingInvitee.objects.filter(meeting=meeting).order_by("pk"))
    counting_backend.fail_at = 3
    for invitee in invitees:
        try:
            invitation_send(invitee.pk, now=NOW)
        except ConnectionResetError:
            failed = invitee

    pending = MeetingInvitee.objects.filter(meeting=meeting, invitation_sequence=None)
    assert list(pending) == [failed]
    assert len(mail.outbox) == 4

    assert invitation_send(failed.pk, now=NOW) is True
    assert not any(invitation_send(invitee.pk, now=NOW) for invitee in invitees)
    sent = MeetingInvitee.objects.filter(meeting=meeting, invitation_sequence=0)
    assert sent.count() == 5
    assert {invitee.history.first().history_change_reason for invitee in sent} == {
        "Invitation sent (sequence 0)"
    }
    recipients = [address for message in mail.outbox for address in message.to]
    assert sorted(recipients) == sorted(sent.values_list("user__email", flat=True))


@pytest.mark.django_db(transaction=True)
def test_one_invitation_run_twice_at_once_is_sent_once(vetting_table, counting_backend):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race runs in CI's PostgreSQL pass.")
    meeting = meeting_with_invitees(members=5)
    # The run sent them at its commit (jobs run in-process here): make one pending again.
    invitee = meeting.invitees.order_by("pk").last()
    MeetingInvitee.objects.filter(pk=invitee.pk).update(
        invitation_sequence=None, invitation_sent_at=None
    )
    mail.outbox.clear()
    # A slow send: the second runner asks for the row while the first still holds it.
    counting_backend.seconds_a_message = 0.05

    def job():
        with transaction.atomic():
            return invitation_send(invitee.pk, now=NOW)

    sent = twice_at_once(job, seconds=60)
    assert sorted(sent) == [False, True]
    assert [message.to for message in mail.outbox] == [[invitee.user.email]]
