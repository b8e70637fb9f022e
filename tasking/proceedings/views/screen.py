"""The meeting on screen: the shared screen everybody in the room sees, and the chair's private
companion view where the meeting's business is recorded.

- The shared screen (`screen_shared`) renders only what `meeting_screen(meeting, private=False)`
  returns: what the least-cleared person present may read. Any reader of the meeting may open it
  read-only; the chair also gets the next/previous item buttons (with keyboard shortcuts), and
  opening and closing the meeting. Nothing typed is shown there.
- The private view (`screen_private`, chair only) shows everything the chair may read, which of
  it the shared screen holds back and how much, and the forms: decisions, actions raised and
  closed, profiles commissioned, items escalated.
- Both follow the meeting: every full render mints a poll ticket (tasking.proceedings.poll); the
  poll answers 204 while nothing changed, else the live region fetches itself again through the
  normal stack.

Every change goes through the services (tasking.proceedings.services, tasking.actions.services),
which refuse a non-chair with PermissionDenied and bad input with ValidationError, changing
nothing. With htmx a form comes back in place (with its errors, or empty after success) and the
live region reloads; without JavaScript every form posts and redirects as usual.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from nim_portal.forms.errors import add_service_errors
from nim_portal.middleware import checks_its_own_session
from nim_portal.templatetags.portal import marking_label
from nim_portal.web.decorators import police_required
from tasking.actions import selectors as action_selectors
from tasking.actions import services as action_services
from tasking.meetings.choices import MeetingStatus
from tasking.meetings.models import Meeting
from tasking.meetings.policy import can_chair, require_chair
from tasking.meetings.selectors import meeting_for_user
from tasking.proceedings import selectors
from tasking.proceedings.forms import (
    ActionCloseForm,
    ActionRaiseForm,
    CommissionForm,
    CurrentItemForm,
    DecisionForm,
    EscalationForm,
    SittingDecisionForm,
)
from tasking.proceedings.poll import PollAnswer, poll_answer, poll_ticket_mint
from tasking.proceedings.screen import chairs_view, meeting_screen
from tasking.proceedings.views.recording import (
    ACTION,
    COMMISSION,
    CURRENT_ITEM,
    DECISION,
    ESCALATION,
    MEETING_CLOSED,
    MEETING_OPENED,
    Record,
)
from tasking.strategy.selectors import priorities_for_unit

# The event the live region listens for (from the poll, or after the chair's own change).
SCREEN_CHANGED = "nim-screen-changed"
# After a move to another item: the forms not yet touched follow the new current item.
ITEM_MOVED = "nim-screen-item-moved"


# Reading.


def _neighbours(agenda, current_id):
    """The items before and after the current one (None at either end, or with no current)."""
    ids = [item.pk for item in agenda]
    if current_id not in ids:
        return None, None
    index = ids.index(current_id)
    previous = agenda[index - 1] if index > 0 else None
    following = agenda[index + 1] if index + 1 < len(agenda) else None
    return previous, following


def _live_context(request, meeting: Meeting, *, private: bool) -> dict:
    """What the live region shows: the shared screen's content, or (private) all the chair may
    read with what the shared screen holds back. Mints the poll ticket at the revision read."""
    if private:
        chairs = chairs_view(request.user, meeting)
        screen = chairs.screen
        decisions = chairs.proceedings.decisions
    else:
        chairs = None
        screen = meeting_screen(meeting, private=False)
        decisions = screen.decisions
    previous, following = _neighbours(screen.agenda, meeting.current_agenda_item_id)
    context = {
        "meeting": meeting,
        "screen": screen,
        "private": private,
        "may_chair": can_chair(request.user, meeting),
        "previous_item": previous,
        "next_item": following,
        "item_decisions": [
            d for d in decisions if d.agenda_item_id == meeting.current_agenda_item_id
        ],
        "page_marking": chairs.page_marking if private else screen.page_marking,
        "at_hand": chairs.at_hand if private else screen.at_hand,
        "poll_url": reverse("tasking:meeting_screen_poll", args=[meeting.pk])
        + "?"
        + f"ticket={poll_ticket_mint(request, meeting.pk, screen.revision)}",
        "live_url": reverse(
            "tasking:meeting_screen_private_live" if private else "tasking:meeting_screen_live",
            args=[meeting.pk],
        ),
    }
    if private:
        context.update(proceedings=chairs.proceedings, actions=chairs.actions, shown=chairs.shown)
    label = marking_label(context["page_marking"])
    context["marking"] = {"label": label, "modifier": label.lower().replace(" ", "-")}
    return context


def _render_live(request, meeting: Meeting, *, private: bool):
    context = _live_context(request, meeting, private=private)
    return render(request, "tasking/screen/live_response.html", context)


def _chairs_form(request, meeting: Meeting, name: str, data=None, **read):
    """One of the chair's forms (private view), each in its own prefix so that ids never clash;
    `read`: what the page has read already (the agenda; the priorities, with their rows)."""
    if name == "decision_form":
        return DecisionForm(data, meeting=meeting, agenda=read.get("agenda"), prefix="decision")
    if name == "action_form":
        priorities = read.get("priorities")
        if priorities is None:
            priorities = priorities_for_unit(request.user, meeting.unit)
        return ActionRaiseForm(
            data,
            meeting=meeting,
            priorities=priorities,
            priorities_read=read.get("priorities_read"),
            prefix="action",
        )
    if name == "commission_form":
        return CommissionForm(
            data,
            meeting=meeting,
            agenda=read.get("agenda"),
            analysts=selectors.analysts_who_may_develop(meeting),
            prefix="commission",
        )
    return EscalationForm(data, meeting=meeting, agenda=read.get("agenda"), prefix="escalation")


CHAIRS_FORMS = ("decision_form", "action_form", "commission_form", "escalation_form")


def _controls_context(request, meeting: Meeting, *, agenda=None, **forms) -> dict:
    """The chair's forms (private view) for the meeting as just read for the user; `agenda`: its
    items, when the page read them."""
    if agenda is None:
        agenda = selectors.agenda_of(meeting)
    priorities = priorities_for_unit(request.user, meeting.unit)
    priorities_read = list(priorities)
    context = {
        "meeting": meeting,
        "has_priorities": bool(priorities_read),
        # An ST&CG decides on its unit's control strategy and requirement here too.
        "sitting_decisions": selectors.decisions_before_sitting(request.user, meeting),
        "sitting_form": SittingDecisionForm(),
    }
    read = {"agenda": agenda, "priorities": priorities, "priorities_read": priorities_read}
    for name in CHAIRS_FORMS:
        context[name] = forms.get(name) or _chairs_form(request, meeting, name, **read)
    context["review"] = forms.get("review")
    return context


def render_controls(request, meeting: Meeting, *, status: int = 200, **forms):
    """The chair's recording panel, for htmx to swap in place."""
    # Read again: the change the chair just made may have moved the meeting on.
    meeting = meeting_for_user(request.user, meeting.pk)
    controls = _controls_context(request, meeting, **forms)
    context = {"meeting": controls["meeting"], "controls": controls}
    return render(request, "tasking/screen/controls.html", context, status=status)


