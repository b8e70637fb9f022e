"""The portal's form renderer: Django's, except that a select is written in Python.

A select of units or people has hundreds of options, and the template engine renders each
option through two includes: on the register, a meeting page or the chair's view that cost
more than the rest of the page. The markup is the one Django's templates write.
"""

from django.forms import Select
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


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name == Select.template_name and _options_in_python(widget):
            return select_html(widget)
        return super().render(template_name, context, request)
