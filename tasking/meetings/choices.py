"""Fixed vocabularies of meetings: kinds, lifecycle (with its transition table), attendance,
agenda items and the standard agendas, and the cadence defaults from the seed."""

from django.db import models

from nim_portal.choices import GSCMarking, UnitKind


class MeetingKind(models.TextChoices):
    STRATEGIC = "stcg", "ST&CG"
    TACTICAL = "ttcg", "TT&CG"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_SESSION = "in_session", "In session"
    CLOSED = "closed", "Closed"


# The only moves a meeting may make.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.SCHEDULED: frozenset({MeetingStatus.IN_SESSION}),
    MeetingStatus.IN_SESSION: frozenset({MeetingStatus.CLOSED}),
    MeetingStatus.CLOSED: frozenset(),
}


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited"
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"


class AgendaItemKind(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance and apologies"
    PREVIOUS_MINUTES = "previous_minutes", "Previous minutes"
    ACTION_LOG = "action_log", "Review of the action log"
    TACTICAL_ASSESSMENT = "tactical_assessment", "Tactical assessment"
    BIDS_AND_COMMISSIONS = "bids", "New bids and commissions"
    ESCALATIONS = "escalations", "Escalations"
    STRATEGIC_ASSESSMENT = "strategic_assessment", "Strategic assessment"
    CONTROL_STRATEGY = "control_strategy", "Control strategy"
    INTELLIGENCE_REQUIREMENT = "intelligence_requirement", "Intelligence requirement"
    ANY_OTHER_BUSINESS = "aob", "Any other business"
    OTHER = "other", "Other item"


# An agenda item's title and notes are the room's business: OFFICIAL (shareable with partners
# present) or OFFICIAL-SENSITIVE (police only). Anything more sensitive is a decision or an action.
AGENDA_MARKINGS = [
    (GSCMarking.OFFICIAL, GSCMarking.OFFICIAL.label),
    (GSCMarking.OFFICIAL_SENSITIVE, GSCMarking.OFFICIAL_SENSITIVE.label),
]

# The agenda generated for each meeting, in order (docs/domain.md "Tasking & Co-ordinating
# Groups").
STANDARD_AGENDAS: dict[str, tuple[str, ...]] = {
    MeetingKind.TACTICAL: (
        AgendaItemKind.ATTENDANCE,
        AgendaItemKind.PREVIOUS_MINUTES,
        AgendaItemKind.ACTION_LOG,
        AgendaItemKind.TACTICAL_ASSESSMENT,
        AgendaItemKind.BIDS_AND_COMMISSIONS,
        AgendaItemKind.ESCALATIONS,
        AgendaItemKind.ANY_OTHER_BUSINESS,
    ),
    MeetingKind.STRATEGIC: (
        AgendaItemKind.ATTENDANCE,
        AgendaItemKind.PREVIOUS_MINUTES,
        AgendaItemKind.STRATEGIC_ASSESSMENT,
        AgendaItemKind.CONTROL_STRATEGY,
        AgendaItemKind.INTELLIGENCE_REQUIREMENT,
        AgendaItemKind.ANY_OTHER_BUSINESS,
    ),
}


class IntervalUnit(models.TextChoices):
    DAYS = "days", "Days"
    MONTHS = "months", "Months"


# The default cadence (docs/domain.md "Tasking & Co-ordinating Groups"): (unit kind, meeting kind)
# -> (count, unit, enabled).
# Regions and forces are both Level 2 but sit at different cadences, so policies are keyed by
# the kind of unit. The national (Level 3) ST&CG and TT&CG are scheduled too: an administrator may
# turn them off where a deployment has no national T&CG.
DEFAULT_CADENCES: dict[tuple[str, str], tuple[int, str, bool]] = {
    (UnitKind.BCU, MeetingKind.TACTICAL): (14, IntervalUnit.DAYS, True),
    (UnitKind.FORCE, MeetingKind.TACTICAL): (14, IntervalUnit.DAYS, True),
    (UnitKind.REGION, MeetingKind.TACTICAL): (3, IntervalUnit.MONTHS, True),
    (UnitKind.NATIONAL, MeetingKind.TACTICAL): (3, IntervalUnit.MONTHS, True),
    (UnitKind.BCU, MeetingKind.STRATEGIC): (6, IntervalUnit.MONTHS, True),
    (UnitKind.FORCE, MeetingKind.STRATEGIC): (6, IntervalUnit.MONTHS, True),
    (UnitKind.REGION, MeetingKind.STRATEGIC): (6, IntervalUnit.MONTHS, True),
    (UnitKind.NATIONAL, MeetingKind.STRATEGIC): (6, IntervalUnit.MONTHS, True),
}
