"""API tokens moved from DRF's authtoken (plain text, no expiry) to django-rest-knox (a digest and
an expiry). A plain token cannot be turned into a knox token, so the old ones stop working and
their holders create new ones; the old table would still hold working-looking secrets in the
database and its backups, so it goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("nim_portal", "0008_notification_email_waiting"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
