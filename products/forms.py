"""Forms of the products pages. They only parse input: every rule is checked by products.services,
whose ValidationError messages nim_portal.forms.errors.add_service_errors puts back on the form."""

from django import forms

from nim_portal.choices import GSCMarking
from nim_portal.forms.fields import DATE_HINT, PersonChoiceField, UnitChoiceField
from nim_portal.models import Unit, User
from products.choices import ClosureReason, Descriptor, ProductKind, SubjectKind, SubjectRole
from products.models import Product, Section, TermsOfReference
from products.services import CLOSURE_REASONS_OF_KIND


class ProductCommissionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of product", choices=ProductKind.choices)
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        empty_label="Choose a unit",
        help_text="Units in which you may commission products.",
    )
    title = forms.CharField(max_length=200)
    marking = forms.TypedChoiceField(
        label="GSC marking",
        choices=GSCMarking.choices,
        coerce=int,
        initial=GSCMarking.OFFICIAL_SENSITIVE,
        help_text="Its sections start at this marking; it is raised if a section goes higher.",
    )
    descriptor = forms.ChoiceField(choices=Descriptor.choices, required=False)
    requester = PersonChoiceField(queryset=User.objects.none(), empty_label="Choose the requester")
    owner = PersonChoiceField(
        queryset=User.objects.none(),
        label="Developing analyst",
        empty_label="Choose the analyst",
        help_text="The owner of the product: an analyst of its unit.",
    )
    due_date = forms.DateField(required=False, help_text=DATE_HINT)
    need_to_know = forms.BooleanField(
        label="Need-to-know: only people granted it may read the product",
        required=False,
        help_text="Always on for subject profiles.",
    )

    def __init__(self, *args, units, people, analysts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["requester"].queryset = people.order_by("last_name", "first_name", "username")
        self.fields["owner"].queryset = analysts.order_by("last_name", "first_name", "username")


class ProductDetailsForm(forms.Form):
    """A product's details (products.services.product_update): those every kind has, and the
    subject's or the problem's of a profile."""

    title = forms.CharField(max_length=200)
    descriptor = forms.ChoiceField(choices=Descriptor.choices, required=False)
    handling_instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    due_date = forms.DateField(required=False, help_text=DATE_HINT)
    need_to_know = forms.BooleanField(
        label="Need-to-know: only people granted it may read the product", required=False
    )
    subject_kind = forms.ChoiceField(
        label="The subject is a",
        choices=[("", "Not recorded"), *SubjectKind.choices],
        required=False,
    )
    subject_role = forms.ChoiceField(
        label="Their part", choices=[("", "Not recorded"), *SubjectRole.choices], required=False
    )
    subject_description = forms.CharField(
        label="Who the subject is", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lawful_basis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed before the profile is submitted.",
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed before the profile is submitted.",
    )
    proportionality = forms.CharField(
        label="Proportionality justification",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Needed before the profile is submitted.",
    )
    warning_markers = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    scope_area = forms.CharField(label="Area", max_length=200, required=False)
    scope_period_from = forms.DateField(label="Period from", required=False, help_text=DATE_HINT)
    scope_period_to = forms.DateField(label="Period to", required=False, help_text=DATE_HINT)
    scope_crime_types = forms.CharField(label="Crime types", max_length=300, required=False)

    SUBJECT_ONLY = (
        "subject_kind",
        "subject_role",
        "subject_description",
        "lawful_basis",
        "purpose",
        "proportionality",
        "warning_markers",
    )
    PROBLEM_ONLY = ("scope_area", "scope_period_from", "scope_period_to", "scope_crime_types")

    def __init__(self, *args, product: Product, **kwargs):
        initial = {name: getattr(product, name) for name in self.base_fields}
        super().__init__(*args, initial=initial, **kwargs)
        if product.is_subject_profile:
            dropped = [*self.PROBLEM_ONLY, "need_to_know"]
        elif product.kind == ProductKind.PROBLEM_PROFILE:
            dropped = list(self.SUBJECT_ONLY)
        else:
            dropped = [*self.SUBJECT_ONLY, *self.PROBLEM_ONLY]
        for name in dropped:
            del self.fields[name]


class TermsForm(forms.Form):
    """The terms of reference that the requester and the developer agree (docs/domain.md "The four
    intelligence products")."""

    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    questions = forms.CharField(
        label="Questions to answer", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    scope = forms.CharField(
        label="Scope and parameters", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    sources_and_methods = forms.CharField(
        label="Sources and methods", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    deadline = forms.DateField(required=False, help_text=DATE_HINT)
    marking = forms.TypedChoiceField(label="GSC marking", choices=GSCMarking.choices, coerce=int)
    distribution = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_date = forms.DateField(required=False, help_text=DATE_HINT)

    @classmethod
    def for_terms(cls, terms: TermsOfReference, data=None) -> "TermsForm":
        initial = {name: getattr(terms, name) for name in TermsOfReference.EDITABLE_FIELDS}
        return cls(data, initial=initial)


class ReturnForm(forms.Form):
    """The reviewer's comments: one on the whole draft and one per section, any left empty."""

    comment = forms.CharField(
        label="General comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, sections: list[Section], **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        for section in sections:
            self.fields[self.section_field(section)] = forms.CharField(
                label=f"Comment on “{section.title}”",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )

    @staticmethod
    def section_field(section: Section) -> str:
        return f"section_{section.pk}"

    def section_comments(self) -> list[tuple[Section, str]]:
        return [
            (section, self.cleaned_data[self.section_field(section)].strip())
            for section in self.sections
            if self.cleaned_data[self.section_field(section)].strip()
        ]


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label="Why is it closed?", choices=ClosureReason.choices)
    reason_text = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required when the reason is “other”.",
    )

    def __init__(self, *args, product: Product, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = CLOSURE_REASONS_OF_KIND[ProductKind(product.kind)]
        self.fields["reason"].choices = [
            (value, label) for value, label in ClosureReason.choices if value in allowed
        ]


class ShareForm(forms.Form):
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label="Share with unit",
        empty_label="Choose a unit",
        help_text="Its people, and those of the units below it, will read the product.",
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")


class NeedToKnowForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        label="Username of the person",
        help_text="They must hold a role over the product's unit, or a unit it is shared with.",
    )

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None or person.is_partner:
            raise forms.ValidationError("There is no active police user with that username.")
        return person
