"""Meeting services from both sides: rescheduling by the chair, reminders, lapsed cadences and
the cadence configuration."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from nim_portal.choices import AuditVerb, Role, UnitKind
from nim_portal.models import AuditEvent, Unit
from tasking import tasks
from tasking.meetings.cadence import cadence_policies_default, cadence_policy_update
from tasking.meetings.choices import Attendance, MeetingKind, MeetingStatus
from tasking.meetings.invitations import reminder_send, reminders_issue_due
from tasking.meetings.selectors import lapsed_cadences, meetings_visible_to
from tasking.meetings.services import meeting_reschedule, police_invitee_add, police_invitee_remove
from tasking.models import CadencePolicy, Meeting, MeetingInvitee, Priority
from tasking.proceedings.forms import ActionRaiseForm
from tests.factories import PartnerUserFactory, UserFactory, add_unit, member
from tests.tasking.proceedings_helpers import scheduled_as_by_beat

NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


class Cast:
    def __init__(self, hierarchy):
        self.hierarchy = hierarchy
        self.chair = member(hierarchy.bcu, Role.CHAIR, username="chair")
        self.member = member(hierarchy.bcu, Role.MEMBER, username="member")
        self.analyst = member(hierarchy.bcu, Role.ANALYST, username="analyst")
        self.force_chair = member(hierarchy.force, Role.CHAIR, username="forcechair")
        self.neighbour_chair = member(hierarchy.other_bcu, Role.CHAIR, username="stokechair")


@pytest.fixture
def cast(hierarchy):
    return Cast(hierarchy)


@pytest.fixture
def meeting(cast):
    scheduled_as_by_beat(now=NOW)
    return Meeting.objects.filter(unit=cast.hierarchy.bcu, kind=MeetingKind.TACTICAL).first()


# Rescheduling.


def test_the_chair_reschedules_a_meeting_and_its_reminder_moves_with_it(cast, meeting):
    new_start = meeting.starts_at + timedelta(days=2)
    moved = meeting_reschedule(
        acting_user=cast.chair, meeting=meeting, starts_at=new_start, duration_minutes=90
    )

    assert (moved.starts_at, moved.duration_minutes, moved.sequence) == (new_start, 90, 1)
    assert moved.reminder.due_at == new_start - timedelta(hours=24)
    assert moved.history.first().history_user == cast.chair
    assert moved.history.first().history_change_reason.startswith("Rescheduled to")
    event = AuditEvent.objects.filter(verb=AuditVerb.UPDATE, object_id=str(meeting.pk)).get()
    assert event.actor == cast.chair and event.detail["sequence"] == 1


def test_a_move_sent_over_an_older_sequence_is_refused_and_changes_nothing(cast, meeting):
    first = meeting.starts_at + timedelta(days=1)
    meeting_reschedule(
        acting_user=cast.force_chair, meeting=meeting, starts_at=first, expected_sequence=0
    )

    with pytest.raises(ValidationError) as refused:
        meeting_reschedule(
            acting_user=cast.chair,
            meeting=meeting,
            starts_at=meeting.starts_at + timedelta(days=3),
            expected_sequence=0,
        )

    assert "moved by somebody else" in refused.value.messages[0]
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (first, 1)


def test_a_chair_above_the_unit_may_reschedule(cast, meeting):
    moved = meeting_reschedule(
        acting_user=cast.force_chair, meeting=meeting, starts_at=meeting.starts_at + timedelta(1)
    )
    assert moved.sequence == 1


@pytest.mark.parametrize("who", ["member", "analyst", "neighbour_chair"])
def test_a_non_chair_cannot_reschedule(cast, meeting, who):
    with pytest.raises(PermissionDenied, match="Only the chair of this meeting of Birmingham"):
        meeting_reschedule(
            acting_user=getattr(cast, who),
            meeting=meeting,
            starts_at=meeting.starts_at + timedelta(days=1),
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert not AuditEvent.objects.filter(object_id=str(meeting.pk), verb=AuditVerb.UPDATE)


def test_an_inactive_chair_cannot_reschedule(cast, meeting):
    cast.chair.is_active = False
    cast.chair.save()
    with pytest.raises(PermissionDenied):
        meeting_reschedule(
            acting_user=cast.chair, meeting=meeting, starts_at=meeting.starts_at + timedelta(1)
        )


def test_rescheduling_refuses_a_past_or_naive_time_and_a_meeting_under_way(cast, meeting):
    with pytest.raises(ValidationError, match="in the future"):
        meeting_reschedule(
            acting_user=cast.chair, meeting=meeting, starts_at=timezone.now() - timedelta(hours=1)
        )
    with pytest.raises(ValidationError, match="time zone"):
        meeting_reschedule(
            acting_user=cast.chair, meeting=meeting, starts_at=datetime(2031, 1, 1, 10, 0)
        )
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.IN_SESSION)
    with pytest.raises(ValidationError, match="in session: only a scheduled meeting"):
        meeting_reschedule(
            acting_user=cast.chair, meeting=meeting, starts_at=meeting.starts_at + timedelta(1)
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_rescheduling_to_the_same_time_changes_nothing(cast, meeting):
    same = meeting_reschedule(acting_user=cast.chair, meeting=meeting, starts_at=meeting.starts_at)
    assert same.sequence == 0


# Reminders.


def _reminders():
    return [message for message in mail.outbox if message.subject.startswith("Reminder:")]


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """The minute's beat: issues the reminders due at `now`; their jobs run once it commits."""

    def issue_due(now) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_issue_due(now=now)

    return issue_due


