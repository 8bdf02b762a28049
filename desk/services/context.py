"""The service context: which database, who is signed in, on which workstation, what time.

``Desk`` is handed to every service function. ``desk.write()`` opens a unit of work whose
``audit()`` appends to the hash chain inside the same transaction as the change, so a
change and its audit entry are committed together or not at all.
"""

from __future__ import annotations

import socket
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from desk.db.engine import IMMEDIATE
from desk.db.models import AuditEntry, AuditHead, Staff, Versioned
from desk.db.types import UTCDateTime
from desk.domain.accounts import roles_from_text
from desk.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash, summarise_changes
from desk.domain.errors import (
    AccessChanged,
    AuditTrailDamaged,
    DatabaseUnavailable,
    NotFound,
    NotPermitted,
    StaleEdit,
    ValidationError,
)
from desk.domain.roles import Role
from desk.services.witness import WitnessFile

T = TypeVar("T")

# Engines whose PostgreSQL database has the server's audit function (migration 0007). It is
# only ever dropped by a downgrade, so once it is seen it is not looked for again.
_SERVER_APPEND: weakref.WeakSet[Engine] = weakref.WeakSet()


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_workstation() -> str:
    return socket.gethostname() or "workstation"


@dataclass(frozen=True)
class Actor:
    """The signed-in person, as services see them."""

    staff_id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    break_glass: bool = False

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_text(self) -> str:
        text = " ".join(sorted(r.value for r in self.roles))
        return f"{text} (break-glass)" if self.break_glass else text


# The command line acts as the machine's operator: whoever can run it can read the file.
CLI_ACTOR = Actor(0, "cli", "Command line", frozenset(Role))


