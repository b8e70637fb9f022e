"""The action log of the meeting screens, its rows written in Python (escaped by format_html as
the template engine escapes): the chair's view lists every action the meeting reviews (fifty on
the national data), and the template engine took about 8 ms of CPU a request for them, this
about 6. The markup is the one templates/tasking/screen/action_table.html wrote per row."""

from django import template
from django.template.defaultfilters import date, linebreaksbr
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from tasking.meetings.choices import MeetingStatus
from tasking.templatetags.action_tags import rag_colour

register = template.Library()

ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell">{} <span class="govuk-caption-s govuk-!-display-block">'
    "{}{}</span>{}</td>"
    "\n      {}"
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    '\n      <td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
    '\n      <td class="govuk-table__cell">{}</td>'
    "\n      {}"
    "\n    </tr>\n  "
)
MARKING = ' <strong class="govuk-tag govuk-tag--grey">{}</strong>{}'
HELD_BACK = ' <strong class="govuk-tag govuk-tag--orange">{}</strong>'
PRIORITY = '<td class="govuk-table__cell">{}</td>'
REVIEW = '\n      <td class="govuk-table__cell">{}</td>\n      '
REVIEW_LINK = (
    '<a class="govuk-link" id="nim-screen-review-{}" href="{}" hx-get="{}" '
    'hx-target="#nim-screen-controls" hx-swap="outerHTML">'
    'Review<span class="govuk-visually-hidden"> action {}</span></a>'
)


def _owner(action) -> str:
    if action.owner_user:
        return action.owner_user.get_full_name() or action.owner_user.username
    return action.owner_unit.name if action.owner_unit else ""


def _review(action, meeting) -> str:
    if action.status != "open":
        return ""
    url = reverse("tasking:meeting_screen_action_close", args=[meeting.pk, action.pk])
    return format_html(REVIEW_LINK, action.pk, url, url, action.reference)


def _row(action, *, meeting, private: bool, reviews: bool, shown: set) -> tuple:
    marking = ""
    if private:
        held_back = "" if action.pk in shown else format_html(HELD_BACK, "Not on the shared screen")
        marking = format_html(MARKING, action.marking_label, held_back)
    return (
        action.reference,
        linebreaksbr(action.description, autoescape=True),
        action.get_action_type_display(),
        ", raised at this meeting" if action.raised_at_meeting_id == meeting.pk else "",
        marking,
        format_html(PRIORITY, action.priority.theme) if private else "",
        _owner(action),
        date(action.due_date, "j M Y"),
        rag_colour(action.rag),
        action.get_rag_display(),
        action.get_status_display(),
        format_html(REVIEW, _review(action, meeting)) if reviews else "",
    )


@register.simple_tag(takes_context=True)
def action_rows(context, rows):
    """The table's rows for the screen in `context` (private: the chair's view, with markings,
    what the shared screen holds back, priorities and, while the meeting sits, the review links)."""
    meeting = context["meeting"]
    private = bool(context.get("private"))
    reviews = (
        private and bool(context.get("may_chair")) and meeting.status == MeetingStatus.IN_SESSION
    )
    shown = (context.get("shown") or {}).get("actions", set())
    return format_html_join(
        "",
        ROW,
        (
            _row(action, meeting=meeting, private=private, reviews=reviews, shown=shown)
            for action in rows
        ),
    )
