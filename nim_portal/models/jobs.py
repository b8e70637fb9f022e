from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


OPEN_JOB_STATES = (JobState.WAITING, JobState.RUNNING)


class Job(models.Model):
    """One piece of background work (a render, an e-mail, a meeting's invitations): written in
    the transaction of the change that caused it, run by the Celery task of nim_portal.jobs.

    `kind` names the work (the registry of nim_portal.jobs) and `object_id` the record it works
    on, read afresh by the runner. A runner holds a job by a lease: a job whose lease ran out
    belongs to a worker that died, and the sweeper sends it again.
    """

    kind = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    run_after = models.DateTimeField(
        default=timezone.now, help_text="Not run before this time (a retry's backoff)."
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When its task was last handed to the broker."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper and the health figure read only the open jobs.
            models.Index(
                fields=["state", "run_after"],
                name="job_open",
                condition=models.Q(state__in=OPEN_JOB_STATES),
            ),
            models.Index(fields=["kind", "object_id"], name="job_of_object"),
            models.Index(fields=["state", "-created_at", "-id"], name="job_list"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}: {self.get_state_display()}"

    @property
    def may_be_retried(self) -> bool:
        """Only a job that stopped as failed is sent again by hand; the others run on their own."""
        return self.state == JobState.FAILED