@pytest.fixture
def only_birmingham(meeting):
    """The reminders tests watch one unit: the other units' meetings fall due at the same time."""
    Meeting.objects.exclude(unit=meeting.unit).delete()


def test_a_reminder_is_sent_once_when_due_and_not_before(cast, meeting, only_birmingham, issue):
    due = meeting.reminder.due_at
    assert issue(due - timedelta(minutes=1)) == 0
    assert _reminders() == []

    assert issue(due) == 1
    assert issue(due + timedelta(minutes=1)) == 0
    assert sorted(m.to[0] for m in _reminders()) == sorted([cast.chair.email, cast.member.email])
    meeting.reminder.refresh_from_db()
    assert meeting.reminder.sent_at == due
    assert "Birmingham" in _reminders()[0].subject
    # Each invitee's reminder is a job of its own: asked again, it sends nothing more.
    for invitee in meeting.invitees.all():
        assert reminder_send(invitee.pk) is False
    assert len(_reminders()) == 2


def test_no_reminder_to_those_who_sent_apologies_nor_after_the_start(
    cast, meeting, only_birmingham, issue
):
    meeting.invitees.filter(user=cast.member).update(attendance=Attendance.APOLOGIES)
    issue(meeting.reminder.due_at)
    assert [m.to for m in _reminders()] == [[cast.chair.email]]

    later = Meeting.objects.filter(unit=cast.hierarchy.bcu, kind=MeetingKind.TACTICAL)[1]
    assert issue(later.starts_at + timedelta(minutes=1)) == 0


def test_a_reminder_already_sent_goes_again_when_the_meeting_moves_later(
    cast, meeting, only_birmingham, issue
):
    issue(meeting.reminder.due_at)
    new_start = meeting.starts_at + timedelta(days=3)
    meeting_reschedule(acting_user=cast.chair, meeting=meeting, starts_at=new_start)
    meeting.reminder.refresh_from_db()

    assert meeting.reminder.sent_at is None
    assert issue(new_start - timedelta(hours=23)) == 1
    assert len(_reminders()) == 4


def test_the_minute_task_sends_through_the_service(cast, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(hours=2))
    meeting.reminder.due_at = timezone.now() - timedelta(minutes=1)
    meeting.reminder.save()
    assert tasks.send_due_reminders.delay().get() == 1
    assert tasks.send_due_reminders.delay().get() == 0


# Lapsed cadences.


