# Covert actions and collection items record their authority (tasking.safeguards), and an action
# names the product that justifies it (issue 14, points 4 and 6).

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0011_envelope_marking_required_prints_per_ceiling"),
        ("tasking", "0013_patrol_briefings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltacticalaction",
            name="product",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The product or commissioned profile that justifies the action.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="products.product",
            ),
        ),
        migrations.AddField(
            model_name="tacticalaction",
            name="product",
            field=models.ForeignKey(
                blank=True,
                help_text="The product or commissioned profile that justifies the action.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tasking_actions",
                to="products.product",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalAuthority",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "authority_type",
                    models.CharField(
                        choices=[
                            ("directed", "Directed surveillance (RIPA Part II)"),
                            ("intrusive", "Intrusive surveillance (RIPA Part II)"),
                            ("chis", "Covert human intelligence source (RIPA Part II)"),
                            ("comms_data", "Communications data (IPA Part 3)"),
                            ("equipment", "Equipment interference (IPA Part 5)"),
                            ("interception", "Targeted interception (IPA Part 2)"),
                        ],
                        max_length=16,
                    ),
                ),
                ("reference", models.CharField(max_length=64)),
                ("authorising_officer", models.CharField(max_length=200)),
                ("necessity_and_proportionality", models.TextField()),
                ("recorded_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "action",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tasking.tacticalaction",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requirement_item",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tasking.intelligencerequirementitem",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical authority",
                "verbose_name_plural": "historical authorities",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Authority",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "authority_type",
                    models.CharField(
                        choices=[
                            ("directed", "Directed surveillance (RIPA Part II)"),
                            ("intrusive", "Intrusive surveillance (RIPA Part II)"),
                            ("chis", "Covert human intelligence source (RIPA Part II)"),
                            ("comms_data", "Communications data (IPA Part 3)"),
                            ("equipment", "Equipment interference (IPA Part 5)"),
                            ("interception", "Targeted interception (IPA Part 2)"),
                        ],
                        max_length=16,
                    ),
                ),
                ("reference", models.CharField(max_length=64)),
                ("authorising_officer", models.CharField(max_length=200)),
                ("necessity_and_proportionality", models.TextField()),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "action",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="authority",
                        to="tasking.tacticalaction",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requirement_item",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="authority",
                        to="tasking.intelligencerequirementitem",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "authorities",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("action__isnull", False), ("requirement_item__isnull", True)),
                            models.Q(("action__isnull", True), ("requirement_item__isnull", False)),
                            _connector="OR",
                        ),
                        name="authority_of_one_record",
                        violation_error_message="An authority belongs to one action or one item.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "authority_type__in",
                                [
                                    "directed",
                                    "intrusive",
                                    "chis",
                                    "comms_data",
                                    "equipment",
                                    "interception",
                                ],
                            )
                        ),
                        name="authority_type_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("reference", ""), _negated=True),
                            models.Q(("authorising_officer", ""), _negated=True),
                            models.Q(("necessity_and_proportionality", ""), _negated=True),
                        ),
                        name="authority_complete",
                        violation_error_message="An authority records its reference, authorising officer and the necessity and proportionality of the activity.",
                    ),
                ],
            },
        ),
    ]
