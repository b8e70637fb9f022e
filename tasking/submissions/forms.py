"""Forms of partner information (the partner's submission and follow-up, the staff's triage and
grading). They only parse input: every rule (who may, which
question, which file, which transition) is the service's, whose ValidationError messages
nim_portal.forms.errors.add_service_errors puts back onto the form."""

from django import forms

from nim_portal.forms.fields import DATE_HINT
from tasking.strategy.forms import PriorityChoiceField
from tasking.strategy.models import IntelligenceRequirementItem, Priority
from tasking.submissions.choices import (
    HandlingCode,
    IntelligenceAssessment,
    SourceEvaluation,
    SourceType,
    SubmissionStatus,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (the service checks how many, their size and their kind)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: IntelligenceRequirementItem) -> str:
        question = obj.question if len(obj.question) <= 120 else obj.question[:119] + "…"
        return f"{question} ({obj.requirement.control_strategy.unit.name})"


def _attachments_field(label: str) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        required=False,
        help_text="PDF, PNG, JPEG, plain text (.txt) or Word (.docx) files only.",
    )


class SubmissionForm(forms.Form):
    item = ItemChoiceField(
        queryset=IntelligenceRequirementItem.objects.none(),
        label="Which question does your information answer?",
        empty_label="Choose a question",
    )
    what = forms.CharField(
        label="What was seen, heard or recorded",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say only what you know and how you know it.",
    )
    occurred_on = forms.DateField(
        label="When did it happen?",
        help_text=f"The day, or the first day of a period. {DATE_HINT}",
    )
    occurred_time = forms.TimeField(
        label="At what time?", required=False, help_text="For a single day. For example, 14:30."
    )
    occurred_until = forms.DateField(
        label="Until", required=False, help_text=f"The last day, for a period. {DATE_HINT}"
    )
    where = forms.CharField(
        label="Where did it happen?",
        max_length=300,
        help_text="An address, a street or a place as precisely as you can.",
    )
    source_type = forms.ChoiceField(
        label="Where did the information come from?",
        choices=[("", "Choose where it came from"), *SourceType.choices],
    )
    attachments = _attachments_field("Attach files")

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label="Your further information", widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = _attachments_field("Attach files")


class TriageForm(forms.Form):
    """Every triage decision carries the revision the page showed, so a stale one is refused."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(TriageForm):
    priority = PriorityChoiceField(
        queryset=Priority.objects.none(),
        label="Accept into the priority",
        empty_label=None,
        help_text="The question's own priority unless you choose another.",
    )
    message = forms.CharField(
        label="Message to the partner",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The partner reads it.",
    )

    def __init__(self, *args, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = priorities


class RequestMoreForm(TriageForm):
    message = forms.CharField(
        label="What more do you need?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The partner reads it and can answer.",
    )


class DeclineForm(TriageForm):
    reason = forms.CharField(
        label="Why is it declined?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The partner reads it.",
    )


class GradeForm(TriageForm):
    source_evaluation = forms.ChoiceField(
        label="Source evaluation",
        choices=[("", "Choose"), *SourceEvaluation.choices],
    )
    intelligence_assessment = forms.ChoiceField(
        label="Intelligence assessment",
        choices=[("", "Choose"), *IntelligenceAssessment.choices],
    )
    handling_code = forms.ChoiceField(
        label="Handling code", choices=[("", "Choose"), *HandlingCode.choices]
    )
    handling_conditions = forms.CharField(
        label="Conditions on sharing",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required with handling code C.",
    )


class TriageListFilterForm(forms.Form):
    """The triage list's filter: one status, or any ("")."""

    status = forms.ChoiceField(
        choices=[("", "Any status"), *SubmissionStatus.choices],
        required=False,
        label="Status",
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
