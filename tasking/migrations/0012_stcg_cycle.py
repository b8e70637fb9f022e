import django.db.models.deletion
from django.db import migrations, models


def strategic_windows(apps, schema_editor):
    """An ST&CG's strategic assessment takes longer than a tactical one: commissioned eight weeks
    before the meeting and due two weeks before it, where the policy still has the defaults."""
    CadencePolicy = apps.get_model("tasking", "CadencePolicy")
    CadencePolicy.objects.filter(
        meeting_kind="stcg", assessment_commission_days=14, assessment_due_days=3
    ).update(assessment_commission_days=56, assessment_due_days=14)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0011_envelope_marking_required_prints_per_ceiling"),
        ("tasking", "0011_minutes_prints_per_ceiling"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="strategic_assessment",
            field=models.OneToOneField(
                blank=True,
                help_text="The strategic assessment commissioned for this ST&CG.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="strategic_meeting",
                to="products.product",
            ),
        ),
        migrations.AddField(
            model_name="historicalmeeting",
            name="strategic_assessment",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The strategic assessment commissioned for this ST&CG.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="products.product",
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="assessment_flag",
            field=models.CharField(
                blank=True,
                help_text="Why its assessment could not be commissioned (empty once it is).",
                max_length=300,
            ),
        ),
        migrations.AlterField(
            model_name="historicalmeeting",
            name="assessment_flag",
            field=models.CharField(
                blank=True,
                help_text="Why its assessment could not be commissioned (empty once it is).",
                max_length=300,
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind", "stcg"), ("strategic_assessment__isnull", True), _connector="OR"
                ),
                name="meeting_strategic_assessment_only_at_stcg",
                violation_error_message="Only an ST&CG has a strategic assessment commissioned.",
            ),
        ),
        migrations.AddField(
            model_name="controlstrategy",
            name="approved_at_sitting",
            field=models.ForeignKey(
                blank=True,
                help_text="The ST&CG sitting that approved it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="control_strategies_approved",
                to="tasking.meeting",
            ),
        ),
        migrations.AddField(
            model_name="historicalcontrolstrategy",
            name="approved_at_sitting",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The ST&CG sitting that approved it.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tasking.meeting",
            ),
        ),
        migrations.AddField(
            model_name="intelligencerequirement",
            name="approved_at_sitting",
            field=models.ForeignKey(
                blank=True,
                help_text="The ST&CG sitting that approved it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requirements_approved",
                to="tasking.meeting",
            ),
        ),
        migrations.AddField(
            model_name="historicalintelligencerequirement",
            name="approved_at_sitting",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The ST&CG sitting that approved it.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tasking.meeting",
            ),
        ),
        migrations.AlterField(
            model_name="cadencepolicy",
            name="assessment_commission_days",
            field=models.PositiveSmallIntegerField(
                default=14,
                help_text="The assessment (tactical before a TT&CG, strategic before an ST&CG) is "
                "commissioned this many days before the meeting.",
            ),
        ),
        migrations.AlterField(
            model_name="cadencepolicy",
            name="assessment_due_days",
            field=models.PositiveSmallIntegerField(
                default=3, help_text="The assessment is due this many days before the meeting."
            ),
        ),
        migrations.AlterField(
            model_name="historicalcadencepolicy",
            name="assessment_commission_days",
            field=models.PositiveSmallIntegerField(
                default=14,
                help_text="The assessment (tactical before a TT&CG, strategic before an ST&CG) is "
                "commissioned this many days before the meeting.",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcadencepolicy",
            name="assessment_due_days",
            field=models.PositiveSmallIntegerField(
                default=3, help_text="The assessment is due this many days before the meeting."
            ),
        ),
        migrations.RunPython(strategic_windows, migrations.RunPython.noop),
    ]
