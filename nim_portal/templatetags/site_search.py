"""The search box of the page header: for police staff only (not partners, nor anyone signed out
or still to give their second factor)."""

from django import template

from nim_portal import access
from nim_portal.search import MAX_SEARCH_LENGTH

register = template.Library()


@register.inclusion_tag("nim_portal/components/search_box.html", takes_context=True)
def site_search_box(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = user is not None and access.is_police(user)
    # Until the second factor is given, every page but that one leads back to it.
    if shown and access.second_factor_pending(user):
        shown = False
    return {"shown": shown, "max_length": MAX_SEARCH_LENGTH}
