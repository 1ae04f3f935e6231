"""Migration operations of the fdw app."""

from __future__ import annotations

from django.db import migrations


class PostgresRunSQL(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL only: on SQLite (the embedded default) there is no
    postgres_fdw and the archive is local, so it is a no-op there, both ways."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
