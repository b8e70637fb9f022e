from django.apps import AppConfig


class NimPortalConfig(AppConfig):
    name = "nim_portal"
    verbose_name = "NIM Portal core"

    def ready(self) -> None:
        from nim_portal import (
            receivers,  # noqa: F401  (connects sign-in auditing)
            services,
            tasks,  # noqa: F401  (registers the job runner's task for every process, web too)
        )
        from nim_portal.choices import AuditVerb
        from nim_portal.context_processors import register_template_choices
        from nim_portal.jobs import register_job_kind

        register_job_kind(
            services.NOTIFICATION_EMAIL_JOB,
            label="Notification e-mail",
            run=services.notification_email_send,
        )
        register_template_choices(AuditVerb)
