"""The portal's form renderer writes selects in Python: the same markup as Django's templates,
escaped the same way, and everything else through the templates as before."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import SimpleTestCase

from nim_portal.forms.rendering import PortalFormRenderer

HOSTILE = '"><script>alert(1)</script>'


class EveryKindOfSelect(forms.Form):
    grouped = forms.ChoiceField(
        choices=[
            ("", "Any unit"),
            (HOSTILE, f"Label {HOSTILE} & more"),
            (f"Group {HOSTILE}", [("1", "One"), ("2", "Two")]),
        ],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[("1", "O'Neil"), ("2", "Two")])
    three_way = forms.NullBooleanField()
    typed = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "First"), (2, "Second")],
        widget=forms.Select(attrs={"disabled": True, "hidden": False, "data-note": HOSTILE}),
    )
    words = forms.CharField(required=False)


BOUND = EveryKindOfSelect(
    data={"grouped": HOSTILE, "several": ["1", "2"], "three_way": "true", "typed": "2"}
)


@pytest.mark.parametrize("name", ["grouped", "several", "three_way", "typed", "words"])
def test_each_widget_renders_as_djangos_templates_render_it(name):
    bound = BOUND[name]
    widget = bound.field.widget
    context = widget.get_context(name, bound.value(), {"id": f"id_{name}", "class": "govuk-select"})

    ours = PortalFormRenderer().render(widget.template_name, context)
    djangos = DjangoTemplates().render(widget.template_name, context)

    SimpleTestCase().assertHTMLEqual(ours, djangos)


def test_a_select_escapes_values_labels_groups_and_attributes():
    html = PortalFormRenderer().render(
        forms.Select.template_name,
        BOUND["grouped"].field.widget.get_context("grouped", HOSTILE, {"data-x": HOSTILE}),
    )

    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 4  # value, label, group label, attribute


def test_the_portal_renders_its_forms_with_it():
    assert isinstance(get_default_renderer(), PortalFormRenderer)
