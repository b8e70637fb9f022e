"""ST&CG and TT&CG meetings, their cadence policies, invitees, agenda and reminders.

Every change goes through the services of tasking.meetings and tasking.proceedings (permission,
history reason, audit).
"""

import calendar
import uuid
from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal import access
from nim_portal.choices import NIM_LEVEL_OF_KIND, GSCMarking, UnitKind
from nim_portal.search import SearchVectorIndex
from tasking.meetings.choices import (
    AGENDA_MARKINGS,
    AgendaItemKind,
    Attendance,
    IntervalUnit,
    MeetingKind,
    MeetingStatus,
)

__all__ = ["AgendaItem", "CadencePolicy", "Meeting", "MeetingInvitee", "MeetingReminder"]


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clipped to the end of a shorter month (31 Jan + 1 = 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last_day))


class CadencePolicy(models.Model):
    """How often a kind of unit holds a kind of meeting, and how the scheduler prepares it.

    Keyed by the kind of unit, not the NIM level: regions and forces are both Level 2 but the seed
    gives them different tactical cadences. Rows are configurable; the defaults come from
    tasking.meetings.cadence.cadence_policies_default.
    """

    unit_kind = models.CharField(max_length=16, choices=UnitKind.choices)
    meeting_kind = models.CharField(max_length=8, choices=MeetingKind.choices)
    interval_count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Meets every this many days or months."
    )
    interval_unit = models.CharField(max_length=8, choices=IntervalUnit.choices)
    is_enabled = models.BooleanField(default=True)
    anchor_date = models.DateField(
        default=date(2026, 1, 6),
        help_text="A date the cadence falls on; a unit's first meetings follow from it.",
    )
    start_time = models.TimeField(default=time(10, 0), help_text="Local time meetings start.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=120, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text="Meetings are kept scheduled this many days ahead.",
    )
    assessment_commission_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="The assessment (tactical before a TT&CG, strategic before an ST&CG) is "
        "commissioned this many days before the meeting.",
    )
    assessment_due_days = models.PositiveSmallIntegerField(
        default=3, help_text="The assessment is due this many days before the meeting."
    )
    reminder_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Invitees are reminded this many hours before the meeting."
    )
    grace_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days past the interval before a unit's cadence counts as lapsed."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "cadence policies"
        ordering = ["unit_kind", "meeting_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_kind", "meeting_kind"], name="cadence_policy_unique_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(assessment_due_days__lte=models.F("assessment_commission_days")),
                name="cadence_policy_assessment_due_after_commission",
                violation_error_message=("The assessment cannot be due before it is commissioned."),
            ),
        ]

    def __str__(self) -> str:
        unit_kind = UnitKind(self.unit_kind).label
        return f"{MeetingKind(self.meeting_kind).label} at {unit_kind}: {self.interval_label}"

    @property
    def nim_level(self) -> int:
        return NIM_LEVEL_OF_KIND[UnitKind(self.unit_kind)]

    @property
    def interval_label(self) -> str:
        return f"every {self.interval_count} {IntervalUnit(self.interval_unit).label.lower()}"

    def slot_after(self, day: date, steps: int = 1) -> date:
        """The date `steps` intervals after `day` (before it when negative)."""
        if self.interval_unit == IntervalUnit.MONTHS:
            return add_months(day, self.interval_count * steps)
        return day + timedelta(days=self.interval_count * steps)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MeetingQuerySet":
        """Meetings `user` may read: police readers holding any role in the meeting's unit or a
        unit above it, and its police invitees."""
        if not access.is_police_reader(user):
            return self.none()
        return self.visible_to_reader_id(user.pk)

    def visible_to_reader_id(self, user_id: int) -> "MeetingQuerySet":
        """`visible_to` for a user known only by id, checked inside the same query."""
        invited = MeetingInvitee.objects.filter(user_id=user_id).values("meeting_id")
        return self.filter(
            models.Q(unit_id__any_of=access.units_covered_by_id(user_id).values("pk"))
            | models.Q(pk__any_of=invited),
            models.Exists(access.police_readers().filter(pk=user_id)),
        )