def _screen_page(request, pk, *, private: bool):
    meeting = meeting_for_user(request.user, pk)
    if private:
        require_chair(request.user, meeting, "open the chair's view of the meeting screen")
    context = _live_context(request, meeting, private=private)
    if private and meeting.status == MeetingStatus.IN_SESSION:
        context["controls"] = _controls_context(
            request, meeting, agenda=context["proceedings"].agenda
        )
    return render(request, "tasking/screen/screen.html", context)


@require_GET
@police_required
@never_cache
def screen_shared(request, pk):
    return _screen_page(request, pk, private=False)


@require_GET
@police_required
@never_cache
def screen_private(request, pk):
    return _screen_page(request, pk, private=True)


@require_GET
@police_required
@never_cache
def screen_shared_live(request, pk):
    return _render_live(request, meeting_for_user(request.user, pk), private=False)


@require_GET
@police_required
@never_cache
def screen_private_live(request, pk):
    meeting = meeting_for_user(request.user, pk)
    require_chair(request.user, meeting, "open the chair's view of the meeting screen")
    return _render_live(request, meeting, private=True)


@checks_its_own_session
@require_GET
@never_cache
def screen_poll(request, pk):
    """Has the screen changed since the ticket's render? No content either way
    (tasking.proceedings.poll)."""
    answer = poll_answer(request, pk, request.GET.get("ticket"))
    if answer == PollAnswer.UNCHANGED:
        return HttpResponse(status=204)
    if answer == PollAnswer.CHANGED:
        return trigger_client_event(HttpResponse(status=204), SCREEN_CHANGED)
    if answer == PollAnswer.NOT_FOUND:
        raise Http404("No such meeting.")
    return HttpResponseClientRefresh()


# Changing: the chair only (the services refuse anybody else).


def _refused_permission(request, exc: PermissionDenied):
    """Without htmx the 403 page says why; with htmx the page reloads with the message."""
    if not request.htmx:
        raise exc
    messages.error(request, str(exc))
    return HttpResponseClientRefresh()


def _button_refused(request, meeting: Meeting, exc: ValidationError, back: str):
    messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(back, pk=meeting.pk)


def _back(request) -> str:
    """Buttons on both views: they return to the view they were pressed on."""
    if request.POST.get("view") == "private":
        return "tasking:meeting_screen_private"
    return "tasking:meeting_screen"


