"""Stored search vectors of meetings (agenda and place; minutes apart), actions and control
strategies, with their indexes (GIN on PostgreSQL), and the vectors of the rows that exist
already. On SQLite the columns stay empty: search falls back to plain matching there."""

import django.contrib.postgres.search
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat

import nim_portal.search

CONFIG = "english"
PRIORITY_TEXT_FIELDS = (
    "rationale",
    "objective_intelligence",
    "objective_prevention",
    "objective_enforcement",
    "objective_reassurance",
)


def _joined(model, parent, *fields):
    parts = []
    for name in fields:
        if parts:
            parts.append(Value(". "))
        parts.append(Coalesce(F(name), Value(""), output_field=TextField()))
    text = parts[0] if len(parts) == 1 else Concat(*parts, output_field=TextField())
    return Subquery(
        model.objects.filter(**{parent: OuterRef("pk")})
        .order_by()
        .values(parent)
        .annotate(text=StringAgg(text, delimiter=". ", order_by="pk"))
        .values("text"),
        output_field=TextField(),
    )


def fill_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Meeting = apps.get_model("tasking", "Meeting")
    AgendaItem = apps.get_model("tasking", "AgendaItem")
    TacticalAction = apps.get_model("tasking", "TacticalAction")
    ControlStrategy = apps.get_model("tasking", "ControlStrategy")
    Priority = apps.get_model("tasking", "Priority")
    Meeting.objects.update(
        search_vector=SearchVector(
            _joined(AgendaItem, "meeting", "title"), config=CONFIG, weight="A"
        )
        + SearchVector("place", _joined(AgendaItem, "meeting", "notes"), config=CONFIG, weight="B"),
        minutes_search_vector=SearchVector("minutes", config=CONFIG, weight="A"),
    )
    TacticalAction.objects.update(
        search_vector=SearchVector("description", config=CONFIG, weight="A")
        + SearchVector("outcome", config=CONFIG, weight="B")
    )
    ControlStrategy.objects.update(
        search_vector=SearchVector("title", config=CONFIG, weight="A")
        + SearchVector(_joined(Priority, "control_strategy", "theme"), config=CONFIG, weight="B")
        + SearchVector(
            _joined(Priority, "control_strategy", *PRIORITY_TEXT_FIELDS), config=CONFIG, weight="C"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tasking", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="controlstrategy",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="meeting",
            name="minutes_search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="meeting",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="tacticalaction",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="controlstrategy",
            index=nim_portal.search.SearchVectorIndex(
                fields=["search_vector"], name="control_strategy_search_vector"
            ),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=nim_portal.search.SearchVectorIndex(
                fields=["search_vector"], name="meeting_search_vector"
            ),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=nim_portal.search.SearchVectorIndex(
                fields=["minutes_search_vector"], name="meeting_minutes_search_vector"
            ),
        ),
        migrations.AddIndex(
            model_name="tacticalaction",
            index=nim_portal.search.SearchVectorIndex(
                fields=["search_vector"], name="tactical_action_search_vector"
            ),
        ),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop, elidable=True),
    ]
