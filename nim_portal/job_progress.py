"""What a page shows of a piece of background work (nim_portal.jobs) while it is done: queued,
at work, then a link to its result, or its failure with a way to try it again.

A job names its record by id only, and the core knows no app: each app registers, for each kind
of work its pages show, how a reader sees it (`register_job_progress(kind, outcome_for)`, from
its AppConfig.ready()). `outcome_for(user, object_id)` answers the record's `JobOutcome` when the
user may see that record by the app's access policy, and None otherwise; the progress endpoint
(nim_portal.views.job_progress) then answers 404, as for a job that does not exist. A kind no app
registered is shown to nobody.

The component `nim_portal/components/job_progress.html` shows a `JobProgress` and, while its job
is open, asks the endpoint every two seconds whether it moved on.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.urls import reverse

from nim_portal.models import Job, JobState, User


@dataclass(frozen=True)
class JobOutcome:
    """How one reader sees the work on one record, in their words."""

    subject: str  # what the work makes: "your copy of REL-2026-0001"
    working: str = "In progress…"  # what the work is doing while it runs: "Rendering…"
    result_url: str = ""  # where the result is once done; "" when there is nothing to fetch
    result_label: str = ""  # the link's words: "Download your copy"
    retry_url: str = ""  # a POST that asks for the work again, when this reader may


OutcomeReader = Callable[[User, int], JobOutcome | None]

_readers: dict[str, OutcomeReader] = {}


def register_job_progress(kind: str, outcome_for: OutcomeReader) -> None:
    """Show the work of `kind` to the readers `outcome_for` answers for."""
    _readers[kind] = outcome_for


@dataclass(frozen=True)
class JobProgress:
    """One job as one reader sees it: the component's state and where it asks again."""

    job: Job
    outcome: JobOutcome

    @property
    def queued(self) -> bool:
        return self.job.state == JobState.WAITING

    @property
    def working(self) -> bool:
        return self.job.state == JobState.RUNNING

    @property
    def done(self) -> bool:
        return self.job.state == JobState.DONE

    @property
    def failed(self) -> bool:
        return self.job.state == JobState.FAILED

    @property
    def finished(self) -> bool:
        return self.done or self.failed

    @property
    def poll_url(self) -> str:
        """The endpoint, told which state the page shows, so that it answers only a change."""
        return f"{reverse('job_progress', args=[self.job.pk])}?shown={self.job.state}"


def job_progress_for(user: User, job: Job | None) -> JobProgress | None:
    """The job as `user` sees it, or None when they may not see its record (or there is none)."""
    reader = _readers.get(job.kind) if job is not None else None
    outcome = reader(user, job.object_id) if reader is not None else None
    return JobProgress(job, outcome) if outcome is not None else None


def latest_jobs(kind: str, object_ids: Iterable[int]) -> dict[int, Job]:
    """The newest job of `kind` for each record that has one (a retry writes a new job): one
    query, however many records (read on the kind and record's index)."""
    newest = (
        Job.objects.filter(kind=kind, object_id__in=list(object_ids))
        .values("object_id")
        .annotate(newest=Max("pk"))
        .values("newest")
    )
    return {job.object_id: job for job in Job.objects.filter(pk__in=newest)}
