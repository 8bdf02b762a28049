"""Start-up: the window comes first, then the database; errors are one sentence."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desk.services.context import Desk
from desk.ui.app import DeskApp, excepthook
from desk.ui.messages import GENERIC
from tests.helpers.fixtures import ADMIN_PASSWORD

UI = Path(__file__).resolve().parents[2] / "desk" / "ui"


def _start(qtbot: QtBot, url: str) -> DeskApp:
    app = DeskApp(url)
    qtbot.addWidget(app.sign_in)
    app.start()
    assert app.sign_in.isVisible()  # shown before the database is even opened
    return app


def test_empty_database_offers_new_clinic_then_opens_the_setup_wizard(
    qtbot: QtBot, sqlite_url: str
) -> None:
    app = _start(qtbot, sqlite_url)
    qtbot.waitUntil(lambda: app.first_start_box is not None, timeout=20_000)
    box = app.first_start_box
    assert box is not None
    new_clinic = next(b for b in box.buttons() if b.text() == "&New clinic")
    assert any(b.text() == "&Connect to the clinic's database" for b in box.buttons())
    qtbot.mouseClick(new_clinic, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.wizard is not None and app.wizard.isVisible(), timeout=20_000)
    assert app.wizard is not None
    qtbot.addWidget(app.wizard)
    assert not app.sign_in.isVisible()
    app.shut_down()


def test_set_up_clinic_gets_the_sign_in_then_the_main_window(
    qtbot: QtBot, sqlite_admin_desk: Desk, sqlite_url: str
) -> None:
    app = _start(qtbot, sqlite_url)
    qtbot.waitUntil(app.sign_in.username.isEnabled, timeout=20_000)
    assert app.sign_in.clinic_label.text() == "Harbour Ketamine Clinic"
    qtbot.keyClicks(app.sign_in.username, "admin")
    qtbot.keyClicks(app.sign_in.password, ADMIN_PASSWORD)
    qtbot.mouseClick(app.sign_in.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.main_window is not None and app.main_window.isVisible())
    assert app.main_window is not None
    qtbot.addWidget(app.main_window)
    assert app.main_window.person_label.text() == "Ada Admin — Admin"
    app.shut_down()


def test_a_file_that_is_not_a_database_is_one_clear_sentence(
    qtbot: QtBot, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 100)
    app = _start(qtbot, f"sqlite:///{bad}")
    qtbot.waitUntil(app.sign_in.retry_button.isVisible, timeout=20_000)
    text = app.sign_in.message.text()
    assert text.endswith("is not an Infusion Desk database (or it is damaged).")
    assert "Traceback" not in text and "\n" not in text
    assert not app.sign_in.username.isEnabled()


@pytest.mark.expected_log
def test_unexpected_errors_are_logged_without_their_message_and_shown_generically(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise ValueError("Marigold Featherstone")
    except ValueError as exc:
        excepthook(ValueError, exc, exc.__traceback__)
    assert "Marigold" not in caplog.text and "unexpected ValueError" in caplog.text
    boxes = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    assert boxes and boxes[-1].text() == GENERIC
    for box in boxes:
        box.close()


def test_the_window_module_does_not_import_the_database_layer() -> None:
    code = "import sys, desk.ui.app; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ui_never_imports_sqlalchemy() -> None:
    for path in UI.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
            assert not any(n.split(".")[0] == "sqlalchemy" for n in names), path.name
            assert not any(n.startswith("desk.db") for n in names), path.name


def test_every_window_carries_the_desk_icon_from_the_shipped_resources(qtbot: QtBot) -> None:
    from desk.ui.app import identify

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    saved = app.windowIcon()
    try:
        identify(app)
        icon = app.windowIcon()
        assert not icon.isNull()
        assert icon.pixmap(64, 64).width() == 64  # the PNG was read, not just named
    finally:
        app.setWindowIcon(saved)
