"""Connecting a new workstation to the clinic's database: test, clinic name, save — or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDialog, QLabel, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from desk import config
from desk.services.context import Desk
from desk.services.database import open_database
from desk.ui.connect import ConnectDialog, PasswordPrompt
from tests.helpers.fixtures import FakeClock, make_clinic, scratch_pg_database
from tests.ui.conftest import button, field_for

CLINIC = "Harbour Ketamine Clinic"
DB_PASSWORD = "s3cret-Db-pa55word"  # QTest types ASCII only


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict, as the OS keyring would."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class BrokenKeyring(MemoryKeyring):
    """A machine whose keyring does not work (no secret service running)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("no secret service")


@pytest.fixture
def fake_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.core._keyring_backend
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = before


@pytest.fixture
def clinic_file(sqlite_admin_desk: Desk) -> str:
    path = sqlite_admin_desk.engine.url.database
    assert path is not None
    return path


@pytest.fixture
def pg_clinic(clock: FakeClock) -> Iterator[str]:
    """A fresh PostgreSQL database holding a set-up clinic, dropped afterwards."""
    with scratch_pg_database("desk_connect") as url:
        engine = open_database(url)
        make_clinic(engine, clock)
        engine.dispose()
        name = make_url(url).database
        assert name is not None
        yield name


def _dialog(qtbot: QtBot) -> ConnectDialog:
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot: QtBot, dialog: ConnectDialog, label: str, value: str) -> None:
    field = field_for(dialog, label)
    if isinstance(field, QSpinBox):
        field.selectAll()
        qtbot.keyClicks(field, value)
        return
    assert isinstance(field, QLineEdit)
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, value)


def _choose_file(qtbot: QtBot, dialog: ConnectDialog, path: str) -> None:
    kind = field_for(dialog, "Connect to")
    assert isinstance(kind, QComboBox)
    kind.setFocus()
    qtbot.keyClick(kind, Qt.Key.Key_Down)
    _type(qtbot, dialog, "Database file", path)


def _fill_server(
    qtbot: QtBot, dialog: ConnectDialog, database: str, *, port: str = "5432",
    user: str = "postgres", password: str = DB_PASSWORD,
) -> None:
    _type(qtbot, dialog, "Server (host)", "127.0.0.1")
    _type(qtbot, dialog, "Port", port)
    _type(qtbot, dialog, "Database name", database)
    _type(qtbot, dialog, "User name", user)
    _type(qtbot, dialog, "Password", password)


def _status_after(qtbot: QtBot, dialog: ConnectDialog, button_text: str) -> str:
    button(dialog, button_text).click()
    qtbot.waitUntil(
        lambda: dialog.test_button.isEnabled() and "Connecting" not in dialog.status.text(),
        timeout=15_000,
    )
    return dialog.status.text()


def _config_file() -> Path:
    return config.config_dir() / config.CONFIG_FILE


# --- SQLite -----------------------------------------------------------------------------


def test_testing_a_clinic_file_shows_its_name_and_saves_nothing(
    qtbot: QtBot, clinic_file: str
) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, clinic_file)
    assert CLINIC in _status_after(qtbot, dialog, "Test connection")
    assert not _config_file().exists()


def test_saving_a_clinic_file_remembers_it_and_the_workstation_name(
    qtbot: QtBot, clinic_file: str
) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, clinic_file)
    _type(qtbot, dialog, "Workstation name", "Front desk 2")
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        button(dialog, "Save").click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.found is not None and dialog.found.clinic_name == CLINIC
    assert config.resolve_database_url() == f"sqlite:///{clinic_file}"
    assert dialog.database_url == f"sqlite:///{clinic_file}"
    assert config.workstation_name() == "Front desk 2"


def test_a_missing_file_is_named_and_nothing_is_saved(qtbot: QtBot, tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite3"
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, str(missing))
    status = _status_after(qtbot, dialog, "Save")
    assert status == f"There is no database file at {missing}."
    assert dialog.isVisible()
    assert not missing.exists(), "probing must not create an empty database"
    assert not _config_file().exists()


def test_a_file_of_another_program_is_not_an_infusion_desk_database(
    qtbot: QtBot, tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, str(other))
    assert _status_after(qtbot, dialog, "Save") == (
        f"The database at {other} is not an Infusion Desk database."
    )
    assert not _config_file().exists()


