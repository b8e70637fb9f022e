"""What every page's template is given, and the registry of the choices templates compare with.

A template compares a status or a kind with its choices, never with a bare string:
`{% if meeting.status == MeetingStatus.CLOSED %}`. Each app registers the choices its templates
use from its AppConfig.ready(); the core knows no app's choices.
"""

from django.conf import settings
from django.db import models

from nim_portal.choices import GSCMarking

_template_choices: dict[str, type[models.Choices]] = {}


def register_template_choices(*choices: type[models.Choices]) -> None:
    """Give every page's template each of `choices` under its class name."""
    for choice in choices:
        _template_choices[choice.__name__] = choice


def portal(request):
    """Values every page needs: the run mode, the default page marking and the registered
    choices."""
    return {
        "portal_name": "NIM Portal",
        "portal_demo_mode": not settings.PRODUCTION_MODE,
        "default_page_marking": GSCMarking.OFFICIAL.label,
        **_template_choices,
    }