class Meeting(models.Model):
    """One sitting of a unit's ST&CG or TT&CG."""

    uid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Stable calendar identity."
    )
    unit = models.ForeignKey("nim_portal.Unit", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=8, choices=MeetingKind.choices)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=120, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    place = models.CharField(max_length=200, blank=True)
    call_link = models.URLField(max_length=500, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
    )
    status = models.CharField(
        max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cadence_slot = models.DateField(
        null=True,
        blank=True,
        help_text="The cadence date this meeting fills, when the schedule created it.",
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="Calendar SEQUENCE: raised each time the invitation is re-issued."
    )
    tactical_assessment = models.OneToOneField(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasking_meeting",
        help_text="The tactical assessment commissioned for this TT&CG.",
    )
    strategic_assessment = models.OneToOneField(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategic_meeting",
        help_text="The strategic assessment commissioned for this ST&CG.",
    )
    assessment_flag = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why its assessment could not be commissioned (empty once it is).",
    )
    minutes = models.TextField(blank=True)
    minutes_frozen_at = models.DateTimeField(null=True, blank=True)
    minutes_marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices,
        default=GSCMarking.OFFICIAL_SENSITIVE,
        help_text="The minutes' marking; raised at closing to the highest decision recorded.",
    )
    minutes_version = models.PositiveIntegerField(
        default=0, help_text="Raised on each save of the minutes: detects concurrent edits."
    )
    screen_revision = models.PositiveIntegerField(
        default=0, help_text="Raised whenever what the meeting screen shows changes."
    )
    current_agenda_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by the services (PostgreSQL only): the agenda and place, read with the meeting; the
    # minutes apart, read only within their marking.
    search_vector = SearchVectorField(null=True, editable=False)
    minutes_search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector", "minutes_search_vector"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["unit", "kind", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            SearchVectorIndex(fields=["search_vector"], name="meeting_search_vector"),
            SearchVectorIndex(
                fields=["minutes_search_vector"], name="meeting_minutes_search_vector"
            ),
        ]
        constraints = [
            # The scheduler can never create a cadence slot twice, even when two runs race.
            models.UniqueConstraint(
                fields=["unit", "kind", "cadence_slot"], name="meeting_unique_cadence_slot"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=MeetingKind.TACTICAL)
                | models.Q(tactical_assessment__isnull=True),
                name="meeting_tactical_assessment_only_at_ttcg",
                violation_error_message="Only a TT&CG has a tactical assessment.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=MeetingKind.STRATEGIC)
                | models.Q(strategic_assessment__isnull=True),
                name="meeting_strategic_assessment_only_at_stcg",
                violation_error_message="Only an ST&CG has a strategic assessment commissioned.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MeetingStatus.values),
                name="meeting_status_valid",
            ),
        ]

    def __str__(self) -> str:
        when = self.starts_at.strftime("%d %b %Y") if self.starts_at else "unscheduled"
        return f"{self.get_kind_display()} {self.unit}, {when}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def location(self) -> str:
        return self.place or self.call_link


class MeetingInvitee(models.Model):
    """A person invited to a meeting, their attendance, and the invitation last sent to them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    is_partner_attendee = models.BooleanField(default=False)
    attendance = models.CharField(
        max_length=16, choices=Attendance.choices, default=Attendance.INVITED
    )
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    invitation_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The meeting's SEQUENCE when last invited."
    )
    reminder_sequence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The meeting's SEQUENCE when last reminded."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meeting_invitee_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"


class AgendaItem(models.Model):
    """An item of a meeting's agenda. Its title and notes are marked like any police text: the
    shared screen shows each only when everybody present may read it, and with a partner present
    only when marked OFFICIAL. The standard agenda's titles are OFFICIAL; what the chair types is
    OFFICIAL-SENSITIVE until the chair marks it OFFICIAL."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    title_marking = models.PositiveSmallIntegerField(
        choices=AGENDA_MARKINGS, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    kind = models.CharField(max_length=32, choices=AgendaItemKind.choices)
    notes = models.TextField(blank=True)
    notes_marking = models.PositiveSmallIntegerField(
        choices=AGENDA_MARKINGS, default=GSCMarking.OFFICIAL_SENSITIVE
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="agenda_item_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class MeetingReminder(models.Model):
    """The reminder of a meeting: issued by the minute's beat once due (never a far-future ETA),
    as one job for each invitee; `sent_at` is when it was issued."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="reminder")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["sent_at", "due_at"])]

    def __str__(self) -> str:
        return f"Reminder of {self.meeting}"
