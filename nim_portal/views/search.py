"""The site search page: what the apps register (nim_portal.search), grouped by kind, each result
one the user may read, the page marked with the highest marking it lists."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nim_portal import access
from nim_portal.search import (
    MAX_SEARCH_LENGTH,
    RESULTS_PER_KIND,
    clean_search_text,
    search_everything,
    search_kinds_for,
    search_text_problem,
)
from nim_portal.web.markings import page_marking_of


@require_GET
@login_required
def search(request):
    user = request.user
    # Police staff only: partners have nothing here to search (the same 404 as a missing page).
    if not access.is_police(user):
        raise Http404
    text = request.GET.get("q")
    words = clean_search_text(text)
    problem = search_text_problem(text) if text is not None else None
    groups = search_everything(user, words) if words else []
    return render(
        request,
        "nim_portal/search/results.html",
        {
            # Shown back as typed, within the box's length and without what cannot be shown.
            "text": (text or "").replace("\x00", "")[:MAX_SEARCH_LENGTH],
            "problem": problem,
            "errors": [{"href": "#search-text", "message": problem}] if problem else [],
            "searched": words is not None,
            "groups": groups,
            "kinds": search_kinds_for(user),
            "per_kind": RESULTS_PER_KIND,
            "max_length": MAX_SEARCH_LENGTH,
            "page_marking": page_marking_of(hit for group in groups for hit in group.hits),
        },
    )
