"""Forms of the meetings' pages: the cadence policy, a meeting's rescheduling and its police
invitees, and the choice fields the meeting pages share. They only parse input: the services
(tasking.meetings.cadence, tasking.meetings.services) check who may change what, and their
ValidationError messages come back onto the form."""

from datetime import datetime
from typing import NamedTuple

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

from nim_portal.forms.fields import DATE_HINT, PersonChoiceField
from nim_portal.models import User
from tasking.meetings.cadence import POLICY_FIELDS
from tasking.meetings.models import CadencePolicy

LABELS = {
    "interval_count": "Meets every",
    "interval_unit": "Interval in",
    "is_enabled": "Enabled: the schedule keeps these meetings booked",
    "anchor_date": "Anchor date",
    "start_time": "Start time",
    "duration_minutes": "Length in minutes",
    "horizon_days": "Horizon in days",
    "assessment_commission_days": "Tactical assessment commissioned, days before",
    "assessment_due_days": "Tactical assessment due, days before",
    "reminder_hours": "Reminder, hours before",
    "grace_days": "Grace in days before the cadence counts as lapsed",
}
HELP_TEXTS = {"anchor_date": DATE_HINT, "start_time": "Local time, for example 10:00."}


class CadencePolicyForm(forms.Form):
    """Every field of a policy an administrator may change, as the model defines it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                CadencePolicy, fields=POLICY_FIELDS, labels=LABELS, help_texts=HELP_TEXTS
            )
        )

    @classmethod
    def initial_of(cls, policy: CadencePolicy) -> dict:
        return {name: getattr(policy, name) for name in POLICY_FIELDS}


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


class InviteeForm(forms.Form):
    person = PersonNamesChoiceField(label="Invite a police colleague", queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


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
