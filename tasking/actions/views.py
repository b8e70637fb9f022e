"""The action log pages: a unit's log (open actions carried forward, closed ones with their
outcome, filtered by status, RAG, priority and owner), an action with its dated progress updates,
"my actions" where owners write progress and change the RAG rating between meetings, raising an
action tied to a priority, and closing one with its outcome.

Missing and forbidden give the same 404 (tasking.actions.selectors). Every change goes through
tasking.actions.services: PermissionDenied shows its message on the 403 page, a ValidationError
goes back onto the form. A change sent over an older version than the one saved is refused
(409) and the page shows the action as it is now, the sender's text kept for them to send again.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import access, charts
from nim_portal.charts import Chart, ChartSeries, bar_chart
from nim_portal.choices import GSCMarking
from nim_portal.exports import Column, ListExport, list_download
from nim_portal.forms.errors import add_service_errors
from nim_portal.models import Unit
from nim_portal.pagination import NumberedPaginator, paginate
from nim_portal.web.decorators import police_required
from products.selectors import people_around, visible_products
from tasking.actions import policy, selectors, services
from tasking.actions.choices import Rag
from tasking.actions.forms import (
    ActionCloseForm,
    ActionLogFilterForm,
    ActionRagBulkForm,
    ActionRaiseForm,
    ActionUpdateForm,
)
from tasking.strategy.selectors import priorities_for_unit

ACTIONS_PER_PAGE = 50
MY_ACTIONS_PER_PAGE = 50
HISTORY_LIMIT = 30


def page_marking_of(actions) -> int:
    """The highest marking among `actions` and the control strategies their priorities belong
    to (the priority's theme is shown with each action); OFFICIAL when there are none."""
    markings = [GSCMarking.OFFICIAL]
    for action in actions:
        markings += [action.marking, action.priority.control_strategy.marking]
    return max(markings)


def _update_form(action, data=None) -> ActionUpdateForm:
    """Prefixed by the action, so that many forms share a page and the view knows the prefix."""
    return ActionUpdateForm(
        data,
        prefix=f"action-{action.pk}",
        initial={"version": action.version, "rag": action.rag, "return_to": "detail"},
    )


def _with_current_version(data, prefix: str, action) -> dict:
    """The sender's input over the version saved now: sending it again, having seen the
    change, makes theirs."""
    data = data.copy()
    data[f"{prefix}-version" if prefix else "version"] = action.version
    return data


# My actions.


def _page_of_mine(user, action_pk: int) -> int:
    """The page of "My actions" that holds the action (1 when it is no longer open)."""
    position = list(selectors.my_actions_to_page(user).values_list("pk", flat=True)).index
    try:
        return position(action_pk) // MY_ACTIONS_PER_PAGE + 1
    except ValueError:
        return 1


def _in_place_form(action, data=None) -> ActionUpdateForm:
    """The update form opened in a row of "My actions": it takes the focus when it opens."""
    form = _update_form(action, data)
    form.initial["return_to"] = "mine"
    form.fields["text"].widget.attrs["autofocus"] = True
    return form


def _render_mine(request, *, opened=None, bulk_form=None, bulk_errors=(), status=200):
    """The page of "My actions": `opened` is (action id, its update form) when one row's form
    is open (a refused update comes back on the page that holds its action, with its errors);
    `bulk_form` and `bulk_errors` the RAG change of several actions, refused."""
    user = request.user
    number = _page_of_mine(user, opened[0]) if opened else request.GET.get("page")
    mine = NumberedPaginator(selectors.my_actions_to_page(user), MY_ACTIONS_PER_PAGE, request)
    page_obj = mine.page(number)
    page_obj.object_list = actions = selectors.log_rows(page_obj.object_list, last_update_text=True)
    ticked = {pk for pk, _ in bulk_form.cleaned_data.get("actions", ())} if bulk_form else set()
    rows = [
        {
            "action": action,
            "form": opened[1] if opened and opened[0] == action.pk else None,
            "ticked": action.pk in ticked,
        }
        for action in actions
    ]
    return render(
        request,
        "tasking/actions/mine.html",
        {
            "rows": rows,
            "page_obj": page_obj,
            "bulk_form": bulk_form or ActionRagBulkForm(),
            "bulk_errors": bulk_errors,
            "units": selectors.units_with_readable_log(user).order_by("path"),
            "page_marking": page_marking_of(actions),
        },
        status=status,
    )


@require_GET
@police_required
def my_actions(request):
    return _render_mine(request)


def _render_my_row(request, action, *, form=None, done="", autofocus=False):
    """One row of "My actions" (htmx): its update form open when `form` is given; `done` is
    what the page's status line then says."""
    rows = selectors.log_rows([action], last_update_text=True)
    return render(
        request,
        "tasking/actions/includes/my_action_row.html",
        {
            "action": rows[0] if rows else action,
            "form": form,
            "done": done,
            "autofocus": autofocus,
        },
    )


@require_GET
@police_required
def my_action_row(request, pk):
    """A row of "My actions" for htmx, its update form open with `?open=1`; without htmx, the
    action's own page (a row is no page: it has no marking banner)."""
    action = selectors.get_action_for(request.user, pk)
    if not request.htmx:
        return redirect("tasking:action_detail", pk=action.pk)
    may_update = action.is_open and policy.can_update_action(request.user, action)
    if request.GET.get("open") and may_update:
        return _render_my_row(request, action, form=_in_place_form(action))
    return _render_my_row(request, action, autofocus=True)


def _bulk_errors(form: ActionRagBulkForm, refusal=None) -> list[dict]:
    """The error summary of a refused RAG change of several actions: each refused action links
    to its tick box, every other problem to its field."""
    errors = []
    if refusal is not None:
        errors += [
            {"href": f"#select-{action.pk}", "message": reason}
            for action, reason in refusal.reasons
        ]
    for name, messages_of_field in form.errors.items():
        href = "#bulk-rag-actions" if name == "actions" else f"#{form[name].id_for_label}"
        errors += [{"href": href, "message": message} for message in messages_of_field]
    return errors


@require_POST
@police_required
def my_actions_rag(request):
    """Several of "My actions" to one RAG rating, all or none (services.action_rag_set_many):
    a refusal comes back on the page, saying which actions and why, the choices kept."""
    form = ActionRagBulkForm(request.POST)
    if not form.is_valid():
        return _render_mine(request, bulk_form=form, bulk_errors=_bulk_errors(form), status=400)
    loaded = form.cleaned_data["actions"]
    actions = selectors.get_actions_for(request.user, [pk for pk, _ in loaded])
    try:
        changed = services.action_rag_set_many(
            acting_user=request.user,
            actions=[
                (action, version) for action, (_, version) in zip(actions, loaded, strict=True)
            ],
            rag=form.cleaned_data["rag"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except services.ActionsRefused as refusal:
        stale = any(isinstance(r, services.StaleAction) for _, r in refusal.refusals)
        errors = _bulk_errors(form, refusal)
        return _render_mine(
            request, bulk_form=form, bulk_errors=errors, status=409 if stale else 400
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_mine(request, bulk_form=form, bulk_errors=_bulk_errors(form), status=400)
    rag = Rag(form.cleaned_data["rag"]).label.lower()
    references = ", ".join(action.reference for action in changed)
    messages.success(request, f"Rated {rag}: {references}.")
    page = request.GET.get("page")
    mine = reverse("tasking:my_actions")
    return redirect(f"{mine}?{urlencode({'page': page})}" if page else mine)


def my_actions_panel(user) -> dict:
    """The dashboard's "My actions" panel (registered in tasking.apps): counts only, so that the
    dashboard carries no marked text."""
    return selectors.my_actions_counts(user)


# A unit's log.

# The log as a file (nim_portal.exports): what its rows show, read from what the log's selector
# selects with each action; marked as its rows are (an action and its priority's strategy).
ACTION_LOG_EXPORT = ListExport(
    name="action log",
    columns=[
        Column("Action", lambda action: action.reference),
        Column("Description", lambda action: action.description),
        Column("Priority", lambda action: action.priority.theme),
        Column("Type", lambda action: action.get_action_type_display()),
        Column("Owner", lambda action: str(action.owner)),
        Column("Due", lambda action: action.due_date),
        Column("Overdue", lambda action: action.is_overdue),
        Column("RAG rating", lambda action: action.get_rag_display()),
        Column("Status", lambda action: action.get_status_display()),
        Column("Last update", lambda action: action.last_update_at),
        Column("Marking", lambda action: action.marking_label),
        Column("Closed", lambda action: action.closed_at),
        Column("Outcome", lambda action: action.outcome),
    ],
    marking="shown_marking",
)


def _status_chart(counts: list[dict], *, filtering: bool) -> Chart | None:
    """The log's actions by priority, open ones by RAG rating and closed ones (None when there
    are none)."""
    if not counts:
        return None
    total = {name: sum(row[name] for row in counts) for name in ("red", "amber", "green", "closed")}
    still_open = total["red"] + total["amber"] + total["green"]
    actions = still_open + total["closed"]
    return bar_chart(
        key="actions-by-priority",
        title="Actions by priority and status",
        description=(
            f"{actions} action{pluralize(actions)}{' matching the filters' if filtering else ''} "
            f"under {len(counts)} priorit{pluralize(len(counts), 'y,ies')}: {still_open} open "
            f"({total['red']} rated red, {total['amber']} amber, {total['green']} green) and "
            f"{total['closed']} closed."
        ),
        category_heading="Priority",
        categories=[row["priority__theme"] for row in counts],
        series=[
            ChartSeries("Open, rated red", [row["red"] for row in counts], charts.RED),
            ChartSeries("Open, rated amber", [row["amber"] for row in counts], charts.AMBER),
            ChartSeries("Open, rated green", [row["green"] for row in counts], charts.GREEN),
            ChartSeries("Closed", [row["closed"] for row in counts], charts.GREY),
        ],
        axis_title="Actions",
    )


@require_GET
@police_required
def action_log(request, unit_pk):
    """A unit's log, filtered; with ?export=csv or xlsx, every row of it as a file."""
    user = request.user
    log = selectors.action_log_for_unit(user, unit_pk)
    form = ActionLogFilterForm(request.GET or None, **selectors.log_filter_choices(log))
    filters, filtering = {}, False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filtering = any(data.get(name) for name in form.fields)
        filters = {
            "status": data["status"],
            "rag": data["rag"],
            "priority": data["priority"],
            **form.owner_ids(),
        }
    download = list_download(
        request,
        ACTION_LOG_EXPORT,
        lambda: selectors.with_shown_marking(selectors.filter_action_log(log.actions, **filters)),
        form=form,
    )
    if download is not None:
        return download
    actions = selectors.filter_action_log(log.actions_to_page(), **filters)
    page_obj = paginate(request, actions, ACTIONS_PER_PAGE)
    page_obj.object_list = rows = selectors.log_rows(page_obj.object_list)
    counts = selectors.action_counts_by_priority(actions)
    themes_marking = max(
        (row["priority__control_strategy__marking"] for row in counts), default=GSCMarking.OFFICIAL
    )
    return render(
        request,
        "tasking/actions/log.html",
        {
            "unit": log.unit,
            "form": form,
            "filtering": filtering,
            "page_obj": page_obj,
            "open_actions": [a for a in rows if a.is_open],
            "closed_actions": [a for a in rows if not a.is_open],
            "status_chart": _status_chart(counts, filtering=filtering),
            "may_raise": policy.can_manage_actions(user, log.unit),
            # The chart names every priority of the filtered log, beyond this page's rows.
            "page_marking": max(page_marking_of(rows), themes_marking),
        },
    )


@require_http_methods(["GET", "POST"])
@police_required
def action_raise(request, unit_pk):
    user = request.user
    unit = selectors.action_log_for_unit(user, unit_pk).unit
    policy.require_action_manager(user, unit, "raise actions")
    priorities = priorities_for_unit(user, unit)
    form = ActionRaiseForm(
        request.POST or None,
        priorities=priorities,
        products=visible_products(user).filter(unit=unit),
        people=people_around(Unit.objects.filter(pk=unit.pk)),
        units=Unit.objects.filter(access.at_or_below(unit, field=None), is_active=True),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_raise(
                acting_user=user, unit=unit, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Action {action.reference} raised on the action log.")
            return redirect("tasking:action_detail", pk=action.pk)
    priority_list = list(priorities)
    return render(
        request,
        "tasking/actions/raise.html",
        {
            "unit": unit,
            "form": form,
            "has_priorities": bool(priority_list),
            "page_marking": max(
                [GSCMarking.OFFICIAL, *(p.control_strategy.marking for p in priority_list)]
            ),
        },
        status=400 if form.errors else 200,
    )


# One action.


def _render_detail(request, action, *, update_form=None, status=200):
    user = request.user
    may_update = action.is_open and policy.can_update_action(user, action)
    history = action.history.select_related("history_user").order_by("-history_id")
    return render(
        request,
        "tasking/actions/detail.html",
        {
            "action": action,
            "updates": list(selectors.action_updates(action)),
            "history": list(history[:HISTORY_LIMIT]),
            "update_form": update_form or (_update_form(action) if may_update else None),
            "may_close": action.is_open and policy.can_manage_actions(user, action.unit),
            "today": timezone.localdate(),
            "page_marking": page_marking_of([action]),
        },
        status=status,
    )


@require_GET
@police_required
def action_detail(request, pk):
    return _render_detail(request, selectors.get_action_for(request.user, pk))


@require_POST
@police_required
def action_update(request, pk):
    """A progress update with its RAG rating, from the action's page or from "my actions"; from
    a row of "my actions" opened in place (htmx), the row comes back: closed and updated, or
    open with the form's errors (htmx swaps only a successful answer, so that one is 200)."""
    action = selectors.get_action_for(request.user, pk)
    prefix = f"action-{action.pk}"
    form = ActionUpdateForm(request.POST, prefix=prefix)
    from_mine = request.POST.get(f"{prefix}-return_to") == "mine"
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_update_add(
                acting_user=request.user,
                action=action,
                text=data["text"],
                rag=data["rag"],
                expected_version=data["version"],
                request=request,
            )
        except services.StaleAction as stale:
            action = selectors.get_action_for(request.user, pk)
            form = ActionUpdateForm(
                _with_current_version(request.POST, prefix, action), prefix=prefix
            )
            form.is_valid()
            add_service_errors(form, stale)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = f"Progress on action {action.reference} recorded."
            if from_mine and request.htmx:
                return _render_my_row(request, action, done=done, autofocus=True)
            messages.success(request, done)
            if from_mine:
                page = _page_of_mine(request.user, action.pk)
                return redirect(f"{reverse('tasking:my_actions')}?page={page}#action-{action.pk}")
            return redirect("tasking:action_detail", pk=action.pk)
    if from_mine and request.htmx:
        return _render_my_row(request, action, form=form)
    if from_mine:
        return _render_mine(request, opened=(action.pk, form), status=status)
    return _render_detail(request, action, update_form=form, status=status)


@require_http_methods(["GET", "POST"])
@police_required
def action_close(request, pk):
    user = request.user
    action = selectors.get_action_for(user, pk)
    policy.require_action_manager(user, action.unit, "close its actions")
    if not action.is_open:
        messages.info(request, f"Action {action.reference} is already closed.")
        return redirect("tasking:action_detail", pk=action.pk)
    form = ActionCloseForm(request.POST or None, initial={"version": action.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.action_close(
                    acting_user=user,
                    action=action,
                    outcome=form.cleaned_data["outcome"],
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except services.StaleAction as stale:
                action = selectors.get_action_for(user, pk)
                form = ActionCloseForm(_with_current_version(request.POST, "", action))
                form.is_valid()
                add_service_errors(form, stale)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Action {action.reference} closed.")
                return redirect("tasking:action_detail", pk=action.pk)
    return render(
        request,
        "tasking/actions/close.html",
        {
            "action": action,
            "updates": list(selectors.action_updates(action)[:3]),
            "form": form,
            "page_marking": page_marking_of([action]),
        },
        status=status,
    )
