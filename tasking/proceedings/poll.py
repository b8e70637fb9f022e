"""The meeting screen's poll ticket: "has anything changed?" answered in two queries.

A normal request costs the session, the user and their OTP device before the view runs. The
screens poll every two seconds, so each full render of a screen mints a ticket (signed, short
lived) naming who rendered it, in which session, and the screen revision they saw. The poll view
(marked `checks_its_own_session`, so the session middlewares leave it alone) never touches
request.user: it checks the ticket, loads the session (1 query) to see it is still the same
session of the same user, within its idle and absolute limits and verified by a second factor
when one is required, then reads the revision the user may still read (1 query).

The poll answers no meeting content: "nothing new" (204), "changed" (the page fetches its
fragment through the normal stack, which checks access and the audience again) or "reload"
(anything wrong with the session behind a genuine ticket: the whole page goes back through the
normal stack, which signs out, asks for the second factor or answers 404 as it should). A request
without a genuine ticket for this meeting was never sent by a screen: it gets the same 404 as any
meeting its sender may not read.
"""

import time
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp import DEVICE_ID_SESSION_KEY

from nim_portal.middleware import session_limit_passed
from tasking.proceedings.screen import meeting_screen_revision

TICKET_SALT = "tasking.meeting-screen-poll"
# Long enough to outlast a slow network, short enough that a leaked poll URL soon says nothing.
TICKET_MAX_AGE_SECONDS = 5 * 60


class PollAnswer(Enum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    RELOAD = "reload"
    NOT_FOUND = "not found"


@dataclass(frozen=True)
class PollTicket:
    user_id: int
    meeting_id: int
    session_digest: str
    revision: int


def _session_digest(session_key: str | None) -> str:
    """The session key never goes into a URL: only a keyed digest of it."""
    return salted_hmac(TICKET_SALT, session_key or "", algorithm="sha256").hexdigest()[:32]


def poll_ticket_mint(request, meeting_id: int, revision: int) -> str:
    """A ticket for the screen of `meeting_id` just rendered to this request's user at `revision`
    of the screen."""
    return signing.dumps(
        {
            "u": request.user.pk,
            "m": meeting_id,
            "s": _session_digest(request.session.session_key),
            "r": revision,
        },
        salt=TICKET_SALT,
    )


def _ticket_of(payload) -> PollTicket | None:
    try:
        return PollTicket(
            user_id=int(payload["u"]),
            meeting_id=int(payload["m"]),
            session_digest=str(payload["s"]),
            revision=int(payload["r"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _session_fits(session, ticket: PollTicket) -> bool:
    """The request's session is the one the ticket was minted in, still signed in as its user,
    within its limits and (when required) verified. Loads the session: one query."""
    if not constant_time_compare(_session_digest(session.session_key), ticket.session_digest):
        return False
    if session.get(SESSION_KEY) != str(ticket.user_id):
        return False
    if session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return False
    if settings.NIM_REQUIRE_SECOND_FACTOR and not session.get(DEVICE_ID_SESSION_KEY):
        return False
    return session_limit_passed(session, time.time()) is None


def poll_answer(request, meeting_id: int, ticket_text: str | None) -> PollAnswer:
    """What the poll of the screen of `meeting_id` says to this request (two queries at most)."""
    expired = False
    try:
        payload = signing.loads(ticket_text or "", salt=TICKET_SALT, max_age=TICKET_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        # Genuine but old: after the checks below the page fetches its fragment, with a new one.
        expired = True
        payload = signing.loads(ticket_text, salt=TICKET_SALT)
    except signing.BadSignature:
        return PollAnswer.NOT_FOUND
    ticket = _ticket_of(payload)
    if ticket is None or ticket.meeting_id != meeting_id:
        return PollAnswer.NOT_FOUND
    if not _session_fits(request.session, ticket):
        return PollAnswer.RELOAD
    revision = meeting_screen_revision(ticket.user_id, ticket.meeting_id)
    if revision is None:
        return PollAnswer.RELOAD
    if expired or revision != ticket.revision:
        return PollAnswer.CHANGED
    return PollAnswer.UNCHANGED