def _moved(request, pk, record: Record):
    """The meeting opened or closed from its screen: the chair's forms appear once it sits and
    go once it closes, so the whole page comes back."""
    meeting = meeting_for_user(request.user, pk)
    back = _back(request)
    try:
        made = record.run(request, meeting=meeting)
    except PermissionDenied as exc:
        return _refused_permission(request, exc)
    except ValidationError as exc:
        return _button_refused(request, meeting, exc, back)
    messages.success(request, record.done(made))
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(back, pk=meeting.pk)


@require_POST
@police_required
def screen_open(request, pk):
    return _moved(request, pk, MEETING_OPENED)


@require_POST
@police_required
def screen_item_set(request, pk):
    meeting = meeting_for_user(request.user, pk)
    back = _back(request)
    form = CurrentItemForm(request.POST, meeting=meeting)
    if not form.is_valid():
        refusal = ValidationError("Choose an item of this meeting's agenda.")
        return _button_refused(request, meeting, refusal, back)
    item = form.cleaned_data["item"]
    try:
        CURRENT_ITEM.record(request, form, meeting=meeting)
    except PermissionDenied as exc:
        return _refused_permission(request, exc)
    except ValidationError as exc:
        return _button_refused(request, meeting, exc, back)
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, ITEM_MOVED, {"item": item.pk})
        return trigger_client_event(response, SCREEN_CHANGED)
    return redirect(back, pk=meeting.pk)


@require_POST
@police_required
def screen_close(request, pk):
    return _moved(request, pk, MEETING_CLOSED)


# The chair's forms (private view).


def _meeting_for_chair(request, pk) -> Meeting:
    """The meeting whose forms the chair posts: a reader who is not its chair is refused here
    before any form is read (the services refuse them again)."""
    meeting = meeting_for_user(request.user, pk)
    require_chair(request.user, meeting, "record the meeting's business")
    return meeting


def _form_done(request, meeting: Meeting, done: str):
    """Success: htmx gets the forms back empty and the live region reloads."""
    messages.success(request, done)
    if request.htmx:
        return trigger_client_event(render_controls(request, meeting), SCREEN_CHANGED)
    return redirect("tasking:meeting_screen_private", pk=meeting.pk)


def _controls_page(request, meeting: Meeting, status: int = 400, **forms):
    """A form with its errors (or the review of an action): in place with htmx, else on the
    whole private view."""
    if request.htmx:
        return render_controls(request, meeting, status=status, **forms)
    context = _live_context(request, meeting, private=True)
    context["controls"] = _controls_context(
        request, meeting, agenda=context["proceedings"].agenda, **forms
    )
    return render(request, "tasking/screen/screen.html", context, status=status)


@require_GET
@police_required
@never_cache
def screen_controls(request, pk):
    """The chair's forms alone, fresh (htmx: after the review of an action is cancelled)."""
    return render_controls(request, _meeting_for_chair(request, pk))


def _posting(view):
    """The chair's form views: refusals of permission answered the same way everywhere."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except PermissionDenied as exc:
            return _refused_permission(request, exc)

    return wrapper


def _record(request, pk, name: str, record: Record):
    """One of the chair's forms posted: recorded, or back with its errors."""
    meeting = _meeting_for_chair(request, pk)
    form = _chairs_form(request, meeting, name, request.POST)
    done = record.submit(request, form, meeting=meeting)
    if done:
        return _form_done(request, meeting, done)
    return _controls_page(request, meeting, **{name: form})


@require_POST
@police_required
@_posting
def screen_decision(request, pk):
    return _record(request, pk, "decision_form", DECISION)


@require_POST
@police_required
@_posting
def screen_action_raise(request, pk):
    return _record(request, pk, "action_form", ACTION)


def _action_of(request, meeting: Meeting, action_pk):
    """An action on this meeting's log that the chair may read, or 404."""
    action = (
        action_selectors.actions_for_meeting_for_user(request.user, meeting)
        .filter(pk=action_pk)
        .first()
    )
    if action is None:
        raise Http404("No such action on this meeting's log.")
    return action


@require_http_methods(["GET", "POST"])
@police_required
@_posting
def screen_action_close(request, pk, action_pk):
    """Review an action (its latest updates) and close it with its outcome."""
    meeting = _meeting_for_chair(request, pk)
    action = _action_of(request, meeting, action_pk)
    form = ActionCloseForm(
        request.POST or None, initial={"version": action.version}, prefix="review"
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_services.action_close(
                acting_user=request.user,
                action=action,
                outcome=form.cleaned_data["outcome"],
                meeting=meeting,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _form_done(request, meeting, f"Action {action.pk} is closed.")
    review = {
        "action": action,
        "form": form,
        "latest_update": action_selectors.action_updates(action).first(),
    }
    return _controls_page(request, meeting, status=400 if form.errors else 200, review=review)


@require_POST
@police_required
@_posting
def screen_commission(request, pk):
    return _record(request, pk, "commission_form", COMMISSION)


@require_POST
@police_required
@_posting
def screen_escalate(request, pk):
    return _record(request, pk, "escalation_form", ESCALATION)
