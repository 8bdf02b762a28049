"""``desk --self-test``: prove that this installation works, without a display or the clinic.

Runs in a temporary folder with its own SQLite database (deleted afterwards): migrations,
a clinic and its admin, a patient and a visit, a consent PDF with the shipped font read
back, and the main window opened and closed offscreen. Prints one line per check and
returns 0, or non-zero with the name of the first check that failed. The data is
synthetic, so failure reasons may be printed in full.

A "warn" line passes but says what will hurt in use (no keyring: the database password
is typed at every start). With ``--db URL``, or a clinic server in the settings, the last
check connects to it read-only and says whether its schema suits this version.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from desk.services.context import Desk

PATIENT_FIRST, PATIENT_LAST = "Zoë", "Łukasiewicz"  # non-ASCII on purpose: the font must cope
ADMIN_PASSWORD = "self-test-password-1"
CONSENT_TEMPLATE = ("consent", "ketamine-iv-en-1.0.txt")
INSTRUMENTS = ("phq9", "gad7", "pcl5", "pain_nrs")
EXIT_FAILED = 1


class CheckFailed(Exception):
    """A check found something wrong; the message says what."""


class CheckWarning(Exception):
    """The check passed, but staff will feel it; the message says what it means."""


@dataclass
class _State:
    folder: Path
    desk: Desk | None = None
    patient_id: int = 0
    visit_id: int = 0


def run_self_test(out: TextIO | None = None, clinic_url: str | None = None) -> int:
    """Run every check; 0 when all pass, EXIT_FAILED naming the first failure otherwise."""
    # A windowed Windows program has no stdout: the exit code is then the only answer.
    out = out or sys.stdout or io.StringIO()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    checks = _checks()
    if clinic_url:
        checks.append(("clinic database", lambda _state: _check_clinic_database(clinic_url)))
    warnings = 0
    with _scratch_folder() as folder:
        state = _State(folder)
        try:
            for name, check in checks:
                try:
                    detail = check(state)
                except CheckWarning as exc:
                    warnings += 1
                    out.write(f"warn {name}: {exc}\n")
                    continue
                except Exception as exc:
                    out.write(f"FAIL {name}: {_reason(exc)}\n")
                    out.write(f"self-test FAILED at: {name}\n")
                    return EXIT_FAILED
                out.write(f"ok   {name}{f' ({detail})' if detail else ''}\n")
                out.flush()
        finally:
            if state.desk is not None:
                state.desk.engine.dispose()
    noted = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    out.write(
        f"self-test passed: {len(checks)} checks{noted} in "
        f"{time.perf_counter() - started:.1f} s\n"
    )
    return 0


def _checks() -> list[tuple[str, Callable[[_State], str]]]:
    # Looked up at call time so a test can replace one check to force a failure.
    return [
        ("resources", _check_resources),
        ("database drivers", _check_drivers),
        ("migrations", _check_migrations),
        ("clinic and admin", _check_clinic),
        ("workstation setup", _check_workstation_setup),
        ("patient and visit", _check_patient_and_visit),
        ("consent pdf", _check_consent_pdf),
        ("main window", _check_main_window),
    ]


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text if isinstance(exc, CheckFailed) or not text else f"{type(exc).__name__}: {text}"


@contextmanager
def _scratch_folder() -> Iterator[Path]:
    """A temporary home for the database, config and logs; the real ones are not touched."""
    folder = Path(tempfile.mkdtemp(prefix="desk-selftest-"))
    saved = {key: os.environ.get(key) for key in ("DESK_DATA_DIR", "DESK_CONFIG_DIR")}
    os.environ["DESK_DATA_DIR"] = str(folder / "data")
    os.environ["DESK_CONFIG_DIR"] = str(folder / "config")
    try:
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(folder, ignore_errors=True)


def _check_resources(state: _State) -> str:
    from desk.db.migrate import MIGRATIONS
    from desk.resources import PACKAGED, resource_path, resource_root

    wanted = [
        resource_path("fonts", "DejaVuSans.ttf"),
        resource_path("fonts", "DejaVuSans-Bold.ttf"),
        resource_path(*CONSENT_TEMPLATE),
        resource_path("icons", "desk.png"),
        *(resource_path("instruments", f"{code}.json") for code in INSTRUMENTS),
        MIGRATIONS / "env.py",
    ]
    missing = [str(path) for path in wanted if not path.is_file()]
    if missing:
        raise CheckFailed(f"missing {', '.join(missing)}")
    if getattr(sys, "frozen", False):
        return "bundled"
    return "installed package" if resource_root() == PACKAGED else "source tree"


def _check_drivers(state: _State) -> str:
    import psycopg

    from desk.db.engine import make_engine

    # Creating an engine loads the dialect and the driver without connecting anywhere.
    make_engine("postgresql+psycopg://desk@127.0.0.1:1/selftest").dispose()
    implementation = psycopg.pq.__impl__
    if implementation == "python":
        # The pure-Python libpq wrapper needs a system libpq that a clinic PC may not have.
        raise CheckFailed("psycopg has no bundled libpq (install psycopg[binary])")
    return f"sqlite, postgresql (psycopg {implementation})"


def _check_migrations(state: _State) -> str:
    from desk.config import workstation_name
    from desk.db import migrate
    from desk.services.context import Desk
    from desk.services.database import open_database

    engine = open_database(f"sqlite:///{state.folder / 'selftest.sqlite3'}")
    state.desk = Desk(engine, workstation=workstation_name())
    revision = migrate.current_revision(engine)
    if revision != migrate.head_revision():
        raise CheckFailed(f"schema at {revision}, expected {migrate.head_revision()}")
    return f"schema {revision}"


def _check_clinic(state: _State) -> str:
    from desk.services import auth, setup

    desk = _desk(state)
    setup.initialise(
        desk,
        clinic_name="Self-Test Clinic",
        admin_username="selftest",
        admin_full_name="Self Test",
        admin_password=ADMIN_PASSWORD,
    )
    # Signing in exercises password hashing (argon2) and the audit chain once more.
    state.desk = desk.as_actor(auth.sign_in(desk, "selftest", ADMIN_PASSWORD))
    return ""


def _check_workstation_setup(state: _State) -> str:
    import keyring

    from desk.services.workstation import probe_database

    found = probe_database(_desk(state).engine.url)
    if found.clinic_name != "Self-Test Clinic":
        raise CheckFailed(f"the probe found {found.clinic_name!r}")
    # Which keyring would hold a server password here.
    backend = type(keyring.get_keyring()).__module__.rsplit(".", 1)[-1]
    if backend in ("fail", "null"):
        raise CheckWarning(
            f"no usable keyring for this account (keyring: {backend}): the clinic's database "
            "password cannot be kept here and staff will type it at every start; unlock or "
            "install the desktop's keyring (e.g. GNOME Keyring, KWallet), or accept "
            "--password-mode ask"
        )
    return f"keyring: {backend}"


def _check_clinic_database(url: str) -> str:
    """The clinic's own server, read-only: reachable, an Infusion Desk clinic, our schema."""
    from desk.services.workstation import probe_database

    found = probe_database(url)
    if not found.schema_current:
        raise CheckWarning(
            f"“{found.clinic_name}” at {found.location} holds an older schema: this version "
            "needs 'desk migrate' (see the upgrade order in docs/installer.md)"
        )
    return f"“{found.clinic_name}” at {found.location}, schema current"


