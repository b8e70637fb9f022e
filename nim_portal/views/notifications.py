"""The signed-in person's own notifications: the list, marking them read, and how they hear of
each kind (their preferences)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nim_portal import selectors, services
from nim_portal.forms.errors import add_service_errors
from nim_portal.forms.notifications import NotificationPreferencesForm
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
def notification_read(request, pk: int):
    """Marks one notification read, staying on the list."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notifications_mark_read(acting_user=request.user, notification_ids=[notification.pk])
    messages.success(request, "Notification marked as read.")
    return redirect("notifications:list")


@require_POST
@login_required
def notifications_read_all(request):
    marked = services.notifications_mark_read(acting_user=request.user)
    if marked:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
@login_required
def notification_preferences(request):
    """How the person hears of each kind: in the portal, by e-mail, or both."""
    deliveries = selectors.notification_deliveries_of(request.user)
    form = NotificationPreferencesForm(
        request.POST or None,
        kinds=selectors.notification_kinds_for(request.user),
        initial=deliveries,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_set(
                acting_user=request.user, deliveries=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notification_preferences")
    return render(
        request,
        "nim_portal/notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
        status=400 if form.errors else 200,
    )
