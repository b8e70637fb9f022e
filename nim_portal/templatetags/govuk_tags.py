"""GOV.UK tags for what every list shows, written in Python: each rule (which colour a marking
gets) has one home, and a list of a hundred rows draws its tags without an include per cell."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from nim_portal.choices import GSCMarking
from nim_portal.models import JobState

register = template.Library()

TAG = '<strong class="govuk-tag {}">{}</strong>'


def marking_colour(marking: int | None) -> str:
    """Red from SECRET, yellow for OFFICIAL-SENSITIVE, grey below."""
    if marking is not None and marking >= GSCMarking.SECRET:
        return "govuk-tag--red"
    if marking is not None and marking >= GSCMarking.OFFICIAL_SENSITIVE:
        return "govuk-tag--yellow"
    return "govuk-tag--grey"


@register.simple_tag
def marking_tag(marking: int | None, label: str) -> SafeString:
    """A GSC marking (the number) as a tag printed `label`."""
    return format_html(TAG, marking_colour(marking), label)


@register.simple_tag
def overdue_tag(overdue: bool) -> SafeString:
    """ " Overdue" as a red tag after a due date that has passed; nothing otherwise."""
    return format_html(" " + TAG, "govuk-tag--red", "Overdue") if overdue else SafeString("")


JOB_STATE_COLOURS = {
    JobState.WAITING: "govuk-tag--grey",
    JobState.RUNNING: "govuk-tag--blue",
    JobState.DONE: "govuk-tag--green",
    JobState.FAILED: "govuk-tag--red",
}


@register.simple_tag
def job_state_tag(state: str) -> SafeString:
    """A job's state as a tag: failed in red, so that it stands out in a long list."""
    return format_html(TAG, JOB_STATE_COLOURS[state], JobState(state).label)
