"""What the chair records at a meeting from a form, on the meeting's page and on the chair's view of
its screen alike. A form's fields are named as its service's keywords, so that one call hands the
form to the service; each record says once what the chair is told when it is done."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from nim_portal.forms.errors import add_service_errors
from tasking.actions import services as action_services
from tasking.meetings import services as meeting_services
from tasking.proceedings import escalations, services


@dataclass(frozen=True)
class Record:
    service: Callable[..., Any]
    # What the chair is told once it is done, from what the service answers (None: nothing).
    done: Callable[[Any], str] | None = None

    def run(self, request, **keywords):
        """The service, for the request's user: what it answers; its refusal is raised."""
        return self.service(acting_user=request.user, request=request, **keywords)

    def record(self, request, form: forms.Form, **keywords):
        """Hand a valid form to the service (`keywords`: what it takes besides the form, the
        meeting or its item): what the service answers; its refusal is raised."""
        return self.run(request, **keywords, **form.cleaned_data)

    def submit(self, request, form: forms.Form, **keywords) -> str | None:
        """Record the form if it is valid: what to tell the chair, or None when the form is not
        valid or the service refused, its reasons put on the form."""
        if not form.is_valid():
            return None
        try:
            made = self.record(request, form, **keywords)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return None
        return self.done(made)


def _action_raise(*, meeting, **fields):
    """An action raised at a meeting goes on the log of the meeting's unit."""
    return action_services.action_raise(unit=meeting.unit, meeting=meeting, **fields)


MEETING_OPENED = Record(services.meeting_open, lambda meeting: "The meeting is open.")
MEETING_CLOSED = Record(
    services.meeting_close,
    lambda minutes: "The meeting is closed: its minutes are frozen and being printed.",
)
DECISION = Record(services.decision_record, lambda decision: "The decision is recorded.")
ACTION = Record(_action_raise, lambda action: "The action is raised.")
COMMISSION = Record(
    services.profile_commission,
    lambda made: f"{made.get_kind_display()} commissioned: its terms await agreement.",
)
ESCALATION = Record(
    escalations.escalation_raise,
    lambda escalation: f"Escalated to the T&CG of {escalation.to_unit}.",
)
AGENDA_ITEM_ADDED = Record(
    services.agenda_item_add, lambda item: "The item is added to the end of the agenda."
)
AGENDA_ITEM_CHANGED = Record(services.agenda_item_edit, lambda item: "The agenda item is changed.")
CURRENT_ITEM = Record(services.meeting_current_item_set)
ATTENDANCE = Record(services.attendance_record)
INVITEE_ADDED = Record(
    meeting_services.police_invitee_add,
    lambda invitee: f"{invitee.user} is invited: the invitation goes to them by e-mail.",
)
