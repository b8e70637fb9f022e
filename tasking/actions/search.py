"""Search over actions: an action's vector holds its description (A) and outcome (B), read with
the action."""

from django.contrib.postgres.search import SearchRank, SearchVector
from django.db.models import F, Q, QuerySet, Value
from django.urls import reverse

from nim_portal.search import SearchHit, clean_search_text, joined_text, snippet_html
from tasking.actions.models import TacticalAction
from tasking.actions.selectors import actions_visible_to
from tasking.search import (
    search_headline,
    stores_vectors,
    texts_joined,
    websearch_query,
    weighted_vector,
)


def _action_document() -> SearchVector:
    return weighted_vector("description", weight="A") + weighted_vector("outcome", weight="B")


def refresh_action_vector(action_id: int) -> None:
    """Recompute an action's vector (after its description or outcome changed)."""
    if stores_vectors():
        TacticalAction.objects.filter(pk=action_id).update(search_vector=_action_document())


def refresh_action_vectors(actions: QuerySet[TacticalAction]) -> None:
    """Recompute the vectors of `actions` in one statement: for actions written in bulk
    (seeding), which no service saved."""
    if stores_vectors():
        actions.update(search_vector=_action_document())


def search_actions(user, text: str) -> QuerySet[TacticalAction]:
    """The actions `user` may read matching `text`, best first, then the newest."""
    words = clean_search_text(text)
    if words is None:
        return TacticalAction.objects.none()
    actions = actions_visible_to(user).defer("search_vector")
    if stores_vectors():
        query = websearch_query(words)
        return (
            actions.filter(search_vector=query)
            .annotate(
                search_rank=SearchRank(F("search_vector"), query),
                search_snippet=search_headline(joined_text(F("description"), F("outcome")), query),
            )
            .order_by(F("search_rank").desc(), "-created_at", "-pk")
        )
    return (
        actions.filter(Q(description__icontains=words) | Q(outcome__icontains=words))
        .annotate(
            search_rank=Value(0.0), search_snippet=texts_joined(F("description"), F("outcome"))
        )
        .order_by("-created_at", "-pk")
    )


def action_hit(action: TacticalAction, words: str) -> SearchHit:
    return SearchHit(
        title=f"Action {action.reference} on the log of {action.unit.name}",
        url=reverse("tasking:action_detail", args=[action.pk]),
        marking=action.marking,
        snippet=snippet_html(action.search_snippet, words),
        detail=f"{action.get_status_display()}, due {action.due_date:%-d %B %Y}",
    )


def search_actions_for_site(user, words: str, limit: int) -> list[SearchHit]:
    actions = search_actions(user, words).prefetch_related("unit")[:limit]
    return [action_hit(action, words) for action in actions]
