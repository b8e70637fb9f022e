"""Search over meetings, actions and control strategies: stored full-text vectors on PostgreSQL,
plain matching on SQLite, always within the visibility selectors of each.

What each vector holds, and who may read it:

- a meeting: its agenda (item titles A; notes B) and place (B), read by everyone who may read the
  meeting; its minutes apart (`minutes_search_vector`), matched and quoted only for a reader whose
  vetting reaches the minutes' marking;
- an action: its description (A) and outcome (B), read with the action;
- a control strategy: its title (A), its priorities' themes (B) and their rationale and
  objectives (C), read with the strategy.

The services keep the vectors in the transaction that changes the text; bulk inserts call
`refresh_search_vectors` afterwards.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.search import (
    HEADLINE_OPTIONS,
    SEARCH_CONFIG,
    SearchHit,
    clean_search_text,
    joined_text,
    snippet_html,
)
from tasking.models import AgendaItem, ControlStrategy, Meeting, Priority, TacticalAction
from tasking.selectors.actions import actions_visible_to
from tasking.selectors.proceedings import meetings_visible_to
from tasking.selectors.strategy import control_strategies_visible_to

# A priority's text besides its theme (weighted C in its strategy's vector).
PRIORITY_TEXT_FIELDS = (
    "rationale",
    "objective_intelligence",
    "objective_prevention",
    "objective_enforcement",
    "objective_reassurance",
)


def _stores_vectors() -> bool:
    return connection.vendor == "postgresql"


def _joined(rows: QuerySet, parent: str, *fields: str) -> Subquery:
    """The text of `fields` of the rows of one parent (`parent` = OuterRef("pk")), joined."""
    text = _text(*(F(name) for name in fields))
    return Subquery(
        rows.filter(**{parent: OuterRef("pk")})
        .order_by()
        .values(parent)
        .annotate(text=StringAgg(text, delimiter=". ", order_by="pk"))
        .values("text"),
        output_field=TextField(),
    )


class _DotJoined(Func):
    """Texts (never null) joined by ". ": one CONCAT_WS on PostgreSQL, where Concat nests a
    COALESCE and a cast per pair (five fields took longer to compile than the query to run);
    `||` on SQLite, which has no CONCAT_WS."""

    function = "CONCAT_WS"
    output_field = TextField()

    def __init__(self, *parts):
        super().__init__(Value(". "), *parts)

    def as_sqlite(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(part) for part in self.get_source_expressions()[1:]]
        sql = " || '. ' || ".join(part_sql for part_sql, _params in compiled)
        return f"({sql})", [param for _sql, params in compiled for param in params]


def _text(*parts):
    """`parts` joined by ". ", each empty when null."""
    texts = [Coalesce(part, Value(""), output_field=TextField()) for part in parts]
    return texts[0] if len(texts) == 1 else _DotJoined(*texts)


def _vector(*parts, weight: str) -> SearchVector:
    return SearchVector(*parts, config=SEARCH_CONFIG, weight=weight)


def _query(words: str) -> SearchQuery:
    return SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")


# Meetings.


def _agenda(*fields: str) -> Subquery:
    return _joined(AgendaItem.objects.all(), "meeting", *fields)


def _meeting_document() -> SearchVector:
    return _vector(_agenda("title"), weight="A") + _vector("place", _agenda("notes"), weight="B")


def _minutes_document() -> SearchVector:
    return _vector("minutes", weight="A")


# Actions.


def _action_document() -> SearchVector:
    return _vector("description", weight="A") + _vector("outcome", weight="B")


# Control strategies.


def _priorities(*fields: str) -> Subquery:
    return _joined(Priority.objects.all(), "control_strategy", *fields)


def _strategy_document() -> SearchVector:
    return (
        _vector("title", weight="A")
        + _vector(_priorities("theme"), weight="B")
        + _vector(_priorities(*PRIORITY_TEXT_FIELDS), weight="C")
    )


# Keeping the vectors.


def refresh_meeting_vector(meeting_id: int) -> None:
    """Recompute a meeting's vector (after its agenda or place changed)."""
    if _stores_vectors():
        Meeting.objects.filter(pk=meeting_id).update(search_vector=_meeting_document())


