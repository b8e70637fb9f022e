"""Every state change of the partners app: agencies and their people, releases, their PDFs and
downloads.

Each function takes the acting user (keyword-only; system jobs say so and take none), checks
permission and the release lifecycle (partners.choices.RELEASE_TRANSITIONS) under a row lock,
changes the data atomically, and leaves a history reason and an audit event behind. A refusal
raises PermissionDenied, ValidationError (a message fit to show) or Http404, and changes nothing.

What a partner receives is built by partners.sanitise.build_partner_text alone, frozen on the
release at approval (`partner_content`), and rendered from there: never from the version.

One module per concept: agencies (and their people), releases (preparing, preview, approval),
lifecycle (the lock, the moves, withdrawal and expiry), documents (the agencies' PDFs and their
jobs), copies (each partner user's own PDF, naming them) and downloads (the partner's side).
Callers import the services from here.
"""

from partners.services.agencies import (
    AGENCY_FIELDS,
    NPPV_LEVELS,
    agency_create,
    agency_update,
    agency_user_add,
    agency_user_remove,
)
from partners.services.copies import (
    RELEASE_COPY_JOB,
    release_copy_render,
    release_copy_render_failed,
    release_copy_reopen,
)
from partners.services.documents import (
    RELEASE_DOCUMENT_JOB,
    release_document_render,
    release_document_render_failed,
    release_document_reopen,
    release_document_retry,
    release_pdf,
)
from partners.services.downloads import (
    HandlingNotAcknowledged,
    ReleaseEnded,
    handling_acknowledge,
    release_copy_request,
    release_download,
)
from partners.services.lifecycle import release_expire, release_withdraw, releases_due_to_expire
from partners.services.releases import (
    ReleasePreview,
    release_acknowledge_warnings,
    release_approve,
    release_prepare,
    release_preview,
)

__all__ = [
    "AGENCY_FIELDS",
    "NPPV_LEVELS",
    "RELEASE_COPY_JOB",
    "RELEASE_DOCUMENT_JOB",
    "HandlingNotAcknowledged",
    "ReleaseEnded",
    "ReleasePreview",
    "agency_create",
    "agency_update",
    "agency_user_add",
    "agency_user_remove",
    "handling_acknowledge",
    "release_acknowledge_warnings",
    "release_approve",
    "release_copy_render",
    "release_copy_render_failed",
    "release_copy_reopen",
    "release_copy_request",
    "release_document_render",
    "release_document_render_failed",
    "release_document_reopen",
    "release_document_retry",
    "release_download",
    "release_expire",
    "release_pdf",
    "release_prepare",
    "release_preview",
    "release_withdraw",
    "releases_due_to_expire",
]
