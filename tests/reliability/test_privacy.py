"""No patient data outside the database: logs, temp files, audit summaries, file modes.

A full demo clinic (200 patients) is loaded through the real ``desk`` command with its
data folder and TMPDIR in a scratch folder, followed by backups, a restore and a few
failing commands. Then every patient's legal name and MRN is looked for in every log
and temporary file (none may be there), in the audit trail's summaries, and the
database and backups must be readable by their owner only.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import stat
from pathlib import Path

import pytest

from desk.domain.errors import DeskError
from desk.domain.patients import PatientDraft
from desk.services import patients
from desk.services.database import open_database
from tests.helpers import clinic_flow
from tests.reliability.test_malformed_files import desk

pytestmark = pytest.mark.slow


def patient_identifiers(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT legal_first_name, legal_last_name, mrn FROM patient").fetchall()
    assert len(rows) >= 200
    return sorted({f"{first} {last}" for first, last, _ in rows} | {mrn for *_, mrn in rows})


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_full_demo_run_leaves_no_patient_data_in_logs_or_temp_files(tmp_path: Path) -> None:
    data, temp = tmp_path / "data", tmp_path / "tmp"
    temp.mkdir()
    env = {"DESK_DATA_DIR": str(data), "DESK_CONFIG_DIR": str(tmp_path / "config"),
           "TMPDIR": str(temp)}
    assert desk("init", "--clinic-name", "Harbour", "--admin", "boss", "--password-stdin",
                env=env, stdin="admin-password-1\n").returncode == 0
    demo = desk("demo", "--patients", "200", "--seed", "5", env=env)
    assert demo.returncode == 0, demo.stderr
    backup = tmp_path / "backups" / "clinic-backup.sqlite3"
    backup.parent.mkdir()
    assert desk("backup", str(backup), env=env).returncode == 0
    assert desk("restore", str(backup), env=env).returncode == 0
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 not really")
    # Today this takes the unexpected-error path, which writes the log file.
    odd = desk("backup", str(junk / "inside-a-file.sqlite3"), env=env)
    for failing in (("restore", str(junk)), ("consent", "verify", str(junk)),
                    ("user", "add", "x", "--role", "surgeon", "--password-stdin"),
                    ("consent", "preview", str(junk), "--out", str(temp / "x.pdf"))):
        assert desk(*failing, env=env).returncode != 0
    db = data / "clinic.sqlite3"
    if not db.exists():  # the default file name is the config module's choice
        db = next(p for p in data.glob("*.sqlite3"))
    secrets = patient_identifiers(db)
    looked_at = files_under(data / "logs") + files_under(temp)
    if "unexpected error" in odd.stderr:
        assert files_under(data / "logs"), "the error said 'see the log', but there is none"
    for path in looked_at:
        text = path.read_bytes().decode("utf-8", "replace")
        found = [s for s in secrets if s in text]
        assert not found, f"{path.name} contains patient data: {found[:3]}"
    assert files_under(temp) == [], "temporary files were left behind"
    leftovers = [p.name for p in tmp_path.rglob("*") if p.suffix in (".part", ".restore")]
    assert not leftovers
    with sqlite3.connect(db) as conn:
        summaries = [s for (s,) in conn.execute("SELECT summary FROM audit_entry")]
    assert len(summaries) > 1
    for summary in summaries:
        assert not [s for s in secrets if s in summary], f"audit summary holds PHI: {summary}"
    for private in (db, backup):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    if (data / "logs").exists():
        assert stat.S_IMODE((data / "logs").stat().st_mode) == 0o700


def test_sql_logging_at_debug_level_never_shows_patient_values(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Even with SQLAlchemy's statement logging on, parameters (names, DOBs) stay hidden."""
    engine = open_database(f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
    clinic_flow.create_clinic(engine)
    flow = clinic_flow.Flow(engine, "front-desk", random.Random(1))
    secret_first, secret_last = "Quintessa", "Vanderploeg"
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
        try:
            view = patients.register_patient(flow.reception, PatientDraft(
                legal_first_name=secret_first, legal_last_name=secret_last,
                dob=clinic_flow.BASE_DAY.replace(year=1977), phones=("+12015550166",)))
            with pytest.raises(DeskError):  # a refused save with the name in it
                patients.register_patient(flow.reception, PatientDraft(
                    legal_first_name=secret_first, legal_last_name=secret_last + "\x07",
                    dob=None))
        finally:
            logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "INSERT INTO patient" in logged  # the statements were logged...
    for secret in (secret_first, secret_last, view.mrn, "1977"):
        assert secret not in logged  # ...their values were not
    engine.dispose()
