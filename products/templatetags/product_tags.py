"""A product's status and due date, a published version's marking and a section's text, as its
lists and pages show them (in Python: see nim_portal.templatetags.govuk_tags)."""

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from nim_portal.choices import GSCMarking
from nim_portal.templatetags.govuk_tags import TAG, overdue_tag
from products import selectors
from products.choices import ProductStatus
from products.models import ProductVersion
from products.rendering import render_section_html
from products.selectors import ShownSection

register = template.Library()

STATUS_COLOUR = {
    ProductStatus.APPROVED: "govuk-tag--green",
    ProductStatus.SUBMITTED: "govuk-tag--purple",
    ProductStatus.RETURNED: "govuk-tag--orange",
    ProductStatus.DRAFTING: "govuk-tag--blue",
    ProductStatus.TOR_AGREED: "govuk-tag--light-blue",
}


@register.simple_tag
def product_status_tag(product) -> SafeString:
    return format_html(
        TAG, STATUS_COLOUR.get(product.status, "govuk-tag--grey"), product.get_status_display()
    )


@register.simple_tag
def product_due(product, today) -> SafeString:
    """The due date, flagged when it has passed and the product is not finished."""
    if not product.due_date:
        return SafeString("Not set")
    return format_html(
        "{}{}", date(product.due_date, "j M Y"), overdue_tag(product.is_overdue_on(today))
    )


def version_marking_label(version: ProductVersion) -> str:
    """The version's marking as published, with its descriptor."""
    label = GSCMarking(version.marking).label
    descriptor = version.content.get("descriptor") or ""
    return f"{label} {descriptor}" if descriptor else label


@register.filter
def section_html(section: ShownSection) -> SafeString:
    """A section's text as its reader is shown it: Markdown rendered and sanitised by nh3
    (products.rendering), nothing for a withheld section."""
    if section.withheld:
        return SafeString("")
    return mark_safe(render_section_html(section.body))  # noqa: S308  (nh3-sanitised)


@register.simple_tag(takes_context=True)
def profiles_due_for_review(context, unit, on):
    """The profiles of `unit` due for review by `on` that the page's reader may open
    (products.selectors.profiles_due_for_review): for a TT&CG meeting's page."""
    return selectors.profiles_due_for_review(context["request"].user, unit, on=on)
