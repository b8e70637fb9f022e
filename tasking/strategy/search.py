"""Search over control strategies: a strategy's vector holds its title (A), its priorities' themes
(B) and their rationale and objectives (C), read with the strategy."""

from django.contrib.postgres.search import SearchRank, SearchVector
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.urls import reverse

from nim_portal.search import SearchHit, clean_search_text, joined_text, snippet_html
from tasking.search import (
    rows_joined,
    search_headline,
    stores_vectors,
    texts_joined,
    websearch_query,
    weighted_vector,
)
from tasking.strategy.models import ControlStrategy, Priority
from tasking.strategy.selectors import control_strategies_visible_to

PRIORITY_TEXT_FIELDS = (
    "rationale",
    "objective_intelligence",
    "objective_prevention",
    "objective_enforcement",
    "objective_reassurance",
)


def _priorities(*fields: str) -> Subquery:
    return rows_joined(Priority.objects.all(), "control_strategy", *fields)


def _strategy_document() -> SearchVector:
    return (
        weighted_vector("title", weight="A")
        + weighted_vector(_priorities("theme"), weight="B")
        + weighted_vector(_priorities(*PRIORITY_TEXT_FIELDS), weight="C")
    )


def refresh_strategy_vector(strategy_id: int) -> None:
    """Recompute a control strategy's vector (after its title or a priority's text changed)."""
    if stores_vectors():
        ControlStrategy.objects.filter(pk=strategy_id).update(search_vector=_strategy_document())


def refresh_strategy_vectors(strategies: QuerySet[ControlStrategy]) -> None:
    """Recompute the vectors of `strategies` in one statement: for strategies written in bulk
    (seeding), which no service saved."""
    if stores_vectors():
        strategies.update(search_vector=_strategy_document())


def search_control_strategies(user, text: str) -> QuerySet[ControlStrategy]:
    """The control strategies `user` may read matching `text`, best first, then the latest."""
    words = clean_search_text(text)
    if words is None:
        return ControlStrategy.objects.none()
    strategies = control_strategies_visible_to(user).defer("search_vector")
    if stores_vectors():
        query = websearch_query(words)
        return (
            strategies.filter(search_vector=query)
            .annotate(
                search_rank=SearchRank(F("search_vector"), query),
                search_snippet=search_headline(
                    joined_text(
                        F("title"), _priorities("theme"), _priorities(*PRIORITY_TEXT_FIELDS)
                    ),
                    query,
                ),
            )
            .order_by(F("search_rank").desc(), "-period_start", "-pk")
        )
    priority_fields = ("theme", *PRIORITY_TEXT_FIELDS)
    in_priorities = Q()
    for name in priority_fields:
        in_priorities |= Q(**{f"{name}__icontains": words})
    matching_priorities = Priority.objects.filter(in_priorities)
    first_priority = matching_priorities.filter(control_strategy=OuterRef("pk")).order_by("pk")
    in_title = Q(title__icontains=words)
    return (
        strategies.filter(in_title | Q(pk__in=matching_priorities.values("control_strategy_id")))
        .annotate(
            search_rank=Value(0.0),
            search_snippet=Case(
                When(in_title, then=F("title")),
                default=Subquery(
                    first_priority.values(
                        text=texts_joined(*(F(name) for name in priority_fields))
                    )[:1]
                ),
                output_field=TextField(),
            ),
        )
        .order_by("-period_start", "-pk")
    )


def strategy_hit(strategy: ControlStrategy, words: str) -> SearchHit:
    return SearchHit(
        title=strategy.title,
        url=reverse("tasking:strategy_detail", args=[strategy.pk]),
        marking=strategy.marking,
        snippet=snippet_html(strategy.search_snippet, words),
        detail=f"{strategy.unit.name}, {strategy.get_status_display().lower()}",
    )


def search_control_strategies_for_site(user, words: str, limit: int) -> list[SearchHit]:
    strategies = search_control_strategies(user, words).prefetch_related("unit")[:limit]
    return [strategy_hit(strategy, words) for strategy in strategies]
