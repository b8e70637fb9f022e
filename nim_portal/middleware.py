"""Session timeouts and the second-factor requirement, enforced once for every request; and a
page stopped by the database's statement timeout answered as "too busy", not as an error.

A view marked `checks_its_own_session` is left to check them itself: it reads the session and
never request.user (the meeting screen's "anything new?" poll, which answers no content and must
cost no user or device query).
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import OperationalError
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

from nim_portal import access

SESSION_STARTED_KEY = "nim_session_started_at"
SESSION_LAST_SEEN_KEY = "nim_session_last_seen_at"
# Refreshing "last seen" at most this often keeps polling pages from writing the session each time.
LAST_SEEN_RESOLUTION_SECONDS = 60


def checks_its_own_session(view):
    """Mark a view that checks the session's limits and owner itself (see the module's note)."""
    view.checks_its_own_session = True
    return view


def _checks_its_own_session(request) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "checks_its_own_session", False)


def session_limit_passed(session, now: float) -> str | None:
    """ "idle" or "expired" when a signed-in session is past its idle or absolute limit, else None.

    Only reads the session: the poll checks the limits without refreshing "last seen".
    """
    started = session.get(SESSION_STARTED_KEY, now)
    last_seen = session.get(SESSION_LAST_SEEN_KEY, now)
    if now - last_seen > settings.NIM_SESSION_IDLE_SECONDS:
        return "idle"
    if now - started > settings.NIM_SESSION_ABSOLUTE_SECONDS:
        return "expired"
    return None


class SessionTimeoutMiddleware:
    """Signs a user out after an idle period, and after an absolute lifetime in any case."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _checks_its_own_session(request) and request.user.is_authenticated:
            now = time.time()
            request.session.setdefault(SESSION_STARTED_KEY, now)
            last_seen = request.session.get(SESSION_LAST_SEEN_KEY, now)
            passed = session_limit_passed(request.session, now)
            if passed:
                logout(request)
                messages.info(
                    request,
                    "You were signed out after a period without activity."
                    if passed == "idle"
                    else "Your session reached its time limit: sign in again.",
                )
                return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or (
                SESSION_LAST_SEEN_KEY not in request.session
            ):
                request.session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """When a second factor is required, a signed-in user reaches only the sign-in pages until
    their session is verified by a one-time password (enrolling one on first sign-in)."""

    OPEN_URL_NAMES = ("login", "logout", "second_factor")
    OPEN_PREFIXES = ("/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not _checks_its_own_session(request)
            and access.second_factor_pending(request.user)
            and not request.path.startswith(self.OPEN_PREFIXES)
            and request.path not in {reverse(name) for name in self.OPEN_URL_NAMES}
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Sign in with your second factor before using the API."},
                    status=403,
                )
            if request.htmx:
                return HttpResponseForbidden("Second factor required.")
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('second_factor')}?{query}")
        return self.get_response(request)


# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"
RETRY_AFTER_SECONDS = 30


class StatementTimeoutMiddleware:
    """A page whose query ran past the web processes' statement timeout answers 503 with a
    "try again" page: the request fails alone, and nothing was saved (the transaction is rolled
    back), instead of holding a worker while the meeting screens' polls wait behind it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        if getattr(exception.__cause__, "sqlstate", None) != QUERY_CANCELED:
            return None
        response = render(request, "nim_portal/503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
