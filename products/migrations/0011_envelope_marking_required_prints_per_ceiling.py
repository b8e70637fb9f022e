"""The envelope marking is required and never above the product's marking, and the register's
covering index carries it (the access filters decide a row from the index alone: 0008). A
version is printed once per reader ceiling: the prints made so far hold every section, so their
ceiling is the version's own marking."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

MARKINGS = [(10, "OFFICIAL"), (20, "OFFICIAL-SENSITIVE"), (30, "SECRET"), (40, "TOP SECRET")]
MARKING_HELP = (
    "The highest marking of anything in it (its title and summary, every section): what it is "
    "labelled, exported and released by, and the vetting needed to work on it. Never lower than "
    "its title and summary's or any section's; never lowered."
)
ENVELOPE_HELP = (
    "Who may open the product at all: its title, its details and the list of its sections. A "
    "section marked higher is withheld from a reader vetted below it."
)


def prints_hold_everything(apps, schema_editor):
    ProductVersion = apps.get_model("products", "ProductVersion")
    ProductVersionPrint = apps.get_model("products", "ProductVersionPrint")
    ProductVersionPrint.objects.update(
        ceiling=Subquery(ProductVersion.objects.filter(pk=OuterRef("version_id")).values("marking"))
    )


def envelope_field():
    return models.PositiveSmallIntegerField(
        choices=MARKINGS, help_text=ENVELOPE_HELP, verbose_name="marking of its title and summary"
    )


def marking_field():
    return models.PositiveSmallIntegerField(choices=MARKINGS, default=20, help_text=MARKING_HELP)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0010_product_envelope_marking"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product", name="envelope_marking", field=envelope_field()
        ),
        migrations.AlterField(
            model_name="historicalproduct", name="envelope_marking", field=envelope_field()
        ),
        migrations.AlterField(model_name="product", name="marking", field=marking_field()),
        migrations.AlterField(
            model_name="historicalproduct", name="marking", field=marking_field()
        ),
        migrations.AlterField(
            model_name="productversion",
            name="marking",
            field=models.PositiveSmallIntegerField(
                choices=MARKINGS,
                help_text="The highest marking of anything in it: the product's marking when "
                "approved.",
            ),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("envelope_marking__in", [10, 20, 30, 40]),
                    ("envelope_marking__lte", models.F("marking")),
                ),
                name="product_envelope_marking_within_marking",
                violation_error_message=(
                    "The title and summary are marked no higher than the product as a whole."
                ),
            ),
        ),
        migrations.RemoveIndex(model_name="product", name="product_newest_first"),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                fields=["-created_at", "-id"],
                include=(
                    "unit",
                    "kind",
                    "status",
                    "marking",
                    "envelope_marking",
                    "search_marking",
                    "need_to_know",
                    "owner",
                    "requester",
                ),
                name="product_newest_first",
            ),
        ),
        migrations.AlterField(
            model_name="productversionprint",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="prints",
                to="products.productversion",
            ),
        ),
        migrations.AddField(
            model_name="productversionprint",
            name="ceiling",
            field=models.PositiveSmallIntegerField(choices=MARKINGS, null=True),
        ),
        migrations.RunPython(prints_hold_everything, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="productversionprint",
            name="ceiling",
            field=models.PositiveSmallIntegerField(
                choices=MARKINGS,
                help_text="The highest marking printed: its readers' vetting, or the version's "
                "own marking when that is lower (products.services.prints.print_ceiling).",
            ),
        ),
        migrations.AddConstraint(
            model_name="productversionprint",
            constraint=models.UniqueConstraint(
                fields=("version", "ceiling"), name="product_version_print_one_per_ceiling"
            ),
        ),
    ]
