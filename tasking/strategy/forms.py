"""Forms of the control strategy pages. They only parse input: every rule is checked by the
services (tasking.strategy.services, tasking.strategy.requirement), whose ValidationError messages
nim_portal.forms.errors.add_service_errors puts back on the form. Forms that change a priority or
an item carry the edit token of what was loaded, so that a change over somebody else's is refused
(tasking.strategy.services.StaleEdit)."""

from django import forms

from nim_portal.choices import GSCMarking
from nim_portal.forms.fields import DATE_HINT, PersonChoiceField, UnitChoiceField
from nim_portal.models import Unit, User
from products.models import ProductVersion
from tasking.safeguards.forms import AUTHORITY_FORM_FIELDS, AuthorityForm
from tasking.strategy.choices import EvaluationOutcome, MoRiLEDimension, RequirementLinkRole
from tasking.strategy.models import MoRiLEScale, Priority


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProductVersion) -> str:
        return (
            f"{obj.product.title}, version {obj.number} "
            f"({obj.product.unit.name}, published {obj.published_at:%-d %b %Y})"
        )


class PriorityChoiceField(forms.ModelChoiceField):
    """A priority of a control strategy, by its rank and theme."""

    def label_from_instance(self, obj: Priority) -> str:
        return f"{obj.rank}. {obj.theme}" if obj.rank else obj.theme


class EditTokenForm(forms.Form):
    """A change of a priority or an item: over the state its sender loaded."""

    edit_token = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ControlStrategyDraftForm(forms.Form):
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        empty_label="Choose a unit",
        help_text="Units whose T&CG you chair.",
    )
    title = forms.CharField(max_length=200)
    period_start = forms.DateField(label="Period from", help_text=DATE_HINT)
    period_end = forms.DateField(label="Period to", help_text=DATE_HINT)
    informed_by = VersionChoiceField(
        label="Informed by",
        queryset=ProductVersion.objects.none(),
        empty_label="Choose a published strategic assessment",
        help_text="A published version of the unit's strategic assessment or of a unit above it.",
    )
    marking = forms.TypedChoiceField(
        label="GSC marking",
        choices=GSCMarking.choices,
        coerce=int,
        initial=GSCMarking.OFFICIAL_SENSITIVE,
    )

    def __init__(self, *args, units, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["informed_by"].queryset = versions


def _optional_text(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PriorityForm(forms.Form):
    """A priority's theme, rationale, objectives, 4P plan and owner (not its score or rank)."""

    theme = forms.CharField(max_length=200, help_text="For example, county lines drug supply.")
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Why, from the strategic assessment."
    )
    objective_intelligence = _optional_text("Intelligence objective")
    objective_prevention = _optional_text("Prevention objective")
    objective_enforcement = _optional_text("Enforcement objective")
    objective_reassurance = _optional_text("Reassurance objective")
    organised_crime = forms.BooleanField(
        label="Organised crime: planned with the 4P approach",
        required=False,
        help_text="Pursue, prepare, protect, prevent.",
    )
    plan_pursue = _optional_text("Pursue")
    plan_prepare = _optional_text("Prepare")
    plan_protect = _optional_text("Protect")
    plan_prevent = _optional_text("Prevent")
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        empty_label="Choose the owner",
        help_text="Someone working in the unit, above it or below it.",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people.order_by("last_name", "first_name", "username")


class PriorityEditForm(PriorityForm, EditTokenForm):
    pass


class PriorityScoreForm(EditTokenForm):
    """One choice a dimension of the strategy's MoRiLE matrix, each point with its label."""

    def __init__(self, *args, scales: list[MoRiLEScale], **kwargs):
        super().__init__(*args, **kwargs)
        for scale in scales:
            self.fields[scale.dimension] = forms.TypedChoiceField(
                label=MoRiLEDimension(scale.dimension).label,
                choices=[
                    (value, f"{value}: {scale.label_for(value)}")
                    for value in range(scale.minimum, scale.maximum + 1)
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": f"Score {scale.get_dimension_display().lower()}."},
            )
        self.dimensions = [scale.dimension for scale in scales]

    def scores(self) -> dict[str, int]:
        return {dimension: self.cleaned_data[dimension] for dimension in self.dimensions}


class PriorityOverrideForm(EditTokenForm):
    rank = forms.IntegerField(
        min_value=1,
        required=False,
        help_text="Leave empty to return the priority to its place by score.",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the ranking and in its history.",
        error_messages={"required": "Enter the reason for overriding the rank."},
    )


class RequirementItemForm(forms.Form):
    question = forms.CharField(
        label="Question or intelligence gap", widget=forms.Textarea(attrs={"rows": 3})
    )
    sources_to_task = _optional_text("Sources to task")
    owner = PersonChoiceField(queryset=User.objects.none(), empty_label="Choose the owner")
    review_date = forms.DateField(help_text=DATE_HINT)
    open_to_partners = forms.BooleanField(
        label="Open to partners: agencies working with the unit may submit information",
        required=False,
    )

    def __init__(self, *args, people, chair: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people.order_by("last_name", "first_name", "username")
        if not chair:
            # Only a chair reassigns an item or opens it to partners.
            del self.fields["owner"]
            del self.fields["open_to_partners"]

    def item_fields(self):
        """The visible fields of the item itself (a covert item's authority has its fieldset)."""
        return [f for f in self.visible_fields() if f.name not in AUTHORITY_FORM_FIELDS]


class RequirementItemAddForm(RequirementItemForm, AuthorityForm):
    """A new item: a covert collection item records its authority with it."""


class RequirementItemEditForm(RequirementItemForm, EditTokenForm):
    pass


class RequirementItemCloseForm(EditTokenForm):
    note = forms.CharField(
        label="Closing note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What answered the question or why it is no longer needed.",
        error_messages={"required": "Enter the closing note."},
    )


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.get_kind_display()}, {obj.unit.name})"


class ItemProductLinkForm(forms.Form):
    """Link a product to a requirement item (`products`: those the user may read, offered)."""

    product = ProductChoiceField(
        queryset=None,
        label="Product",
        error_messages={
            "required": "Choose a product you may read.",
            "invalid_choice": "Choose a product you may read.",
        },
    )
    role = forms.ChoiceField(
        label="How it stands to the item",
        choices=RequirementLinkRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the product stands to the item."},
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class PriorityEvaluationForm(forms.Form):
    """The ST&CG's evaluation of a priority of the ending period (tasking.proceedings.evaluation);
    `priorities`: those not evaluated at the sitting yet."""

    priority = PriorityChoiceField(
        queryset=None,
        label="Priority",
        error_messages={
            "required": "Choose a priority not yet evaluated at this sitting.",
            "invalid_choice": "Choose a priority not yet evaluated at this sitting.",
        },
    )
    activity = forms.CharField(
        label="Activity",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done against the priority in the period (the action log's counts "
        "are recorded with it).",
    )
    results = forms.CharField(
        label="Results", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=EvaluationOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the threat was reduced, unchanged or increased."
        },
    )
    measures = forms.CharField(
        label="Measures",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The measures the judgement rests on (optional).",
    )

    def __init__(self, *args, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
