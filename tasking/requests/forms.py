"""Forms of sideways requests. They only parse input: every rule (chair only, a sitting meeting,
a neighbour of the same level, markings) is checked by tasking.requests.services, whose
ValidationError messages nim_portal.forms.errors.add_service_errors puts back on the form."""

from django import forms

from nim_portal.choices import GSCMarking
from nim_portal.models import Unit
from tasking.meetings.models import AgendaItem


class RequestSendForm(forms.Form):
    to_unit = forms.ModelChoiceField(
        label="Neighbouring unit",
        queryset=Unit.objects.none(),
        empty_label="Choose a unit",
        help_text="A unit of the same level: its next T&CG accepts or declines the request.",
    )
    title = forms.CharField(label="What is asked", max_length=200)
    details = forms.CharField(
        label="What the neighbour is asked to do, and why",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    marking = forms.TypedChoiceField(
        label="GSC marking",
        choices=GSCMarking.choices,
        coerce=int,
        initial=GSCMarking.OFFICIAL_SENSITIVE,
    )
    agenda_item = forms.ModelChoiceField(
        label="Agenda item", queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(self, *args, meeting, neighbours, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = neighbours
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("position")


class RequestDecisionForm(forms.Form):
    decision_text = forms.CharField(
        label="Decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the T&CG will do, or why it cannot.",
    )
