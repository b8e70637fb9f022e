"""The bids of a TT&CG: the meeting's bids ranked, with committed against available in its cycle;
submitting a bid before the meeting sits; a bid's page, where the chair ranks it and, at the
sitting, accepts it (as an action committing its hours), declines or defers it with a reason.

Missing and forbidden give the same 404 (tasking.meetings.selectors, tasking.bids.selectors).
Every change goes through tasking.bids.services: PermissionDenied shows its message on the 403
page, a ValidationError goes back onto the form, and a change over an older version than the one
saved is refused (409) with the bid shown as it is now.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import access
from nim_portal.forms.errors import add_service_errors
from nim_portal.models import Unit
from nim_portal.web.decorators import police_required
from products.selectors import people_around, visible_products
from tasking.bids import policy, selectors, services
from tasking.bids.forms import BidAcceptForm, BidForm, BidRankForm, BidReasonForm
from tasking.meetings.choices import MeetingStatus
from tasking.meetings.selectors import meeting_for_user
from tasking.resources.selectors import active_capabilities_of, cycle_load
from tasking.safeguards.services import AUTHORITY_FIELDS
from tasking.strategy.selectors import priorities_for_unit


def _rank_form(bid, data=None) -> BidRankForm:
    return BidRankForm(
        data, prefix=f"bid-{bid.pk}", initial={"version": bid.version, "rank": bid.rank}
    )


@require_GET
@police_required
def meeting_bids(request, meeting_pk):
    user = request.user
    meeting = meeting_for_user(user, meeting_pk)
    bids = list(selectors.bids_for_meeting(user, meeting))
    may_rank = meeting.status != MeetingStatus.CLOSED and policy.can_decide_bids(user, meeting)
    return render(
        request,
        "tasking/bids/meeting.html",
        {
            "meeting": meeting,
            "rows": [
                {"bid": bid, "rank_form": _rank_form(bid) if may_rank and bid.is_open else None}
                for bid in bids
            ],
            "load": cycle_load(meeting),
            "may_submit": meeting.status == MeetingStatus.SCHEDULED
            and policy.can_submit_bid(user, meeting),
            "page_marking": selectors.page_marking_of_bids(bids),
        },
    )


@require_http_methods(["GET", "POST"])
@police_required
def bid_submit(request, meeting_pk):
    user = request.user
    meeting = meeting_for_user(user, meeting_pk)
    policy.require_bidder(user, meeting)
    priorities = priorities_for_unit(user, meeting.unit)
    form = BidForm(
        request.POST or None,
        priorities=priorities,
        capabilities=active_capabilities_of(meeting.unit),
        products=visible_products(user).filter(unit=meeting.unit),
    )
    if request.method == "POST" and form.is_valid():
        try:
            bid = services.bid_submit(
                acting_user=user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Bid {bid.reference} submitted to the meeting.")
            return redirect("tasking:meeting_bids", meeting_pk=meeting.pk)
    priority_list = list(priorities)
    return render(
        request,
        "tasking/bids/submit.html",
        {
            "meeting": meeting,
            "form": form,
            "has_priorities": bool(priority_list),
            "page_marking": max(
                [
                    selectors.page_marking_of_bids([]),
                    *(p.control_strategy.marking for p in priority_list),
                ]
            ),
        },
        status=400 if form.errors else 200,
    )


def _accept_form(user, bid, data=None) -> BidAcceptForm:
    unit = bid.unit
    return BidAcceptForm(
        data,
        initial={"version": bid.version, "owner_unit": unit.pk},
        people=people_around(Unit.objects.filter(pk=unit.pk)),
        units=Unit.objects.filter(access.at_or_below(unit, field=None), is_active=True),
        escalations=selectors.escalations_for_bid(user, bid),
    )


def _render_bid(request, bid, *, forms=None, status=200):
    user = request.user
    meeting = bid.meeting
    may_decide = bid.is_open and policy.can_decide_bids(user, meeting)
    sitting = meeting.status == MeetingStatus.IN_SESSION
    forms = forms or {}
    context = {
        "bid": bid,
        "meeting": meeting,
        "load": cycle_load(meeting) if may_decide else None,
        "rank_form": None,
        "accept_form": None,
        "decline_form": None,
        "defer_form": None,
        "sitting": sitting,
        "page_marking": selectors.page_marking_of_bids([bid]),
    }
    if may_decide and meeting.status != MeetingStatus.CLOSED:
        context["rank_form"] = forms.get("rank") or _rank_form(bid)
    if may_decide and sitting:
        initial = {"version": bid.version}
        context["accept_form"] = forms.get("accept") or _accept_form(user, bid)
        context["decline_form"] = forms.get("decline") or BidReasonForm(
            prefix="decline", initial=initial
        )
        context["defer_form"] = forms.get("defer") or BidReasonForm(prefix="defer", initial=initial)
    return render(request, "tasking/bids/detail.html", context, status=status)


@require_GET
@police_required
def bid_detail(request, pk):
    return _render_bid(request, selectors.get_bid_for(request.user, pk))


def _change(request, pk, name: str, form, change, done: str):
    """Run `change(bid, cleaned_data)` from the bid's page; its refusal goes back onto `form`."""
    bid = selectors.get_bid_for(request.user, pk)
    status = 400
    if form.is_valid():
        try:
            change(bid, form.cleaned_data)
        except services.StaleBid as stale:
            add_service_errors(form, stale)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done.format(reference=bid.reference))
            if name == "rank" and request.POST.get("return_to") == "meeting":
                return redirect("tasking:meeting_bids", meeting_pk=bid.meeting_id)
            return redirect("tasking:bid_detail", pk=bid.pk)
    bid = selectors.get_bid_for(request.user, pk)
    return _render_bid(request, bid, forms={name: form}, status=status)


@require_POST
@police_required
def bid_rank(request, pk):
    def rank(bid, data):
        services.bid_rank(
            acting_user=request.user,
            bid=bid,
            rank=data["rank"],
            expected_version=data["version"],
            request=request,
        )

    form = BidRankForm(request.POST, prefix=f"bid-{pk}")
    return _change(request, pk, "rank", form, rank, "Bid {reference} ranked.")


@require_POST
@police_required
def bid_accept(request, pk):
    bid = selectors.get_bid_for(request.user, pk)

    def accept(bid, data):
        services.bid_accept(
            acting_user=request.user,
            bid=bid,
            expected_version=data["version"],
            due_date=data["due_date"],
            owner_user=data["owner_user"],
            owner_unit=data["owner_unit"],
            escalation=data["escalation"],
            request=request,
            covert=data["covert"],
            **{field: data[field] for field in AUTHORITY_FIELDS},
        )

    form = _accept_form(request.user, bid, request.POST)
    return _change(
        request, pk, "accept", form, accept, "Bid {reference} accepted: it is on the action log."
    )


def _with_reason(request, pk, name: str, service, done: str):
    def decide(bid, data):
        service(
            acting_user=request.user,
            bid=bid,
            reason=data["reason"],
            expected_version=data["version"],
            request=request,
        )

    form = BidReasonForm(request.POST, prefix=name)
    return _change(request, pk, name, form, decide, done)


@require_POST
@police_required
def bid_decline(request, pk):
    return _with_reason(request, pk, "decline", services.bid_decline, "Bid {reference} declined.")


@require_POST
@police_required
def bid_defer(request, pk):
    return _with_reason(request, pk, "defer", services.bid_defer, "Bid {reference} deferred.")
