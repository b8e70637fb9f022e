"""Forms of the section editor. They only parse input: the rules (who may edit, when, over which
revision, how high a section may be marked) are checked by products.services, whose messages
`add_service_errors` puts back onto the form."""

from django import forms
from django.core.exceptions import ValidationError

from nim_portal.choices import GSCMarking
from nim_portal.models import User
from products.models import ProductVersion
from products.rendering import section_markup_errors

SECTION_BODY_MAX_LENGTH = 200_000


class SectionMarkingForm(forms.Form):
    """A marking for the section, among those the editor's vetting lets them read."""

    marking = forms.TypedChoiceField(
        coerce=int,
        label="Marking of this section",
        help_text=(
            "Portion marking. A section marked above the product raises the product's marking."
        ),
    )

    def __init__(self, *args, editor: User, **kwargs):
        super().__init__(*args, **kwargs)
        ceiling = editor.readable_marking
        self.fields["marking"].choices = [
            (value, label) for value, label in GSCMarking.choices if value <= ceiling
        ]


class SectionEditForm(SectionMarkingForm):
    NEXT = "next"

    title = forms.CharField(max_length=200)
    releasable_to_partners = forms.BooleanField(
        required=False,
        label="Releasable to partners",
        help_text="Restricted spans are removed from any partner release whatever this says.",
    )
    body = forms.CharField(
        required=False,
        strip=False,
        max_length=SECTION_BODY_MAX_LENGTH,
        label="Text",
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text=(
            "Markdown: **bold**, *italic*, # heading, - list, 1. numbered list, "
            "[text](https://address). Wrap text that must not leave the police in "
            "[restricted] and [/restricted]."
        ),
    )
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    # The higher marking whose withheld readers the editor was shown (a raise needs it).
    confirm_marking = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Which button saved: "Save" stays on the section, "Save and next section" moves on.
    then = forms.ChoiceField(choices=[("", "Stay"), (NEXT, "Next section")], required=False)

    field_order = ["title", "marking", "releasable_to_partners", "body", "revision"]

    @property
    def marking_confirmed(self) -> bool:
        return self.cleaned_data.get("confirm_marking") == self.cleaned_data.get("marking")

    @property
    def moves_on(self) -> bool:
        return self.cleaned_data.get("then") == self.NEXT

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        errors = section_markup_errors(body)
        if errors:
            raise ValidationError(errors)
        return body


class SectionAutosaveForm(SectionEditForm):
    """The autosave sends the whole editor; the title is saved only by the Save button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False


class SectionPreviewForm(forms.Form):
    body = forms.CharField(required=False, strip=False, max_length=SECTION_BODY_MAX_LENGTH)


class SectionAddForm(forms.Form):
    title = forms.CharField(max_length=200, label="Title of the new section")


class SectionMoveForm(forms.Form):
    UP, DOWN = "up", "down"

    section = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[(UP, "Move up"), (DOWN, "Move down")])

    def ordered_ids(self, section_ids: list[int]) -> list[int]:
        """`section_ids` with the chosen section moved one place (unchanged at either end)."""
        ids = list(section_ids)
        moving = self.cleaned_data["section"]
        if moving not in ids:
            raise ValidationError("That section is not in this product.")
        index = ids.index(moving)
        target = index - 1 if self.cleaned_data["direction"] == self.UP else index + 1
        if 0 <= target < len(ids):
            ids[index], ids[target] = ids[target], ids[index]
        return ids


class VersionCompareForm(forms.Form):
    """Two published versions to compare (the page puts the older one on the left)."""

    a = forms.TypedChoiceField(coerce=int, label="Compare version")
    b = forms.TypedChoiceField(coerce=int, label="with version")

    def __init__(self, *args, versions: list[ProductVersion], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, f"Version {v.number} ({v.published_at:%-d %b %Y})") for v in versions]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("a") is not None and cleaned.get("a") == cleaned.get("b"):
            raise forms.ValidationError("Choose two different versions to compare.")
        return cleaned
