"""/healthz: database, broker, worker and job pipeline state for load balancers and health checks.

Open to anyone, so the answer names no host, URL or error text: only a word per component
(the log keeps the error). Any failure is caught: a health check must answer, not raise.
"""

import logging
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from nim_portal.jobs import oldest_waiting_job_seconds
from nim_portal.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK = "ok"
EAGER_BROKER = "eager (in-process)"
EAGER_WORKER = "in-process"
BROKER_TIMEOUT_SECONDS = 1


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("healthz: database unreachable: %s", exc)
        return "unreachable"
    return OK


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER_BROKER
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        logger.warning("healthz: broker unreachable: %s", exc)
        return "unreachable"
    return OK


def worker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER_WORKER
    oldest_fresh = timezone.now() - timedelta(seconds=settings.NIM_WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    try:
        alive = WorkerHeartbeat.objects.filter(beat_at__gte=oldest_fresh).exists()
    except Exception as exc:
        logger.warning("healthz: worker heartbeats unreadable: %s", exc)
        return "unknown"
    return OK if alive else "no recent heartbeat"


def jobs_state() -> tuple[str, int | None]:
    """The pipeline's figure: how long the oldest job due to run has waited, in seconds."""
    try:
        waited = oldest_waiting_job_seconds()
    except Exception as exc:
        logger.warning("healthz: jobs unreadable: %s", exc)
        return "unknown", None
    if waited > settings.NIM_JOB_WAITING_MAX_SECONDS:
        return "jobs waiting too long", waited
    return OK, waited


@never_cache
@require_safe
def healthz(request):
    jobs, oldest_waiting_job_seconds = jobs_state()
    answer = {
        "database": database_state(),
        "broker": broker_state(),
        "worker": worker_state(),
        "jobs": jobs,
    }
    healthy = all(state in {OK, EAGER_BROKER, EAGER_WORKER} for state in answer.values())
    answer["oldest_waiting_job_seconds"] = oldest_waiting_job_seconds
    answer["status"] = OK if healthy else "unhealthy"
    return JsonResponse(answer, status=200 if healthy else 503)
