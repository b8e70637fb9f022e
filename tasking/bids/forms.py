"""Forms of bids. They only parse input: tasking.bids.services checks every rule, and its
ValidationError messages go back onto the form (nim_portal.forms.errors.add_service_errors). A
change of a bid carries the version that was loaded (tasking.bids.services.StaleBid)."""

from django import forms

from nim_portal.choices import GSCMarking
from products.models import Product
from tasking.actions.choices import ActionType
from tasking.actions.forms import ActionOwnerForm, PriorityChoiceField
from tasking.proceedings.models import Escalation
from tasking.resources.models import MAX_HOURS, Capability
from tasking.safeguards.forms import AuthorityForm
from tasking.strategy.models import Priority


class CapabilityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Capability) -> str:
        return f"{obj.name} ({obj.hours_per_cycle} hours a cycle)"


class BidForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="A few words the meeting knows it by.")
    priority = PriorityChoiceField(
        queryset=Priority.objects.none(),
        empty_label="Choose a priority",
        help_text="The priority of the control strategy the unit works under today.",
    )
    action_type = forms.ChoiceField(
        label="Type", choices=ActionType.choices, widget=forms.RadioSelect
    )
    activity = forms.CharField(
        label="Activity proposed",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="If the meeting accepts it, this becomes the action.",
    )
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    product = forms.ModelChoiceField(
        label="Product that justifies it",
        queryset=Product.objects.none(),
        required=False,
        empty_label="None",
        help_text="An assessment or profile of the unit you may read.",
    )
    capability = CapabilityChoiceField(
        label="Capability asked for", queryset=Capability.objects.none(), empty_label="Choose"
    )
    hours = forms.IntegerField(
        label="Hours asked for",
        min_value=1,
        max_value=MAX_HOURS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )
    marking = forms.TypedChoiceField(
        label="GSC marking",
        choices=GSCMarking.choices,
        coerce=int,
        initial=GSCMarking.OFFICIAL_SENSITIVE,
    )

    def __init__(self, *args, priorities, capabilities, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        self.fields["capability"].queryset = capabilities
        self.fields["product"].queryset = products.order_by("-created_at").only("title")


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BidRankForm(VersionForm):
    rank = forms.IntegerField(
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )


class EscalationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Escalation) -> str:
        return f"{obj.title} (to {obj.to_unit.name}, {obj.get_status_display().lower()})"


class BidAcceptForm(VersionForm, ActionOwnerForm, AuthorityForm):
    """Accepting a bid raises it as an action: its owner, due date and, for covert activity,
    its authority."""

    escalation = EscalationChoiceField(
        queryset=Escalation.objects.none(),
        required=False,
        empty_label="None",
        help_text="Needed only when the hours asked for are beyond what the unit has left.",
    )

    def __init__(self, *args, escalations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escalation"].queryset = escalations


class BidReasonForm(VersionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
