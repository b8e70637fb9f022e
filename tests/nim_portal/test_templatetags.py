"""The portal's template tags write the markup Django's own templates would: the inputs and text
areas written in Python, the hidden fields and the error summary, byte for byte."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils.safestring import mark_safe

from nim_portal.forms.rendering import widget_html


class EveryInputForm(forms.Form):
    text = forms.CharField(max_length=20, help_text='Say "what" & <why>.')
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "wide"}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    empty_notes = forms.CharField(required=False, widget=forms.Textarea)
    number = forms.IntegerField(min_value=1, max_value=9)
    amount = forms.DecimalField(max_digits=5, decimal_places=2, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden_secret = forms.CharField(widget=forms.PasswordInput, required=False)
    due = forms.DateField(required=False)
    when = forms.DateTimeField(required=False)
    checked = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    back = forms.CharField(widget=forms.HiddenInput, required=False)
    localized = forms.DecimalField(localize=True, required=False)
    disabled = forms.CharField(disabled=True, required=False)
    search = forms.CharField(widget=forms.SearchInput, required=False)
    tel = forms.CharField(widget=forms.TelInput, required=False)
    colour = forms.CharField(widget=forms.ColorInput, required=False)
    time = forms.TimeField(required=False)
    own_id = forms.CharField(widget=forms.TextInput(attrs={"id": "mine"}), required=False)
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])


INITIAL = {
    "text": 'It\'s <b>bold</b> & "quoted"',
    "notes": "Line one\nline <two>",
    "number": 3,
    "secret": "s3cret",
    "hidden_secret": "never shown",
    "due": datetime.date(2026, 2, 3),
    "when": datetime.datetime(2026, 2, 3, 4, 5, 6),
    "checked": True,
    "version": 7,
    "back": mark_safe("<safe>"),
    "localized": "1234.5",
    "disabled": "fixed",
}
BOUND = {
    "text": "x" * 30,
    "optional": "  spaced  ",
    "notes": "",
    "number": "twelve",
    "amount": "1.234",
    "email": "not an email",
    "url": "javascript:alert(1)",
    "secret": "",
    "due": "31/02/2026",
    "checked": "on",
    "version": "",
    "back": '"><script>',
    "own_id": "x",
}
ATTRS = [
    None,
    {"class": "govuk-input"},
    {"class": "govuk-input govuk-input--error", "aria-describedby": "id_x-hint id_x-error"},
    {"data-flag": True, "data-off": False, "data-n": 4, "title": 'a "b" <c>'},
]


@pytest.mark.parametrize("data", [None, BOUND], ids=["unbound", "bound"])
@pytest.mark.parametrize("prefix", [None, "action-12"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_widgets_written_in_python_are_those_django_renders(data, prefix, attrs):
    """By `widget_html` and by the portal's form renderer, as Django's own templates write them."""
    ours = EveryInputForm(data, initial=INITIAL, prefix=prefix)
    djangos = EveryInputForm(data, initial=INITIAL, prefix=prefix, renderer=DjangoTemplates())
    ours.is_valid(), djangos.is_valid()
    for field in ours:
        # Django's select template leaves blank lines between options; the portal's does not.
        expected = djangos[field.name].as_widget(attrs=attrs).replace("\n\n", "\n")
        assert widget_html(field, attrs) == field.as_widget(attrs=attrs) == expected, field.name


def test_a_widget_that_renders_itself_is_left_to_it():
    class Starred(forms.TextInput):
        def render(self, *args, **kwargs):
            return "*" + super().render(*args, **kwargs)

    class StarredForm(forms.Form):
        name = forms.CharField(widget=Starred)

    field = StarredForm()["name"]
    starred = '*<input type="text" name="name" required id="id_name">'
    assert widget_html(field) == field.as_widget() == starred


@pytest.mark.parametrize("data", [None, BOUND], ids=["unbound", "bound"])
def test_hidden_fields_are_written_as_django_writes_them(data):
    form = EveryInputForm(data, initial=INITIAL, prefix="action-3")
    form.fields["text"].show_hidden_initial = True
    form.fields["text"].widget = forms.HiddenInput()
    context = Context({"form": form})

    ours = Template("{% load portal %}{% hidden_fields form %}").render(context)
    loop = "{% for field in form.hidden_fields %}{{ field }}{% endfor %}"
    form.renderer = DjangoTemplates()
    django = Template(loop).render(context)

    assert ours == django
    assert 'name="action-3-version"' in ours and 'name="initial-action-3-text"' in ours