def _check_patient_and_visit(state: _State) -> str:
    from desk.domain.booking import VisitType
    from desk.domain.patients import PatientDraft
    from desk.services.booking import book_visit, to_local
    from desk.services.patients import register_patient
    from desk.services.settings import clinic_info

    desk = _desk(state)
    patient = register_patient(desk, PatientDraft(PATIENT_FIRST, PATIENT_LAST, date(1980, 1, 31)))
    policy = clinic_info(desk).policy
    day = to_local(desk.now()).date() + timedelta(days=1)
    while day.weekday() not in policy.clinic_weekdays:
        day += timedelta(days=1)
    # A consultation: it needs no chair and no completed screening, only opening hours.
    visit = book_visit(
        desk, patient.id, VisitType.CONSULTATION, datetime.combine(day, policy.opening_time), None
    )
    state.patient_id, state.visit_id = patient.id, visit.id
    return f"MRN {patient.mrn}"


def _check_consent_pdf(state: _State) -> str:
    from pypdf import PdfReader

    from desk.domain.consent import parse_template
    from desk.pdf import ClinicInfo, ConsentForm, PatientIdentity, SignatureCapture, render_consent
    from desk.resources import resource_path

    template = parse_template(resource_path(*CONSENT_TEMPLATE).read_text(encoding="utf-8"))
    name = f"{PATIENT_FIRST} {PATIENT_LAST}"
    signed_at = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    # Signed as at the desk: the pad's PNG goes through Pillow into the PDF.
    form = ConsentForm(
        clinic=ClinicInfo("Self-Test Clinic", "(555) 010-0100"),
        patient=PatientIdentity(name, date(1980, 1, 31), "SELF-TEST"),
        treatment=template.treatments[0],
        document_id="SELFTEST",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        patient_signature=SignatureCapture(_signature_png(), name, signed_at),
        witness_signature=SignatureCapture(_signature_png(), "Self-Test Witness", signed_at),
    )
    reader = PdfReader(io.BytesIO(render_consent(template, form)))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    if name not in text:
        raise CheckFailed("the patient's name is not in the PDF text")
    if not any(page.images for page in reader.pages):
        raise CheckFailed("the signatures are not in the PDF")
    fonts = _font_files(reader)
    not_embedded = sorted(font for font, embedded in fonts.items() if not embedded)
    if not_embedded:
        raise CheckFailed(f"fonts not embedded: {', '.join(not_embedded)}")
    if not any("DejaVu" in font for font in fonts):
        raise CheckFailed(f"the shipped font is not used (found {', '.join(sorted(fonts))})")
    return f"{len(reader.pages)} pages, signed"