@dataclass(frozen=True)
class Desk:
    engine: Engine
    workstation: str = field(default_factory=default_workstation)
    actor: Actor | None = None
    clock: Callable[[], datetime] = utcnow
    # This workstation's record of the chain heads it committed (the desk and the CLI set
    # it; tests that do not look at it leave it out).
    witness: WitnessFile | None = None
    # Told when a write finds the signed-in person's access changed (the desk then goes
    # back to sign-in); may be called from a worker thread.
    on_access_changed: Callable[[], None] | None = field(default=None, compare=False, repr=False)
    sessions: sessionmaker[Session] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sessions", sessionmaker(self.engine, expire_on_commit=False))

    def as_actor(self, actor: Actor | None) -> Desk:
        return replace(self, actor=actor)

    def now(self) -> datetime:
        return self.clock()

    def require(self, *roles: Role) -> Actor:
        """The signed-in actor if they hold one of ``roles``; NotPermitted otherwise."""
        if self.actor is None:
            raise NotPermitted("Sign in first.")
        if roles and not self.actor.has(*roles):
            names = " or ".join(r.label.lower() for r in roles)
            article = "an" if names[0] in "aeiou" else "a"
            raise NotPermitted(f"Only {article} {names} may do this.")
        return self.actor

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (rolled back at the end)."""
        with _translate_db_errors(), self.sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """A write transaction; commit with ``uow.commit()``, otherwise rolled back."""
        with _translate_db_errors():
            session = Session(
                bind=self.engine.execution_options(**IMMEDIATE), expire_on_commit=False
            )
            try:
                self._recheck_access(session)
                yield UnitOfWork(self, session)
            except StaleDataError:
                raise StaleEdit(
                    "record", "another workstation", "another desk", "just now"
                ) from None
            finally:
                session.rollback()
                session.close()

    def _recheck_access(self, session: Session) -> None:
        """AccessChanged when the signed-in person was disabled or given other roles.

        Checked at the start of every write, in its transaction: an admin's change of a
        person's access reaches desks where that person is already signed in.
        """
        actor = self.actor
        if actor is None or actor.staff_id == CLI_ACTOR.staff_id:
            return
        row = session.get(Staff, actor.staff_id)
        roles = roles_from_text(row.roles) if row is not None and not row.disabled else set()
        if actor.break_glass and roles:
            roles |= {Role.NURSE}
        if roles != actor.roles:
            if self.on_access_changed is not None:
                self.on_access_changed()
            raise AccessChanged()


@contextmanager
def _translate_db_errors() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        raise DatabaseUnavailable(database_error_text(exc)) from None
    except DataError:
        # PostgreSQL enforces column lengths that SQLite does not: a value longer than its
        # column is the person's input, not a crash (the services check most lengths first).
        raise ValidationError(
            "A value is too long or too large for the database; correct it and try again."
        ) from None


def database_error_text(exc: OperationalError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    if "locked" in text:
        return "The database is busy on another workstation. Try again in a moment."
    return "The database cannot be reached. Check the network or ask IT."


class UnitOfWork:
    """One transaction: the session, the audit append and the commit."""

    def __init__(self, desk: Desk, session: Session) -> None:
        self.desk = desk
        self.session = session
        self.audited = 0
        self.head: tuple[int, str] | None = None  # the chain head after this unit's entries

    def get(self, model: type[T], ident: Any, what: str) -> T:
        row = self.session.get(model, ident, with_for_update=self._lock_rows())
        if row is None:
            raise NotFound(f"That {what} no longer exists.")
        return row

    def _lock_rows(self) -> bool:
        # SQLite already serialises writers (BEGIN IMMEDIATE); FOR UPDATE is PostgreSQL's.
        return self.session.get_bind().dialect.name == "postgresql"

    def check_version(
        self, row: Versioned, expected: int | None, what: str, current: dict[str, str]
    ) -> None:
        """StaleEdit if ``row`` changed since the person loaded version ``expected``."""
        if expected is None or row.version == expected:
            return
        at = row.updated_at.astimezone().strftime("%H:%M:%S") if row.updated_at else "unknown time"
        raise StaleEdit(
            what,
            row.updated_by or "someone",
            row.updated_workstation or "another desk",
            at,
            current,
        )

    def touch(self, row: Versioned) -> None:
        """Stamp who/where/when changed an editable row (the version moves on flush)."""
        row.updated_at = self.desk.now()
        row.updated_by = self.desk.actor.username if self.desk.actor else "system"
        row.updated_workstation = self.desk.workstation

    def audit(
        self, action: str, entity: str, entity_id: object, changes: dict[str, object] | None = None
    ) -> None:
        """Append one entry to the hash chain (in this transaction)."""
        actor = self.desk.actor
        record = AuditRecord(
            seq=0,  # given by the append below
            at=self.desk.now(),
            actor=actor.username if actor else "system",
            role=actor.role_text if actor else "",
            workstation=self.desk.workstation,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            summary=summarise_changes(changes or {}),
            prev_hash="",
        )
        if self._server_appends():
            self.head = self._append_in_server(record)
        else:
            self.head = self._append_here(record)
        self.audited += 1

    def _server_appends(self) -> bool:
        """PostgreSQL with ``desk_audit_append``. A database from before migration 0007 (only
        its owner may write the audit tables there: a workstation login is refused below) is
        chained here, the same way."""
        bind = self.session.get_bind()
        if bind.dialect.name != "postgresql":
            return False
        engine = bind.engine
        if engine in _SERVER_APPEND:
            return True
        found = bool(
            self.session.scalar(text("SELECT to_regproc('desk_audit_append') IS NOT NULL"))
        )
        if found:
            _SERVER_APPEND.add(engine)
        return found

    def _append_here(self, draft: AuditRecord) -> tuple[int, str]:
        head = self.session.scalars(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).one_or_none()
        if head is None:
            if self.session.scalar(select(func.count()).select_from(AuditEntry)):
                raise AuditTrailDamaged()  # the head row was deleted; never fork the chain
            head = AuditHead(id=1, seq=0, hash=GENESIS_HASH)
            self.session.add(head)
        last_at = self.session.scalar(select(AuditEntry.at).where(AuditEntry.seq == head.seq))
        record = replace(
            draft,
            seq=head.seq + 1,
            # A workstation whose clock runs behind must not date an entry before the one it
            # follows: time order is part of what 'desk verify' checks.
            at=max(draft.at, last_at) if last_at else draft.at,
            prev_hash=head.hash,
        )
        digest = chain_hash(head.hash, record)
        self.session.add(AuditEntry(**{**record.__dict__, "hash": digest}))
        head.seq, head.hash = record.seq, digest
        return record.seq, digest

    def _append_in_server(self, draft: AuditRecord) -> tuple[int, str]:
        # On PostgreSQL the chain is computed by the server (migration 0007), so a
        # workstation login, which may not write the audit tables, cannot forge history.
        call = text(
            "SELECT seq, hash FROM desk_audit_append(:at, :actor, :role, :workstation, "
            ":action, :entity, :entity_id, :summary)"
        ).bindparams(bindparam("at", type_=UTCDateTime()))
        values = {k: v for k, v in draft.__dict__.items() if k not in ("seq", "prev_hash", "hash")}
        try:
            seq, digest = self.session.execute(call, values).one()
        except DBAPIError as exc:
            if "audit head missing" in str(exc.orig):
                raise AuditTrailDamaged() from None
            raise
        return int(seq), str(digest)

    def commit(self) -> None:
        self.session.commit()
        if self.head is not None and self.desk.witness is not None:
            self.desk.witness.record(*self.head)
