"""Forms of the admins' staff pages. They only parse input: every rule is checked by the
services, whose ValidationError messages nim_portal.forms.errors.add_service_errors puts back onto
the form."""

from django import forms

from nim_portal.choices import PARENT_KIND_OF_KIND, Role, UnitKind, VettingLevel
from nim_portal.forms.fields import UnitChoiceField
from nim_portal.models import Unit

# The kind of unit that sits directly under each kind (a BCU has none).
CHILD_KIND_OF_KIND = {parent: kind for kind, parent in PARENT_KIND_OF_KIND.items() if parent}


class UnitCreateForm(forms.Form):
    code = forms.CharField(
        max_length=20, help_text="Short code, unique among the units beside it, such as BCU-N."
    )
    name = forms.CharField(max_length=120)


class UnitRenameForm(forms.Form):
    code = forms.CharField(max_length=20, help_text="Unique among the units beside it.")
    name = forms.CharField(max_length=120)


class UnitMoveForm(forms.Form):
    parent = UnitChoiceField(
        queryset=Unit.objects.none(),
        label="New parent unit",
        empty_label="Choose a unit",
        help_text="Only units you administer, of the kind this unit sits under, are listed.",
    )

    def __init__(self, *args, unit: Unit, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        expected = PARENT_KIND_OF_KIND[UnitKind(unit.kind)]
        self.fields["parent"].queryset = (
            candidates.filter(kind=expected, is_active=True)
            .exclude(path=unit.parent_path)
            .order_by("path")
        )


class UnitDeactivateForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="Kept in the unit's history and the audit log.",
    )


class PersonCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address")
    job_title = forms.CharField(max_length=120, required=False)
    password = forms.CharField(
        label="First password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. The person changes it after signing in.",
    )
    unit = UnitChoiceField(queryset=Unit.objects.none(), empty_label="Choose a unit")
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])
    vetting_level = forms.ChoiceField(choices=VettingLevel.choices, initial=VettingLevel.NONE)
    vetting_expires_on = forms.DateField(
        label="Vetting expires on",
        required=False,
        help_text="For example, 2027-03-31. Leave empty if not recorded.",
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.filter(is_active=True).order_by("path")


class VettingForm(forms.Form):
    vetting_level = forms.ChoiceField(choices=VettingLevel.choices)
    vetting_expires_on = forms.DateField(
        label="Vetting expires on",
        required=False,
        help_text="For example, 2027-03-31. Leave empty if not recorded.",
    )


class MembershipGrantForm(forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), empty_label="Choose a unit")
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.filter(is_active=True).order_by("path")
