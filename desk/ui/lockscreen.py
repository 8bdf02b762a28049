"""The lock screen: shows no patient data; the same person's password, or switch user."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.ui.forms import error_line, named, password_field
from desk.ui.messages import error_text
from desk.ui.session import role_text
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from desk.services.context import Actor, Desk


class LockScreen(QWidget):
    """Emits ``signed_in(actor)`` when the same person unlocks or another person signs in."""

    signed_in = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self._desk: Desk | None = None
        self._name = "Someone"
        self._busy = False
        centre = Qt.AlignmentFlag.AlignCenter
        self.heading = QLabel("<h2>Infusion Desk is locked</h2>", alignment=centre)
        self.who = named(QLabel("", alignment=centre, wordWrap=True), "lockWho")
        self.password = password_field("unlockPassword")
        self.unlock_button = QPushButton("&Unlock")
        self.switch_button = QPushButton("S&witch user…")
        self.switch_username = named(QLineEdit(maxLength=80), "switchUsername")
        self.switch_password = password_field("switchPassword")
        self.switch_sign_in = QPushButton("&Sign in")
        self.back_button = QPushButton("&Back")
        self.message = error_line("lockMessage")
        # Two pages shown one at a time; plain widgets (not a stack) so the card fits each.
        self.unlock_page, self.switch_page = self._unlock_page(), self._switch_page()
        self.pages = QWidget()
        pages_layout = QVBoxLayout(self.pages)
        pages_layout.setContentsMargins(0, 0, 0, 0)
        pages_layout.addWidget(self.unlock_page)
        pages_layout.addWidget(self.switch_page)
        self.switch_page.hide()
        self._lay_out()
        self.password.returnPressed.connect(self._unlock)
        self.unlock_button.clicked.connect(self._unlock)
        self.switch_button.clicked.connect(self.show_switch)
        self.switch_username.returnPressed.connect(self.switch_password.setFocus)
        self.switch_password.returnPressed.connect(self._switch)
        self.switch_sign_in.clicked.connect(self._switch)
        self.back_button.clicked.connect(self.show_unlock)

    def _unlock_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow("&Password", self.password)
        form.addRow(_row(self.unlock_button, self.switch_button))
        return page

    def _switch_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(QLabel("Sign in as another person:"))
        form.addRow("&User name", self.switch_username)
        form.addRow("Pass&word", self.switch_password)
        form.addRow(_row(self.switch_sign_in, self.back_button))
        return page

    def _lay_out(self) -> None:
        card = named(QFrame(), "lockCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(440)
        inner = QVBoxLayout(card)
        inner.addWidget(self.heading)
        inner.addWidget(self.who)
        inner.addWidget(self.pages)
        inner.addWidget(self.message)
        outer = QVBoxLayout(self)
        outer.addStretch()
        middle = QHBoxLayout()
        middle.addStretch()
        middle.addWidget(card)
        middle.addStretch()
        outer.addLayout(middle)
        outer.addStretch()

    def set_desk(self, desk: Desk) -> None:
        self._desk = desk
        actor = desk.actor
        self._name = f"{actor.full_name} ({role_text(actor)})" if actor else "Someone"
        self.who.setText(f"{self._name} is signed in. Enter your password to unlock.")

    def show_unlock(self) -> None:
        self._reset_fields()
        self.who.setText(f"{self._name} is signed in. Enter your password to unlock.")
        self.switch_page.hide()
        self.unlock_page.show()
        self.password.setFocus()

    def show_switch(self) -> None:
        self._reset_fields()
        # The line above the form must not ask for the locked person's password here.
        self.who.setText(f"{self._name} is signed in; signing in here signs them out.")
        self.unlock_page.hide()
        self.switch_page.show()
        self.switch_username.setFocus()

    def _reset_fields(self) -> None:
        for field in (self.password, self.switch_username, self.switch_password):
            field.clear()
        self.message.clear()

    def _unlock(self) -> None:
        desk, password = self._desk, self.password.text()
        if desk is None or not password:
            self.message.setText("Enter your password.")
            return

        def work() -> Actor:
            from desk.services.auth import confirm_password

            return confirm_password(desk, password)

        self._start(work, self.password)

    def _switch(self) -> None:
        desk = self._desk
        username, password = self.switch_username.text().strip(), self.switch_password.text()
        if desk is None or not username or not password:
            self.message.setText("Enter your user name and password.")
            return

        def work() -> Actor:
            from desk.services.auth import sign_in

            return sign_in(desk.as_actor(None), username, password)

        self._start(work, self.switch_password)

    def _start(self, work: Callable[[], Actor], retry_field: QLineEdit) -> None:
        if self._busy:
            return
        self._busy = True
        self.message.clear()
        self.pages.setEnabled(False)

        def failed(error: BaseException) -> None:
            self._done()
            self.message.setText(error_text(error))
            retry_field.clear()
            retry_field.setFocus()

        run_in_background(self, work, lambda actor: self._succeeded(actor), failed)

    def _done(self) -> None:
        self._busy = False
        self.pages.setEnabled(True)

    def _succeeded(self, actor: Actor) -> None:
        self._done()
        self._reset_fields()
        self.signed_in.emit(actor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.switch_page.isVisible():
            self.show_unlock()
            return
        super().keyPressEvent(event)


def _row(*buttons: QPushButton) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for button in buttons:
        layout.addWidget(button)
    layout.addStretch()
    return box
