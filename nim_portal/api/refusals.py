"""The API's one answer to a service's refusal, whichever app's endpoint called the service.

Services refuse with Django's exceptions, the same for the pages, the API and the tasks, and the
endpoints call them directly. DRF answers PermissionDenied with 403 and Http404 with 404, each with
its message. `refusal_handler` (REST_FRAMEWORK's EXCEPTION_HANDLER) adds ValidationError: 400 with
its messages, each field's under the field's name, the others in a list under `detail`. A refusal
that is a conflict with somebody else's change (nim_portal.lifecycle.StaleChange, or a
ValidationError subclass whose body an app's API registers with `conflict_answer`) is 409 with
its message and code under `detail` and `code`, or with the body registered for its class (the
nearest), which carries what the client needs to merge.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.views import exception_handler

from nim_portal.lifecycle import StaleChange, StaleVersion

# A conflict's body, from the refusal and DRF's context (the view, its args and kwargs).
ConflictBody = Callable[[DjangoValidationError, dict], dict]

_CONFLICT_BODIES: dict[type[DjangoValidationError], ConflictBody] = {}


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, body: dict):
        super().__init__()
        # The body as given: APIException would turn its numbers into strings.
        self.detail = body


def conflict_answer(refusal: type[DjangoValidationError]) -> Callable[[ConflictBody], ConflictBody]:
    """Register the decorated function as the body of the 409 that answers `refusal`."""

    def register(body: ConflictBody) -> ConflictBody:
        _CONFLICT_BODIES[refusal] = body
        return body

    return register


@conflict_answer(StaleChange)
def _stale_change(stale: StaleChange, context: dict) -> dict:
    """A change over a copy somebody has changed since: nothing was changed, and why."""
    return {"detail": stale.messages[0], "code": stale.code}


@conflict_answer(StaleVersion)
def _stale_version(stale: StaleVersion, context: dict) -> dict:
    """A change sent over an older version: nothing was saved; the version saved now."""
    return {"detail": stale.messages[0], "code": stale.code, "version": stale.record.version}


def _as_api_exception(refusal: DjangoValidationError, context: dict) -> APIException:
    for kind in type(refusal).__mro__:
        body = _CONFLICT_BODIES.get(kind)
        if body is not None:
            return Conflict(body(refusal, context))
    if hasattr(refusal, "error_dict"):
        return ValidationError(refusal.message_dict)
    return ValidationError({"detail": refusal.messages})


def refusal_handler(exc, context):
    """DRF's exception handler, which also answers a service's ValidationError (see above)."""
    if isinstance(exc, DjangoValidationError):
        exc = _as_api_exception(exc, context)
    return exception_handler(exc, context)
