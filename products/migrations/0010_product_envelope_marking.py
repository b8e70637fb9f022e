"""The marking of a product's title and summary (its envelope), apart from the marking of the
product as a whole: who may open it (docs/access.md, "Portion marking").

An existing product's title and summary were written under the marking the product had each
time they were written: its envelope is the highest of those (never above its marking now).
A product with no history (written in bulk) keeps its whole marking as its envelope. Nothing
opens to anybody who could not read the text they would be shown.
"""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Least

# The product's own text and details: what its title and summary are.
SUMMARY_FIELDS = (
    "title",
    "descriptor",
    "handling_instructions",
    "lawful_basis",
    "purpose",
    "proportionality",
    "warning_markers",
    "subject_kind",
    "subject_role",
    "subject_description",
    "scope_area",
    "scope_period_from",
    "scope_period_to",
    "scope_crime_types",
    "closed_reason",
    "closed_reason_text",
)
BATCH = 1000


def envelope_from_history(apps, schema_editor):
    Product = apps.get_model("products", "Product")
    HistoricalProduct = apps.get_model("products", "HistoricalProduct")
    envelope: dict[int, int] = {}
    written: dict[int, tuple] = {}
    records = (
        HistoricalProduct.objects.order_by("id", "history_date", "history_id")
        .values_list("id", "marking", *SUMMARY_FIELDS)
        .iterator(chunk_size=5000)
    )
    for pk, marking, *summary in records:
        summary = tuple(summary)
        if written.get(pk) != summary:
            written[pk] = summary
            envelope[pk] = max(envelope.get(pk, marking), marking)
    by_marking: dict[int, list[int]] = {}
    for pk, marking in envelope.items():
        by_marking.setdefault(marking, []).append(pk)
    for marking, pks in by_marking.items():
        for start in range(0, len(pks), BATCH):
            Product.objects.filter(pk__in=pks[start : start + BATCH]).update(
                envelope_marking=Least(Value(marking), F("marking"))
            )
    Product.objects.filter(envelope_marking__isnull=True).update(envelope_marking=F("marking"))
    HistoricalProduct.objects.update(envelope_marking=F("marking"))


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0009_product_owner_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="envelope_marking",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="envelope_marking",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(envelope_from_history, migrations.RunPython.noop),
    ]
