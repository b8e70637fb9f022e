"""Patrol briefings: the briefings the reader may open, a unit's briefings with the form that
generates the next one, one briefing as its reader may read it (audited) and the reader's PDF.

Missing and forbidden give the same 404 (tasking.briefings.selectors). Every change goes through
tasking.briefings.services: PermissionDenied shows its message on the 403 page, a ValidationError
goes back onto the form.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.pagination import paginate
from nim_portal.web.decorators import police_required
from tasking.actions.selectors import action_log_for_unit
from tasking.briefings import policy, selectors, services
from tasking.briefings.forms import BriefingGenerateForm

BRIEFINGS_PER_PAGE = 25


@require_GET
@police_required
def briefing_list(request):
    page = paginate(request, selectors.recent_briefings(request.user), BRIEFINGS_PER_PAGE)
    return render(
        request,
        "tasking/briefings/list.html",
        {"page_obj": page, "briefings": list(page), "page_marking": GSCMarking.OFFICIAL.label},
    )


@require_http_methods(["GET", "POST"])
@police_required
def unit_briefings(request, unit_pk):
    user = request.user
    # Whoever reads a unit's action log reads its briefings (the same rule).
    unit = action_log_for_unit(user, unit_pk).unit
    may_generate = policy.can_generate_briefing(user, unit)
    form = BriefingGenerateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        policy.require_briefing_generator(user, unit)
        status = 400
        if form.is_valid():
            try:
                briefing = services.briefing_generate(
                    acting_user=user, unit=unit, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{briefing} generated.")
                return redirect("tasking:briefing_detail", pk=briefing.pk)
    page = paginate(request, selectors.recent_briefings(user, unit), BRIEFINGS_PER_PAGE)
    return render(
        request,
        "tasking/briefings/unit.html",
        {
            "unit": unit,
            "form": form if may_generate else None,
            "page_obj": page,
            "briefings": list(page),
            "page_marking": GSCMarking.OFFICIAL.label,
        },
        status=status,
    )


@require_GET
@police_required
def briefing_detail(request, pk):
    shown = selectors.briefing_read(request.user, pk, request=request)
    return render(
        request,
        "tasking/briefings/detail.html",
        {"shown": shown, "briefing": shown.briefing, **shown.marking.page_context()},
    )


@require_GET
@police_required
def briefing_pdf(request, pk):
    briefing = selectors.get_briefing_for(request.user, pk)
    try:
        printed = services.briefing_pdf_download(
            acting_user=request.user, briefing=briefing, request=request
        )
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
        return redirect("tasking:briefing_detail", pk=briefing.pk)
    response = FileResponse(
        printed.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"briefing-{briefing.pk}-{briefing.shift}-{briefing.shift_date:%Y%m%d}.pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
