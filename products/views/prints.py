"""The printed PDF of a published version: its progress while it is being printed (the core
job-progress component, products.progress), then the file.

Every read goes through the selector of the versions the reader may open first (missing and
forbidden: the same 404); each reader is handed the print of their own vetting, with every
section above it withheld (products.services.prints); every download is audited by
products.services.product_version_print_download (rule 7).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from nim_portal.job_progress import JobProgress, latest_jobs
from nim_portal.web.decorators import police_required
from products import selectors, services
from products.models import Product, ProductVersion, ProductVersionPrint
from products.progress import print_outcome


def _visible_version(request, pk: int, number: int) -> tuple[Product, ProductVersion]:
    product = selectors.get_openable_product_for(request.user, pk)
    version = selectors.openable_versions(request.user, product).filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.product = product
    return product, version


def _status_context(request, product: Product, version: ProductVersion, printed):
    """The print's progress (its newest job: a retry writes a new one), marked as the print it
    is about."""
    sections = selectors.version_sections_for(request.user, version)
    portion = selectors.portion_marking(product.envelope_marking, sections)
    job = latest_jobs(services.VERSION_PRINT_JOB, [printed.pk]).get(printed.pk)
    return {
        "product": product,
        "version": version,
        "printed": printed,
        "progress": JobProgress(job, print_outcome(version)) if job else None,
        **portion.page_context(version.content.get("descriptor", "")),
    }


def _pdf_response(product: Product, version: ProductVersion, printed: ProductVersionPrint):
    filename = f"{slugify(product.title)[:80] or 'product'}-v{version.number}.pdf"
    response = FileResponse(
        printed.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@police_required
def version_print(request, pk: int, number: int):
    """GET: the PDF when it is ready (audited), else its progress. POST: try a failed print
    again."""
    product, version = _visible_version(request, pk, number)
    if request.method == "POST":
        try:
            services.product_version_print_retry(
                acting_user=request.user, version=version, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("products:version_print", pk=product.pk, number=version.number)

    printed = services.product_version_print_request(
        acting_user=request.user, version=version, request=request
    )
    if printed.is_ready:
        try:
            printed = services.product_version_print_download(
                acting_user=request.user, version=version, request=request
            )
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
            printed.refresh_from_db()
        else:
            return _pdf_response(product, version, printed)
    return render(
        request, "products/print/status.html", _status_context(request, product, version, printed)
    )
