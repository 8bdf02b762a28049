"""The sign-in window: user name, password, one error line that never says which was wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.ui.forms import ERROR_STYLE, MAX_FIELD, named
from desk.ui.messages import error_text
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from desk.services.context import Actor, Desk



class SignInDialog(QDialog):
    """Shown at once at start-up; usable after ``attach`` hands it the opened database."""

    signed_in = Signal(object)  # Actor
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in")
        self._desk: Desk | None = None
        self._busy = False
        self.heading = QLabel("<h2>Infusion Desk</h2>")
        self.clinic_label = QLabel("")
        self.demo_hint = named(QLabel("", wordWrap=True), "demoHint")
        self.demo_hint.setVisible(False)
        self.username = named(QLineEdit(maxLength=80), "username")
        self.password = named(QLineEdit(maxLength=MAX_FIELD), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.break_glass = QCheckBox("&Emergency access (break-glass)")
        self.break_glass.setVisible(False)
        self.break_glass.setToolTip(
            "Gives nurse access in an emergency. Every use is recorded in the audit trail."
        )
        self.message = named(QLabel("", wordWrap=True), "signInMessage")
        self.message.setMinimumWidth(320)
        self.sign_in_button = QPushButton("&Sign in", default=True, autoDefault=True)
        self.retry_button = QPushButton("&Try again")
        self.retry_button.setVisible(False)
        self.sign_in_button.clicked.connect(self._submit)
        self.retry_button.clicked.connect(self._retry)
        self._lay_out()
        self.set_opening()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        form.addRow("", self.break_glass)
        buttons = QDialogButtonBox()
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.clinic_label)
        layout.addWidget(self.demo_hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.break_glass)
        self.setTabOrder(self.break_glass, self.sign_in_button)

    def set_opening(self) -> None:
        self._set_fields_enabled(False)
        self.retry_button.hide()
        self._say("Opening the clinic database…", error=False)

    def attach(
        self, desk: Desk, clinic_name: str, break_glass_enabled: bool, demo_hint: str = ""
    ) -> None:
        """The database is open: let people sign in (and how, when it is a demo clinic)."""
        self._desk = desk.as_actor(None)
        self.clinic_label.setText(clinic_name)
        self.demo_hint.setText(demo_hint)
        self.demo_hint.setVisible(bool(demo_hint))
        self.break_glass.setVisible(break_glass_enabled)
        self.retry_button.hide()
        self._set_fields_enabled(True)
        self._say("", error=False)
        self.username.setFocus()

    def show_startup_error(self, text: str) -> None:
        self._set_fields_enabled(False)
        self._say(text, error=True)
        self.retry_button.show()
        self.retry_button.setDefault(True)
        self.retry_button.setFocus()

    def _retry(self) -> None:
        self.set_opening()
        self.retry_requested.emit()

    def _set_fields_enabled(self, enabled: bool) -> None:
        for widget in (self.username, self.password, self.break_glass, self.sign_in_button):
            widget.setEnabled(enabled)
        self.sign_in_button.setDefault(enabled)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")

    def _submit(self) -> None:
        if self._desk is None or self._busy:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self._say("Enter your user name and password.", error=True)
            (self.password if username else self.username).setFocus()
            return
        desk, break_glass = self._desk, self.break_glass.isChecked()
        self._busy = True
        self._set_fields_enabled(False)
        self._say("Signing in…", error=False)

        def work() -> Actor:
            from desk.services.auth import sign_in

            return sign_in(desk, username, password, break_glass=break_glass)

        run_in_background(self, work, self._succeeded, self._failed)

    def _succeeded(self, actor: Actor) -> None:
        self._busy = False
        self.password.clear()
        self.signed_in.emit(actor)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self._set_fields_enabled(True)
        self._say(error_text(error), error=True)
        self.password.clear()
        self.password.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc would quit the whole application from here: too easy to hit by accident.
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)
