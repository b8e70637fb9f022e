"""What the print page says of a version's PDF while it is printed: the job-progress component's
view of its job (nim_portal.job_progress).

A print is seen by a reader who may open its version (products.selectors.openable_versions) and
is handed that print (services.prints.print_ceiling: the print of their own ceiling); to anybody
else the reader answers None, and the component's endpoint 404. The print page, which has
checked its reader already, builds the same outcome without another query (`print_outcome`).
"""

from django.urls import reverse

from nim_portal.job_progress import JobOutcome
from nim_portal.models import User
from products.models import ProductVersion, ProductVersionPrint
from products.selectors import openable_versions
from products.services.prints import print_ceiling


def print_outcome(version: ProductVersion) -> JobOutcome:
    """A version's PDF as its reader sees it: then the link that downloads it (audited), or
    their way to try a failed print again."""
    url = reverse("products:version_print", args=[version.product_id, version.number])
    return JobOutcome(
        subject=f"the PDF of version {version.number}",
        working="Printing…",
        result_url=url,
        result_label=f"Download the PDF of version {version.number}",
        retry_url=url,
    )


def print_outcome_for(user: User, print_id: int) -> JobOutcome | None:
    """The job-progress reader of products.version_print (registered in products.apps)."""
    printed = (
        ProductVersionPrint.objects.filter(pk=print_id).select_related("version__product").first()
    )
    if printed is None:
        return None
    version = printed.version
    if not openable_versions(user, version.product).filter(pk=version.pk).exists():
        return None
    if printed.ceiling != print_ceiling(user, version):
        return None
    return print_outcome(version)
