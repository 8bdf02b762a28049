"""First-run setup wizard: clinic details, the first admin account, optional demo data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desk.domain.accounts import check_full_name, check_password, normalise_username
from desk.domain.errors import DeskError, ValidationError
from desk.domain.locale import COUNTRIES, for_country, format_date, format_time
from desk.domain.policy import DEFAULT_POLICY, ClinicPolicy
from desk.ui.forms import ERROR_STYLE, error_line, named
from desk.ui.messages import error_text
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from desk.services.context import Actor, Desk

DEMO_PATIENTS = 200
DEMO_SEED = 1


def country_picker() -> QComboBox:
    """The countries the desk knows, the workstation's own country chosen."""
    combo = named(QComboBox(), "clinicCountry")
    for country in COUNTRIES:
        combo.addItem(country.name, country.code)
    own = QLocale.territoryToCode(QLocale.system().territory())
    index = combo.findData(own)
    combo.setCurrentIndex(index if index >= 0 else combo.findData("US"))
    return combo


class ClinicPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Your clinic")
        self.setSubTitle("These details appear on consent forms and printed sheets.")
        self.name = named(QLineEdit(maxLength=200), "clinicName")
        self.address = named(QPlainTextEdit(tabChangesFocus=True), "clinicAddress")
        self.address.setFixedHeight(70)
        self.phone = named(QLineEdit(maxLength=40), "clinicPhone")
        self.country = country_picker()
        self.formats = named(QLabel(wordWrap=True), "countryFormats")
        self.error = error_line()
        form = QFormLayout(self)
        form.addRow("Clinic na&me", self.name)
        form.addRow("&Address", self.address)
        form.addRow("&Phone", self.phone)
        form.addRow("&Country", self.country)
        form.addRow("", self.formats)
        self.country.currentIndexChanged.connect(self._show_formats)
        self._show_formats()
        form.addRow(self.error)
        self.name.textEdited.connect(lambda _text: self.error.clear())

    def policy(self) -> ClinicPolicy:
        """The default policy written the chosen country's way."""
        return for_country(ClinicPolicy(), str(self.country.currentData()))

    def _show_formats(self) -> None:
        policy, today = self.policy(), date.today()
        self.formats.setText(
            f"Dates like {format_date(today, policy)}, times like "
            f"{format_time(time(14, 30), policy)}, phone numbers of {self.country.currentText()}"
            " without the country code. Each can be changed later in Clinic settings."
        )

    def validatePage(self) -> bool:
        if not self.name.text().strip():
            self.error.setText("Enter the clinic's name.")
            self.name.setFocus()
            return False
        return True


class AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("The first admin account")
        self.setSubTitle(
            "This person manages staff accounts and clinic settings. "
            "More staff can be added after setup."
        )
        self.username = named(QLineEdit(maxLength=40), "adminUsername")
        self.full_name = named(QLineEdit(maxLength=200), "adminFullName")
        self.password = named(QLineEdit(maxLength=1024), "adminPassword")
        self.confirm = named(QLineEdit(maxLength=1024), "adminConfirm")
        for field in (self.password, self.confirm):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.textChanged.connect(self._live_check)
        minimum = DEFAULT_POLICY.password_min_length
        self.hint = named(QLabel(f"At least {minimum} characters."), "passwordHint")
        self.error = error_line()
        form = QFormLayout(self)
        form.addRow("&User name", self.username)
        form.addRow("&Full name", self.full_name)
        form.addRow("&Password", self.password)
        form.addRow("", self.hint)
        form.addRow("&Confirm password", self.confirm)
        form.addRow(self.error)
        for field in (self.username, self.full_name):
            field.textEdited.connect(lambda _text: self.error.clear())

    def _live_check(self) -> None:
        # Say what is wrong while typing, but not "does not match" before they got there.
        password, confirm = self.password.text(), self.confirm.text()
        minimum = DEFAULT_POLICY.password_min_length
        if password and len(password) < minimum:
            self.hint.setText(f"At least {minimum} characters ({len(password)} so far).")
        else:
            self.hint.setText(f"At least {minimum} characters.")
        mismatch = bool(confirm) and not password.startswith(confirm)
        self.error.setText("The two passwords do not match." if mismatch else "")

    def validatePage(self) -> bool:
        try:
            normalise_username(self.username.text())
            check_full_name(self.full_name.text())
            check_password(self.password.text(), DEFAULT_POLICY)
            if self.password.text() != self.confirm.text():
                raise ValidationError("The two passwords do not match.", "confirm")
        except DeskError as exc:
            self.error.setText(str(exc))
            self._focus(getattr(exc, "field", None))
            return False
        self.error.clear()
        return True

    def _focus(self, field: str | None) -> None:
        widgets = {
            "username": self.username,
            "full_name": self.full_name,
            "password": self.password,
            "confirm": self.confirm,
        }
        widgets.get(field or "", self.username).setFocus()


class FinishPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Ready to set up")
        self.setSubTitle("Press Finish to create the clinic and sign in as its admin.")
        self.demo = named(QCheckBox("&Load demo data"), "loadDemo")
        explain = QLabel(
            f"A made-up clinic to practise on: staff of each role, {DEMO_PATIENTS} invented "
            "patients and a week of visits around today. Leave this off for a real clinic.",
            wordWrap=True,
        )
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setRange(0, 0)  # busy indicator: setup has no countable steps
        self.status = named(QLabel("", wordWrap=True), "setupStatus")
        layout = QVBoxLayout(self)
        layout.addWidget(self.demo)
        layout.addWidget(explain)
        layout.addStretch()
        layout.addWidget(self.progress)
        layout.addWidget(self.status)


@dataclass(frozen=True)
class SetupResult:
    actor: Actor
    demo_problem: str  # empty when the demo data loaded (or was not asked for)


class SetupWizard(QWizard):
    """Emits ``completed(SetupResult)`` once the clinic exists and its admin is signed in."""

    completed = Signal(object)

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("First-run setup")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self._desk = desk.as_actor(None)
        self._busy = False
        self.clinic_page = ClinicPage()
        self.admin_page = AdminPage()
        self.finish_page = FinishPage()
        for page in (self.clinic_page, self.admin_page, self.finish_page):
            self.addPage(page)
        self.setMinimumWidth(560)

    def accept(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._set_buttons_enabled(False)
        self.finish_page.progress.show()
        self.finish_page.status.setStyleSheet("")
        self.finish_page.status.setText("Setting up the clinic…")
        run_in_background(self, self._work(), self._done, self._failed)

    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def _work(self) -> Callable[[], SetupResult]:
        desk, clinic, admin = self._desk, self.clinic_page, self.admin_page
        name, address, phone = (
            clinic.name.text(), clinic.address.toPlainText(), clinic.phone.text()
        )
        policy = clinic.policy()
        username, full_name, password = (
            admin.username.text(), admin.full_name.text(), admin.password.text()
        )
        with_demo = self.finish_page.demo.isChecked()

        def work() -> SetupResult:
            from desk.services.setup import initialise

            actor = initialise(
                desk,
                clinic_name=name,
                address=address,
                phone=phone,
                admin_username=username,
                admin_full_name=full_name,
                admin_password=password,
                policy=policy,
            )
            return SetupResult(actor, _load_demo(desk.as_actor(actor)) if with_demo else "")

        return work

    def _done(self, result: SetupResult) -> None:
        self._busy = False
        self.finish_page.progress.hide()
        self.completed.emit(result)
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self._set_buttons_enabled(True)
        self.finish_page.progress.hide()
        self.finish_page.status.setStyleSheet(ERROR_STYLE)
        self.finish_page.status.setText(error_text(error))

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for which in (
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ):
            self.button(which).setEnabled(enabled)


def _load_demo(desk: Desk) -> str:
    """Load the demo clinic; a failure leaves the (committed) real setup in place."""
    try:
        from desk.services.demo import load_demo

        load_demo(desk, patients=DEMO_PATIENTS, seed=DEMO_SEED)
    except Exception as exc:
        return "The clinic is set up, but the demo data could not be loaded: " + error_text(exc)
    return ""
