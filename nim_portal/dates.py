"""Dates people type: a plan's date lies within a few years of today.

A date such as 0001-01-01 or 9999-12-31 is a slip of the keyboard, not a plan; stored, it would
sort every list wrongly and overflow date arithmetic. Services refuse it with a clear message.
"""

from datetime import date, timedelta

from django.utils import timezone

# How far before and after today a planned date (a due date, a review date) may lie.
PLANNED_DATE_PAST = timedelta(days=366)
PLANNED_DATE_FUTURE = timedelta(days=10 * 366)


def planned_date_problem(day: date, what: str) -> str | None:
    """Why `day` cannot be the date of `what` (a message fit to show), or None when it can."""
    today = timezone.localdate()
    earliest, latest = today - PLANNED_DATE_PAST, today + PLANNED_DATE_FUTURE
    if not earliest <= day <= latest:
        return f"Enter {what} between {_shown(earliest)} and {_shown(latest)}."
    return None


def _shown(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
