"""A product's page and its lifecycle actions (each a POST form calling one service).

Missing and forbidden products give the same 404: the page opens a product by the marking of its
title and summary (products.selectors.get_openable_product_for) and withholds each section above
the reader's vetting; every action needs the whole product (products.selectors.get_product_for).
A refusal by a service changes nothing: PermissionDenied shows its message on the 403 page, a
ValidationError goes back to the product's page, on the action's form or as a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import access
from nim_portal.forms.errors import add_service_errors
from nim_portal.selectors import visible_units
from nim_portal.web.decorators import police_required
from nim_portal.web.markings import PortionMarking
from products import selectors, services
from products.choices import ProductStatus
from products.forms import CloseForm, NeedToKnowForm, ProductDetailsForm, ReturnForm, ShareForm
from products.panels import product_panels_for
from products.policy import ProductPolicy, details_refusal, sections_refusal
from products.services.lifecycle import PRODUCT_LIFECYCLE


def _share_units(user, product):
    """Units a product can be shared with: not its own, not those below it (which see it
    already) and not those above it (whose people see it by their roles)."""
    return (
        visible_units(user)
        .filter(is_active=True)
        .exclude(access.in_tree_of(product.unit, field=None))
    )


def _detail_context(request, product, **forms) -> dict:
    """Everything the product's page shows, in a fixed number of queries.

    A reader who may open the product but not read all of it (selectors.reads_whole) is shown
    each section above their vetting as withheld, with its marking only, and nothing of working
    on it: no review comments, edit links, history, terms or actions (each of those pages and
    services needs the whole product).
    """
    user = request.user
    whole = selectors.reads_whole(user, product)
    sections = list(product.sections.order_by("position", "id"))
    shown = selectors.live_sections_for(user, sections)
    comments = []
    if whole:
        comments = list(
            product.review_comments.filter(version_number=product.drafting_version)
            .select_related("author")
            .order_by("created_at", "id")
        )
    policy = ProductPolicy(user, product) if whole else None
    status = product.status
    may_edit = bool(policy and policy.can_edit())
    may_manage = bool(policy and policy.can_manage())
    actions = {
        "submit": bool(policy and policy.can_submit()) and status == ProductStatus.DRAFTING,
        "review": bool(policy and policy.can_review()) and status == ProductStatus.SUBMITTED,
        "close": may_manage and PRODUCT_LIFECYCLE.allows(status, ProductStatus.CLOSED),
        "share": may_manage and status != ProductStatus.CLOSED,
        "grant": may_manage and status != ProductStatus.CLOSED and product.need_to_know,
    }
    section_rows = [
        {
            "section": section,
            "comments": [c for c in comments if c.section_id == section.id],
        }
        for section in shown
    ]
    portion = selectors.portion_marking(product.envelope_marking, shown)
    # The other apps' panels (activity against the product) are for readers of the whole.
    panels = product_panels_for(user, product) if whole else []
    portion = PortionMarking(
        shown=max([portion.shown, *(row["panel"]["marking"] for row in panels)]),
        withheld=portion.withheld,
    )
    context = {
        "product": product,
        "terms": product.terms,
        "sections": section_rows,
        "reads_whole": whole,
        "general_comments": [c for c in comments if c.section_id is None],
        "versions": list(selectors.openable_versions(user, product)),
        "shares": list(product.unit_shares.select_related("unit").order_by("unit__path")),
        "may_edit_sections": may_edit and not sections_refusal(product),
        "may_edit_details": may_edit and not details_refusal(product),
        "may_read_history": bool(policy and policy.can_read_history()),
        "actions": actions,
        "today": timezone.localdate(),
        "feedback_panel": selectors.feedback_panel(user, product, policy=policy),
        "panels": panels,
        **portion.page_context(product.descriptor),
    }
    if actions["review"]:
        context["return_form"] = forms.get("return_form") or ReturnForm(sections=sections)
    if actions["close"]:
        context["close_form"] = forms.get("close_form") or CloseForm(product=product)
    if actions["share"]:
        context["share_form"] = forms.get("share_form") or ShareForm(
            units=_share_units(user, product)
        )
    if actions["grant"]:
        context["grant_form"] = forms.get("grant_form") or NeedToKnowForm()
    return context


def _page_with_errors(request, product, **forms):
    return render(
        request, "products/detail.html", _detail_context(request, product, **forms), status=400
    )


@require_GET
@police_required
def product_detail(request, pk):
    """The product as its reader may read it: opened by its title and summary's marking, each
    section above the reader's vetting withheld."""
    product = selectors.get_openable_product_for(request.user, pk)
    return render(request, "products/detail.html", _detail_context(request, product))


