from django.conf import settings

from nim_portal.choices import GSCMarking


def portal(request):
    """Values every page needs: the run mode and the default page marking."""
    return {
        "portal_name": "NIM Portal",
        "portal_demo_mode": not settings.PRODUCTION_MODE,
        "default_page_marking": GSCMarking.OFFICIAL.label,
    }
