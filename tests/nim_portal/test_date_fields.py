"""Dates are filled and shown as their hint says (issue 13, point 9): DATE_HINT gives
2026-03-31, and a date field opened with a value shows it so (not 31/03/2026), while the British
form is still read."""

import datetime
import re

from django import forms

from nim_portal.forms.fields import DATE_HINT
from products.forms import TermsForm


class DueForm(forms.Form):
    due = forms.DateField(help_text=DATE_HINT)


def shown_value(bound_field) -> str:
    return re.search(r'value="([^"]*)"', str(bound_field)).group(1)


def hint_shape(text: str) -> str:
    return re.sub(r"\d", "9", text)


def test_a_date_field_shows_its_value_as_its_hint_does():
    form = DueForm(initial={"due": datetime.date(2026, 12, 31)})

    shown = shown_value(form["due"])

    assert shown == "2026-12-31"
    assert hint_shape(shown) in hint_shape(DATE_HINT)


def test_a_date_is_read_as_the_hint_gives_it_and_in_the_british_form():
    for typed in ("2026-03-31", "31/03/2026"):
        form = DueForm({"due": typed})
        assert form.is_valid(), typed
        assert form.cleaned_data["due"] == datetime.date(2026, 3, 31)


def test_the_terms_of_reference_open_with_their_dates_as_the_hint_gives_them():
    terms = TermsForm.base_fields
    dated = [name for name, field in terms.items() if isinstance(field, forms.DateField)]
    assert dated
    form = TermsForm(initial={name: datetime.date(2026, 3, 31) for name in dated})
    for name in dated:
        assert shown_value(form[name]) == "2026-03-31"
