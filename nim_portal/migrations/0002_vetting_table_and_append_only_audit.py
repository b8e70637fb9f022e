from django.db import migrations

from nim_portal.choices import DEFAULT_VETTING_CLEARANCE

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION nim_portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER nim_portal_auditevent_append_only
    BEFORE UPDATE OR DELETE ON nim_portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION nim_portal_auditevent_append_only();
"""
DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS nim_portal_auditevent_append_only ON nim_portal_auditevent;
DROP FUNCTION IF EXISTS nim_portal_auditevent_append_only();
"""


def seed_vetting_table(apps, schema_editor):
    VettingClearance = apps.get_model("nim_portal", "VettingClearance")
    for level, marking in DEFAULT_VETTING_CLEARANCE.items():
        VettingClearance.objects.get_or_create(
            vetting_level=level.value, defaults={"max_marking": int(marking)}
        )


def add_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL)


class Migration(migrations.Migration):
    dependencies = [("nim_portal", "0001_initial")]

    operations = [
        migrations.RunPython(seed_vetting_table, migrations.RunPython.noop),
        migrations.RunPython(add_append_only_trigger, drop_append_only_trigger),
    ]
