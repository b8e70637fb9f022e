"""Forms of the partners staff pages. They only parse input: every rule (who may, which agency,
which section, which marking) is the service's, whose ValidationError messages
nim_portal.forms.errors.add_service_errors puts back onto the form."""

from django import forms

from nim_portal.choices import GSCMarking, VettingLevel
from nim_portal.forms.fields import DATE_HINT, UnitChoiceField
from nim_portal.models import Unit
from partners.choices import RELEASE_MARKING_CHOICES, AgencyKind
from partners.models import PartnerAgency
from partners.services import NPPV_LEVELS


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return UnitChoiceField.label_from_instance(self, obj)


class AgencyForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(
        label="Kind of agency", choices=[("", "Choose a kind"), *AgencyKind.choices]
    )
    units = UnitsChoiceField(
        queryset=Unit.objects.none(),
        label="Police units it works with",
        help_text="It may receive the releases of these units, the units above and below them. "
        "Only units you administer are listed.",
    )
    agreement_reference = forms.CharField(
        label="Information sharing agreement reference", max_length=100
    )
    agreement_purpose = forms.CharField(
        label="Purpose of the agreement", widget=forms.Textarea(attrs={"rows": 3})
    )
    agreement_starts_on = forms.DateField(label="Agreement start date", help_text=DATE_HINT)
    agreement_review_on = forms.DateField(
        label="Agreement review date",
        help_text=f"After this date the agreement has lapsed. {DATE_HINT}",
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units.order_by("path")


class AgencyUpdateForm(AgencyForm):
    is_active = forms.BooleanField(
        label="Active partner agency",
        required=False,
        help_text="An inactive agency gets no new releases and no new people.",
    )


class AgencyUserForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address")
    job_title = forms.CharField(max_length=120, required=False)
    password = forms.CharField(
        label="First password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. The person changes it after signing in.",
        strip=False,
    )
    vetting_level = forms.ChoiceField(
        label="Non-Police Personnel Vetting",
        choices=[(level.value, level.label) for level in NPPV_LEVELS],
        initial=VettingLevel.NPPV2A,
    )
    vetting_expires_on = forms.DateField(
        label="Vetting expires on",
        required=False,
        help_text=f"{DATE_HINT} Leave empty if not recorded.",
    )


class MarkingRadios(forms.RadioSelect):
    """Radios whose group answers to the field's id, so that an error summary links to it."""

    def id_for_label(self, id_, index=None):
        return id_ if index is None else super().id_for_label(id_, index)


class ReleasePrepareForm(forms.Form):
    """Any section of the version and any agency are accepted here: the service says, by name,
    why a section that is not releasable or an agency that may not receive it is refused."""

    sections = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Sections to release",
        error_messages={"required": "Choose at least one releasable section."},
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=PartnerAgency.objects.all(),
        label="Partner agencies",
        error_messages={"required": "Choose at least one partner agency."},
    )
    # Every marking parses, so that one above OFFICIAL-SENSITIVE gets the service's reason.
    marking = forms.TypedChoiceField(
        coerce=int,
        choices=GSCMarking.choices,
        widget=MarkingRadios,
        error_messages={"required": "Choose the release's marking."},
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the partners receive it: printed on the release as a handling condition.",
    )
    retention_months = forms.IntegerField(
        label="Retention (months)",
        help_text="How long the partners may keep it: 1 to 72 months.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    expires_on = forms.DateField(
        label="Downloads end on", help_text=f"A date in the future. {DATE_HINT}"
    )

    def __init__(self, *args, section_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(pk, pk) for pk in section_ids]
        self.fields["marking"].widget.choices = RELEASE_MARKING_CHOICES


class WarningsForm(forms.Form):
    warnings = forms.MultipleChoiceField(
        label="Warnings that may stand",
        error_messages={"required": "Tick the warnings that may stand in the partner text."},
    )

    def __init__(self, *args, warning_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warnings"].choices = [(pk, pk) for pk in warning_ids]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is it withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Partner users who try to download it are shown this reason: write nothing "
        "police-only.",
    )
