"""Stored search vectors of products and sections, with their indexes (GIN on PostgreSQL), and the
vectors of the rows that exist already. On SQLite the columns stay empty: search falls back to
plain matching there."""

import django.contrib.postgres.search
from django.contrib.postgres.search import SearchVector
from django.db import migrations

import nim_portal.search

CONFIG = "english"


def fill_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Product = apps.get_model("products", "Product")
    Section = apps.get_model("products", "Section")
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
    )
    Section.objects.update(
        search_vector=SearchVector("title", config=CONFIG, weight="A")
        + SearchVector("body", config=CONFIG, weight="B")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0002_product_version_print"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="section",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="product",
            index=nim_portal.search.SearchVectorIndex(
                fields=["search_vector"], name="product_search_vector"
            ),
        ),
        migrations.AddIndex(
            model_name="section",
            index=nim_portal.search.SearchVectorIndex(
                fields=["search_vector"], name="section_search_vector"
            ),
        ),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop, elidable=True),
    ]
