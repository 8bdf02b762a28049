"""``desk verify``: everything a clinic must trust about its database, first problem named.

In order: the storage itself (SQLite integrity and foreign keys, or PostgreSQL's catalog:
every table and the audit function present, no broken index), the schema revision, the
audit chain (links, hashes, time order, and the heads kept outside the database by
workstations and backups), and every signed consent's and template's SHA-256.
``restore`` runs the same checks on a backup before it replaces anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from desk.db import migrate
from desk.db.models import AuditEntry, Base, ClinicSettings, ConsentDocument, ConsentTemplate
from desk.services import audit
from desk.services.context import Desk

CONSENT_BATCH = 200


class IntegrityProblem(Exception):
    """The first thing found wrong; ``str()`` is the sentence."""


@dataclass
class VerifyReport:
    passed: list[str] = field(default_factory=list)
    problem: str | None = None


def verify_database(desk: Desk, witnessed: Mapping[int, str] | None = None) -> VerifyReport:
    """Run every check on ``desk.engine``; stops at the first problem (``report.problem``)."""
    report = VerifyReport()
    try:
        for check in _checks(desk, witnessed or {}):
            report.passed.append(check)
    except IntegrityProblem as problem:
        report.problem = str(problem)
    return report


def _checks(desk: Desk, witnessed: Mapping[int, str]) -> Iterator[str]:
    yield _storage(desk.engine)
    yield _revision(desk.engine)
    yield _audit_chain(desk, witnessed)
    yield _consents(desk)


def _storage(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if result != ["ok"]:
                raise IntegrityProblem(f"the database file is damaged ({result[0][:120]})")
            orphan = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
        if orphan is not None:
            raise IntegrityProblem(
                f"a row of {orphan[0]} refers to a missing row of {orphan[2]} (damaged)"
            )
        return "storage: SQLite integrity and foreign keys ok"
    missing = set(Base.metadata.tables) - set(inspect(engine).get_table_names())
    if missing:
        raise IntegrityProblem(f"tables missing from the database: {', '.join(sorted(missing))}")
    with engine.connect() as conn:
        has_append = conn.scalar(
            text("SELECT to_regproc('desk_audit_append') IS NOT NULL")
        )
        broken = conn.scalar(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid"))
    if not has_append:
        raise IntegrityProblem("the server's audit function desk_audit_append is missing")
    if broken:
        raise IntegrityProblem(f"{broken} index(es) are marked invalid on the server")
    return "storage: PostgreSQL catalog ok"


def _revision(engine: Engine) -> str:
    current = migrate.current_revision(engine)
    if current is None:
        raise IntegrityProblem("this is not an Infusion Desk database (no schema revision)")
    if current not in migrate.known_revisions():
        raise IntegrityProblem(f"schema {current} comes from a newer Infusion Desk")
    behind = "" if current == migrate.head_revision() else " (upgraded when a desk opens it)"
    return f"schema: {current}{behind}"


def _audit_chain(desk: Desk, witnessed: Mapping[int, str]) -> str:
    count, problem = audit.verify(desk, witnessed)
    if problem is not None:
        raise IntegrityProblem(str(problem))
    with desk.read() as session:
        set_up = session.scalar(select(func.count()).select_from(ClinicSettings))
        entries = session.scalar(select(func.count()).select_from(AuditEntry))
    if set_up and not entries:
        raise IntegrityProblem("the clinic is set up but its audit trail is empty (deleted)")
    seen = f", {len(witnessed)} heads kept outside the database agree" if witnessed else ""
    return f"audit trail: {count} entries chained in time order{seen}"


def _consents(desk: Desk) -> str:
    documents = 0
    with desk.read() as session:
        for uid, pdf, sha in _consent_rows(session):
            if hashlib.sha256(pdf).hexdigest() != sha:
                raise IntegrityProblem(
                    f"signed consent {uid} no longer matches its SHA-256 (the stored PDF changed)"
                )
            documents += 1
        templates = session.execute(
            select(ConsentTemplate.template_key, ConsentTemplate.version, ConsentTemplate.text,
                   ConsentTemplate.sha256)
        ).all()
    for key, version, body, sha in templates:
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != sha:
            raise IntegrityProblem(
                f"consent template {key} {version} no longer matches its SHA-256"
            )
    return f"consents: {documents} signed PDFs and {len(templates)} templates match their SHA-256"


def _consent_rows(session: Session) -> Iterator[tuple[str, bytes, str]]:
    # Batches: a clinic keeps years of PDFs, and memory stays flat.
    last = 0
    while True:
        rows = session.execute(
            select(ConsentDocument.id, ConsentDocument.document_uid, ConsentDocument.pdf,
                   ConsentDocument.sha256)
            .where(ConsentDocument.id > last)
            .order_by(ConsentDocument.id)
            .limit(CONSENT_BATCH)
        ).all()
        if not rows:
            return
        for _, uid, pdf, sha in rows:
            yield uid, pdf, sha
        last = rows[-1][0]
