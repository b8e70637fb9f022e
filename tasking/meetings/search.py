"""Search over meetings: what a meeting's vectors hold, and who may read it.

A meeting's vector holds its agenda (item titles A; notes B) and place (B), read by everyone who
may read the meeting; its minutes are apart (`minutes_search_vector`), matched and quoted only for
a reader whose vetting reaches the minutes' marking.
"""

from django.contrib.postgres.search import SearchRank, SearchVector
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
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
from nim_portal.search import SearchHit, clean_search_text, joined_text, snippet_html
from tasking.meetings.models import AgendaItem, Meeting
from tasking.meetings.selectors import meetings_visible_to
from tasking.search import (
    rows_joined,
    search_headline,
    stores_vectors,
    texts_joined,
    websearch_query,
    weighted_vector,
)


def _agenda(*fields: str) -> Subquery:
    return rows_joined(AgendaItem.objects.all(), "meeting", *fields)


def _meeting_document() -> SearchVector:
    return weighted_vector(_agenda("title"), weight="A") + weighted_vector(
        "place", _agenda("notes"), weight="B"
    )


def _minutes_document() -> SearchVector:
    return weighted_vector("minutes", weight="A")


def refresh_meeting_vector(meeting_id: int) -> None:
    """Recompute a meeting's vector (after its agenda or place changed)."""
    if stores_vectors():
        Meeting.objects.filter(pk=meeting_id).update(search_vector=_meeting_document())


def refresh_minutes_vector(meeting_id: int) -> None:
    """Recompute the vector of a meeting's minutes (after they were saved)."""
    if stores_vectors():
        Meeting.objects.filter(pk=meeting_id).update(minutes_search_vector=_minutes_document())


def refresh_meeting_vectors(meetings: QuerySet[Meeting]) -> None:
    """Recompute both vectors of `meetings` in one statement: for meetings written in bulk (the
    schedule, seeding), which no service saved one by one."""
    if stores_vectors():
        meetings.update(
            search_vector=_meeting_document(), minutes_search_vector=_minutes_document()
        )


def search_meetings(user, text: str) -> QuerySet[Meeting]:
    """The meetings `user` may read matching `text`, best first, then the latest; each carries
    `search_snippet` (from its minutes only when the user may read them: see
    `search_minutes_match`). Nothing for text that cannot be searched for."""
    words = clean_search_text(text)
    if words is None:
        return Meeting.objects.none()
    meetings = meetings_visible_to(user).defer("search_vector", "minutes_search_vector")
    minutes_readable = access.within_ceiling(user, "minutes_marking")
    if stores_vectors():
        query = websearch_query(words)
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
                    When(in_minutes, then=search_headline("minutes", query)),
                    default=search_headline(
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
                default=Subquery(first_item.values(text=texts_joined(F("title"), F("notes")))[:1]),
                output_field=TextField(),
            ),
        )
        .order_by("-starts_at", "-pk")
    )


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


def search_meetings_for_site(user, words: str, limit: int) -> list[SearchHit]:
    meetings = search_meetings(user, words).prefetch_related("unit")[:limit]
    return [meeting_hit(meeting, words) for meeting in meetings]
