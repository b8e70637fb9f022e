"""An action's RAG rating, due date and owner as its lists and pages show them (in Python: see
nim_portal.templatetags.govuk_tags)."""

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.safestring import SafeString

from nim_portal.templatetags.govuk_tags import TAG, overdue_tag
from tasking.actions.choices import Rag

register = template.Library()

RAG_COLOUR = {Rag.RED: "govuk-tag--red", Rag.AMBER: "govuk-tag--orange"}


def rag_colour(rag: str) -> str:
    return RAG_COLOUR.get(rag, "govuk-tag--green")


@register.simple_tag
def rag_tag(rag: str, label: str) -> SafeString:
    return format_html(TAG, rag_colour(rag), label)


@register.simple_tag
def action_due(action) -> SafeString:
    """The due date, flagged when it has passed and the action is still open."""
    return format_html("{}{}", date(action.due_date, "j M Y"), overdue_tag(action.is_overdue))


@register.simple_tag
def action_owner(action) -> SafeString:
    """A person, or a unit."""
    if action.owner_user:
        return format_html("{}", action.owner_user.get_full_name() or action.owner_user.username)
    unit = action.owner_unit.name if action.owner_unit else ""
    return format_html('{} <span class="govuk-body-s">(unit)</span>', unit)
