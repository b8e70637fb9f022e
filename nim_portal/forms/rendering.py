"""The portal's form renderer: Django's, except that a select is written in Python.

A select of units or people has hundreds of options, and the template engine renders each
option through two includes: on the register, a meeting page or the chair's view that cost
more than the rest of the page. The markup is the one Django's templates write.
"""

from django.forms import Select
from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

OPTION_TEMPLATE = Select.option_template_name


def _attributes(attrs: dict) -> SafeString:
    """As Django's attrs.html: a True value as the bare name, a False one left out."""
    return mark_safe(  # noqa: S308  (each part is escaped by format_html)
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def _option(option: dict) -> SafeString:
    return format_html(
        '<option value="{}"{}>{}</option>',
        str(option["value"]),
        _attributes(option["attrs"]),
        option["label"],
    )


def _group(name, options: list[dict]) -> SafeString:
    lines = format_html_join("", "\n  {}", ((_option(option),) for option in options))
    if not name:
        return lines
    return format_html('\n  <optgroup label="{}">{}\n  </optgroup>', name, lines)


def select_html(widget: dict) -> SafeString:
    """The select Django's select.html would write for the widget's context."""
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        _attributes(widget["attrs"]),
        format_html_join("", "{}", ((_group(*group[:2]),) for group in widget["optgroups"])),
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
