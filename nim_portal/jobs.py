"""The one pipeline for background work: every render, e-mail and batch of invitations is a Job.

A change that causes work writes its job in its own transaction (`job_enqueue`), so the work is
never lost and never done for a change that rolled back. Once that transaction commits the job is
handed to Celery by id; a broker that is away does not fail the user's request: the job waits and
the beat's sweeper (`jobs_dispatch_due`, every minute) hands it over once the broker is back.

A runner takes a job by a lease (state running, one more attempt, a lease longer than any task may
run) and does the work in a transaction that ends by marking the job done only if its claim still
holds: a worker that died (its lease ran out, another runner took the job) can never complete it
as well, so the work is done once. A failure waits and is tried again after a backoff, up to its
kind's attempts; then the job stops as failed with its error, for staff to see and retry.

Each app registers its kinds of work from its AppConfig.ready() (`register_job_kind`), as it
registers its search providers: the core knows no app.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from nim_portal.models import Job, JobState

logger = logging.getLogger(__name__)

RUN_JOB_TASK = "nim_portal.tasks.run_job"
# The sweeper hands over at most this many due jobs a minute (the oldest first).
DISPATCH_BATCH = 500
# Backoff before the next attempt of a failed job: doubled each time, up to the maximum.
RETRY_BACKOFF = timedelta(seconds=30)
RETRY_BACKOFF_MAX = timedelta(minutes=10)
ERROR_LENGTH = 2000


def job_lease() -> timedelta:
    """How long a runner holds a job: a minute longer than Celery lets any task run, so that a
    lease that ran out can only be a worker's that died."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


@dataclass(frozen=True)
class JobKind:
    """A kind of work: `run(object_id)` does it (in the runner's transaction);
    `on_failure(object_id, error)` tells the record that its work stopped for good;
    `on_retry(object_id)` readies the record for the retry staff asked for."""

    name: str
    label: str
    run: Callable[[int], object]
    max_attempts: int = 4
    on_failure: Callable[[int, str], None] | None = None
    on_retry: Callable[[int], None] | None = None


_kinds: dict[str, JobKind] = {}


def register_job_kind(
    name: str,
    *,
    label: str,
    run: Callable[[int], object],
    max_attempts: int = 4,
    on_failure: Callable[[int, str], None] | None = None,
    on_retry: Callable[[int], None] | None = None,
) -> None:
    """Add (or replace) a kind of work, named "<app>.<work>"."""
    _kinds[name] = JobKind(name, label, run, max_attempts, on_failure, on_retry)


def job_kind(name: str) -> JobKind | None:
    return _kinds.get(name)


def job_kind_label(name: str) -> str:
    kind = _kinds.get(name)
    return kind.label if kind else name


def job_kind_choices() -> list[tuple[str, str]]:
    return sorted(((kind.name, kind.label) for kind in _kinds.values()), key=lambda c: c[1])


# Writing and handing over.


def _dispatch(job_ids: list[int]) -> None:
    """Hand jobs to the broker now; with the broker away they wait for the sweeper."""
    task = current_app.tasks[RUN_JOB_TASK]
    handed_over = []
    for job_id in job_ids:
        try:
            task.delay(job_id)
        except (OperationalError, OSError) as error:
            logger.warning("job %s left waiting: broker unreachable (%s)", job_id, error)
            break
        handed_over.append(job_id)
    # A job run in-process (the demo's eager mode) is finished by now: only a waiting one
    # records that it was handed over.
    Job.objects.filter(
        pk__in=handed_over, state=JobState.WAITING, dispatched_at__isnull=True
    ).update(dispatched_at=timezone.now())


def _dispatch_after_commit(job_ids: list[int]) -> None:
    if job_ids:
        # robust: whatever happens in hand-over, the user's change is saved and the job waits.
        transaction.on_commit(lambda: _dispatch(job_ids), robust=True)


def job_enqueue(kind: str, object_id: int) -> Job:
    """Ask for `kind` of work on record `object_id`, in the current transaction: the job runs
    once it commits. Work already waiting for the record is not asked for twice."""
    return jobs_enqueue(kind, [object_id])[0]


def _require_kind(kind: str) -> None:
    if kind not in _kinds:
        raise ValueError(f"No job kind {kind!r} is registered.")


def _waiting(kind: str) -> QuerySet[Job]:
    """The work of `kind` asked for and not yet taken: asking again for a record adds nothing."""
    return Job.objects.filter(kind=kind, state=JobState.WAITING)


def _create(kind: str, object_ids: Iterable[int]) -> list[Job]:
    created = Job.objects.bulk_create(
        Job(kind=kind, object_id=object_id) for object_id in object_ids
    )
    _dispatch_after_commit([job.pk for job in created])
    return created


def jobs_enqueue(kind: str, object_ids: Iterable[int]) -> list[Job]:
    """`job_enqueue` for many records of one kind: two queries, whatever their number."""
    _require_kind(kind)
    object_ids = list(dict.fromkeys(object_ids))
    waiting = {job.object_id: job for job in _waiting(kind).filter(object_id__in=object_ids)}
    created = _create(kind, (pk for pk in object_ids if pk not in waiting))
    jobs = {**waiting, **{job.object_id: job for job in created}}
    return [jobs[object_id] for object_id in object_ids]


