"""The first-run wizard, typed into like a person would, from empty database to signed-in admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, func, select

from desk.db.models import Patient, Staff
from desk.services import auth, settings
from desk.services.context import Desk
from desk.services.database import is_initialised
from desk.ui.wizard import SetupResult, SetupWizard
from tests.ui.conftest import field_for

PASSWORD = "a-long-admin-password"


@pytest.fixture
def wizard(qtbot: QtBot, sqlite_engine: Engine) -> Iterator[SetupWizard]:
    wizard = SetupWizard(Desk(sqlite_engine, workstation="front-desk-1"))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    yield wizard


def _type(qtbot: QtBot, wizard: SetupWizard, label: str, text: str) -> None:
    field = field_for(wizard.currentPage(), label)
    if isinstance(field, QLineEdit):
        field.clear()
    qtbot.keyClicks(field, text)


def _next(qtbot: QtBot, wizard: SetupWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def _fill_clinic(qtbot: QtBot, wizard: SetupWizard) -> None:
    _type(qtbot, wizard, "Clinic name", "Harbour Ketamine Clinic")
    _type(qtbot, wizard, "Address", "1 Quay Street")
    _type(qtbot, wizard, "Phone", "555-0100")
    _next(qtbot, wizard)


def _fill_admin(qtbot: QtBot, wizard: SetupWizard, password: str, confirm: str) -> None:
    _type(qtbot, wizard, "User name", "ada")
    _type(qtbot, wizard, "Full name", "Ada Lovelace")
    _type(qtbot, wizard, "Password", password)
    _type(qtbot, wizard, "Confirm password", confirm)
    _next(qtbot, wizard)


def _finish(qtbot: QtBot, wizard: SetupWizard) -> SetupResult:
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    with qtbot.waitSignal(wizard.completed, timeout=120_000) as signal:
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    result = signal.args[0]
    assert isinstance(result, SetupResult)
    return result


def test_wizard_creates_the_clinic_and_signs_in_the_admin(
    qtbot: QtBot, wizard: SetupWizard, sqlite_engine: Engine
) -> None:
    _fill_clinic(qtbot, wizard)
    assert wizard.currentPage() is wizard.admin_page
    assert "At least 10 characters" in wizard.admin_page.hint.text()
    _fill_admin(qtbot, wizard, PASSWORD, PASSWORD)
    assert wizard.currentPage() is wizard.finish_page
    result = _finish(qtbot, wizard)

    assert result.actor.username == "ada" and result.demo_problem == ""
    assert is_initialised(sqlite_engine)
    desk = Desk(sqlite_engine)
    info = settings.clinic_info(desk)
    assert (info.name, info.address, info.phone) == (
        "Harbour Ketamine Clinic", "1 Quay Street", "555-0100"
    )
    assert auth.sign_in(desk, "ada", PASSWORD).full_name == "Ada Lovelace"
    qtbot.waitUntil(lambda: not wizard.isVisible())


def test_empty_clinic_name_is_refused_inline(qtbot: QtBot, wizard: SetupWizard) -> None:
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.clinic_page
    assert wizard.clinic_page.error.text() == "Enter the clinic's name."


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "at least 10 characters"),
        (PASSWORD, PASSWORD + "x", "do not match"),
    ],
)
def test_admin_password_problems_are_shown_inline(
    qtbot: QtBot, wizard: SetupWizard, sqlite_engine: Engine, password: str, confirm: str,
    message: str,
) -> None:
    _fill_clinic(qtbot, wizard)
    _fill_admin(qtbot, wizard, password, confirm)
    assert wizard.currentPage() is wizard.admin_page
    assert message in wizard.admin_page.error.text()
    assert not is_initialised(sqlite_engine)


def test_empty_admin_name_is_refused_inline(qtbot: QtBot, wizard: SetupWizard) -> None:
    _fill_clinic(qtbot, wizard)
    _type(qtbot, wizard, "User name", "ada")
    _type(qtbot, wizard, "Password", PASSWORD)
    _type(qtbot, wizard, "Confirm password", PASSWORD)
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.admin_page
    assert "full name" in wizard.admin_page.error.text()


def test_load_demo_data_fills_the_clinic(
    qtbot: QtBot, wizard: SetupWizard, sqlite_engine: Engine
) -> None:
    pytest.importorskip("desk.services.demo", reason="demo data service not written yet")
    _fill_clinic(qtbot, wizard)
    _fill_admin(qtbot, wizard, PASSWORD, PASSWORD)
    qtbot.keyClick(wizard.finish_page.demo, Qt.Key.Key_Space)
    assert wizard.finish_page.demo.isChecked()
    result = _finish(qtbot, wizard)
    assert result.demo_problem == ""
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Patient)).scalar_one() == 200
        assert conn.execute(select(func.count()).select_from(Staff)).scalar_one() > 1


def test_demo_failure_leaves_the_clinic_set_up_and_says_so(
    qtbot: QtBot, wizard: SetupWizard, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desk.domain.errors import ValidationError
    from desk.services import demo

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise ValidationError("The demo clinic is not available.")

    monkeypatch.setattr(demo, "load_demo", refuse)
    _fill_clinic(qtbot, wizard)
    _fill_admin(qtbot, wizard, PASSWORD, PASSWORD)
    wizard.finish_page.demo.setChecked(True)
    result = _finish(qtbot, wizard)
    assert result.demo_problem.endswith("The demo clinic is not available.")
    assert is_initialised(sqlite_engine)
