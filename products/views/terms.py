"""A product's terms of reference: the terms, their agreement by both sides, and their history.

Changed by the requester or the developer (products.services.tor_update; a change after either
side agreed clears both agreements) and agreed by each (products.services.tor_agree).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import police_required
from nim_portal.web.history import HISTORY_LIMIT, history_entries
from products import selectors, services
from products.forms import TermsForm
from products.models import TermsOfReference
from products.policy import is_terms_party, terms_refusal

# Fields compared from one history record to the next.
HISTORY_FIELDS = [
    *TermsOfReference.EDITABLE_FIELDS,
    "agreed_by_requester_at",
    "agreed_by_developer_at",
]


def _terms_of(product) -> TermsOfReference:
    return TermsOfReference.objects.select_related(
        "requester", "developer", "agreed_by_requester", "agreed_by_developer"
    ).get(product_id=product.pk)


def _render(request, product, terms, form, status=200):
    user = request.user
    is_party = is_terms_party(user, terms)
    is_open = not terms_refusal(product)
    awaiting = (user.pk == terms.requester_id and terms.agreed_by_requester_at is None) or (
        user.pk == terms.developer_id and terms.agreed_by_developer_at is None
    )
    records = selectors.terms_history(user, product)[: HISTORY_LIMIT + 1]
    return render(
        request,
        "products/terms.html",
        {
            "product": product,
            "terms": terms,
            # A refused change keeps its form and message even where the terms are closed.
            "form": form if is_party and (is_open or form.is_bound) else None,
            "may_agree": is_party and is_open and awaiting,
            "history": history_entries(records, HISTORY_FIELDS),
            "page_marking": product.marking_label,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@police_required
def terms_detail(request, pk):
    product = selectors.get_product_for(request.user, pk)
    terms = _terms_of(product)
    if request.method == "GET":
        return _render(request, product, terms, TermsForm.for_terms(terms))
    form = TermsForm.for_terms(terms, request.POST)
    if form.is_valid():
        was_agreed = terms.agreed_by_requester_at or terms.agreed_by_developer_at
        try:
            updated = services.tor_update(
                acting_user=request.user, terms=terms, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            cleared = was_agreed and not (
                updated.agreed_by_requester_at or updated.agreed_by_developer_at
            )
            messages.success(
                request,
                "Terms saved. They changed after agreement: both sides must agree again."
                if cleared
                else "Terms saved.",
            )
            return redirect("products:terms", pk=product.pk)
    return _render(request, product, terms, form, status=400)


@require_POST
@police_required
def terms_agree(request, pk):
    product = selectors.get_product_for(request.user, pk)
    terms = _terms_of(product)
    try:
        terms = services.tor_agree(acting_user=request.user, terms=terms, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            "Both sides have agreed the terms: drafting can start."
            if terms.is_agreed
            else "You agreed the terms. The other side must agree too.",
        )
    return redirect("products:terms", pk=product.pk)