def jobs_enqueue_for(kind: str, records: QuerySet) -> list[Job]:
    """`job_enqueue` for each of `records` (a queryset) without work waiting already: two
    queries, the records read with the test of their waiting work. Returns the jobs created."""
    _require_kind(kind)
    waiting = _waiting(kind).filter(object_id=OuterRef("pk"))
    ids = records.exclude(Exists(waiting)).order_by("pk").values_list("pk", flat=True)
    return _create(kind, ids)


def jobs_due(now=None) -> Q:
    """Jobs the sweeper hands (again) to the broker: waiting past their backoff and never handed
    over, or handed over longer than a lease ago (the message was lost with a broker that did not
    keep it); running under a lease that ran out (their worker died)."""
    now = now or timezone.now()
    handed_over_long_ago = Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - job_lease())
    return Q(state=JobState.WAITING, run_after__lte=now) & handed_over_long_ago | Q(
        state=JobState.RUNNING, lease_expires_at__lt=now
    )


def jobs_dispatch_due() -> list[int]:
    """System job (beat, every minute): hand the due jobs to the broker, oldest first."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(jobs_due(now))
            .order_by("run_after", "pk")
            .values_list("pk", flat=True)[:DISPATCH_BATCH]
        )
        Job.objects.filter(pk__in=due).update(dispatched_at=now)
    _dispatch(due)
    return due


# Running.


class _ClaimLost(Exception):
    """The lease ran out during the work and another runner took the job: this run's work is
    rolled back, the other's counts."""


def _claim(job_id: int) -> Job | None:
    """Take the job for one attempt under a lease, or None when there is nothing to do: done,
    failed, held by a live lease, or waiting for its backoff."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(
                Q(state=JobState.WAITING, run_after__lte=now)
                | Q(state=JobState.RUNNING, lease_expires_at__lt=now),
                pk=job_id,
            )
            .first()
        )
        if job is None:
            return None
        job.state = JobState.RUNNING
        job.attempts += 1
        job.lease_expires_at = now + job_lease()
        job.started_at = now
        job.save(update_fields=["state", "attempts", "lease_expires_at", "started_at"])
        return job


def _held(job: Job):
    """The job while this run's claim holds (its attempt, still running)."""
    return Job.objects.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts)


def _last_attempt(job: Job, kind: JobKind | None) -> bool:
    # In-process (the demo's eager mode) no worker or sweeper will ever try again.
    return kind is None or job.attempts >= kind.max_attempts or current_app.conf.task_always_eager


def _record_failure(job: Job, kind: JobKind | None, error: BaseException) -> None:
    message = f"Attempt {job.attempts}: {type(error).__name__}: {error}"[:ERROR_LENGTH]
    now = timezone.now()
    with transaction.atomic():
        if _last_attempt(job, kind):
            stopped = _held(job).update(
                state=JobState.FAILED, last_error=message, lease_expires_at=None, finished_at=now
            )
            if stopped and kind is not None and kind.on_failure is not None:
                kind.on_failure(job.object_id, message)
            return
        backoff = min(RETRY_BACKOFF * 2 ** (job.attempts - 1), RETRY_BACKOFF_MAX)
        _held(job).update(
            state=JobState.WAITING,
            last_error=message,
            lease_expires_at=None,
            run_after=now + backoff,
            dispatched_at=None,
        )


def job_run(job_id: int) -> bool:
    """System job (nim_portal.tasks.run_job): one attempt at one job. True when this run did the
    work; False when there was nothing to do or the attempt failed (recorded on the job)."""
    job = _claim(job_id)
    if job is None:
        return False
    kind = _kinds.get(job.kind)
    try:
        if kind is None:
            raise LookupError(f"No job kind {job.kind!r} is registered.")
        with transaction.atomic():
            kind.run(job.object_id)
            finished = _held(job).update(
                state=JobState.DONE,
                last_error="",
                lease_expires_at=None,
                finished_at=timezone.now(),
            )
            if not finished:
                raise _ClaimLost
    except _ClaimLost:
        logger.warning("job %s: its lease ran out and another runner took it", job_id)
        return False
    except Exception as error:
        logger.exception("job %s (%s #%s) failed", job_id, job.kind, job.object_id)
        _record_failure(job, kind, error)
        return False
    return True


def job_reopen(job: Job) -> None:
    """A failed job waits again, its attempts counted afresh (the caller holds its row lock and
    records who asked)."""
    kind = _kinds.get(job.kind)
    if kind is not None and kind.on_retry is not None:
        kind.on_retry(job.object_id)
    job.state, job.attempts, job.run_after = JobState.WAITING, 0, timezone.now()
    job.dispatched_at = job.finished_at = None
    job.save(update_fields=["state", "attempts", "run_after", "dispatched_at", "finished_at"])
    _dispatch_after_commit([job.pk])


def oldest_waiting_job_seconds(now=None) -> int:
    """The health figure: how long the oldest job due to run has waited (0 when none waits)."""
    now = now or timezone.now()
    oldest = (
        Job.objects.filter(state=JobState.WAITING, run_after__lte=now)
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    return max(0, int((now - oldest).total_seconds())) if oldest else 0
