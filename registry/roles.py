"""PostgreSQL roles: what the runtime role is granted, and refusing a runtime role with more."""

from psycopg2 import sql

from registry.settings import SettingsError

# The audit trail is append-only for the service: the database itself advances the chain
# heads (a trigger running as the tables' owner), so the runtime role only reads them.
TABLE_PRIVILEGES = {
    "audit_event": ("SELECT", "INSERT"),
    "audit_chain_head": ("SELECT",),
    "schema_migration": ("SELECT",),
}
ORDINARY_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")


def grant_runtime(database, role: str) -> list[str]:
    """Grant `role` exactly what the service needs on every table; returns the tables."""
    tables = [row[0] for row in database.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")]
    grantee = sql.Identifier(role)
    with database.atomic():
        database.execute_sql(_sql(database, sql.SQL(
            "REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(_schema(database), grantee)))
        for table in tables:
            privileges = TABLE_PRIVILEGES.get(table, ORDINARY_PRIVILEGES)
            database.execute_sql(_sql(database, sql.SQL("GRANT {} ON {} TO {}").format(
                sql.SQL(", ").join(map(sql.SQL, privileges)), sql.Identifier(table), grantee)))
        database.execute_sql(_sql(database, sql.SQL(
            "GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(_schema(database), grantee)))
    return tables


def _schema(database):
    return sql.Identifier(database.execute_sql("SELECT current_schema()").fetchone()[0])


def _sql(database, statement) -> str:
    return statement.as_string(database.connection())


def refuse_privileged_runtime(database) -> None:
    """Refuse to serve as a superuser, or as a role that owns (or inherits owning) the trail."""
    superuser, owner = database.execute_sql(
        "SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE') "
        "FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('audit_event') "
        "WHERE r.rolname = current_user").fetchone()
    if superuser:
        raise SettingsError(
            "REGISTRY_DATABASE_URL connects as a superuser, who can switch off the audit "
            "trail's guards; connect as the runtime role (see `registry db grant`)")
    if owner:
        raise SettingsError(
            "REGISTRY_DATABASE_URL connects as the role that owns the audit tables, which can "
            "disable their triggers; run migrations as the owner "
            "(REGISTRY_MIGRATION_DATABASE_URL) and serve as the runtime role")