def refresh_minutes_vector(meeting_id: int) -> None:
    """Recompute the vector of a meeting's minutes (after they were saved)."""
    if _stores_vectors():
        Meeting.objects.filter(pk=meeting_id).update(minutes_search_vector=_minutes_document())


def refresh_action_vector(action_id: int) -> None:
    """Recompute an action's vector (after its description or outcome changed)."""
    if _stores_vectors():
        TacticalAction.objects.filter(pk=action_id).update(search_vector=_action_document())


def refresh_strategy_vector(strategy_id: int) -> None:
    """Recompute a control strategy's vector (after its title or a priority's text changed)."""
    if _stores_vectors():
        ControlStrategy.objects.filter(pk=strategy_id).update(search_vector=_strategy_document())


def refresh_search_vectors(queryset: QuerySet) -> None:
    """Recompute the vectors of the meetings, actions or control strategies of `queryset` in
    one statement each: for data written in bulk (seeding), which no service saved."""
    if not _stores_vectors():
        return
    documents = {
        Meeting: {"search_vector": _meeting_document, "minutes_search_vector": _minutes_document},
        TacticalAction: {"search_vector": _action_document},
        ControlStrategy: {"search_vector": _strategy_document},
    }
    fields = documents[queryset.model]
    queryset.update(**{name: document() for name, document in fields.items()})


# Searching.


def _search_headline(text, query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(text, query, config=SEARCH_CONFIG, **HEADLINE_OPTIONS)


def search_meetings(user, text: str) -> QuerySet[Meeting]:
    """The meetings `user` may read matching `text`, best first, then the latest; each carries
    `search_snippet` (from its minutes only when the user may read them: see
    `search_minutes_match`). Nothing for text that cannot be searched for."""
    words = clean_search_text(text)
    if words is None:
        return Meeting.objects.none()
    meetings = meetings_visible_to(user).defer("search_vector", "minutes_search_vector")
    minutes_readable = access.within_ceiling(user, "minutes_marking")
    if _stores_vectors():
        query = _query(words)
        in_minutes = Q(minutes_search_vector=query) & minutes_readable
        return (
            meetings.filter(Q(search_vector=query) | in_minutes)
            .annotate(
                search_minutes_match=ExpressionWrapper(in_minutes, output_field=BooleanField()),
                search_rank=Coalesce(SearchRank(F("search_vector"), query), Value(0.0))
                + Case(
                    When(in_minutes, then=SearchRank(F("minutes_search_vector"), query)),
                    default=Value(0.0),
                ),
                search_snippet=Case(
                    When(in_minutes, then=_search_headline("minutes", query)),
                    default=_search_headline(
                        joined_text(_agenda("title"), F("place"), _agenda("notes")), query
                    ),
                    output_field=TextField(),
                ),
            )
            .order_by(F("search_rank").desc(), "-starts_at", "-pk")
        )
    matching_items = AgendaItem.objects.filter(
        Q(title__icontains=words) | Q(notes__icontains=words)
    )
    first_item = matching_items.filter(meeting=OuterRef("pk")).order_by("position")
    in_agenda = Q(place__icontains=words) | Q(pk__in=matching_items.values("meeting_id"))
    in_minutes = Q(minutes__icontains=words) & minutes_readable
    return (
        meetings.filter(in_agenda | in_minutes)
        .annotate(
            search_minutes_match=ExpressionWrapper(in_minutes, output_field=BooleanField()),
            search_rank=Value(0.0),
            search_snippet=Case(
                When(in_minutes, then=F("minutes")),
                When(place__icontains=words, then=F("place")),
                default=Subquery(first_item.values(text=_text(F("title"), F("notes")))[:1]),
                output_field=TextField(),
            ),
        )
        .order_by("-starts_at", "-pk")
    )


def search_actions(user, text: str) -> QuerySet[TacticalAction]:
    """The actions `user` may read matching `text`, best first, then the newest."""
    words = clean_search_text(text)
    if words is None:
        return TacticalAction.objects.none()
    actions = actions_visible_to(user).defer("search_vector")
    if _stores_vectors():
        query = _query(words)
        return (
            actions.filter(search_vector=query)
            .annotate(
                search_rank=SearchRank(F("search_vector"), query),
                search_snippet=_search_headline(joined_text(F("description"), F("outcome")), query),
            )
            .order_by(F("search_rank").desc(), "-created_at", "-pk")
        )
    return (
        actions.filter(Q(description__icontains=words) | Q(outcome__icontains=words))
        .annotate(search_rank=Value(0.0), search_snippet=_text(F("description"), F("outcome")))
        .order_by("-created_at", "-pk")
    )


def search_control_strategies(user, text: str) -> QuerySet[ControlStrategy]:
    """The control strategies `user` may read matching `text`, best first, then the latest."""
    words = clean_search_text(text)
    if words is None:
        return ControlStrategy.objects.none()
    strategies = control_strategies_visible_to(user).defer("search_vector")
    if _stores_vectors():
        query = _query(words)
        return (
            strategies.filter(search_vector=query)
            .annotate(
                search_rank=SearchRank(F("search_vector"), query),
                search_snippet=_search_headline(
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
                    first_priority.values(text=_text(*(F(name) for name in priority_fields)))[:1]
                ),
                output_field=TextField(),
            ),
        )
        .order_by("-period_start", "-pk")
    )


