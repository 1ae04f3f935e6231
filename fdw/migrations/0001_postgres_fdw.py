"""postgres_fdw on node A: the extension and the schema node B's tables are imported into.

No credentials here: the foreign server, its user mapping and the foreign tables are made
(and kept up to date) by `python manage.py setup_fdw` from the FDW_REMOTE_* settings.
Runs on node A only (the archive router keeps it off node B); a no-op on SQLite.
"""

from django.db import migrations

from fdw.operations import PostgresRunSQL


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        PostgresRunSQL(
            sql="CREATE EXTENSION IF NOT EXISTS postgres_fdw",
            # CASCADE: the foreign server and user mapping setup_fdw made depend on it.
            reverse_sql="DROP EXTENSION IF EXISTS postgres_fdw CASCADE",
        ),
        PostgresRunSQL(
            sql="CREATE SCHEMA IF NOT EXISTS archive",
            reverse_sql="DROP SCHEMA IF EXISTS archive CASCADE",
        ),
    ]
