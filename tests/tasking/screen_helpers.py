"""The cast of the meeting screen tests: a BCU's TT&CG sitting, its chair and a member, a control
strategy of the force it works under (for actions tied to a priority), and clients signed in with
a verified second factor, as every police user is in production."""

import re

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.tasking.factories import strategy_approved
from tests.tasking.proceedings_helpers import cast_scheduled, opened, ttcg

POLL_URL = re.compile(r'hx-get="(/tasking/screen/\d+/poll/\?ticket=[^"]+)"')


def verified(client, user):
    """`client` signed in as `user`, verified by a confirmed TOTP device (one query a request)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def poll_url_of(response) -> str:
    match = POLL_URL.search(response.content.decode())
    assert match, "the screen carries its poll"
    return match.group(1).replace("&amp;", "&")


class ScreenCast:
    """The proceedings cast, the BCU's first TT&CG open, and the force's approved strategy."""

    def __init__(self, hierarchy, *, open_meeting: bool = True):
        self.cast = cast_scheduled(hierarchy)
        self.hierarchy = hierarchy
        self.chair = self.cast.chair
        self.member = self.cast.member
        self.analyst = self.cast.analyst
        self.outsider = self.cast.outsider
        self.meeting = ttcg(hierarchy.bcu)
        if open_meeting:
            self.meeting = opened(self.cast, self.meeting)
        self.strategy = strategy_approved(hierarchy.force, chair=self.cast.force_chair)
        self.priority = self.strategy.priorities.order_by("rank", "pk").first()