@require_http_methods(["GET", "POST"])
@police_required
def product_details(request, pk):
    """Change the product's details: for a problem profile its scope, for a subject profile the
    subject, lawful basis, purpose and proportionality that its submission needs."""
    product = selectors.get_product_for(request.user, pk)
    ProductPolicy(request.user, product).require_edit()
    form = ProductDetailsForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(
                acting_user=request.user, product=product, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Details saved.")
            return redirect("products:detail", pk=product.pk)
    return render(
        request,
        "products/details.html",
        {
            "product": product,
            "form": form,
            "refusal": details_refusal(product),
            # The details are the product's title and summary.
            "page_marking": product.label_of(product.envelope_marking),
        },
        status=400 if form.errors else 200,
    )


def _refused(request, product, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))
    return redirect("products:detail", pk=product.pk)


@require_POST
@police_required
def product_submit(request, pk):
    product = selectors.get_product_for(request.user, pk)
    try:
        services.product_submit(acting_user=request.user, product=product, request=request)
    except ValidationError as exc:
        return _refused(request, product, exc)
    messages.success(request, f"Version {product.drafting_version} submitted for review.")
    return redirect("products:detail", pk=product.pk)


@require_POST
@police_required
def product_approve(request, pk):
    product = selectors.get_product_for(request.user, pk)
    try:
        version = services.product_approve(
            acting_user=request.user,
            product=product,
            standards=request.POST.getlist("standards"),
            request=request,
        )
    except ValidationError as exc:
        return _refused(request, product, exc)
    messages.success(request, f"Version {version.number} approved and published.")
    return redirect("products:detail", pk=product.pk)


@require_POST
@police_required
def product_feedback(request, pk):
    product = selectors.get_openable_product_for(request.user, pk)
    try:
        services.product_feedback_give(
            acting_user=request.user,
            product=product,
            usefulness=request.POST.get("usefulness", ""),
            comment=request.POST.get("comment", ""),
            request=request,
        )
    except ValidationError as exc:
        return _refused(request, product, exc)
    messages.success(request, "Thank you: your feedback is sent to its author and approver.")
    return redirect("products:detail", pk=product.pk)


@require_POST
@police_required
def product_return(request, pk):
    product = selectors.get_product_for(request.user, pk)
    sections = list(product.sections.order_by("position", "id"))
    form = ReturnForm(request.POST, sections=sections)
    if form.is_valid():
        try:
            # The comments and the return stand or fall together.
            with transaction.atomic():
                for section, text in form.section_comments():
                    services.review_comment_add(
                        acting_user=request.user,
                        product=product,
                        text=text,
                        section=section,
                        request=request,
                    )
                services.product_return(
                    acting_user=request.user,
                    product=product,
                    comment=form.cleaned_data["comment"],
                    request=request,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The draft was returned to its analyst with your comments.")
            return redirect("products:detail", pk=product.pk)
    return _page_with_errors(request, product, return_form=form)


@require_POST
@police_required
def product_close(request, pk):
    product = selectors.get_product_for(request.user, pk)
    form = CloseForm(request.POST, product=product)
    if form.is_valid():
        try:
            services.product_close(
                acting_user=request.user,
                product=product,
                reason=form.cleaned_data["reason"],
                reason_text=form.cleaned_data["reason_text"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The product is closed.")
            return redirect("products:detail", pk=product.pk)
    return _page_with_errors(request, product, close_form=form)


@require_POST
@police_required
def product_share(request, pk):
    product = selectors.get_product_for(request.user, pk)
    form = ShareForm(request.POST, units=_share_units(request.user, product))
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            services.product_share_with_unit(
                acting_user=request.user, product=product, unit=unit, request=request
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The product is shared with {unit}.")
            return redirect("products:detail", pk=product.pk)
    return _page_with_errors(request, product, share_form=form)


@require_POST
@police_required
def product_grant_need_to_know(request, pk):
    product = selectors.get_product_for(request.user, pk)
    form = NeedToKnowForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["username"]
        try:
            granted = services.product_grant_need_to_know(
                acting_user=request.user, product=product, user=person, request=request
            )
        except ValidationError as exc:
            form.add_error("username", exc.messages)
        else:
            messages.success(
                request,
                f"{person} may now read the product."
                if granted
                else f"{person} already had the need to know.",
            )
            return redirect("products:detail", pk=product.pk)
    return _page_with_errors(request, product, grant_form=form)