# The site search page's results. They fetch their units apart: a join with units can lead
# PostgreSQL to repeat the index scan for every unit.


def meeting_hit(meeting: Meeting, words: str) -> SearchHit:
    """A found meeting: marked as its minutes when they are what matched, else OFFICIAL (its
    kind, unit, date, agenda and place carry no marking)."""
    when = meeting.starts_at.strftime("%-d %B %Y")
    return SearchHit(
        title=f"{meeting.get_kind_display()} of {meeting.unit.name}, {when}",
        url=reverse("tasking:meeting_detail", args=[meeting.pk]),
        marking=meeting.minutes_marking if meeting.search_minutes_match else GSCMarking.OFFICIAL,
        snippet=snippet_html(meeting.search_snippet, words),
        detail=meeting.get_status_display(),
    )


def action_hit(action: TacticalAction, words: str) -> SearchHit:
    return SearchHit(
        title=f"Action {action.reference} on the log of {action.unit.name}",
        url=reverse("tasking:action_detail", args=[action.pk]),
        marking=action.marking,
        snippet=snippet_html(action.search_snippet, words),
        detail=f"{action.get_status_display()}, due {action.due_date:%-d %B %Y}",
    )


def strategy_hit(strategy: ControlStrategy, words: str) -> SearchHit:
    return SearchHit(
        title=strategy.title,
        url=reverse("tasking:strategy_detail", args=[strategy.pk]),
        marking=strategy.marking,
        snippet=snippet_html(strategy.search_snippet, words),
        detail=f"{strategy.unit.name}, {strategy.get_status_display().lower()}",
    )


def search_meetings_for_site(user, words: str, limit: int) -> list[SearchHit]:
    meetings = search_meetings(user, words).prefetch_related("unit")[:limit]
    return [meeting_hit(meeting, words) for meeting in meetings]


def search_actions_for_site(user, words: str, limit: int) -> list[SearchHit]:
    actions = search_actions(user, words).prefetch_related("unit")[:limit]
    return [action_hit(action, words) for action in actions]


def search_control_strategies_for_site(user, words: str, limit: int) -> list[SearchHit]:
    strategies = search_control_strategies(user, words).prefetch_related("unit")[:limit]
    return [strategy_hit(strategy, words) for strategy in strategies]
