"""Every URL pattern of the project's URLconf, walked through its includes, with a stable name.

Shared by the tests that must cover every URL (the partner canary crawl, the permission matrix),
so that a new URL is enumerated by all of them alike.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

# Django REST framework's format-suffix twin of a route (`units.json`) is named after the route
# with this ending.
FORMAT_SUFFIX_NAME = ".<format>"


def _parameters(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    return list(pattern.regex.groupindex)


@dataclass(frozen=True)
class Route:
    """One pattern: its full route as the URLconf writes it, and its stable name."""

    route: str
    name: str
    pattern: URLPattern
    # True when a part of the route is a regular expression (re_path, the API's routers).
    regex: bool
    # The patterns from the URLconf's root down to this one.
    parts: tuple

    @property
    def parameters(self) -> tuple[str, ...]:
        """The names of the route's parameters, as `reverse` takes them."""
        return tuple(name for part in self.parts for name in _parameters(part))


def _name(namespaces: tuple[str, ...], entry: URLPattern) -> str:
    """`namespace:name` (the view's dotted path for an unnamed pattern)."""
    name = ":".join((*namespaces, entry.name or entry.lookup_str))
    if "format" in _parameters(entry.pattern):
        name += FORMAT_SUFFIX_NAME
    return name


def routes(resolver=None, prefix="", namespaces=(), regex=False, parts=()) -> Iterator[Route]:
    """Every URL pattern under `resolver` (the project's URLconf by default)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        is_regex = regex or not isinstance(entry.pattern, RoutePattern)
        here = (*parts, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from routes(entry, route, inner, is_regex, here)
        elif isinstance(entry, URLPattern):
            yield Route(route, _name(namespaces, entry), entry, is_regex, here)
