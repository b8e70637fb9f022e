"""The form that generates a briefing. It only parses input: tasking.briefings.services checks
every rule, and its ValidationError messages go back onto the form
(nim_portal.forms.errors.add_service_errors)."""

from django import forms

from nim_portal.forms.fields import DATE_HINT
from tasking.briefings.choices import Shift


class BriefingGenerateForm(forms.Form):
    shift = forms.ChoiceField(choices=Shift.choices, widget=forms.RadioSelect)
    shift_date = forms.DateField(label="Date of the shift", help_text=DATE_HINT)
