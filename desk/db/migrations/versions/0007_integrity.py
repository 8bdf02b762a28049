"""integrity: sign-in throttle for unknown user names; the audit chain appended by the server

Revision ID: 0007_integrity
Revises: 0006_reception
Create Date: 2026-11-28 19:00:00.000000

On PostgreSQL, ``desk_audit_append`` computes each entry's hash inside the server with
the same canonical form as ``desk.domain.audit_chain`` (sorted-key JSON, UTC instant with
microseconds, SHA-256 over the previous hash, a newline and that JSON). It runs with its
owner's rights (SECURITY DEFINER), so a workstation login needs no INSERT/UPDATE/DELETE
on the audit tables at all.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desk.db.types import UTCDateTime

revision = "0007_integrity"
down_revision = "0006_reception"
branch_labels = None
depends_on = None

AUDIT_APPEND = r"""
CREATE OR REPLACE FUNCTION desk_audit_append(
    p_at timestamp, p_actor text, p_role text, p_workstation text, p_action text,
    p_entity text, p_entity_id text, p_summary text
) RETURNS TABLE (seq integer, hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    head_seq integer;
    head_hash text;
    last_at timestamp;
    body text;
    digest text;
BEGIN
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_head h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM audit_entry) THEN
            RAISE EXCEPTION 'audit head missing';
        END IF;
        INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));
        head_seq := 0;
        head_hash := repeat('0', 64);
    END IF;
    SELECT e.at INTO last_at FROM audit_entry e WHERE e.seq = head_seq;
    -- Never date an entry before the one it follows (a workstation clock running behind).
    p_at := greatest(p_at, coalesce(last_at, p_at));
    body := '{"action":' || to_json(p_action)::text
        || ',"actor":' || to_json(p_actor)::text
        || ',"at":"' || to_char(p_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'
        || ',"entity":' || to_json(p_entity)::text
        || ',"entity_id":' || to_json(p_entity_id)::text
        || ',"role":' || to_json(p_role)::text
        || ',"seq":' || (head_seq + 1)::text
        || ',"summary":' || to_json(p_summary)::text
        || ',"workstation":' || to_json(p_workstation)::text || '}';
    digest := encode(sha256(convert_to(head_hash || E'\n' || body, 'UTF8')), 'hex');
    INSERT INTO audit_entry (seq, at, actor, role, workstation, action, entity, entity_id,
                             summary, prev_hash, hash)
    VALUES (head_seq + 1, p_at, p_actor, p_role, p_workstation, p_action, p_entity,
            p_entity_id, p_summary, head_hash, digest);
    UPDATE audit_head h SET seq = head_seq + 1, hash = digest WHERE h.id = 1;
    RETURN QUERY SELECT head_seq + 1, digest;
END
$fn$;
REVOKE ALL ON FUNCTION desk_audit_append(timestamp, text, text, text, text, text, text, text)
    FROM PUBLIC;
"""


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        # SHA-256 of the typed user name: a name that is no account is not kept as text.
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name_key", name=op.f("pk_sign_in_throttle")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_APPEND)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION desk_audit_append(timestamp, text, text, text, text, text, text, text)"
        )
    op.drop_table("sign_in_throttle")