def test_a_database_without_a_clinic_points_to_new_clinic(
    qtbot: QtBot, sqlite_engine: object, sqlite_url: str
) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, make_url(sqlite_url).database or "")
    assert "has no clinic set up yet" in _status_after(qtbot, dialog, "Test connection")
    assert "New clinic" in dialog.status.text()


def test_editing_a_field_clears_the_clinic_found_for_the_old_details(
    qtbot: QtBot, clinic_file: str
) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, clinic_file)
    assert CLINIC in _status_after(qtbot, dialog, "Test connection")
    qtbot.keyClicks(field_for(dialog, "Database file"), "x")
    assert dialog.status.text() == ""
    assert dialog.found is None


# --- PostgreSQL -------------------------------------------------------------------------


def test_server_success_shows_the_clinic_and_keeps_the_password_out_of_the_file(
    qtbot: QtBot, pg_clinic: str, fake_keyring: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot)
    _fill_server(qtbot, dialog, pg_clinic)
    assert CLINIC in _status_after(qtbot, dialog, "Test connection")
    assert not _config_file().exists()
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        button(dialog, "Save").click()
    saved = _config_file().read_text(encoding="utf-8")
    assert DB_PASSWORD not in saved
    assert "password = keyring" in saved
    assert fake_keyring.passwords == {("InfusionDesk", "postgres@127.0.0.1"): DB_PASSWORD}
    # At the next start the URL is rebuilt from the file and the keyring.
    url = make_url(config.resolve_database_url())
    assert (url.host, url.port, url.database, url.username) == (
        "127.0.0.1", 5432, pg_clinic, "postgres"
    )
    assert url.password == DB_PASSWORD
    assert url.query["sslmode"] == "prefer"
    assert not config.password_missing(config.resolve_database_url())


def test_server_without_a_keyring_asks_for_the_password_at_start(
    qtbot: QtBot, pg_clinic: str
) -> None:
    before = keyring.core._keyring_backend
    keyring.set_keyring(BrokenKeyring())
    try:
        dialog = _dialog(qtbot)
        _fill_server(qtbot, dialog, pg_clinic)
        with qtbot.waitSignal(dialog.accepted, timeout=15_000):
            button(dialog, "Save").click()
    finally:
        keyring.core._keyring_backend = before
    saved = _config_file().read_text(encoding="utf-8")
    assert DB_PASSWORD not in saved
    assert "password = ask" in saved
    assert dialog.saved is not None and dialog.saved.password_storage == "ask"
    start_url = config.resolve_database_url()
    assert config.password_missing(start_url)
    prompt = PasswordPrompt(start_url)
    qtbot.addWidget(prompt)
    assert "“postgres” on 127.0.0.1:5432/" in prompt.findChildren(type(dialog.status))[0].text()
    qtbot.keyClicks(prompt.password, DB_PASSWORD)
    assert make_url(prompt.url_with_password()).password == DB_PASSWORD


def test_unknown_database_user_is_a_refused_login_and_nothing_is_saved(
    qtbot: QtBot, pg_clinic: str, fake_keyring: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot)
    _fill_server(qtbot, dialog, pg_clinic, user="no_such_desk_user")
    assert _status_after(qtbot, dialog, "Save") == (
        "The database at 127.0.0.1 refused the user name or password."
    )
    assert dialog.isVisible()
    assert not _config_file().exists()
    assert fake_keyring.passwords == {}


def test_unreachable_server_says_so_and_nothing_is_saved(
    qtbot: QtBot, fake_keyring: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot)
    _fill_server(qtbot, dialog, "infusion_desk", port="1")
    assert _status_after(qtbot, dialog, "Save") == (
        "Cannot reach the database server at 127.0.0.1:1. "
        "Check the address and the network, or ask IT."
    )
    assert not _config_file().exists()
    assert fake_keyring.passwords == {}