def _signature_png() -> bytes:
    """A stroke drawn and saved as PNG the way the signature pad does it."""
    from PySide6.QtCore import QBuffer, QIODevice, QPointF, Qt
    from PySide6.QtGui import QImage, QPainter, QPen

    image = QImage(240, 80, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setPen(QPen(Qt.GlobalColor.black, 3))
    painter.drawPolyline([QPointF(10, 60), QPointF(60, 15), QPointF(120, 65), QPointF(230, 20)])
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(buffer.data().data())


def _font_files(reader: Any) -> dict[str, bool]:
    """Every font the pages use, and whether its program is embedded in the file."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        for ref in (fonts.get_object().values() if fonts is not None else ()):
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont", "?"))] = embedded
    return found


def _check_main_window(state: _State) -> str:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from desk.services.database import location_text
    from desk.services.settings import clinic_info
    from desk.ui.mainwindow import MainWindow
    from desk.ui.session import Session
    from desk.ui.tasks import wait_for_background_work

    desk = _desk(state)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    session = Session(desk, clinic_info(desk), location_text(desk.engine))
    window = MainWindow(session, desk.workstation)
    previous_handler = qInstallMessageHandler(_quiet_offscreen_notice)
    # The support log must not read "quit: staff id 1" for a window nobody used.
    logging.disable(logging.INFO)
    try:
        window.show()
        app.processEvents()
        if not window.isVisible():
            raise CheckFailed("the main window did not show")
        title = window.windowTitle()
    finally:
        window.close()
        # The board refreshes on pool threads: they must finish before the database goes.
        wait_for_background_work()
        app.processEvents()
        window.deleteLater()
        app.processEvents()
        qInstallMessageHandler(previous_handler)
        logging.disable(logging.NOTSET)
    if "Self-Test Clinic" not in title:
        raise CheckFailed(f"unexpected window title {title!r}")
    return f"{QGuiApplication.platformName()} platform"


def _quiet_offscreen_notice(mode: object, context: object, message: str) -> None:
    # The offscreen platform says it cannot resize windows: expected here, not a problem.
    if "propagateSizeHints" not in message:
        sys.stderr.write(f"{message}\n")


def _desk(state: _State) -> Desk:
    if state.desk is None:
        raise CheckFailed("no database (an earlier check failed)")
    return state.desk
