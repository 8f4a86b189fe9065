"""The audit log is append-only: PostgreSQL itself refuses to update or delete its rows."""

from django.db import migrations

FORBID = """
CREATE FUNCTION moderation_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON moderation_moderationaction
    FOR EACH ROW EXECUTE FUNCTION moderation_log_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS moderation_log_no_update_or_delete ON moderation_moderationaction;
DROP FUNCTION IF EXISTS moderation_log_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunSQL(FORBID, ALLOW)]