def test_an_empty_host_is_named_before_anything_connects(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    _type(qtbot, dialog, "User name", "desk")
    button(dialog, "Save").click()
    assert dialog.status.text() == "Enter the database server's name or address."
    assert not _config_file().exists()


# --- keys, mnemonics and stale results ----------------------------------------------------


def _mnemonics(dialog: ConnectDialog) -> list[str]:
    """The Alt+letter of every label and button on both pages (hidden ones too)."""
    texts = [w.text() for w in dialog.findChildren(QLabel)]
    texts += [w.text() for w in dialog.findChildren(QAbstractButton)]
    found = []
    for text in texts:
        index = text.replace("&&", "").find("&")
        if index >= 0:
            found.append(text.replace("&&", "")[index + 1].lower())
    return found


def test_no_two_fields_or_buttons_share_an_alt_key(qtbot: QtBot) -> None:
    letters = _mnemonics(_dialog(qtbot))
    assert len(letters) >= 12
    assert sorted(letters) == sorted(set(letters)), letters


def test_enter_after_a_successful_test_saves(qtbot: QtBot, clinic_file: str) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, clinic_file)
    # A mouse click, as in the report: the focus lands wherever Qt puts it.
    qtbot.mouseClick(button(dialog, "Test connection"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=15_000)
    assert dialog.save_button.isDefault() and not dialog.cancel_button.isDefault()
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)
    assert config.resolve_database_url() == f"sqlite:///{clinic_file}"


def test_enter_never_cancels_even_with_the_focus_on_cancel(
    qtbot: QtBot, clinic_file: str
) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, clinic_file)
    qtbot.mouseClick(button(dialog, "Test connection"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=15_000)
    dialog.cancel_button.setFocus()
    rejected: list[bool] = []
    dialog.rejected.connect(lambda: rejected.append(True))
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        qtbot.keyClick(dialog.cancel_button, Qt.Key.Key_Return)
    assert rejected == []


def test_before_a_good_test_enter_tests_and_saves_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, str(tmp_path / "typo.sqlite3"))
    assert dialog.test_button.isDefault()
    qtbot.keyClick(field_for(dialog, "Database file"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "There is no database file" in dialog.status.text(), timeout=15_000)
    qtbot.keyClick(dialog.cancel_button, Qt.Key.Key_Enter)
    assert dialog.isVisible() and dialog.test_button.isDefault()
    assert not _config_file().exists()


def test_the_form_is_locked_while_a_test_runs_so_the_result_names_what_is_shown(
    qtbot: QtBot, fake_keyring: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot)
    _fill_server(qtbot, dialog, "infusion_desk", port="1")
    button(dialog, "Test connection").click()
    assert not dialog.inputs.isEnabled()
    assert not field_for(dialog, "Port").isEnabled()
    qtbot.keyClicks(field_for(dialog, "Port"), "5")  # ignored: the field is locked
    qtbot.waitUntil(dialog.inputs.isEnabled, timeout=15_000)
    assert dialog.port.value() == 1
    assert "127.0.0.1:1." in dialog.status.text()


def test_editing_after_a_good_test_makes_enter_test_again(
    qtbot: QtBot, clinic_file: str
) -> None:
    dialog = _dialog(qtbot)
    _choose_file(qtbot, dialog, clinic_file)
    assert CLINIC in _status_after(qtbot, dialog, "Test connection")
    qtbot.keyClicks(field_for(dialog, "Database file"), "x")
    assert dialog.test_button.isDefault() and not dialog.save_button.isDefault()


def test_the_ca_file_is_asked_for_verify_full_only(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot)
    ca_field = field_for(dialog, "CA certificate file")
    assert not ca_field.isEnabled()
    _fill_server(qtbot, dialog, "infusion_desk")
    sslmode = field_for(dialog, "SSL (encryption)")
    assert isinstance(sslmode, QComboBox)
    sslmode.setCurrentIndex(sslmode.findData("verify-full"))
    assert ca_field.isEnabled()
    button(dialog, "Test connection").click()
    assert dialog.status.text() == "Verify full needs the clinic's CA certificate file (from IT)."
    ca = tmp_path / "clinic-ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    _type(qtbot, dialog, "CA certificate file", str(ca))
    url = make_url(location_url(dialog))
    assert url.query == {"sslmode": "verify-full", "sslrootcert": str(ca)}


def location_url(dialog: ConnectDialog) -> str:
    from desk.services.workstation import details_url

    return details_url(dialog.details()).render_as_string(hide_password=True)


def test_the_dialog_opens_on_the_saved_connection_with_the_problem_said(
    qtbot: QtBot,
) -> None:
    saved = "postgresql+psycopg://desk@clinic-server:5433/clinic?sslmode=require"
    dialog = ConnectDialog(problem="The database refused the password.", current_url=saved)
    qtbot.addWidget(dialog)
    assert (dialog.host.text(), dialog.port.value(), dialog.database.text()) == (
        "clinic-server", 5433, "clinic"
    )
    assert dialog.user.text() == "desk" and dialog.sslmode.currentData() == "require"
    assert dialog.password.text() == ""
    assert dialog.status.text() == "The database refused the password."
