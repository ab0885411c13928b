"""The database advances each audit chain's head as events are added, and only forward."""
from peewee import PostgresqlDatabase

SQLITE_UP = [
    "CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_event BEGIN "
    "INSERT INTO audit_chain_head (chain, seq, mac, updated_at) "
    "VALUES (NEW.chain, NEW.seq, NEW.mac, NEW.occurred_at) ON CONFLICT (chain) DO UPDATE "
    "SET seq = excluded.seq, mac = excluded.mac, updated_at = excluded.updated_at; END",
    "CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE ON audit_chain_head "
    "WHEN NEW.seq <= OLD.seq OR NEW.chain <> OLD.chain "
    "BEGIN SELECT RAISE(ABORT, 'audit_chain_head only moves forward'); END",
    "CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head "
    "BEGIN SELECT RAISE(ABORT, 'audit_chain_head only moves forward'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_advance_head",
    "DROP TRIGGER IF EXISTS audit_chain_head_forward_only",
    "DROP TRIGGER IF EXISTS audit_chain_head_no_delete",
]
# The head is written by a function running as the tables' owner, so the runtime role needs
# no UPDATE on audit_chain_head and cannot move a head itself.
POSTGRESQL_UP = [
    "CREATE FUNCTION audit_chain_advance() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
    "SET search_path FROM CURRENT AS $$ BEGIN "
    "INSERT INTO audit_chain_head (chain, seq, mac, updated_at) "
    "VALUES (NEW.chain, NEW.seq, NEW.mac, NEW.occurred_at) ON CONFLICT (chain) DO UPDATE "
    "SET seq = excluded.seq, mac = excluded.mac, updated_at = excluded.updated_at; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_chain_advance()",
    "CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'UPDATE' THEN "
    "IF NEW.chain = OLD.chain AND NEW.seq > OLD.seq THEN RETURN NEW; END IF; END IF; "
    "RAISE EXCEPTION 'audit_chain_head only moves forward'; END $$",
    "CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE OR DELETE ON audit_chain_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only()",
    "CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward_only()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_advance_head ON audit_event",
    "DROP TRIGGER IF EXISTS audit_chain_head_forward_only ON audit_chain_head",
    "DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head",
    "DROP FUNCTION IF EXISTS audit_chain_advance()",
    "DROP FUNCTION IF EXISTS audit_chain_head_forward_only()",
]


def up(migrator, db):
    for statement in POSTGRESQL_UP if isinstance(db, PostgresqlDatabase) else SQLITE_UP:
        db.execute_sql(statement)


def down(migrator, db):
    for statement in POSTGRESQL_DOWN if isinstance(db, PostgresqlDatabase) else SQLITE_DOWN:
        db.execute_sql(statement)
