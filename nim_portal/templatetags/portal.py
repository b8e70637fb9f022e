"""Template tags of the portal's layout: marking banners, navigation and GOV.UK form fields."""

from datetime import timedelta

from django import forms, template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from nim_portal import access, selectors
from nim_portal.choices import ExportFormat, GSCMarking
from nim_portal.exports import export_url
from nim_portal.forms.rendering import widget_html
from nim_portal.portal_sections import navigation_for

register = template.Library()

DEFAULT_MARKING = GSCMarking.OFFICIAL.label


def marking_label(marking) -> str:
    """The marking as printed: its capitalised label, whether given as a label or a GSCMarking."""
    if marking is None or marking == "":
        return DEFAULT_MARKING
    if isinstance(marking, int):
        return GSCMarking(marking).label
    return str(marking).strip().upper().replace("_", "-")


@register.inclusion_tag("nim_portal/components/marking_banner.html", takes_context=True)
def marking_banner(context, position: str = "top"):
    """The page's GSC marking (the context's `page_marking`, OFFICIAL when unset), and what the
    page withholds from its reader (`page_withheld`, nim_portal.web.markings.PortionMarking)."""
    label = marking_label(context.get("page_marking"))
    return {
        "label": label,
        "modifier": label.lower().replace(" ", "-"),
        "position": position,
        "withheld": context.get("page_withheld", ""),
    }


@register.inclusion_tag("nim_portal/components/service_navigation.html", takes_context=True)
def service_navigation(context):
    """Links to the portal's sections: the dashboard, those the apps register for this user
    (nim_portal.portal_sections), the admin pages for people who administer units and the
    jobs page for system administrators."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"items": []}
    # Until the second factor is given, every link would only lead back to it.
    if access.second_factor_pending(user):
        return {"items": []}
    items = [("Dashboard", reverse("dashboard"))]
    items += [(item.label, item.href) for item in navigation_for(user)]
    if access.is_unit_admin(user):
        items += [
            ("Units", reverse("units:tree")),
            ("People", reverse("people:list")),
            ("Audit log", reverse("audit:log")),
        ]
    if access.is_system_administrator(user):
        items.append(("Jobs", reverse("jobs:list")))
    current = _current_section(request.path, [href for _, href in items])
    return {
        "items": [
            {"label": label, "href": href, "current": href == current} for label, href in items
        ]
    }


def _current_section(path: str, hrefs: list[str]) -> str | None:
    """The link whose address is the longest start of `path` (the dashboard's only on itself):
    one section is current, even when several share an app."""
    matching = [href for href in hrefs if path == href or (href != "/" and path.startswith(href))]
    return max(matching, key=len, default=None)


@register.inclusion_tag("nim_portal/components/notifications_link.html", takes_context=True)
def notifications_link(context):
    """The header's link to the person's notifications with the number unread (read with the
    signed-in user: no query of its own)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or access.second_factor_pending(user):
        return {"shown": False}
    return {"shown": True, "unread": selectors.unread_notification_count(user)}


@register.inclusion_tag("nim_portal/components/export_links.html", takes_context=True)
def export_links(context, list_name: str):
    """Links to download the list on this page as CSV and XLSX, with the page's current filters
    (nim_portal.exports)."""
    request = context["request"]
    return {
        "list_name": list_name,
        "links": [
            {"label": export_format.label, "href": export_url(request, export_format)}
            for export_format in ExportFormat
        ],
    }


@register.inclusion_tag("nim_portal/components/error_summary.html")
def error_summary(form, link_non_field_errors: bool = True):
    """GOV.UK error summary: every error of `form`, each linking to its field.

    Errors that belong to no field come first, linking to the first field; with
    `link_non_field_errors=False` they are listed as plain text instead.
    """
    if form is None or not form.errors:
        return {"errors": []}
    fields = [bound for bound in form if not bound.is_hidden]
    first_id = fields[0].id_for_label if fields else ""
    non_field_href = f"#{first_id}" if link_non_field_errors else ""
    errors = [{"href": non_field_href, "message": e} for e in form.non_field_errors()]
    for bound in fields:
        errors += [{"href": f"#{bound.id_for_label}", "message": e} for e in bound.errors]
    return {"errors": errors}


def _widget_kind(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


WIDGET_CLASS = {
    "input": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
}


@register.simple_tag
def hidden_fields(form) -> SafeString:
    """The form's hidden fields, as `{% for field in form.hidden_fields %}{{ field }}{% endfor %}`
    writes them."""
    return mark_safe(  # noqa: S308  (each written escaped)
        "".join(
            str(field) if field.field.show_hidden_initial else widget_html(field)
            for field in form.hidden_fields()
        )
    )


@register.inclusion_tag("nim_portal/components/field.html")
def govuk_field(bound_field, label_class: str = "govuk-label--s", separate_errors: bool = False):
    """One form field in GOV.UK markup: label, hint, error message and the input itself.

    A field that is not required has "(optional)" after its label. `label_class` is added to
    `govuk-label` (none when empty). With `separate_errors` each of the field's errors gets its
    own "Error:" prefix and line, instead of all of them joined after one prefix.
    """
    widget = bound_field.field.widget
    kind = _widget_kind(widget)
    field_id = bound_field.auto_id
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{field_id}-hint")
    if bound_field.errors:
        described_by.append(f"{field_id}-error")
    classes = [WIDGET_CLASS[kind], widget.attrs.get("class", "")]
    if bound_field.errors and kind != "checkbox":
        classes.append(f"{WIDGET_CLASS[kind]}--error")
    attrs = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return {
        "field": bound_field,
        "kind": kind,
        "field_id": field_id,
        "label_class": label_class,
        "separate_errors": separate_errors,
        "widget": widget_html(bound_field, attrs),
    }


@register.filter
def duration(value) -> str:
    """A timedelta in words: "30 minutes", "1 hour 30 minutes", "2 days"."""
    if not isinstance(value, timedelta):
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    for amount, word in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if amount:
            parts.append(f"{amount} {word}{'' if amount == 1 else 's'}")
    return " ".join(parts)
