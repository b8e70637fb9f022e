"""The demo's clock: work that the demo's story dates in the past (a tactical assessment published
days before the TT&CG it informed) is written as of that moment, so that its timestamps, history
and audit agree with the story. Django and the services read the time through timezone.now()."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


@contextmanager
def demo_clock(moment: datetime.datetime):
    """Within the block, timezone.now() (and so localdate()) starts at `moment` and runs on."""
    real_now = timezone.now
    offset = moment - real_now()
    with mock.patch.object(timezone, "now", lambda: real_now() + offset):
        yield
