"""Every state change of the products app: commissioning, terms of reference, drafting, review,
publication, closure and sharing.

Each function takes the acting user (keyword-only), checks permission and the lifecycle
(products.choices.PRODUCT_TRANSITIONS) under a row lock, changes the data atomically, and leaves
a history reason (django-simple-history) and an audit event behind. A refusal raises
PermissionDenied or ValidationError with a message fit to show, and changes nothing.

One module per concept: lifecycle (the lock, the moves, closure), commissioning (and details),
terms, sections, reviews (and publication, with its standards checklist), profile reviews (their
reminders), feedback, shares, notifications and prints. Callers import the
services from here.
"""

from products.services.commissioning import DETAIL_FIELDS, product_commission, product_update
from products.services.feedback import product_feedback_give
from products.services.lifecycle import CLOSURE_REASONS_OF_KIND, product_close
from products.services.notifications import (
    APPROVED_AND_PUBLISHED,
    PRODUCT_FEEDBACK,
    PROFILE_REVIEW_DUE,
    RETURNED_WITH_COMMENTS,
    SUBMITTED_FOR_REVIEW,
    TOR_AWAITS_AGREEMENT,
    product_lifecycle_notify,
)
from products.services.prints import (
    NO_HANDLING_INSTRUCTIONS,
    VERSION_PRINT_JOB,
    product_version_pdf,
    product_version_print_download,
    product_version_print_failed,
    product_version_print_pending,
    product_version_print_render,
    product_version_print_request,
    product_version_print_retry,
)
from products.services.profile_reviews import profile_reviews_remind_due
from products.services.reviews import (
    empty_sections,
    product_approve,
    product_return,
    product_snapshot,
    product_submit,
    review_comment_add,
    snapshot_digest,
    standards_unconfirmed,
)
from products.services.sections import (
    SectionEditConflict,
    SectionSaved,
    section_add,
    section_reorder,
    section_retitle,
    section_update,
)
from products.services.shares import product_grant_need_to_know, product_share_with_unit
from products.services.terms import tor_agree, tor_update

__all__ = [
    "APPROVED_AND_PUBLISHED",
    "CLOSURE_REASONS_OF_KIND",
    "DETAIL_FIELDS",
    "NO_HANDLING_INSTRUCTIONS",
    "PRODUCT_FEEDBACK",
    "PROFILE_REVIEW_DUE",
    "RETURNED_WITH_COMMENTS",
    "SUBMITTED_FOR_REVIEW",
    "TOR_AWAITS_AGREEMENT",
    "VERSION_PRINT_JOB",
    "SectionEditConflict",
    "SectionSaved",
    "empty_sections",
    "product_approve",
    "product_close",
    "product_commission",
    "product_feedback_give",
    "product_grant_need_to_know",
    "product_lifecycle_notify",
    "product_return",
    "product_share_with_unit",
    "product_snapshot",
    "product_submit",
    "product_update",
    "product_version_pdf",
    "product_version_print_download",
    "product_version_print_failed",
    "product_version_print_pending",
    "product_version_print_render",
    "product_version_print_request",
    "product_version_print_retry",
    "profile_reviews_remind_due",
    "review_comment_add",
    "section_add",
    "section_reorder",
    "section_retitle",
    "section_update",
    "snapshot_digest",
    "standards_unconfirmed",
    "tor_agree",
    "tor_update",
]
