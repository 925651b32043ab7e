"""Database triggers that refuse UPDATE and DELETE on record versions, for raw SQL too.

The model layer already refuses; the database is the last line, so no script, console session or
future bug can rewrite history. PostgreSQL and SQLite each get their own trigger.
"""

from django.db import migrations

TABLE = "records_recordversion"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION gongxin_version_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'record versions are immutable' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recordversion_no_update BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION gongxin_version_immutable();
"""
POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS recordversion_no_update ON {TABLE};
DROP FUNCTION IF EXISTS gongxin_version_immutable();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER recordversion_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable'); END;""",
    f"""CREATE TRIGGER recordversion_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS recordversion_no_update;",
    "DROP TRIGGER IF EXISTS recordversion_no_delete;",
]


def forward(apps, schema_editor):  # noqa: ARG001
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):  # noqa: ARG001
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
