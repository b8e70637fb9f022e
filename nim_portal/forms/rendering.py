"""The portal's form renderer: Django's, except that selects, inputs and text areas are written
in Python, in the markup Django's templates write.

A select of units or people has hundreds of options, and the template engine renders each
option through two includes: on the register, a meeting page or the chair's view that cost
more than the rest of the page. A page of twenty update forms drew sixty inputs through three
templates each. `widget_html` writes a form field's input without even its widget's template
lookup (the portal's `govuk_field` tag).
"""

from django.forms import Select, Widget
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

OPTION_TEMPLATE = Select.option_template_name


def _attributes(attrs: dict) -> str:
    """As Django's attrs.html: a True value as the bare name, a False one left out; escaped."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict) -> str:
    value = conditional_escape(str(option["value"]))
    attributes = _attributes(option["attrs"]) if option["attrs"] else ""
    return f'\n  <option value="{value}"{attributes}>{conditional_escape(option["label"])}</option>'


def _group(name, options: list[dict]) -> str:
    lines = "".join(_option(option) for option in options)
    if not name:
        return lines
    return f'\n  <optgroup label="{conditional_escape(name)}">{lines}\n  </optgroup>'


def select_html(widget: dict) -> SafeString:
    """The select Django's select.html would write for the widget's context (every part
    escaped here, as the template engine escapes it)."""
    select_name = conditional_escape(widget["name"])
    groups = "".join(_group(label, options) for label, options, _index in widget["optgroups"])
    return mark_safe(  # noqa: S308
        f'<select name="{select_name}"{_attributes(widget["attrs"])}>{groups}\n</select>'
    )


def _options_in_python(widget: dict) -> bool:
    return all(
        option["template_name"] == OPTION_TEMPLATE
        for _name, options, _index in widget["optgroups"]
        for option in options
    )


def _input_html(widget: dict) -> str:
    value = widget["value"]
    value = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attributes(widget["attrs"])}>'
    )


def _textarea_html(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>'
        f"\n{value}</textarea>"
    )


# Django's templates of these widgets, written in Python.
_WIDGETS_IN_PYTHON = {
    **{
        f"django/forms/widgets/{name}.html": _input_html
        for name in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "date",
            "datetime",
            "time",
            "search",
            "tel",
            "color",
            "checkbox",
        )
    },
    "django/forms/widgets/textarea.html": _textarea_html,
}


def widget_html(bound_field, attrs: dict | None = None) -> SafeString:
    """`bound_field.as_widget(attrs=attrs)`: the same markup, written in Python for the inputs
    and text areas of Django's own templates (any other widget through its template)."""
    widget = bound_field.field.widget
    write = _WIDGETS_IN_PYTHON.get(widget.template_name)
    # A widget that renders itself otherwise, or a localized value, goes through Django.
    if write is None or bound_field.field.localize or type(widget).render is not Widget.render:
        return bound_field.as_widget(attrs=attrs)
    attrs = bound_field.build_widget_attrs(attrs or {}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)
    return mark_safe(write(context["widget"]))  # noqa: S308  (every part escaped above)


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name == Select.template_name and _options_in_python(widget):
            return select_html(widget)
        if write := _WIDGETS_IN_PYTHON.get(template_name):
            return mark_safe(write(widget))  # noqa: S308  (every part escaped)
        return super().render(template_name, context, request)
