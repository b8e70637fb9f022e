"""The signed-in person's own notifications."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from nim_portal import selectors, services
from nim_portal.pagination import paginate

PAGE_SIZE = 50


@require_GET
@login_required
def notification_list(request):
    page = paginate(request, selectors.notifications_for(request.user), PAGE_SIZE)
    return render(request, "nim_portal/notifications/list.html", {"page": page})


@require_POST
@login_required
def notification_open(request, pk: int):
    """Marks one notification read and follows its link (only ever inside the portal)."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notifications_mark_read(acting_user=request.user, notification_ids=[notification.pk])
    link = notification.link
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notifications:list")


@require_POST
@login_required
def notifications_read_all(request):
    services.notifications_mark_read(acting_user=request.user)
    return redirect("notifications:list")
