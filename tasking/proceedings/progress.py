"""What the minutes' PDF page says while the PDF a reader is handed is rendered: the job-progress
component's view of its job (nim_portal.job_progress).

The minutes' own PDF (MINUTES_PDF_JOB) shows to a reader of the meeting (meetings_visible_to)
cleared for the whole minutes; a print for one ceiling (MINUTES_READER_PDF_JOB) to a reader of
the meeting who is handed that print, their vetting being its ceiling (minutes_pdf: the same
`hands_whole_minutes` decides what the download serves). To anybody else the readers answer None,
and the component's endpoint 404.
"""

from django.urls import reverse

from nim_portal.job_progress import JobOutcome
from nim_portal.models import User
from tasking.meetings.selectors import meetings_visible_to
from tasking.proceedings.minutes_pdf import hands_whole_minutes
from tasking.proceedings.models import MinutesPrint, MinutesVersion


def minutes_outcome(meeting_id: int) -> JobOutcome:
    """The minutes' PDF as their reader sees it: then the link that downloads it (audited); a
    failed one is asked for again by the same address."""
    url = reverse("tasking:meeting_minutes_pdf", args=[meeting_id])
    return JobOutcome(
        subject="the minutes' PDF",
        working="Rendering…",
        result_url=url,
        result_label="Download the minutes (PDF)",
        retry_url=url,
    )


def _readable(user: User, versions):
    return versions.filter(meeting__in=meetings_visible_to(user).values("pk"))


def minutes_outcome_for(user: User, version_id: int) -> JobOutcome | None:
    """The job-progress reader of MINUTES_PDF_JOB (registered in tasking.apps)."""
    version = _readable(user, MinutesVersion.objects.filter(pk=version_id)).first()
    if version is None or not hands_whole_minutes(version, user.readable_marking):
        return None
    return minutes_outcome(version.meeting_id)


def minutes_print_outcome_for(user: User, print_id: int) -> JobOutcome | None:
    """The job-progress reader of MINUTES_READER_PDF_JOB (registered in tasking.apps)."""
    minutes_print = (
        MinutesPrint.objects.filter(
            pk=print_id,
            ceiling=user.readable_marking,
            version__in=_readable(user, MinutesVersion.objects.all()).values("pk"),
        )
        .select_related("version")
        .first()
    )
    if minutes_print is None or hands_whole_minutes(minutes_print.version, user.readable_marking):
        return None
    return minutes_outcome(minutes_print.version.meeting_id)
