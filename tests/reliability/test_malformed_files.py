"""Damaged, foreign and huge files given to the ``desk`` command: one clear line, no change.

(tests/cli/test_cli.py and tests/cli/test_consent_cli.py cover the basic refusals; here
the database bytes are compared before and after, and odder files are tried: a backup cut
in half, empty and binary files, a folder, a 200 MB file, broken template syntax.)
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.processes import REPO

PASSWORD = "admin-password-1\n"


def desk(*args: str, env: dict[str, str] | None = None,
         stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desk.cli", *args], input=stdin, capture_output=True, text=True,
        timeout=120, cwd=REPO, env={**os.environ, **(env or {})},
    )


def one_line_failure(result: subprocess.CompletedProcess[str], fragment: str) -> str:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("desk: "), result.stderr
    assert fragment.lower() in lines[0].lower(), lines[0]
    return lines[0]


@pytest.fixture
def clinic(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "clinic.sqlite3"
    url = f"sqlite:///{path}"
    made = desk("init", "--db", url, "--clinic-name", "Harbour", "--admin", "boss",
                "--password-stdin", stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    return url, path


def fingerprint(path: Path) -> str:
    """The database's content as a checksum (WAL folded in first, so equal means equal)."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restore_of_a_truncated_backup_leaves_the_database_and_folder_untouched(
    clinic: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = clinic
    backup = tmp_path / "backup.sqlite3"
    assert desk("backup", str(backup), "--db", url).returncode == 0
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    cut = tmp_path / "cut.sqlite3"
    cut.write_bytes(backup.read_bytes()[: len(backup.read_bytes()) // 2])
    before = fingerprint(path)
    one_line_failure(desk("restore", str(cut), "--db", url), "cut")
    assert fingerprint(path) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.suffix in (".part", ".restore")]
    assert not leftovers, leftovers


@pytest.mark.parametrize("content", [b"", b"%PDF", b"\x00" * 100, "ščř".encode() * 50])
def test_restore_of_a_non_database_file_says_so(clinic: tuple[str, Path], tmp_path: Path,
                                                content: bytes) -> None:
    url, path = clinic
    junk = tmp_path / "junk.bin"
    junk.write_bytes(content)
    before = fingerprint(path)
    one_line_failure(desk("restore", str(junk), "--db", url), "junk.bin")
    assert fingerprint(path) == before


def test_consent_verify_refuses_a_non_pdf_and_a_folder(clinic: tuple[str, Path],
                                                       tmp_path: Path) -> None:
    url, path = clinic
    text = tmp_path / "letter.pdf"
    text.write_text("Dear patient, this is not a PDF.", encoding="utf-8")
    before = fingerprint(path)
    one_line_failure(desk("consent", "verify", str(text), "--db", url), "not a PDF")
    one_line_failure(desk("consent", "verify", str(tmp_path), "--db", url), "folder")
    assert fingerprint(path) == before


def test_consent_verify_refuses_a_huge_file_quickly(clinic: tuple[str, Path],
                                                    tmp_path: Path) -> None:
    url, path = clinic
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:  # sparse: 200 MB that take no disk space
        fh.write(b"%PDF-1.7\n")
        fh.truncate(200 * 1024 * 1024)
    before = fingerprint(path)
    started = time.monotonic()
    one_line_failure(desk("consent", "verify", str(huge), "--db", url), "larger")
    assert time.monotonic() - started < 15  # start-up included; reading it all is slower
    assert fingerprint(path) == before


# (An unknown placeholder is tested in tests/cli/test_consent_cli.py.)
BAD_TEMPLATES = {
    "unclosed placeholder": "{patient_name",
    "stray brace": "Fee: } per infusion",
}


@pytest.mark.parametrize("problem", sorted(BAD_TEMPLATES))
def test_consent_preview_of_a_bad_template_names_the_problem_and_writes_nothing(
    tmp_path: Path, problem: str
) -> None:
    shipped = (REPO / "resources" / "consent" / "ketamine-iv-en-1.0.txt").read_text("utf-8")
    broken = shipped.replace("so that you can decide",
                             f"so that you can decide {BAD_TEMPLATES[problem]}", 1)
    assert broken != shipped
    template = tmp_path / "broken.txt"
    template.write_text(broken, encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    line = one_line_failure(
        desk("consent", "preview", str(template), "--out", str(out_dir / "p.pdf")), "line")
    assert "broken.txt" in line
    assert list(out_dir.iterdir()) == []  # no PDF, no temporary file


def test_consent_preview_of_a_binary_file_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "image.txt"
    junk.write_bytes(bytes(range(256)) * 10)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    one_line_failure(desk("consent", "preview", str(junk), "--out", str(out_dir / "p.pdf")),
                     "image.txt")
    assert list(out_dir.iterdir()) == []
