"""The forms of the chair's private view of the meeting screen that the meeting pages do not have:
raising an action tied to a priority, and closing one with its outcome. They only parse input:
every rule (chair only, a priority required, one owner, the action's version) is checked by
tasking.actions.services, whose messages come back onto the form."""

from django import forms
from django.db.models import Q

from nim_portal import access
from nim_portal.choices import GSCMarking, UserKind
from nim_portal.forms.fields import DATE_HINT
from nim_portal.models import Unit, User
from tasking.actions.choices import ActionType
from tasking.actions.services import NO_PRIORITY
from tasking.forms.meetings import MARKING_HINT, PersonNamesChoiceField, ReadRowsChoiceField
from tasking.meetings.models import MeetingInvitee


class PriorityChoiceField(ReadRowsChoiceField):
    def label_from_instance(self, obj) -> str:
        rank = f"{obj.rank}. " if obj.rank else ""
        return f"{rank}{obj.theme} ({obj.control_strategy.unit.name})"


class UnitOwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


def _people_of(meeting):
    """Who may own an action: police members of the meeting's unit, of units above and below
    it, and the meeting's police invitees."""
    return (
        User.objects.filter(is_active=True, kind=UserKind.POLICE)
        .filter(
            access.people_in_line(Unit.objects.filter(pk=meeting.unit_id))
            | Q(pk__in=MeetingInvitee.objects.filter(meeting=meeting).values("user_id"))
        )
        .order_by("last_name", "first_name", "username")
    )


class ActionRaiseForm(forms.Form):
    priority = PriorityChoiceField(
        label="Control strategy priority",
        queryset=None,
        empty_label="Choose the priority it serves",
        error_messages={"required": NO_PRIORITY},
        help_text="Every action serves a priority of the control strategy the unit works under.",
    )
    action_type = forms.ChoiceField(
        label="Kind of action", choices=ActionType.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    owner_user = PersonNamesChoiceField(
        label="Owner (a person)", queryset=None, required=False, empty_label="Nobody"
    )
    owner_unit = UnitOwnerChoiceField(
        label="Or owner (a unit)",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="No unit",
        help_text="Choose a person or a unit, not both.",
    )
    due_date = forms.DateField(label="Due date", help_text=DATE_HINT)
    marking = forms.TypedChoiceField(
        label="GSC marking",
        choices=GSCMarking.choices,
        coerce=int,
        initial=GSCMarking.OFFICIAL,
        help_text=MARKING_HINT,
    )

    def __init__(self, *args, meeting, priorities, priorities_read=None, **kwargs):
        """`priorities_read`: the priorities' rows, when the page has read them already."""
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        self.fields["priority"].rows = priorities_read
        self.fields["owner_user"].queryset = _people_of(meeting)
        self.fields["owner_unit"].queryset = Unit.objects.filter(
            access.at_or_below(meeting.unit, field=None), is_active=True
        ).order_by("path")


class ActionCloseForm(forms.Form):
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the action achieved: the minutes record it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
