"""A product's search vector holds all its text, its sections' included, with the highest marking
of that text beside it: one index then finds products however common the words. Fills both for
the rows that exist already (PostgreSQL only; on SQLite they stay empty)."""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import migrations, models
from django.db.models import F, Max, OuterRef, Subquery, TextField
from django.db.models.functions import Coalesce, Greatest

CONFIG = "english"


def fill_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Product = apps.get_model("products", "Product")
    Section = apps.get_model("products", "Section")
    sections = Section.objects.filter(product=OuterRef("pk")).order_by().values("product")

    def joined(field):
        return Subquery(
            sections.annotate(text=StringAgg(field, delimiter=" ", order_by="position")).values(
                "text"
            ),
            output_field=TextField(),
        )

    Product.objects.update(
        search_vector=SearchVector("title", config=CONFIG, weight="A")
        + SearchVector(
            "purpose",
            "scope_area",
            "scope_crime_types",
            "subject_description",
            config=CONFIG,
            weight="B",
        )
        + SearchVector(joined("title"), config=CONFIG, weight="C")
        + SearchVector(joined("body"), config=CONFIG, weight="D"),
        search_marking=Greatest(
            F("marking"),
            Coalesce(
                Subquery(sections.annotate(highest=Max("marking")).values("highest")),
                F("marking"),
            ),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0004_newest_first_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_marking",
            field=models.PositiveSmallIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop, elidable=True),
    ]
