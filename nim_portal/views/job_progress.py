"""The job-progress component's endpoint (nim_portal.job_progress): the state of one job, as the
signed-in reader may see it.

404 when the job does not exist, when no app shows its kind, or when the reader may not see its
record by the app's access policy: the same answer, so that job ids cannot be probed. While the
state is the one the page shows (`shown`) the answer is 204, which htmx leaves in place; once the
job has finished the answer says so (HX-Trigger: nimJobFinished), for whatever else on the page
follows it.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nim_portal.job_progress import job_progress_for
from nim_portal.models import Job

JOB_FINISHED_EVENT = "nimJobFinished"


@require_GET
@never_cache
@login_required
def job_progress(request, pk: int):
    progress = job_progress_for(request.user, Job.objects.filter(pk=pk).first())
    if progress is None:
        raise Http404("No such job.")
    if request.GET.get("shown") == progress.job.state:
        return HttpResponse(status=204)
    response = render(
        request, "nim_portal/components/job_progress.html", {"progress": progress, "swap": True}
    )
    if progress.finished:
        response["HX-Trigger"] = JOB_FINISHED_EVENT
    return response
