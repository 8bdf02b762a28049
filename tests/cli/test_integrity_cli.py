"""Issue 15 through the real ``desk`` command: verify, restore and backup exclusivity,
damaged backups, and the small refusals that used to be "unexpected error"."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desk.db.types import UTCDateTime
from desk.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash
from tests.cli.test_cli import ADMIN_PW, assert_one_line_error, db, desk

__all__ = ["db"]  # the initialised clinic fixture, shared with test_cli

DEMO_PATIENTS = "30"


@pytest.fixture
def demo_db(db: str) -> str:
    result = desk("demo", "--db", db, "--patients", DEMO_PATIENTS)
    assert result.returncode == 0, result.stderr
    return db


def _file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _recompute_chain(conn: sqlite3.Connection) -> None:
    """A forger's fix-up: every hash and the head recomputed after an edit."""
    to_python = UTCDateTime().process_result_value
    prev = GENESIS_HASH
    rows = conn.execute(
        "SELECT seq, at, actor, role, workstation, action, entity, entity_id, summary "
        "FROM audit_entry ORDER BY seq"
    ).fetchall()
    for row in rows:
        at = to_python(row[1], None)  # type: ignore[arg-type]
        assert at is not None
        record = AuditRecord(row[0], at, *row[2:], prev_hash=prev)
        digest = chain_hash(prev, record)
        conn.execute(
            "UPDATE audit_entry SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0])
        )
        prev = digest
    conn.execute("UPDATE audit_head SET seq = ?, hash = ?", (len(rows), prev))
    conn.commit()


def test_verify_passes_on_a_fresh_demo_clinic(demo_db: str) -> None:
    result = desk("verify", "--db", demo_db)
    assert result.returncode == 0, result.stderr
    assert "signed PDFs" in result.stdout and "Everything checked is sound." in result.stdout


def test_verify_names_one_changed_byte_of_a_stored_consent(demo_db: str) -> None:
    with sqlite3.connect(_file(demo_db)) as conn:
        uid, pdf = conn.execute(
            "SELECT document_uid, pdf FROM consent_document ORDER BY id LIMIT 1"
        ).fetchone()
        changed = pdf[:900] + bytes([pdf[900] ^ 0x20]) + pdf[901:]
        conn.execute("UPDATE consent_document SET pdf = ? WHERE document_uid = ?", (changed, uid))
    assert_one_line_error(desk("verify", "--db", demo_db), f"signed consent {uid}")


def test_verify_catches_an_edit_with_chain_and_head_recomputed(
    demo_db: str, tmp_path: Path
) -> None:
    with sqlite3.connect(_file(demo_db)) as conn:
        conn.execute("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 2")
        _recompute_chain(conn)
    # Seen from a workstation that never wrote here, the database alone looks intact...
    elsewhere = {"DESK_DATA_DIR": str(tmp_path / "elsewhere")}
    assert desk("verify", "--db", demo_db, env=elsewhere).returncode == 0
    # ...but this workstation's witness file remembers the heads it committed.
    assert_one_line_error(desk("verify", "--db", demo_db), "history rewritten")
    assert_one_line_error(desk("audit", "verify", "--db", demo_db), "history rewritten")


def test_verify_catches_reordered_entries(demo_db: str, tmp_path: Path) -> None:
    with sqlite3.connect(_file(demo_db)) as conn:
        first = conn.execute("SELECT * FROM audit_entry WHERE seq = 2").fetchone()
        last = conn.execute("SELECT * FROM audit_entry WHERE seq = 3").fetchone()
        columns = "at, actor, role, workstation, action, entity, entity_id, summary"
        conn.execute("DELETE FROM audit_entry WHERE seq IN (2, 3)")
        for seq, row in ((2, last), (3, first)):
            conn.execute(
                f"INSERT INTO audit_entry (seq, {columns}, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
                (seq, *row[1:9], f"{seq:064d}"),
            )
        _recompute_chain(conn)
    # Without any witness (another workstation): the time order gives it away.
    elsewhere = {"DESK_DATA_DIR": str(tmp_path / "elsewhere")}
    assert_one_line_error(desk("verify", "--db", demo_db, env=elsewhere), "reordered")


def test_verify_compares_a_backup_sidecar_head(demo_db: str, tmp_path: Path) -> None:
    backup = tmp_path / "monday.sqlite3"
    assert desk("backup", str(backup), "--db", demo_db).returncode == 0
    sidecar = Path(str(backup) + ".sha256")
    assert "audit-head" in sidecar.read_text()
    assert desk("verify", "--db", demo_db, "--sidecar", str(sidecar)).returncode == 0
    with sqlite3.connect(_file(demo_db)) as conn:
        conn.execute("DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)")
        _recompute_chain(conn)
    other_home = {"DESK_DATA_DIR": str(tmp_path / "another-workstation")}
    result = desk("verify", "--db", demo_db, "--sidecar", str(sidecar), env=other_home)
    assert_one_line_error(result, "removed from the end")


def test_a_deleted_head_row_is_one_clear_line(db: str) -> None:
    with sqlite3.connect(_file(db)) as conn:
        conn.execute("DELETE FROM audit_head")
    result = desk("user", "add", "rita", "--role", "nurse", "--db", db, "--password-stdin",
                  stdin="staff-password-1\n")
    assert_one_line_error(result, "audit trail is damaged")


