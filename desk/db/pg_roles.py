"""The PostgreSQL workstation login: everything the desk needs, nothing that rewrites history.

``desk init`` runs with the owner's login (the one that ran the migrations) and creates
a separate login role for the workstations. That role

- may read every table and insert/update/delete the clinic's records,
- may only *read* ``audit_entry``, ``audit_head`` and ``alembic_version``: audit entries
  are appended through ``desk_audit_append`` (migration 0007), which runs with the
  owner's rights and computes the hash chain inside the server,
- has no DDL rights (cannot create, alter or drop tables, cannot run migrations),
- cannot create roles or databases and is not a superuser.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import Connection, text

AUDIT_TABLES = ("audit_entry", "audit_head", "alembic_version")
AUDIT_APPEND_SIGNATURE = "desk_audit_append(timestamp, text, text, text, text, text, text, text)"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def default_role_name(database: str) -> str:
    """``desk_ws_<database>``, cut to PostgreSQL's 63-character names."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", database.lower())
    return f"desk_ws_{cleaned}"[:63]


def create_workstation_role(conn: Connection, role: str) -> str:
    """Create login ``role`` with the workstation's rights; returns its new password."""
    if not _ROLE_NAME.fullmatch(role):
        raise ValueError("role names are lower-case letters, digits and underscores")
    # token_urlsafe is [A-Za-z0-9_-]: safe inside the literal (CREATE ROLE takes no parameter).
    password = secrets.token_urlsafe(24)
    conn.execute(
        text(
            f'CREATE ROLE "{role}" LOGIN PASSWORD \'{password}\' NOSUPERUSER NOCREATEDB '
            "NOCREATEROLE NOINHERIT NOREPLICATION"
        )
    )
    grant_workstation_rights(conn, role)
    return password


def grant_workstation_rights(conn: Connection, role: str) -> None:
    """(Re)apply the workstation rights on every table there is now and will be later."""
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    owner = conn.exec_driver_sql("SELECT current_user").scalar_one()
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {", ".join(AUDIT_TABLES)} FROM "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'GRANT EXECUTE ON FUNCTION {AUDIT_APPEND_SIGNATURE} TO "{role}"',
        # Tables later migrations add are the clinic's records too (audit tables exist now).
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
        f'GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
    ]
    for statement in statements:
        conn.exec_driver_sql(statement)


def drop_workstation_role(conn: Connection, role: str) -> None:
    """Remove ``role``'s rights here and the role (tests; a clinic retiring a login)."""
    if not _ROLE_NAME.fullmatch(role):
        raise ValueError("role names are lower-case letters, digits and underscores")
    conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
    conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
