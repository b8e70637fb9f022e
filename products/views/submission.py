"""Submitting a draft for review: the page that checks it first.

The product page's Submit button opens this page, which writes nothing: it lists the sections
with no text yet (products.services.empty_sections), so that the analyst goes back to fill them
or submits the draft as it is. Its button posts to the product's submit action
(products.views.product.product_submit), which calls products.services.product_submit.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from nim_portal.web.decorators import police_required
from products import selectors, services
from products.choices import ProductStatus
from products.policy import ProductPolicy
from products.services.lifecycle import PRODUCT_LIFECYCLE


@require_GET
@police_required
def product_submit_check(request, pk):
    """404 unless the product is visible, 403 unless the user may submit it; a product that
    cannot be submitted now goes back to its page with the reason."""
    product = selectors.get_product_for(request.user, pk)
    ProductPolicy(request.user, product).require_submit()
    try:
        PRODUCT_LIFECYCLE.check(product, ProductStatus.SUBMITTED)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("products:detail", pk=product.pk)
    return render(
        request,
        "products/submit_check.html",
        {
            "product": product,
            "empty_sections": services.empty_sections(product),
            "page_marking": product.marking_label,
        },
    )
