from django.apps import AppConfig


def register_strategy_sections() -> None:
    """The police navigation item for control strategies, and the meeting cadence pages (with
    the lapsed cadences) for who may use them, unit administrators (the pages' own rule,
    access.is_unit_admin; national administrators also change the cadence). The navigation is
    on every page: that answer is read once per request, with the core's admin links."""
    from nim_portal import access
    from nim_portal.portal_sections import police_users, register_navigation

    register_navigation(
        key="control_strategy",
        label="Control strategy",
        url_name="tasking:strategy_list",
        audience=police_users,
    )
    register_navigation(
        key="meeting_cadence",
        label="Meeting cadence",
        url_name="tasking:cadence_policies",
        audience=access.is_unit_admin,
    )


def register_submission_sections() -> None:
    """Partner information and meetings: for partner users, giving information and their
    meetings; for police users, the triage of partner information. No audience asks anything
    of the database (the navigation is on every page)."""
    from nim_portal.portal_sections import partner_users, police_users, register_navigation

    register_navigation(
        key="partner_information_triage",
        label="Partner information",
        url_name="tasking:submission_list",
        audience=police_users,
    )
    register_navigation(
        key="partner_information",
        label="Information for the police",
        url_name="tasking:partner_submissions",
        audience=partner_users,
    )
    register_navigation(
        key="partner_meetings",
        label="Meetings",
        url_name="tasking:partner_meetings",
        audience=partner_users,
    )


def register_meeting_sections() -> None:
    """The police navigation item for meetings, and the dashboard panel of the user's sitting and
    next meetings (dates, units and kinds only: no marked text)."""
    from nim_portal.portal_sections import (
        police_users,
        register_dashboard_panel,
        register_navigation,
    )
    from tasking.meetings.views import my_meetings_panel

    register_navigation(
        key="meetings", label="Meetings", url_name="tasking:meeting_list", audience=police_users
    )
    register_dashboard_panel(
        key="tasking_my_meetings",
        template_name="tasking/meetings/dashboard_panel.html",
        context=my_meetings_panel,
        audience=police_users,
    )


def register_action_sections() -> None:
    """The action log: "My actions" in the police navigation with the patrol briefings built
    from it, and its dashboard panel (counts only: the dashboard carries no marked text)."""
    from nim_portal.portal_sections import (
        police_users,
        register_dashboard_panel,
        register_navigation,
    )
    from tasking.actions.views import my_actions_panel

    register_navigation(
        key="my_actions", label="Actions", url_name="tasking:my_actions", audience=police_users
    )
    register_navigation(
        key="briefings",
        label="Briefings",
        url_name="tasking:briefing_list",
        audience=police_users,
    )
    register_dashboard_panel(
        key="tasking_my_actions",
        template_name="tasking/actions/dashboard_panel.html",
        context=my_actions_panel,
        audience=police_users,
    )


def register_product_panels() -> None:
    """On a product's page, the actions and bids that name it as their justification, the
    requirement items it is linked to, and (a strategic assessment's) the evaluations of the
    ending period's priorities it carries."""
    from products.panels import register_product_panel
    from tasking.bids.traceability import activity_against
    from tasking.proceedings.evaluation import evaluations_for_assessment
    from tasking.strategy.traceability import requirement_items_linked_to

    register_product_panel(
        key="tasking_activity",
        template_name="tasking/actions/product_activity.html",
        context=activity_against,
    )
    register_product_panel(
        key="tasking_requirement_items",
        template_name="tasking/strategy/product_requirement_items.html",
        context=requirement_items_linked_to,
    )
    register_product_panel(
        key="tasking_priority_evaluations",
        template_name="tasking/strategy/product_priority_evaluations.html",
        context=evaluations_for_assessment,
    )


