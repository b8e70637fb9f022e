"""The home page: who you are in the portal, and what you may see."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from nim_portal.choices import GSCMarking
from nim_portal.portal_sections import dashboard_panels_for
from nim_portal.selectors import memberships_with_scope

# Vetting that lapses within this many days is flagged on the dashboard.
VETTING_RENEWAL_WARNING_DAYS = 60


def vetting_status(user) -> dict:
    expires_on = user.vetting_expires_on
    today = timezone.localdate()
    return {
        "level": user.get_vetting_level_display(),
        "expires_on": expires_on,
        "lapsed": expires_on is not None and expires_on < today,
        "renew_soon": expires_on is not None
        and today <= expires_on <= today + timedelta(days=VETTING_RENEWAL_WARNING_DAYS),
        "readable_marking": user.readable_marking_label,
    }


@login_required
def dashboard(request):
    user = request.user
    # What the apps above the core contribute, for the user's audience (e.g. "My work").
    panels = dashboard_panels_for(user)
    context = {
        "vetting": vetting_status(user),
        "is_partner": user.is_partner,
        "panels": panels,
        "page_marking": max(
            (panel["context"].get("marking", GSCMarking.OFFICIAL) for panel in panels),
            default=GSCMarking.OFFICIAL,
        ),
    }
    # Partner users see nothing of the police side: only their own vetting and releases.
    if not user.is_partner:
        context["memberships"] = list(memberships_with_scope(user))
    return render(request, "nim_portal/dashboard.html", context)
