"""The form fields of covert activity and its authority (RIPA/IPA), shared by every form that
raises covert activity: an action, an accepted bid, a collection item. The service checks them
(tasking.safeguards.services.check_authority)."""

from django import forms

from tasking.safeguards.choices import AuthorityType
from tasking.safeguards.services import AUTHORITY_FIELDS

# The fields of AuthorityForm, which a page renders together in one fieldset.
AUTHORITY_FORM_FIELDS = frozenset({"covert", *AUTHORITY_FIELDS})


class AuthorityForm(forms.Form):
    """Whether the activity is covert and, when it is, its authority (RIPA/IPA): the service
    refuses covert activity without it (tasking.safeguards.services)."""

    covert = forms.BooleanField(
        label="Covert activity",
        required=False,
        help_text="Covert activity is done only under an authority: record it below.",
    )
    authority_type = forms.ChoiceField(
        label="Type of authority",
        choices=[("", "Choose the authority"), *AuthorityType.choices],
        required=False,
    )
    authority_reference = forms.CharField(label="Authority reference", required=False)
    authorising_officer = forms.CharField(
        label="Authorising officer", required=False, help_text="Their rank and name."
    )
    necessity_and_proportionality = forms.CharField(
        label="Necessity and proportionality",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the activity is necessary and proportionate; never shown to partners.",
    )
