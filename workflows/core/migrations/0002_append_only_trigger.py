"""On PostgreSQL the transition log refuses UPDATE and DELETE in SQL too, not only through the ORM.

TRUNCATE stays possible for the database owner: test isolation (flush) depends on it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION bangfu_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflow_core_transitionlog_append_only
  BEFORE UPDATE OR DELETE ON workflow_core_transitionlog
  FOR EACH ROW EXECUTE FUNCTION bangfu_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS workflow_core_transitionlog_append_only ON workflow_core_transitionlog;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("workflow_core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
