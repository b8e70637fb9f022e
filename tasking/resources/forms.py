"""Forms of the register of tactical capability. They only parse input: tasking.resources.services
checks every rule, and its ValidationError messages go back onto the form
(nim_portal.forms.errors.add_service_errors). A change carries the version that was loaded."""

from django import forms

from tasking.resources.choices import CapabilityKind
from tasking.resources.models import MAX_HOURS


class CapabilityForm(forms.Form):
    kind = forms.ChoiceField(choices=CapabilityKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(max_length=200, help_text="e.g. Proactive team, Drugs dog and handler.")
    hours_per_cycle = forms.IntegerField(
        label="Hours available per TT&CG cycle",
        min_value=1,
        max_value=MAX_HOURS,
        help_text="The hours it can give to tasked activity between one TT&CG and the next.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )


class CapabilityEditForm(CapabilityForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CapabilityRetireForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
