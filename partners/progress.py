"""What the partners' pages say of their PDFs while they are made: the job-progress component's
view of each PDF's job (nim_portal.job_progress), and the one sentence saying where a release's
PDFs stand.

An agency's PDF shows to the police staff who see its release (releases_visible_to_staff); a
partner user's own copy shows to that partner user alone, while the release is theirs to read
(releases_for_partner). To anybody else the readers answer None, and the component's endpoint
404. The pages, which have checked their reader already, build the same outcomes without a query
per PDF (`document_outcome`, `copy_outcome`).
"""

from django.urls import reverse

from nim_portal.job_progress import JobOutcome
from nim_portal.models import User
from partners.choices import GRANTED_STATUSES, DocumentStatus
from partners.models import ReleaseCopy, ReleaseDocument
from partners.policy import ReleasePolicy
from partners.selectors import releases_for_partner, releases_visible_to_staff

RENDERING = "Rendering…"


def document_outcome(document: ReleaseDocument, *, may_retry: bool) -> JobOutcome:
    """An agency's PDF as its release's staff see it: ready, or failed with their retry."""
    retry_url = ""
    if may_retry:
        retry_url = reverse(
            "partners:release_document_retry", args=[document.release_id, document.pk]
        )
    return JobOutcome(
        subject=f"the PDF for {document.agency.name}", working=RENDERING, retry_url=retry_url
    )


def may_retry_documents(policy: ReleasePolicy) -> bool:
    """Its preparer or a reviewer over the product's unit, while the release is live."""
    return policy.release.status in GRANTED_STATUSES and policy.can_manage()


def document_outcome_for(user: User, document_id: int) -> JobOutcome | None:
    """The job-progress reader of partners.release_document (registered in partners.apps)."""
    release = releases_visible_to_staff(user).filter(documents__pk=document_id).first()
    if release is None:
        return None
    document = release.documents.select_related("agency").get(pk=document_id)
    return document_outcome(document, may_retry=may_retry_documents(ReleasePolicy(user, release)))


def copy_outcome(copy: ReleaseCopy, reference: str) -> JobOutcome:
    """A partner user's own copy, as they see it: then the link to download it."""
    return JobOutcome(
        subject=f"your copy of {reference}",
        working=RENDERING,
        result_url=reverse("partners:area_download", args=[copy.release_id]),
        result_label=f"Download your copy of {reference}",
        retry_url=reverse("partners:area_copy", args=[copy.release_id]),
    )


def copy_outcome_for(user: User, copy_id: int) -> JobOutcome | None:
    """The job-progress reader of partners.release_copy (registered in partners.apps)."""
    copy = (
        ReleaseCopy.objects.filter(
            pk=copy_id, user=user, release__in=releases_for_partner(user).values("pk")
        )
        .select_related("release")
        .first()
    )
    return copy_outcome(copy, copy.release.reference) if copy is not None else None


def pdfs_state(documents: list[ReleaseDocument]) -> str:
    """Where a release's PDFs stand, in one sentence: the release's page, the panel that follows
    the renders and the message after approval all say it so, from the PDFs themselves."""
    if not documents:
        return "The PDFs are rendered, one for each agency, once the release is approved."
    failed = [d.agency.name for d in documents if d.status == DocumentStatus.FAILED]
    ready = sum(d.status == DocumentStatus.READY for d in documents)
    if failed:
        return f"The PDF for {', '.join(failed)} failed: try it again below."
    if ready == len(documents):
        return "Every agency's PDF is ready: partners download their own copies."
    return f"{ready} of {len(documents)} PDFs ready; the others are being rendered."
