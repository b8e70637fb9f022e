"""The audit log search page and its CSV export (an export is itself audited)."""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from nim_portal import selectors, services
from nim_portal.choices import AuditVerb
from nim_portal.exports import Echo, csv_text
from nim_portal.filters import AuditEventFilter
from nim_portal.models import AuditEvent
from nim_portal.pagination import CURSOR_PARAM, PAGE_PARAM, paginate
from nim_portal.web.decorators import staff_required

EVENTS_PER_PAGE = 50
CSV_COLUMNS = ["at", "username", "verb", "object_type", "object_id", "object", "address", "detail"]


def _filtered_events(request) -> AuditEventFilter:
    return AuditEventFilter(
        request.GET, queryset=selectors.audit_events_visible_to(request.user), request=request
    )


@require_GET
@staff_required
def audit_log(request):
    event_filter = _filtered_events(request)
    page_obj = paginate(request, event_filter.qs, EVENTS_PER_PAGE)
    query = request.GET.copy()
    for name in (CURSOR_PARAM, PAGE_PARAM):
        query.pop(name, None)
    return render(
        request,
        "nim_portal/audit/log.html",
        {"form": event_filter.form, "page_obj": page_obj, "query": query.urlencode()},
    )


def _csv_rows(events):
    yield CSV_COLUMNS
    for event in events.iterator(chunk_size=500):
        readable = event.record_readable
        yield [
            csv_text(cell)
            for cell in (
                event.at.isoformat(),
                event.actor_username,
                event.verb,
                event.content_type.model if event.content_type else "",
                event.object_id,
                event.object_repr if readable else AuditEvent.UNREADABLE_RECORD,
                event.ip_address,
                (event.detail or "") if readable else "",
            )
        ]


@require_GET
@staff_required
def audit_export(request):
    """The events of the current filter as CSV; the export is recorded before any row leaves."""
    event_filter = _filtered_events(request)
    events = event_filter.qs
    criteria = {key: value for key, value in request.GET.items() if key != "page" and value}
    services.audit_record(
        actor=request.user,
        verb=AuditVerb.EXPORT,
        request=request,
        detail={"export": "audit log", "filter": criteria},
    )
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(events)), content_type="text/csv"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
