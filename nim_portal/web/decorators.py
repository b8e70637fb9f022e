"""Who may open a page. Each decorator signs people in first, then asks the access policy
(nim_portal.access) one or two questions: is the user of the page's audience (police or partner)?
Anybody else gets the 404 of a missing page, so that the other kind of user learns nothing of
these pages. And, for pages of some police users only, may this user use them? If not, 403 with
the reason."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from nim_portal import access
from nim_portal.models import User


def access_required(
    audience: Callable[[User], bool],
    may: Callable[[User], bool] | None = None,
    refusal: str = "",
):
    """A decorator for pages of the users for whom `audience` holds (404 for everybody else) and,
    with `may`, only of those for whom it holds too (403 with `refusal` for the others)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not audience(request.user):
                raise Http404
            if may is not None and not may(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


police_required = access_required(access.is_police)
partner_required = access_required(access.is_active_partner)
staff_required = access_required(
    access.is_police, access.is_unit_admin, "Only unit administrators can use the staff pages."
)
system_administrator_required = access_required(
    access.is_police,
    access.is_system_administrator,
    "Only system administrators can see the background jobs.",
)
