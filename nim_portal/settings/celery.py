"""Celery: Redis as broker when REDIS_URL is set, otherwise tasks run in-process (eager)."""

from .env import env_bool, env_int, env_str

REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The test suite keeps tasks in-process even with REDIS_URL set; its services tests start a worker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# A broker that is away must not hang a request: short timeouts and a bounded publish retry.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "max_retries": 2,
    # An unacknowledged task (its worker killed) is delivered again after this many seconds.
    "visibility_timeout": env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "nim_portal.tasks.record_worker_heartbeat",
        "schedule": 60.0,
    },
    "dispatch-due-jobs": {
        "task": "nim_portal.tasks.dispatch_due_jobs",
        "schedule": 60.0,
    },
    "partners-expire-releases": {
        "task": "partners.tasks.expire_releases",
        "schedule": 900.0,
    },
    "tasking-schedule-meetings": {
        "task": "tasking.tasks.schedule_meetings",
        # Shortened by the services test that runs it from a real beat.
        "schedule": float(env_int("NIM_MEETING_SCHEDULE_SECONDS", 3600)),
    },
    # Idempotent (once per review date): hourly, so that a day missed by beat is caught up.
    "products-remind-profile-reviews": {
        "task": "products.tasks.remind_profile_reviews",
        "schedule": 3600.0,
    },
    "tasking-send-due-reminders": {
        "task": "tasking.tasks.send_due_reminders",
        "schedule": 60.0,
    },
}
NIM_WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("NIM_WORKER_HEARTBEAT_MAX_AGE_SECONDS", 180)
# /healthz reports unhealthy once a job due to run has waited this long.
NIM_JOB_WAITING_MAX_SECONDS = env_int("NIM_JOB_WAITING_MAX_SECONDS", 900)

__all__ = [name for name in dir() if name.isupper()]