def register_search_sections() -> None:
    """Meetings, actions and control strategies in the site search, for police users (each
    result filtered by its own visibility selector)."""
    from nim_portal.portal_sections import police_users
    from nim_portal.search import register_search_provider
    from tasking.actions.search import search_actions_for_site
    from tasking.meetings.search import search_meetings_for_site
    from tasking.strategy.search import search_control_strategies_for_site

    register_search_provider(
        key="meetings", label="Meetings", search=search_meetings_for_site, audience=police_users
    )
    register_search_provider(
        key="actions", label="Actions", search=search_actions_for_site, audience=police_users
    )
    register_search_provider(
        key="control_strategies",
        label="Control strategies",
        search=search_control_strategies_for_site,
        audience=police_users,
    )


def register_jobs() -> None:
    """The background work of meetings, as jobs of the pipeline (nim_portal.jobs); the minutes'
    PDFs' progress shown to the readers handed them."""
    from nim_portal.job_progress import register_job_progress
    from nim_portal.jobs import register_job_kind
    from tasking.briefings import services as briefings
    from tasking.meetings import invitations
    from tasking.proceedings import minutes_pdf, progress

    register_job_kind(
        briefings.BRIEFING_PDF_JOB,
        label="Patrol briefing PDF for a reader",
        run=briefings.briefing_pdf_render,
        on_failure=briefings.briefing_pdf_failed,
        on_retry=briefings.briefing_pdf_pending,
    )
    register_job_kind(
        minutes_pdf.MINUTES_PDF_JOB,
        label="Minutes PDF",
        run=minutes_pdf.minutes_pdf_render,
        on_failure=minutes_pdf.minutes_pdf_failed,
        on_retry=minutes_pdf.minutes_pdf_pending,
    )
    register_job_kind(
        minutes_pdf.MINUTES_READER_PDF_JOB,
        label="Minutes PDF for a reader's vetting",
        run=minutes_pdf.minutes_reader_pdf_render,
        on_failure=minutes_pdf.minutes_reader_pdf_failed,
        on_retry=minutes_pdf.minutes_reader_pdf_pending,
    )
    register_job_kind(
        invitations.MEETING_INVITATION_JOB,
        label="Meeting invitation",
        run=invitations.invitation_send,
    )
    register_job_kind(
        invitations.MEETING_REMINDER_JOB,
        label="Meeting reminder",
        run=invitations.reminder_send,
    )
    register_job_progress(minutes_pdf.MINUTES_PDF_JOB, progress.minutes_outcome_for)
    register_job_progress(minutes_pdf.MINUTES_READER_PDF_JOB, progress.minutes_print_outcome_for)


def register_choices_for_templates() -> None:
    """The choices the tasking templates compare a status or a kind with."""
    from nim_portal.context_processors import register_template_choices
    from tasking.meetings.choices import Attendance, MeetingKind, MeetingStatus
    from tasking.strategy.choices import ControlStrategyStatus, RequirementItemStatus
    from tasking.submissions.choices import SubmissionStatus

    register_template_choices(
        Attendance,
        ControlStrategyStatus,
        MeetingKind,
        MeetingStatus,
        RequirementItemStatus,
        SubmissionStatus,
    )


def register_unit_impacts() -> None:
    """A unit moved or deactivated reaches the open actions on its log and its upcoming meetings
    (nim_portal.unit_impact)."""
    from django.db.models import Q
    from django.utils import timezone

    from nim_portal.unit_impact import register_unit_impact
    from tasking.actions.choices import ActionStatus
    from tasking.actions.models import TacticalAction
    from tasking.meetings.choices import MeetingStatus
    from tasking.meetings.models import Meeting

    register_unit_impact(
        key="open_actions",
        label="open actions on its action logs",
        model=TacticalAction,
        where=lambda: Q(status=ActionStatus.OPEN),
    )
    register_unit_impact(
        key="upcoming_meetings",
        label="upcoming meetings",
        model=Meeting,
        where=lambda: Q(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()),
    )


class TaskingConfig(AppConfig):
    name = "tasking"
    verbose_name = "Tasking and co-ordination"

    def ready(self):
        register_strategy_sections()
        register_submission_sections()
        register_meeting_sections()
        register_action_sections()
        register_product_panels()
        register_search_sections()
        register_jobs()
        register_choices_for_templates()
        register_unit_impacts()
