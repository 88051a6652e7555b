"""The SQL of the audit table's triggers (migration 0005), kept apart so the tamper tests can put them back
after playing the database superuser: append-only, except that a record not yet chained may be chained once."""

TABLE = "core_auditevent"
CONTENT = [
    "id", "at", "actor_id", "actor_label", "municipality_id", "action", "object_type", "object_id",
    "ip_address", "user_agent", "detail",
]  # fmt: skip

SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
SQLITE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        WHEN NOT (OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND {SQLITE_SAME})
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
PG_CONTENT = ", ".join(CONTENT)
POSTGRES = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_seal_only ON {TABLE}",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE DELETE OR TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION chiiki_audit_append_only()""",
    f"""CREATE OR REPLACE FUNCTION chiiki_audit_seal_only() RETURNS trigger AS $$
       BEGIN
         IF OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL
            AND ROW(NEW.{PG_CONTENT.replace(", ", ", NEW.")}) IS NOT DISTINCT FROM
                ROW(OLD.{PG_CONTENT.replace(", ", ", OLD.")}) THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit log is append-only';
       END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_seal_only BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION chiiki_audit_seal_only()""",
]
