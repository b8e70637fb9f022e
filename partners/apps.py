from django.apps import AppConfig


def register_staff_sections() -> None:
    """The police side: partner releases and agencies, under one navigation item."""
    from nim_portal.portal_sections import police_users, register_navigation

    register_navigation(
        key="partners",
        label="Partners",
        url_name="partners:release_list",
        audience=police_users,
    )


def register_partner_sections() -> None:
    """The partner area in the navigation and the partner panel on the dashboard, for partner
    users only."""
    from nim_portal.portal_sections import (
        partner_users,
        register_dashboard_panel,
        register_navigation,
    )
    from partners.views.partner_area import partner_panel

    register_navigation(
        key="partner_area",
        label="Releases",
        url_name="partners:area_releases",
        audience=partner_users,
    )
    register_dashboard_panel(
        key="partner_releases",
        template_name="partners/area/dashboard_panel.html",
        context=partner_panel,
        audience=partner_users,
    )


def register_job_kinds() -> None:
    """One agency's PDF of a release, and one partner user's own copy: rendered by the pipeline,
    shown failed on their last attempt, waiting again when staff retry their job; their progress
    shown to those who see them."""
    from nim_portal.job_progress import register_job_progress
    from nim_portal.jobs import register_job_kind
    from partners import progress, services

    register_job_kind(
        services.RELEASE_DOCUMENT_JOB,
        label="Partner release PDF",
        run=services.release_document_render,
        on_failure=services.release_document_render_failed,
        on_retry=services.release_document_reopen,
    )
    register_job_kind(
        services.RELEASE_COPY_JOB,
        label="Partner user's copy of a release",
        run=services.release_copy_render,
        on_failure=services.release_copy_render_failed,
        on_retry=services.release_copy_reopen,
    )
    register_job_progress(services.RELEASE_DOCUMENT_JOB, progress.document_outcome_for)
    register_job_progress(services.RELEASE_COPY_JOB, progress.copy_outcome_for)


def register_choices_for_templates() -> None:
    """The choices the partners' templates compare a release's or a document's status with."""
    from nim_portal.context_processors import register_template_choices
    from partners.choices import DocumentStatus, ReleaseStatus

    register_template_choices(DocumentStatus, ReleaseStatus)


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner agencies and releases"

    def ready(self):
        register_staff_sections()
        register_partner_sections()
        register_job_kinds()
        register_choices_for_templates()
