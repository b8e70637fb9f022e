"""Forms of the action log. They only parse input: tasking.actions.services checks every rule
and its ValidationError messages go back onto the form (nim_portal.forms.errors.add_service_errors).
Forms that change an action carry the version that was loaded, so that a change over somebody
else's is refused (tasking.actions.services.StaleAction)."""

from django import forms

from nim_portal.choices import GSCMarking
from nim_portal.forms.fields import DATE_HINT, UnitChoiceField
from nim_portal.ids import parse_id
from nim_portal.models import Unit, User
from products.models import Product
from tasking.actions.choices import ActionStatus, ActionType, Rag
from tasking.actions.services import NO_ACTIONS_CHOSEN, NO_PRIORITY, NO_RAG_NOTE
from tasking.meetings.forms import PersonNamesChoiceField, ReadRowsChoiceField
from tasking.safeguards.forms import AuthorityForm
from tasking.strategy.forms import PriorityChoiceField as StrategyPriorityChoiceField
from tasking.strategy.models import Priority


class PriorityChoiceField(ReadRowsChoiceField, StrategyPriorityChoiceField):
    """A priority of the control strategy an action serves; its select may list the rows the
    page has read already (`rows`)."""


class ActionOwnerForm(forms.Form):
    """Who owns an action (a person or a unit) and when it is due: raising an action and
    accepting a bid as one. `people`, `units`: whom it may be given to."""

    owner_user = PersonNamesChoiceField(
        label="Owner (a person)",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody: a unit owns it",
    )
    owner_unit = UnitChoiceField(
        label="Or owner (a unit)",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="No unit: a person owns it",
        help_text="The unit or a unit below it; its members see the action as theirs.",
    )
    due_date = forms.DateField(label="Due by", help_text=DATE_HINT)

    def __init__(self, *args, people, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = people.order_by("last_name", "first_name", "username")
        self.fields["owner_unit"].queryset = units.order_by("path")


class ActionRaiseForm(ActionOwnerForm, AuthorityForm):
    priority = PriorityChoiceField(
        label="Control strategy priority",
        queryset=Priority.objects.none(),
        empty_label="Choose a priority",
        error_messages={"required": NO_PRIORITY},
        help_text="The priority of the control strategy the unit works under today.",
    )
    action_type = forms.ChoiceField(
        label="Type", choices=ActionType.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label="What is to be done", widget=forms.Textarea(attrs={"rows": 4})
    )
    marking = forms.TypedChoiceField(
        label="GSC marking",
        choices=GSCMarking.choices,
        coerce=int,
        initial=GSCMarking.OFFICIAL_SENSITIVE,
    )
    product = forms.ModelChoiceField(
        label="Product that justifies it",
        queryset=Product.objects.none(),
        required=False,
        empty_label="None",
        help_text="The assessment or profile, commissioned or not, the action answers.",
    )

    field_order = ["priority", "action_type", "description", "product"]

    def __init__(self, *args, priorities, products, priorities_read=None, **kwargs):
        """`priorities_read`: the priorities' rows, when the page has read them already;
        `products`: those that may justify the action, None where the form names none."""
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        self.fields["priority"].rows = priorities_read
        if products is None:
            del self.fields["product"]
        else:
            self.fields["product"].queryset = products.order_by("-created_at").only("title")


class VersionForm(forms.Form):
    """A change of an action: over the version its sender loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionUpdateForm(VersionForm):
    RETURN_TO = (("detail", "The action"), ("mine", "My actions"))

    text = forms.CharField(
        label="Progress since the last update",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the progress since the last update."},
    )
    rag = forms.ChoiceField(label="RAG rating", choices=Rag.choices, widget=forms.RadioSelect)
    return_to = forms.ChoiceField(choices=RETURN_TO, initial="detail", widget=forms.HiddenInput)


class LoadedActionsField(forms.Field):
    """The actions ticked on a page, each as "<id>:<version>": the action as the page showed
    it, so that one changed since is refused (tasking.actions.services.StaleAction)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[tuple[int, int]]:
        loaded = []
        for item in value or []:
            pk, _, version = str(item).partition(":")
            pk, version = parse_id(pk), parse_id(version)
            if pk is None or version is None:
                raise forms.ValidationError("Tick actions of the list only.")
            loaded.append((pk, version))
        return loaded


class ActionRagBulkForm(forms.Form):
    """Several actions of "My actions" set to one RAG rating, with one note."""

    actions = LoadedActionsField(error_messages={"required": NO_ACTIONS_CHOSEN})
    rag = forms.ChoiceField(
        label="New RAG rating",
        choices=Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the RAG rating to give them."},
    )
    note = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with each action's progress updates.",
        error_messages={"required": NO_RAG_NOTE},
    )


class ActionCloseForm(VersionForm):
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done and what it achieved.",
    )


class ActionLogFilterForm(forms.Form):
    """Narrows a log already limited to what the reader may see. `owner` is "user-<id>" or
    "unit-<id>", among the owners of the log's actions."""

    status = forms.ChoiceField(
        choices=[("", "Open and closed"), *ActionStatus.choices], required=False
    )
    rag = forms.ChoiceField(
        label="RAG rating", choices=[("", "Any rating"), *Rag.choices], required=False
    )
    priority = PriorityChoiceField(
        queryset=Priority.objects.none(), required=False, empty_label="Any priority"
    )
    owner = forms.ChoiceField(choices=[("", "Anyone")], required=False)

    def __init__(self, *args, priorities, owner_people, owner_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities
        self.fields["owner"].choices = [
            ("", "Anyone"),
            *((f"user-{p.pk}", str(p)) for p in owner_people),
            *((f"unit-{u.pk}", u.name) for u in owner_units),
        ]

    def owner_ids(self) -> dict:
        """The chosen owner as keyword arguments of tasking.actions.selectors.filter_action_log."""
        kind, _, pk = (self.cleaned_data.get("owner") or "").partition("-")
        if kind == "user":
            return {"owner_user_id": int(pk)}
        if kind == "unit":
            return {"owner_unit_id": int(pk)}
        return {}
