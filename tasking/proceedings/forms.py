"""Forms of a meeting's page and of the chair's private view of its screen: the current item,
attendance, the agenda, decisions, the minutes, commissions, escalations, partner attendees, and
the actions raised and closed at the meeting. They only parse input: every rule (chair only, open
or closed, markings, the minutes' version, a priority for an action, one owner) is checked by the
services (tasking.proceedings, tasking.actions.services), whose ValidationError messages
nim_portal.forms.errors.add_service_errors puts back on the form."""

from django import forms

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.forms.fields import DATE_HINT
from nim_portal.models import Unit
from products.selectors import people_around
from tasking.actions import forms as actions_forms
from tasking.meetings.choices import AGENDA_MARKINGS, Attendance
from tasking.meetings.forms import PersonNamesChoiceField, ReadRowsChoiceField
from tasking.meetings.models import AgendaItem, MeetingInvitee
from tasking.proceedings.choices import CommissionKind, SittingVerdict

MARKING_HINT = "The highest marking of what it says: the shared screen shows it only to a room "
MARKING_HINT += "cleared for it."


def _marking_field(initial: int, label: str = "GSC marking") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=GSCMarking.choices, coerce=int, initial=initial, help_text=MARKING_HINT
    )


class AgendaItemChoiceField(ReadRowsChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        return f"{obj.position}. {obj.title}"


class _MeetingItemForm(forms.Form):
    """A form naming one of the meeting's agenda items (optional unless said otherwise).
    `agenda`: the meeting's items in order, when the page has read them already."""

    agenda_item = AgendaItemChoiceField(
        label="Agenda item", queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(self, *args, meeting, agenda=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("position")
        self.fields["agenda_item"].rows = agenda
        current = meeting.current_agenda_item_id
        if current and not self.is_bound:
            self.fields["agenda_item"].initial = current


class CurrentItemForm(forms.Form):
    item = forms.ModelChoiceField(queryset=AgendaItem.objects.none())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.agenda_items.all()


class AttendanceForm(forms.Form):
    invitee = forms.ModelChoiceField(queryset=MeetingInvitee.objects.none())
    attendance = forms.ChoiceField(choices=Attendance.choices)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitee"].queryset = meeting.invitees.all()


AGENDA_MARKING_HINT = (
    "OFFICIAL shows on the shared screen to everyone present, partners included; "
    "OFFICIAL-SENSITIVE to police only."
)


def _agenda_marking_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=AGENDA_MARKINGS,
        coerce=int,
        initial=GSCMarking.OFFICIAL_SENSITIVE,
        help_text=AGENDA_MARKING_HINT,
    )


class AgendaItemAddForm(forms.Form):
    title = forms.CharField(label="Title of the new item", max_length=200)
    title_marking = _agenda_marking_field("Marking of the title")
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes_marking = _agenda_marking_field("Marking of the notes")


class AgendaItemEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    title_marking = _agenda_marking_field("Marking of the title")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes_marking = _agenda_marking_field("Marking of the notes")


class AgendaItemMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class DecisionForm(_MeetingItemForm):
    text = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 3}))
    marking = _marking_field(GSCMarking.OFFICIAL)


class MinutesForm(forms.Form):
    """The minutes over the version the chair loaded (a stale version is refused)."""

    text = forms.CharField(
        label="Minutes", required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    marking = _marking_field(GSCMarking.OFFICIAL_SENSITIVE, label="Marking of the minutes")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CommissionForm(_MeetingItemForm):
    kind = forms.ChoiceField(
        label="What to commission", choices=CommissionKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(max_length=200)
    owner = PersonNamesChoiceField(
        label="Developing analyst", queryset=None, empty_label="Choose an analyst"
    )
    due_date = forms.DateField(label="Due date", required=False, help_text=DATE_HINT)
    purpose = forms.CharField(
        label="Purpose (draft terms of reference)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the T&CG needs it: the analyst and you agree the terms afterwards.",
    )
    marking = _marking_field(GSCMarking.OFFICIAL_SENSITIVE)

    def __init__(self, *args, analysts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = analysts


class EscalationForm(_MeetingItemForm):
    title = forms.CharField(label="What is escalated", max_length=200)
    reason = forms.CharField(
        label="Why it is beyond the unit's resources", widget=forms.Textarea(attrs={"rows": 4})
    )
    marking = _marking_field(GSCMarking.OFFICIAL_SENSITIVE)


class EscalationDecisionForm(forms.Form):
    decision_text = forms.CharField(
        label="Decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the T&CG decided and who owns the threat now.",
    )


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.agency_membership.agency.name})"


class PartnerAttendeeForm(forms.Form):
    partner = PartnerChoiceField(
        queryset=None,
        label="Partner attendee",
        empty_label="Choose a partner",
        help_text="People of the agencies working with this unit under an agreement in force.",
    )
    tactical_attendance = forms.BooleanField(
        label="Tactical partner attendance: this partner attends the TT&CG",
        required=False,
    )
    reason = forms.CharField(
        label="Why the partner attends the TT&CG",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required with tactical partner attendance; it is recorded.",
    )

    def __init__(self, *args, candidates, tactical: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = candidates
        if not tactical:
            del self.fields["tactical_attendance"]
            del self.fields["reason"]


# The chair's private view of the screen: actions raised and closed at the meeting.


class ActionRaiseForm(actions_forms.ActionRaiseForm):
    """An action raised at the sitting (tasking.actions.forms.ActionRaiseForm), owned by somebody
    who works in the meeting's unit or a unit above or below it (the owners the action service
    accepts: an invitee from elsewhere may not) or by a unit at or below its own. The chair's
    quick form names no product: an action a product justifies comes from its bid or is raised
    from the action log."""

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(
            *args,
            people=people_around(Unit.objects.filter(pk=meeting.unit_id)),
            units=Unit.objects.filter(access.at_or_below(meeting.unit, field=None), is_active=True),
            products=None,
            **kwargs,
        )
        self.fields["marking"].initial = GSCMarking.OFFICIAL
        self.fields["marking"].help_text = MARKING_HINT


class ActionCloseForm(forms.Form):
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the action achieved: the minutes record it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SittingDecisionForm(forms.Form):
    """The ST&CG's decision on its unit's draft control strategy or intelligence requirement
    (tasking.proceedings.strategy): approved, or returned with the reason in the note."""

    APPROVE = SittingVerdict.APPROVE
    decision = forms.ChoiceField(
        label="Decision",
        choices=SittingVerdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the ST&CG approves it or returns it."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it is returned (required then); recorded in the decision.",
    )
