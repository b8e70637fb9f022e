"""The product register (with search, filters and its CSV and XLSX export), commissioning, and
"My work" on the dashboard."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from nim_portal.choices import GSCMarking
from nim_portal.exports import Column, ListExport, list_download
from nim_portal.forms.errors import add_service_errors
from nim_portal.pagination import paginate
from nim_portal.search import paginate_ranked
from nim_portal.web.decorators import police_required
from products import selectors, services
from products.filters import ProductFilter
from products.forms import ProductCommissionForm
from products.policy import COMMISSIONING_ROLES
from products.search import RANKED_MATCHES

PRODUCTS_PER_PAGE = 25

# The register as a file (nim_portal.exports): what its rows show, read from what the register's
# selector selects with each product.
REGISTER_EXPORT = ListExport(
    name="product register",
    columns=[
        Column("Product id", lambda product: product.pk),
        Column("Title", lambda product: product.title),
        Column("Kind", lambda product: product.get_kind_display()),
        Column("Published version", lambda product: product.current_version or None),
        Column("Marking", lambda product: product.marking_label),
        Column("Status", lambda product: product.get_status_display()),
        Column("Unit", lambda product: product.unit.name),
        Column("Owner", lambda product: product.owner.get_full_name() or product.owner.username),
        Column("Due", lambda product: product.due_date),
        Column("Last updated", lambda product: product.updated_at),
    ],
    marking="marking",
)


@require_GET
@police_required
def product_register(request):
    text = request.GET.get("q", "").strip()
    product_filter = ProductFilter(
        request.GET, queryset=selectors.register_products(request.user), request=request
    )
    ranked = bool(text) and not product_filter.sorted_by_reader
    download = list_download(
        request,
        REGISTER_EXPORT,
        # Every row of the list as shown: the best matches in their order when ranked.
        lambda: selectors.search_products(request.user, text, product_filter.qs, ranked=ranked),
        form=product_filter.form,
    )
    if download is not None:
        return download
    if ranked:
        ranking = selectors.rank_register_products(request.user, text, product_filter.qs)
        page_obj = paginate_ranked(request, ranking, PRODUCTS_PER_PAGE)
    else:
        rows = selectors.search_products(request.user, text, product_filter.qs, ranked=False)
        # The newest-first index decides each product alone: counted in its order, a reader's
        # products are not looked for across the country's table.
        page_obj = paginate(request, rows, PRODUCTS_PER_PAGE, count_in_order=True)
    return render(
        request,
        "products/register.html",
        {
            "form": product_filter.form,
            "text": text,
            # A search of more matches than the list counts ranks only the newest of them.
            "ranked_among": RANKED_MATCHES if ranked else None,
            "filtering": any(request.GET.get(name) for name in product_filter.form.fields),
            "page_obj": page_obj,
            "today": timezone.localdate(),
            # The register shows each product's title and summary: marked as those are.
            "page_marking": max(
                (product.envelope_marking for product in page_obj.object_list),
                default=GSCMarking.OFFICIAL,
            ),
            "may_commission": selectors.units_where_user_holds_any(
                request.user, COMMISSIONING_ROLES
            ).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@police_required
def product_commission(request):
    units = selectors.units_where_user_holds_any(request.user, COMMISSIONING_ROLES)
    if not units.exists():
        raise PermissionDenied(
            "Only an analyst, chair or reviewer of a unit can commission products."
        )
    form = ProductCommissionForm(
        request.POST or None,
        units=units,
        people=selectors.people_around(units),
        analysts=selectors.analysts_over(units),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            product = services.product_commission(
                acting_user=request.user,
                unit=data["unit"],
                kind=data["kind"],
                title=data["title"],
                owner=data["owner"],
                requester=data["requester"],
                marking=data["marking"],
                descriptor=data["descriptor"],
                due_date=data["due_date"],
                need_to_know=data["need_to_know"],
                request=request,
            )
        except PermissionDenied as exc:
            form.add_error("unit", str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{product.get_kind_display()} “{product.title}” commissioned. "
                "Agree its terms of reference before drafting.",
            )
            return redirect("products:terms", pk=product.pk)
    return render(
        request,
        "products/commission.html",
        {"form": form, "page_marking": GSCMarking.OFFICIAL},
    )


def my_work_panel(user) -> dict:
    """The dashboard's "My work" panel (registered in products.apps)."""
    today = timezone.localdate()
    my_work = selectors.my_work(user, today)
    return {
        "my_work": my_work,
        "marking": my_work.marking,
        "limit": selectors.MY_WORK_LIMIT,
        "today": today,
    }
