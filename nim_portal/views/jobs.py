"""The job pipeline's staff page: what background work waits, runs, failed and why; a failed
job can be sent again. For system administrators only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from nim_portal import selectors, services
from nim_portal.filters import JobFilter
from nim_portal.jobs import job_kind_label
from nim_portal.pagination import CURSOR_PARAM, PAGE_PARAM, paginate
from nim_portal.web.decorators import system_administrator_required

JOBS_PER_PAGE = 50


@require_GET
@system_administrator_required
def job_list(request):
    job_filter = JobFilter(request.GET, queryset=selectors.jobs_visible_to(request.user))
    page_obj = paginate(request, job_filter.qs, JOBS_PER_PAGE)
    for job in page_obj.object_list:
        job.kind_label = job_kind_label(job.kind)
    query = request.GET.copy()
    for name in (CURSOR_PARAM, PAGE_PARAM):
        query.pop(name, None)
    return render(
        request,
        "nim_portal/jobs/list.html",
        {"form": job_filter.form, "page_obj": page_obj, "query": query.urlencode()},
    )


@require_POST
@system_administrator_required
def job_retry(request, pk: int):
    job = selectors.get_job_for(request.user, pk)
    try:
        services.job_retry(acting_user=request.user, job=job, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Job {job.pk} ({job_kind_label(job.kind)}) will run again.")
    return redirect("jobs:list")
