"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE) of record versions, for raw SQL too.

The model layer already refuses; the database is the last line, so no script, console session or
future bug can rewrite history. The one exception is an explicit purge (records.maintenance): it
puts a row into ``gongxin_history_purge`` for its duration, which the triggers check. Only the
``flush`` command of the test suite and a future legally required erasure use it.
"""

from django.db import migrations

TABLE = "records_recordversion"
FLAG = "gongxin_history_purge"

POSTGRES_FORWARD = f"""
CREATE TABLE IF NOT EXISTS {FLAG} (reason text NOT NULL);
CREATE OR REPLACE FUNCTION gongxin_version_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'UPDATE' AND EXISTS (SELECT 1 FROM {FLAG}) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'record versions are immutable' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION gongxin_version_delete_guard() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {FLAG}) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'record versions are immutable' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER recordversion_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION gongxin_version_immutable();
CREATE TRIGGER recordversion_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION gongxin_version_delete_guard();
CREATE TRIGGER recordversion_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION gongxin_version_immutable();
"""
POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS recordversion_no_update ON {TABLE};
DROP TRIGGER IF EXISTS recordversion_no_delete ON {TABLE};
DROP TRIGGER IF EXISTS recordversion_no_truncate ON {TABLE};
DROP FUNCTION IF EXISTS gongxin_version_immutable();
DROP FUNCTION IF EXISTS gongxin_version_delete_guard();
DROP TABLE IF EXISTS {FLAG};
"""
SQLITE_FORWARD = [
    f"CREATE TABLE IF NOT EXISTS {FLAG} (reason text NOT NULL);",
    f"""CREATE TRIGGER recordversion_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable'); END;""",
    f"""CREATE TRIGGER recordversion_no_delete BEFORE DELETE ON {TABLE}
        WHEN NOT EXISTS (SELECT 1 FROM {FLAG})
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS recordversion_no_update;",
    "DROP TRIGGER IF EXISTS recordversion_no_delete;",
    f"DROP TABLE IF EXISTS {FLAG};",
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