def _closed(unit, kind, days_ago):
    return Meeting.objects.create(
        unit=unit,
        kind=kind,
        starts_at=NOW - timedelta(days=days_ago),
        status=MeetingStatus.CLOSED,
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


def _flags(user, now=NOW):
    return {(item.unit.code, item.meeting_kind) for item in lapsed_cadences(user, now=now)}


def test_a_lapsed_cadence_is_flagged_and_a_kept_one_is_not(hierarchy, superuser):
    cadence_policies_default()
    Unit.objects.update(created_at=NOW - timedelta(days=400))
    # TT&CG fortnightly with 7 days' grace: held 22 days ago has lapsed, 20 days ago has not.
    _closed(hierarchy.bcu, MeetingKind.TACTICAL, 22)
    _closed(hierarchy.other_bcu, MeetingKind.TACTICAL, 20)
    _closed(hierarchy.region, MeetingKind.TACTICAL, 60)
    _closed(hierarchy.force, MeetingKind.STRATEGIC, 100)
    # Only held meetings count: a scheduled one does not keep the cadence.
    Meeting.objects.create(
        unit=hierarchy.other_bcu, kind=MeetingKind.TACTICAL, starts_at=NOW - timedelta(days=1)
    )
    flags = _flags(superuser)

    assert ("BIRM", MeetingKind.TACTICAL) in flags
    assert ("STOKE", MeetingKind.TACTICAL) not in flags
    assert ("WM", MeetingKind.TACTICAL) not in flags
    assert ("WMP", MeetingKind.STRATEGIC) not in flags
    # Never held in 400 days: lapsed, the national unit's too (its meetings are on by default).
    assert ("WMP", MeetingKind.TACTICAL) in flags
    assert ("UK", MeetingKind.TACTICAL) in flags
    item = next(
        i
        for i in lapsed_cadences(superuser, now=NOW)
        if (i.unit.code, i.meeting_kind) == ("BIRM", MeetingKind.TACTICAL)
    )
    assert item.last_held == NOW - timedelta(days=22)


def test_a_new_unit_has_not_lapsed_yet(hierarchy, superuser):
    cadence_policies_default()
    assert _flags(superuser, now=timezone.now()) == set()


def test_lapsed_cadences_are_shown_only_in_administered_units(hierarchy, superuser):
    cadence_policies_default()
    Unit.objects.update(created_at=NOW - timedelta(days=400))
    force_admin = member(hierarchy.force, Role.ADMIN, username="forceadmin")
    chair = member(hierarchy.bcu, Role.CHAIR, username="chair")

    codes = {code for code, _ in _flags(force_admin)}
    assert codes == {"WMP", "BIRM"}
    assert _flags(chair) == set()


# Cadence configuration.


def test_a_system_administrator_changes_a_cadence(superuser):
    cadence_policies_default()
    policy = CadencePolicy.objects.get(unit_kind=UnitKind.FORCE, meeting_kind=MeetingKind.TACTICAL)
    changed = cadence_policy_update(
        acting_user=superuser, policy=policy, interval_count=7, anchor_date=date(2030, 1, 7)
    )
    assert changed.interval_count == 7
    assert changed.history.first().history_user == superuser
    assert AuditEvent.objects.filter(verb=AuditVerb.UPDATE, object_id=str(policy.pk)).exists()


def test_others_cannot_change_a_cadence_nor_set_it_wrong(hierarchy, superuser):
    cadence_policies_default()
    policy = CadencePolicy.objects.get(unit_kind=UnitKind.BCU, meeting_kind=MeetingKind.TACTICAL)
    admin = member(hierarchy.force, Role.ADMIN, username="forceadmin")
    with pytest.raises(PermissionDenied, match="system administrator"):
        cadence_policy_update(acting_user=admin, policy=policy, interval_count=7)
    with pytest.raises(ValidationError):
        cadence_policy_update(acting_user=superuser, policy=policy, interval_count=0)
    with pytest.raises(ValidationError, match="cannot be due before"):
        cadence_policy_update(acting_user=superuser, policy=policy, assessment_due_days=20)
    with pytest.raises(ValidationError, match="cannot be set here"):
        cadence_policy_update(acting_user=superuser, policy=policy, unit_kind=UnitKind.FORCE)
    policy.refresh_from_db()
    assert (policy.interval_count, policy.assessment_due_days) == (14, 3)


# Police invitees beyond the unit's own.


def neighbouring_bcu(cast):
    return add_unit(cast.hierarchy.force, kind=UnitKind.BCU, code="SOLI", name="Solihull")


def test_an_invitee_from_outside_the_line_is_not_offered_as_an_actions_owner(cast, meeting):
    """Issue 13, point 9: the sitting's action form offers only owners the action service
    accepts (somebody working in the unit's line); an invitee from a neighbouring BCU reads the
    meeting but may not own its actions."""
    neighbour = member(neighbouring_bcu(cast), Role.MEMBER, username="neighbour")
    police_invitee_add(acting_user=cast.chair, meeting=meeting, person=neighbour)

    form = ActionRaiseForm(meeting=meeting, priorities=Priority.objects.none())
    owners = {value for value, _ in form.fields["owner_user"].choices}

    assert {cast.chair.pk, cast.member.pk, cast.force_chair.pk} <= owners
    assert neighbour.pk not in owners and cast.neighbour_chair.pk not in owners


def test_the_chair_invites_a_colleague_who_then_reads_the_meeting(
    cast, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    neighbour = member(neighbouring_bcu(cast), Role.MEMBER, username="neighbour")
    assert not meetings_visible_to(neighbour).filter(pk=meeting.pk).exists()
    revision = meeting.screen_revision

    with django_capture_on_commit_callbacks(execute=True):
        invitee = police_invitee_add(acting_user=cast.chair, meeting=meeting, person=neighbour)

    assert invitee.user == neighbour and not invitee.is_partner_attendee
    assert meetings_visible_to(neighbour).filter(pk=meeting.pk).exists()
    assert [neighbour.email] in [m.to for m in mailoutbox if m.attachments]
    assert Meeting.objects.get(pk=meeting.pk).screen_revision == revision + 1
    assert invitee.history.earliest("history_id").history_user == cast.chair

    police_invitee_remove(acting_user=cast.chair, invitee=invitee)

    assert not meetings_visible_to(neighbour).filter(pk=meeting.pk).exists()


def test_only_a_chair_invites_or_takes_back(cast, meeting):
    neighbour = member(neighbouring_bcu(cast), Role.MEMBER, username="neighbour")
    for who in (cast.member, cast.neighbour_chair):
        with pytest.raises(PermissionDenied):
            police_invitee_add(acting_user=who, meeting=meeting, person=neighbour)
    invitee = police_invitee_add(acting_user=cast.force_chair, meeting=meeting, person=neighbour)
    with pytest.raises(PermissionDenied):
        police_invitee_remove(acting_user=cast.member, invitee=invitee)

    assert meeting.invitees.filter(user=neighbour).count() == 1


def test_an_invitation_is_refused_with_its_reason_and_changes_nothing(cast, meeting):
    far_away = member(cast.hierarchy.other_force, Role.MEMBER, username="faraway")
    partner = PartnerUserFactory()
    retired = member(cast.hierarchy.bcu, Role.MEMBER, username="retired", is_active=False)
    invited = meeting.invitees.first().user
    count = meeting.invitees.count()

    for person, message in (
        (far_away, "holds no role in"),
        (partner, "Choose an active police user"),
        (retired, "Choose an active police user"),
        (invited, "is already invited"),
    ):
        with pytest.raises(ValidationError) as refused:
            police_invitee_add(acting_user=cast.chair, meeting=meeting, person=person)
        assert message in refused.value.message_dict["person"][0]

    assert meeting.invitees.count() == count


def test_someone_recorded_present_or_a_partner_is_not_taken_back_here(cast, meeting):
    invitee = meeting.invitees.first()
    MeetingInvitee.objects.filter(pk=invitee.pk).update(attendance=Attendance.PRESENT)

    with pytest.raises(ValidationError, match="recorded present"):
        police_invitee_remove(acting_user=cast.chair, invitee=invitee)
    MeetingInvitee.objects.filter(pk=invitee.pk).update(is_partner_attendee=True)
    with pytest.raises(ValidationError, match="not a police invitee"):
        police_invitee_remove(acting_user=cast.chair, invitee=invitee)

    assert MeetingInvitee.objects.filter(pk=invitee.pk).exists()


def test_a_closed_meeting_takes_no_new_invitee(cast, meeting):
    neighbour = member(neighbouring_bcu(cast), Role.MEMBER, username="neighbour")
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CLOSED)

    with pytest.raises(ValidationError, match="closed"):
        police_invitee_add(acting_user=cast.chair, meeting=meeting, person=neighbour)
