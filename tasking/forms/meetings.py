"""Forms of the meeting pages. They only parse input: every rule (chair only, open or closed,
markings, the minutes' version) is checked by tasking.proceedings.services, whose ValidationError
messages nim_portal.forms.errors.add_service_errors puts back on the form."""

from datetime import datetime
from typing import NamedTuple

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from nim_portal.choices import GSCMarking
from nim_portal.forms.fields import DATE_HINT, PersonChoiceField
from nim_portal.models import User
from tasking.meetings.choices import AGENDA_MARKINGS, Attendance
from tasking.meetings.models import AgendaItem, MeetingInvitee
from tasking.proceedings.choices import CommissionKind

MARKING_HINT = "The highest marking of what it says: the shared screen shows it only to a room "
MARKING_HINT += "cleared for it."


def _marking_field(initial: int, label: str = "GSC marking") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=GSCMarking.choices, coerce=int, initial=initial, help_text=MARKING_HINT
    )


class _RowsRead(ModelChoiceIterator):
    """The choices from the rows the page has read already (the field's `rows`), when it has,
    instead of a query of their own."""

    def __iter__(self):
        if self.field.rows is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows:
            yield self.choice(obj)

    def __len__(self):
        if self.field.rows is None:
            return super().__len__()
        return len(self.field.rows) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        if self.field.rows is None:
            return super().__bool__()
        return self.field.empty_label is not None or bool(self.field.rows)


class ReadRowsChoiceField(forms.ModelChoiceField):
    """A model choice whose select may list rows the page has read already (`rows`, the
    queryset's own, in its order); what is posted is still looked up in the queryset."""

    iterator = _RowsRead
    rows = None


class _PersonNames(NamedTuple):
    """A person as a select's label reads them: their names, with the user model's own
    get_full_name, without building a whole user."""

    pk: int
    username: str
    first_name: str
    last_name: str

    get_full_name = User.get_full_name


class _NamesRead(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.queryset.values_list(*_PersonNames._fields):
            person = _PersonNames(*row)
            yield (person.pk, self.field.label_from_instance(person))


class PersonNamesChoiceField(PersonChoiceField):
    """PersonChoiceField, its choices read as names (values), not users: a meeting's selects
    list up to hundreds of people. The chosen person is read whole."""

    iterator = _NamesRead


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


class InviteeForm(forms.Form):
    person = PersonNamesChoiceField(label="Invite a police colleague", queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


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


class MeetingRescheduleForm(forms.Form):
    """A scheduled meeting's new date, time, length, place and call link, over the `sequence`
    the chair loaded (a meeting moved since is refused by the service)."""

    date = forms.DateField(label="Date", help_text=DATE_HINT)
    time = forms.TimeField(label="Start time", help_text="24-hour clock, for example 14:30.")
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=15, max_value=8 * 60)
    place = forms.CharField(label="Place (optional)", max_length=200, required=False)
    call_link = forms.URLField(
        label="Call link (optional)",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="For those joining remotely, for example https://meet.example.police.uk/ttcg.",
    )
    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def for_meeting(cls, meeting):
        starts = timezone.localtime(meeting.starts_at)
        return cls(
            initial={
                "date": starts.date(),
                "time": starts.time().replace(second=0, microsecond=0),
                "duration_minutes": meeting.duration_minutes,
                "place": meeting.place,
                "call_link": meeting.call_link,
                "sequence": meeting.sequence,
            }
        )

    def starts_at(self) -> datetime:
        """The new start in the portal's time zone (the form must be valid)."""
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["date"], data["time"]))
