"""Where the apps above the core contribute to the portal's layout: navigation and dashboard.

The core app knows nothing of the apps that build on it (docs/architecture.md "The dependency
order").
Each app registers its navigation items and dashboard panels from its AppConfig.ready(); the
`service_navigation` tag and the dashboard read them here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from nim_portal.models import User

Audience = Callable[[User], bool]


def police_users(user: User) -> bool:
    """Active police users (not partners)."""
    return bool(user.is_authenticated and user.is_active and not user.is_partner)


def partner_users(user: User) -> bool:
    """Active partner agency users."""
    return bool(user.is_authenticated and user.is_active and user.is_partner)


@dataclass(frozen=True)
class NavigationItem:
    """A link in the service navigation, current on every page whose address starts with its
    own (the longest such link wins)."""

    key: str
    label: str
    url_name: str
    audience: Audience

    @property
    def href(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class DashboardPanel:
    """A panel of the dashboard: `template_name` rendered with `context(user)`. A panel that
    shows marked records puts the highest of their markings in its context as `marking`, so that
    the dashboard's banner carries it."""

    key: str
    template_name: str
    context: Callable[[User], dict]
    audience: Audience


_navigation: dict[str, NavigationItem] = {}
_panels: dict[str, DashboardPanel] = {}


def register_navigation(
    *, key: str, label: str, url_name: str, audience: Audience = police_users
) -> None:
    """Add (or replace, when `key` is registered already) a navigation item."""
    _navigation[key] = NavigationItem(key=key, label=label, url_name=url_name, audience=audience)


def register_dashboard_panel(
    *,
    key: str,
    template_name: str,
    context: Callable[[User], dict],
    audience: Audience = police_users,
) -> None:
    """Add (or replace, when `key` is registered already) a dashboard panel."""
    _panels[key] = DashboardPanel(
        key=key, template_name=template_name, context=context, audience=audience
    )


def navigation_for(user: User) -> list[NavigationItem]:
    """The registered navigation items `user` may see, in the order they were registered."""
    return [item for item in _navigation.values() if item.audience(user)]


def dashboard_panels_for(user: User) -> list[dict]:
    """The registered panels `user` may see, each as its template name and its context."""
    return [
        {"template_name": panel.template_name, "context": panel.context(user)}
        for panel in _panels.values()
        if panel.audience(user)
    ]
