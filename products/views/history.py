"""The staff history page: field-level changes of a product, its sections and its terms."""

from dataclasses import replace
from datetime import date, datetime

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from nim_portal.web.decorators import police_required
from products import selectors


def shown(value):
    """A changed value as the page prints it: dates and times in words, the rest as they are."""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    return value


@require_GET
@police_required
def product_history(request, pk: int):
    """404 unless the product is visible; 403 unless the reader is its owner or a reviewer or
    admin over its unit (selectors.product_history checks both before reading any history)."""
    product, entries = selectors.product_history(request.user, pk)
    entries = [
        replace(
            entry,
            changes=[replace(c, old=shown(c.old), new=shown(c.new)) for c in entry.changes],
        )
        for entry in entries
    ]
    return render(
        request,
        "products/history.html",
        {
            "product": product,
            "entries": entries,
            "limit": selectors.HISTORY_LIMIT,
            "page_marking": product.marking_label,
        },
    )
