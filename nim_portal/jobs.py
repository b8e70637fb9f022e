"""Handing work to the Celery workers from a request, without making the request depend on them.

Work is sent once the surrounding transaction commits, by id (the worker reads the row afresh).
A broker that is away must not fail the user's request, which has saved its change: the work's
row stays waiting in the database and the beat's sweep of that kind of work sends it again once
the broker is back (release documents, notification e-mails), or the next request for it does
(prints, minutes PDFs). The tasks themselves are safe to run twice.
"""

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def send_after_commit(task: Task, *args) -> None:
    """`task.delay(*args)` once the current transaction commits (at once outside one)."""

    def send() -> None:
        try:
            task.delay(*args)
        except (OperationalError, OSError) as error:
            logger.warning("%s%s left waiting: broker unreachable (%s)", task.name, args, error)

    # robust: in eager mode (the demo) a failure of the work itself is recorded on its row.
    transaction.on_commit(send, robust=True)
