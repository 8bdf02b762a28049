"""The second clinician's box: their own user name and password, typed on this desk.

Shown only while a hard stop is being passed. The password is handed to the service with
the action and verified there (the same lockout rules as sign-in); the box is emptied after
every attempt and whenever another person signs in to this desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from desk.ui.forms import named, password_field

if TYPE_CHECKING:
    from desk.services.cosign import Cosignature

EXPLANATION = (
    "Hard stop: a second nurse or a clinician confirms here with their own user name and "
    "password. Both names, the reason and the time are recorded."
)


class CosignerBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Second clinician (hard stop)", parent)
        self.setObjectName("cosignerBox")
        self.username = named(QLineEdit(maxLength=80), "cosignerUsername")
        self.password = password_field("cosignerPassword")
        self.username.returnPressed.connect(self.password.setFocus)
        form = QFormLayout(self)
        form.addRow(QLabel(EXPLANATION, wordWrap=True))
        form.addRow("Their us&er name", self.username)
        form.addRow("Their &password", self.password)

    def cosignature(self) -> Cosignature | None:
        """What was typed, or None while either field is empty."""
        from desk.services.cosign import Cosignature

        username, password = self.username.text().strip(), self.password.text()
        return Cosignature(username, password) if username and password else None

    def clear(self) -> None:
        self.username.clear()
        self.password.clear()

    def clear_password(self) -> None:
        self.password.clear()
