"""The second person's user name and password, typed at the same desk (the two-person rule)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit

from desk.services.orders import Cosigner
from desk.ui.forms import named, password_field


class WitnessFields:
    """Two fields added to a form under labels naming the role the second person plays."""

    def __init__(self, form: QFormLayout, who: str, name: str) -> None:
        self.username = named(QLineEdit(maxLength=80), f"{name}User")
        self.password = password_field(f"{name}Password")
        form.addRow(f"{who} user name", self.username)
        form.addRow(f"{who} password", self.password)

    def cosigner(self) -> Cosigner:
        return Cosigner(self.username.text(), self.password.text())

    def clear(self) -> None:
        # A password never stays on screen after it was used, right or wrong.
        self.password.clear()
