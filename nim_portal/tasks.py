import socket

from celery import shared_task

from nim_portal import jobs, services


@shared_task(name="nim_portal.tasks.record_worker_heartbeat")
def record_worker_heartbeat(hostname: str | None = None) -> str:
    """Beat sends this every minute; whichever worker takes it records that it is alive."""
    heartbeat = services.worker_heartbeat_record(hostname or socket.gethostname())
    return heartbeat.hostname


@shared_task(name=jobs.RUN_JOB_TASK)
def run_job(job_id: int) -> bool:
    """One attempt at one job of the pipeline (nim_portal.jobs): its retries are the pipeline's."""
    return jobs.job_run(job_id)


@shared_task(name="nim_portal.tasks.dispatch_due_jobs")
def dispatch_due_jobs() -> int:
    """Beat, every minute: hand over the jobs that wait (the broker was away, a backoff ran out)
    and take back those whose worker died."""
    return len(jobs.jobs_dispatch_due())
