"""First start and start-up problems: nothing created before a choice, Enter is harmless,
a refused server password opens the connection dialog, an upgrade waits for an admin."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from desk import __version__, config
from desk.db import migrate
from desk.db.engine import make_engine
from desk.services.database import open_database
from desk.ui.app import DeskApp
from tests.helpers.fixtures import ADMIN_PASSWORD, FakeClock, make_clinic, scratch_pg_database
from tests.ui.conftest import button
from tests.ui.test_connect import MemoryKeyring, fake_keyring  # noqa: F401 (fixture)

CLINIC = "Harbour Ketamine Clinic"


def _start(qtbot: QtBot, url: str) -> DeskApp:
    app = DeskApp(url)
    qtbot.addWidget(app.sign_in)
    app.start()
    return app


def test_no_database_file_is_created_before_new_clinic_is_chosen(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "desk.sqlite3"
    app = _start(qtbot, f"sqlite:///{path}")
    qtbot.waitUntil(lambda: app.first_start_box is not None, timeout=20_000)
    assert not path.exists() and not path.parent.exists()
    box = app.first_start_box
    assert box is not None
    qtbot.mouseClick(button(box, "New clinic"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.wizard is not None and app.wizard.isVisible(), timeout=20_000)
    assert app.wizard is not None
    qtbot.addWidget(app.wizard)
    assert path.is_file()
    app.shut_down()


def test_enter_at_first_start_opens_the_connection_dialog_and_creates_nothing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "desk.sqlite3"
    app = _start(qtbot, f"sqlite:///{path}")
    qtbot.waitUntil(lambda: app.first_start_box is not None, timeout=20_000)
    box = app.first_start_box
    assert box is not None and box.defaultButton().text() == "&Connect to the clinic's database"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.connect_dialog is not None, timeout=5_000)
    dialog = app.connect_dialog
    assert dialog is not None and app.wizard is None
    # Cancelling the connection dialog goes back to the choice, still with nothing created.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: app.first_start_box is not None, timeout=5_000)
    assert not path.exists()
    assert app.first_start_box is not None
    app.first_start_box.close()
    app.shut_down()


def test_cancelling_the_new_clinic_wizard_returns_to_the_choice(
    qtbot: QtBot, tmp_path: Path
) -> None:
    app = _start(qtbot, f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    qtbot.waitUntil(lambda: app.first_start_box is not None, timeout=20_000)
    assert app.first_start_box is not None
    qtbot.mouseClick(button(app.first_start_box, "New clinic"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.wizard is not None and app.wizard.isVisible(), timeout=20_000)
    assert app.wizard is not None
    qtbot.addWidget(app.wizard)
    quits: list[bool] = []
    QApplication.instance().aboutToQuit.connect(lambda: quits.append(True))  # type: ignore[union-attr]
    app.wizard.reject()
    qtbot.waitUntil(lambda: app.first_start_box is not None, timeout=5_000)
    assert quits == []
    app.first_start_box.close()
    app.shut_down()


@pytest.fixture
def pg_clinic_url(clock: FakeClock) -> Iterator[str]:
    with scratch_pg_database("desk_start") as url:
        engine = open_database(url)
        make_clinic(engine, clock)
        engine.dispose()
        yield url


def test_a_refused_stored_password_opens_the_connection_dialog_not_the_sign_in(
    qtbot: QtBot, pg_clinic_url: str, fake_keyring: MemoryKeyring  # noqa: F811
) -> None:
    # The server answers without a password here (trust), so a wrong user name stands in
    # for a changed password: the server refuses the login either way.
    wrong = make_url(pg_clinic_url).set(username="desk_old_user", password="old-password")
    config.write_config(
        "database",
        {"url": wrong._replace(password=None).render_as_string(), "password": "keyring"},
    )
    fake_keyring.set_password("InfusionDesk", "desk_old_user@127.0.0.1", "old-password")
    app = _start(qtbot, config.resolve_database_url())
    qtbot.waitUntil(lambda: app.connect_dialog is not None, timeout=20_000)
    dialog = app.connect_dialog
    assert dialog is not None
    assert dialog.status.text().startswith(
        "The database at 127.0.0.1 refused the user name or password."
    )
    assert dialog.host.text() == "127.0.0.1" and dialog.user.text() == "desk_old_user"
    assert not app.sign_in.username.isEnabled()
    assert "refused" not in app.sign_in.message.text()
    # IT puts the right account in, tests (Enter) and saves (Enter): the sign-in follows.
    dialog.user.setText("postgres")
    dialog.password.setText("any")
    qtbot.keyClick(dialog.user, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=20_000)
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    qtbot.waitUntil(app.sign_in.username.isEnabled, timeout=20_000)
    assert app.sign_in.clinic_label.text() == CLINIC
    app.shut_down()


def test_a_shared_database_needing_an_upgrade_waits_for_an_admin(
    qtbot: QtBot, clock: FakeClock
) -> None:
    with scratch_pg_database("desk_upgrade_ui") as url:
        engine = make_engine(url)
        migrate.upgrade(engine, "0003_patient_search")
        make_clinic(engine, clock)
        app = _start(qtbot, url)
        qtbot.waitUntil(lambda: app.upgrade_dialog is not None, timeout=20_000)
        dialog = app.upgrade_dialog
        assert dialog is not None
        assert migrate.current_revision(engine) == "0003_patient_search"
        dialog.username.setText("admin")
        dialog.password.setText("not-the-password")
        qtbot.mouseClick(dialog.upgrade_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.status.text().startswith("The user name"), timeout=20_000)
        assert migrate.current_revision(engine) == "0003_patient_search"
        dialog.password.setText(ADMIN_PASSWORD)
        qtbot.mouseClick(dialog.upgrade_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(app.sign_in.username.isEnabled, timeout=30_000)
        assert migrate.current_revision(engine) == migrate.head_revision()
        app.shut_down()
        engine.dispose()


def test_the_log_names_version_platform_and_server_but_never_the_password(
    qtbot: QtBot, pg_clinic_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with_password = make_url(pg_clinic_url).set(password="s3cret-server-pw")
    app = _start(qtbot, with_password.render_as_string(hide_password=False))
    qtbot.waitUntil(app.sign_in.username.isEnabled, timeout=20_000)
    app.shut_down()
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert f"Infusion Desk {__version__} starting on " in text
    assert f"postgresql+psycopg://postgres@127.0.0.1:5432/{with_password.database}" in text
    assert "s3cret-server-pw" not in text


def test_a_password_asked_once_goes_to_this_accounts_keyring_after_it_worked(
    qtbot: QtBot, pg_clinic_url: str, isolated_folders: Path,
    fake_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    # IT's machine-wide file says "keyring"; this account's keyring is still empty.
    site = isolated_folders / "site-config"
    site.mkdir()
    (site / "desk.ini").write_text(
        f"[database]\nurl = {pg_clinic_url}\npassword = keyring\n", encoding="utf-8"
    )
    start_url = config.resolve_database_url()
    assert config.password_missing(start_url)
    typed = make_url(start_url).set(password="typed-once").render_as_string(hide_password=False)
    app = _start(qtbot, typed)
    qtbot.waitUntil(app.sign_in.username.isEnabled, timeout=20_000)
    app.shut_down()
    assert fake_keyring.passwords == {("InfusionDesk", "postgres@127.0.0.1"): "typed-once"}
    assert not config.password_missing(config.resolve_database_url())