def test_restore_refuses_while_desk_demo_is_writing(db: str, tmp_path: Path) -> None:
    backup = tmp_path / "before.sqlite3"
    assert desk("backup", str(backup), "--db", db).returncode == 0
    writer = subprocess.Popen(
        [sys.executable, "-m", "desk.cli", "demo", "--db", db, "--patients", "20000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )
    try:
        assert writer.stderr is not None
        seen = ""
        while "Generating" not in seen:  # the progress bar: it is writing now
            chunk = writer.stderr.read(1)
            assert chunk, f"desk demo ended early: {seen}"
            seen += chunk
        assert_one_line_error(desk("restore", str(backup), "--db", db), "close it first")
        _, errors = writer.communicate(timeout=300)
    finally:
        writer.kill()
    assert writer.returncode == 0, errors
    with sqlite3.connect(_file(db)) as conn:
        assert conn.execute("SELECT count(*) FROM patient").fetchone() == (20000,)


def test_restore_through_a_symlink_replaces_the_real_database(db: str, tmp_path: Path) -> None:
    real = _file(db)
    link = tmp_path / "link.sqlite3"
    link.symlink_to(real)
    linked = f"sqlite:///{link}"
    backup = tmp_path / "before.sqlite3"
    assert desk("backup", str(backup), "--db", linked).returncode == 0
    add = desk("user", "add", "rita", "--role", "nurse", "--db", linked, "--password-stdin",
               stdin="staff-password-1\n")
    assert add.returncode == 0, add.stderr
    result = desk("restore", str(backup), "--db", linked)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "rita" not in desk("user", "list", "--db", db).stdout


def test_restore_refuses_a_dangling_symlink(db: str, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3"
    assert desk("backup", str(backup), "--db", db).returncode == 0
    link = tmp_path / "gone.sqlite3"
    link.symlink_to(tmp_path / "nowhere" / "x.sqlite3")
    result = desk("restore", str(backup), "--db", f"sqlite:///{link}")
    assert_one_line_error(result, "leads nowhere")
    assert link.is_symlink()


def test_a_backup_with_flipped_bytes_and_no_checksum_is_refused(db: str, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3"
    assert desk("backup", str(backup), "--db", db).returncode == 0
    Path(str(backup) + ".sha256").unlink()
    data = bytearray(backup.read_bytes())
    at = data.index(b"clinic.setup")
    for offset in range(4):
        data[at + offset] ^= 0x01
    backup.write_bytes(bytes(data))
    assert_one_line_error(desk("restore", str(backup), "--db", db), "failed verification")
    assert desk("verify", "--db", db).returncode == 0  # nothing was replaced


@pytest.mark.parametrize("sidecar", ["", "\x00\xff\xfe binary", "folder", "not-a-checksum x\n"])
def test_a_bad_checksum_file_is_one_clear_line(db: str, tmp_path: Path, sidecar: str) -> None:
    backup = tmp_path / "b.sqlite3"
    assert desk("backup", str(backup), "--db", db).returncode == 0
    path = Path(str(backup) + ".sha256")
    path.unlink()
    if sidecar == "folder":
        path.mkdir()
    else:
        path.write_bytes(sidecar.encode("latin-1"))
    result = desk("restore", str(backup), "--db", db)
    assert_one_line_error(result, "checksum file")
    assert "unexpected" not in result.stderr


def test_a_missing_database_folder_is_refused_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}"
    assert_one_line_error(desk("user", "list", "--db", url), "does not exist")
    assert not (tmp_path / "no").exists()


def test_an_empty_db_option_is_refused() -> None:
    assert_one_line_error(desk("user", "list", "--db", ""), "--db is empty")


def test_a_port_that_is_not_a_number_is_one_clear_line() -> None:
    result = desk("user", "list", "--db", "postgresql+psycopg://u@host:abc/clinic")
    assert_one_line_error(result, "port")


def test_consent_verify_on_a_pipe_answers_at_once(db: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_one_line_error(desk("consent", "verify", str(fifo), "--db", db), "not an ordinary file")


def test_a_patient_name_of_two_dashes_is_printed(tmp_path: Path) -> None:
    template = Path(__file__).parents[2] / "resources" / "consent" / "ketamine-iv-en-1.0.txt"
    out = tmp_path / "p.pdf"
    result = desk("consent", "preview", str(template), "--out", str(out), "--patient-name=--")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_an_admin_unlocks_a_locked_out_account_with_one_command(db: str) -> None:
    from desk.domain.errors import AccountLocked, SignInFailed
    from desk.services import auth
    from desk.services.context import Desk
    from desk.services.database import open_database

    engine = open_database(db)
    try:
        anonymous = Desk(engine)
        for _ in range(5):
            with pytest.raises((SignInFailed, AccountLocked)):
                auth.sign_in(anonymous, "boss", "guessing-the-password")
        with pytest.raises(AccountLocked):
            auth.sign_in(anonymous, "boss", ADMIN_PW.strip())
        result = desk("user", "unlock", "boss", "--db", db)
        assert result.returncode == 0, result.stderr
        assert auth.sign_in(anonymous, "boss", ADMIN_PW.strip()).username == "boss"
    finally:
        engine.dispose()
