"""`manage.py seed_demo_tasking`: control strategies and intelligence requirements for the force,
two BCUs and the neighbouring force (approved at their units' past ST&CG sittings), informed by
published strategic assessments, past meetings held with their tactical assessments and minutes
and upcoming ones, an action log in every state, a commission, escalations and a sideways request,
and a TT&CG that the demo chair can open today: built through the services, and nothing new when
run again."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from nim_portal.models import AuditEvent, Membership, User
from products.choices import ProductKind
from products.models import Product, ProductVersion
from products.selectors import visible_versions
from tasking.actions.choices import ActionStatus, Rag
from tasking.actions.selectors import actions_for_meeting
from tasking.demo_cast import EAST_ANALYST, FORCE_CHAIR, WEST_CHAIR
from tasking.meetings.choices import STANDARD_AGENDAS, MeetingKind, MeetingStatus
from tasking.meetings.demo import PAST_SITTINGS
from tasking.meetings.policy import can_chair
from tasking.meetings.selectors import meeting_for_user
from tasking.models import (
    ActionUpdate,
    AgendaItem,
    Commission,
    ControlStrategy,
    Decision,
    Escalation,
    IntelligenceRequirementItem,
    Meeting,
    MeetingInvitee,
    MinutesVersion,
    Priority,
    TacticalAction,
)
from tasking.proceedings.choices import CommissionKind, EscalationStatus
from tasking.proceedings.demo import (
    DEMO_ADOPTED_TITLE,
    DEMO_COMMISSION_TITLE,
    DEMO_ESCALATION_TITLE,
)
from tasking.requests.choices import RequestStatus
from tasking.requests.demo import DEMO_ACCEPTANCE, DEMO_REQUEST_TITLE
from tasking.requests.models import SidewaysRequest
from tasking.strategy.choices import ControlStrategyStatus, RequirementItemStatus
from tasking.strategy.demo import DEMO_STRATEGIES

pytestmark = pytest.mark.django_db

UNIT_CODES = ("WMP", "WMP-BE", "WMP-BW", "STAFFS")


def counts() -> dict[str, int]:
    return {
        "people": User.objects.count(),
        "memberships": Membership.objects.count(),
        "products": Product.objects.count(),
        "versions": ProductVersion.objects.count(),
        "strategies": ControlStrategy.objects.count(),
        "priorities": Priority.objects.count(),
        "items": IntelligenceRequirementItem.objects.count(),
        "meetings": Meeting.objects.count(),
        "agenda items": AgendaItem.objects.count(),
        "invitees": MeetingInvitee.objects.count(),
        "strategy history": ControlStrategy.history.count(),
        "meeting history": Meeting.history.count(),
        "decisions": Decision.objects.count(),
        "minutes versions": MinutesVersion.objects.count(),
        "actions": TacticalAction.objects.count(),
        "action updates": ActionUpdate.objects.count(),
        "commissions": Commission.objects.count(),
        "escalations": Escalation.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for the tests of a class, in a transaction rolled back after them
    (each test runs in a savepoint of its own inside it)."""
    fast = override_settings(
        # The minutes PDFs printed on closing the past meetings.
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    seed = transaction.atomic()
    out = StringIO()
    with django_db_blocker.unblock():
        fast.enable()
        seed.__enter__()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", "--quiet")
            call_command("seed_demo_products", "--quiet")
            call_command("seed_demo_partners", "--quiet")
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo_tasking", stdout=out)
    try:
        assert "0 created" not in out.getvalue()
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            seed.__exit__(None, None, None)
            fast.disable()


def test_without_the_demo_people_it_says_what_to_run_first(db):
    with pytest.raises(CommandError, match=r"run `manage\.py seed_demo` first"):
        call_command("seed_demo_tasking", "--quiet")
    assert not ControlStrategy.objects.exists()


# Seeded once for the class: its tests stay on one test process.
@pytest.mark.xdist_group("tasking-demo")
@pytest.mark.usefixtures("seeded")
class TestTheSeededDemo:
    def test_running_again_creates_nothing(self, django_capture_on_commit_callbacks):
        before = counts()
        out = StringIO()

        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo_tasking", stdout=out)

        assert counts() == before
        assert out.getvalue().startswith("Demo tasking: 0 created")

    def test_a_strategy_and_requirement_for_the_force_and_two_bcus(self):
        strategies = {
            s.unit.code: s
            for s in ControlStrategy.objects.select_related("unit", "informed_by__product")
        }

        assert set(strategies) == set(UNIT_CODES)
        for strategy in strategies.values():
            assert strategy.status == ControlStrategyStatus.APPROVED
            # Informed by a published strategic assessment of its unit or above, read by its chair.
            product = strategy.informed_by.product
            assert product.kind == ProductKind.STRATEGIC_ASSESSMENT
            assert strategy.unit.path.startswith(product.unit.path)
            assert (
                visible_versions(strategy.approved_by, product)
                .filter(pk=strategy.informed_by_id)
                .exists()
            )
            # Scored and ranked by the service, ranks 1 to n, with the history of a person's work.
            priorities = list(strategy.priorities.order_by("rank"))
            assert len(priorities) >= 3
            assert [p.rank for p in priorities] == list(range(1, len(priorities) + 1))
            assert all(p.score is not None and p.score_rank for p in priorities)
            assert strategy.history.earliest().history_user == strategy.drafted_by
            requirement = strategy.intelligence_requirement
            assert requirement.approved_by == strategy.approved_by
            # Both approved at the unit's past ST&CG sitting, each decision recorded there.
            sitting = strategy.approved_at_sitting
            assert (sitting.unit, sitting.kind) == (strategy.unit, MeetingKind.STRATEGIC)
            assert sitting.starts_at < timezone.now() and sitting.status == MeetingStatus.CLOSED
            assert requirement.approved_at_sitting == sitting
            # Dated by the sitting, not by the day the demo was seeded.
            sitting_day = timezone.localdate(sitting.starts_at)
            assert timezone.localdate(strategy.approved_at) == sitting_day
            assert timezone.localdate(requirement.approved_at) == sitting_day
            assert set(sitting.decisions.values_list("agenda_item__kind", flat=True)) >= {
                "control_strategy",
                "intelligence_requirement",
            }
            assert requirement.items.filter(status=RequirementItemStatus.OPEN).exists()

        assert strategies["WMP"].approved_by.username == FORCE_CHAIR.username
        assert strategies["WMP-BE"].approved_by.username == "chair"
        assert strategies["WMP-BW"].approved_by.username == WEST_CHAIR.username
        assert strategies["STAFFS"].approved_by.username == "staffschair"
        # The BCUs' and the neighbour's strategies rest on assessments of their own, published
        # by the products flow.
        assert strategies["WMP-BE"].informed_by.product.unit.code == "WMP-BE"
        neighbours = strategies["STAFFS"].informed_by
        assert neighbours.product.unit.code == "STAFFS"
        assert (neighbours.author.username, neighbours.reviewer.username) == (
            "staffsanalyst",
            "staffsreviewer",
        )

    def test_the_chair_overrides_a_rank_with_a_reason_and_an_item_is_closed_with_a_note(self):
        east = ControlStrategy.objects.get(unit__code="WMP-BE")
        overridden = east.priorities.get(override_rank__isnull=False)

        assert overridden.rank == overridden.override_rank != overridden.score_rank
        assert overridden.override_reason and overridden.override_by.username == "chair"
        closed = IntelligenceRequirementItem.objects.filter(status=RequirementItemStatus.CLOSED)
        assert closed.count() == sum(
            1 for demo in DEMO_STRATEGIES for item in demo.items if item.closing_note
        )
        assert all(item.closing_note and item.closed_at for item in closed)
        assert IntelligenceRequirementItem.objects.filter(
            open_to_partners=True,
            status=RequirementItemStatus.OPEN,
            priority__control_strategy=east,
        ).exists()

    def test_past_and_upcoming_meetings_chaired_with_the_member_invited(self):
        now = timezone.now()
        east = Meeting.objects.filter(unit__code="WMP-BE")

        for code in UNIT_CODES:
            for kind, past in PAST_SITTINGS.items():
                meetings = Meeting.objects.filter(unit__code=code, kind=kind)
                assert meetings.filter(starts_at__lt=now).count() == past
                assert meetings.filter(starts_at__gt=now, status=MeetingStatus.SCHEDULED).exists()
                # Every one comes from the cadence, with its standard agenda.
                assert not meetings.filter(cadence_slot__isnull=True).exists()
                assert not meetings.filter(agenda_items__isnull=True).exists()
        ttcg = east.filter(kind=MeetingKind.TACTICAL)
        assert {m.chair.username for m in ttcg} == {"chair"}
        assert all(m.invitees.filter(user__username="member").exists() for m in ttcg)
        # The schedule ran for every active unit, as beat would.
        assert Meeting.objects.exclude(unit__code__in=UNIT_CODES).filter(starts_at__gt=now).exists()
        # The demo partner is invited to the force's next ST&CG, and to nothing tactical.
        partner = MeetingInvitee.objects.get(user__username="partner")
        assert partner.is_partner_attendee
        assert (partner.meeting.unit.code, partner.meeting.kind) == ("WMP", MeetingKind.STRATEGIC)

    def test_past_meetings_were_held_and_their_minutes_frozen(self):
        past = Meeting.objects.filter(unit__code__in=UNIT_CODES, starts_at__lt=timezone.now())

        assert past.count() == len(UNIT_CODES) * sum(PAST_SITTINGS.values())
        for meeting in past:
            assert meeting.status == MeetingStatus.CLOSED
            assert meeting.minutes and meeting.minutes_frozen_at
            assert meeting.decisions.exists()
            assert meeting.invitees.filter(attendance="present").exists()
            version = meeting.minutes_versions.get()
            assert version.content["minutes"] == meeting.minutes
            assert version.pdf_ready
        assert not Meeting.objects.filter(starts_at__gt=timezone.now()).exclude(
            status=MeetingStatus.SCHEDULED
        )

    def test_every_past_ttcg_was_informed_by_its_tactical_assessment_published_before_it(self):
        past = Meeting.objects.filter(
            unit__code__in=UNIT_CODES, kind=MeetingKind.TACTICAL, starts_at__lt=timezone.now()
        ).select_related("unit", "tactical_assessment")
        analysts = {"WMP-BE": EAST_ANALYST.username, "STAFFS": "staffsanalyst"}

        assert past.count() == len(UNIT_CODES) * PAST_SITTINGS[MeetingKind.TACTICAL]
        pictures = set()
        for meeting in past:
            assessment = meeting.tactical_assessment
            assert assessment.kind == ProductKind.TACTICAL_ASSESSMENT
            assert assessment.unit == meeting.unit
            # Commissioned in its window, published by its due date, days before the sitting.
            day = timezone.localtime(meeting.starts_at).date()
            version = assessment.versions.get()
            assert assessment.created_at < version.published_at < meeting.starts_at
            assert timezone.localtime(version.published_at).date() == assessment.due_date < day
            assert version.author.username == analysts.get(meeting.unit.code, "analyst")
            assert version.reviewer != version.author
            # Presented at the sitting: its picture is in the minutes, under its item.
            picture = assessment.sections.get(title="General picture").body
            assert picture and picture in meeting.minutes
            pictures.add(picture)
        assert len(pictures) == past.count()

    def test_each_past_meetings_minutes_cover_its_agenda_with_its_own_decisions(self):
        past = list(Meeting.objects.filter(unit__code__in=UNIT_CODES, starts_at__lt=timezone.now()))

        assert len({meeting.minutes for meeting in past}) == len(past)
        decisions = Decision.objects.filter(meeting__in=past)
        for meeting in past:
            for item in meeting.agenda_items.all():
                assert f"{item.position}. {item.title}: " in meeting.minutes
            assert "Present: " in meeting.minutes
            # Its chair's decision on the assessment or strategy is its own, and in its minutes.
            chairs = decisions.filter(
                meeting=meeting,
                agenda_item__kind__in=("tactical_assessment", "control_strategy"),
            ).exclude(text__endswith=" approved.")
            assert chairs.get().text in meeting.minutes
        texts = [d.text for d in decisions.filter(agenda_item__kind="tactical_assessment")]
        assert len(texts) == len(set(texts))

    def test_the_neighbour_keeps_its_own_action_log(self):
        actions = TacticalAction.objects.filter(unit__code="STAFFS")

        assert {a.status for a in actions} == {ActionStatus.OPEN, ActionStatus.CLOSED}
        assert all(a.priority.control_strategy.unit.code == "STAFFS" for a in actions)
        assert all(a.raised_at_meeting.chair.username == "staffschair" for a in actions)

    def test_the_force_asks_its_neighbour_sideways_and_the_neighbour_accepts(self):
        sideways = SidewaysRequest.objects.get(title=DEMO_REQUEST_TITLE)

        assert (sideways.from_unit.code, sideways.to_unit.code) == ("WMP", "STAFFS")
        assert sideways.status == RequestStatus.ACCEPTED
        assert sideways.decided_by.username == "staffschair"
        asked, answered = sideways.from_meeting, sideways.receiving_meeting
        assert asked.kind == answered.kind == MeetingKind.TACTICAL
        assert asked.starts_at < answered.starts_at < timezone.now()
        # Each side's decision recorded at its own sitting, and in its minutes.
        for meeting in (asked, answered):
            assert meeting.status == MeetingStatus.CLOSED
            decision = meeting.decisions.get(text__contains=sideways.reference)
            assert decision.agenda_item.kind == "escalations"
        assert DEMO_ACCEPTANCE in answered.decisions.get(text__contains=sideways.reference).text

    def test_the_action_log_has_actions_in_every_state(self):
        today = timezone.localdate()
        actions = TacticalAction.objects.filter(unit__code="WMP-BE")
        open_actions = actions.filter(status=ActionStatus.OPEN)

        # Each tied to a priority of the unit's control strategy, raised at one of its TT&CGs.
        assert all(a.priority.control_strategy.unit.code == "WMP-BE" for a in actions)
        assert not actions.filter(raised_at_meeting__isnull=True).exists()
        assert {a.rag for a in open_actions} == {Rag.GREEN, Rag.AMBER, Rag.RED}
        assert open_actions.filter(due_date__lt=today).exists()
        assert open_actions.filter(owner_unit__isnull=False).exists()
        closed = actions.filter(status=ActionStatus.CLOSED)
        assert closed.count() >= 2
        for action in closed:
            assert action.outcome
            assert action.closed_at_meeting.status == MeetingStatus.CLOSED
        assert ActionUpdate.objects.filter(action__in=open_actions).count() >= 3
        assert ActionUpdate.objects.filter(action__in=closed).exists()

    def test_a_problem_profile_commissioned_and_escalations_to_the_force(self):
        east = Meeting.objects.filter(unit__code="WMP-BE", kind=MeetingKind.TACTICAL)
        last_held = east.filter(status=MeetingStatus.CLOSED).order_by("starts_at").last()

        commission = Commission.objects.get(product__title=DEMO_COMMISSION_TITLE)
        assert commission.meeting == last_held
        assert commission.kind == CommissionKind.PROBLEM_PROFILE
        assert commission.product.terms.requester.username == "chair"
        # Raised by Birmingham East, waiting for the force's next TT&CG.
        pending = Escalation.objects.get(title=DEMO_ESCALATION_TITLE)
        assert (pending.from_meeting, pending.to_unit.code) == (last_held, "WMP")
        assert pending.status == EscalationStatus.RAISED
        assert pending.receiving_meeting.status == MeetingStatus.SCHEDULED
        assert pending.receiving_meeting.starts_at > timezone.now()
        # Birmingham West's, adopted by the force's TT&CG with its decision recorded there.
        adopted = Escalation.objects.get(title=DEMO_ADOPTED_TITLE)
        assert adopted.status == EscalationStatus.ADOPTED
        assert (
            adopted.owner_unit.code == "WMP" and adopted.decided_by.username == FORCE_CHAIR.username
        )
        assert adopted.decisions.get().meeting == adopted.receiving_meeting

    def test_the_demo_chair_can_open_a_ttcg_today_that_the_member_follows(self):
        now = timezone.now()
        chair = User.objects.get(username="chair")
        member = User.objects.get(username="member")
        meeting = Meeting.objects.get(
            unit__code="WMP-BE",
            kind=MeetingKind.TACTICAL,
            starts_at__date=timezone.localtime(now + datetime.timedelta(hours=1)).date(),
        )

        assert meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > now
        assert meeting.chair == chair and can_chair(chair, meeting)
        assert meeting_for_user(member, meeting.pk) == meeting
        assert meeting.invitees.filter(user=member).exists()
        assert [i.kind for i in meeting.agenda_items.order_by("position")] == list(
            STANDARD_AGENDAS[MeetingKind.TACTICAL]
        )
        # Developed by Birmingham East's own analyst, as the schedule commissioned it.
        assert meeting.tactical_assessment.owner.username == EAST_ANALYST.username
        carried = list(actions_for_meeting(meeting))
        assert len(carried) >= 4
        assert {a.status for a in carried} == {ActionStatus.OPEN}
        assert all(a.priority_id for a in carried)
