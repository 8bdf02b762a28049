"""“Upgrade the clinic's database”: an admin confirms a shared database's schema upgrade.

Upgrading the shared database locks every older desk out, so it never happens because
somebody happened to start a newer version first: the admin signs here knowing that the
other workstations must be updated too (the order is in docs/installer.md).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.ui.forms import ERROR_STYLE, named, password_field
from desk.ui.messages import error_text
from desk.ui.tasks import run_in_background


class UpgradeDialog(QDialog):
    """Explains the upgrade, takes an admin's user name and password, then upgrades."""

    def __init__(self, url: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._url = url
        self.setWindowTitle("Infusion Desk — Upgrade the clinic's database")
        explanation = QLabel(
            f"{reason}\n\nUpgrade only when IT has planned it: desks still on the older "
            "version stop working until they are updated."
        )
        explanation.setWordWrap(True)
        self.username = named(QLineEdit(maxLength=80), "adminUsername")
        self.password = password_field("adminPassword")
        self.status = named(QLabel(""), "upgradeStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(ERROR_STYLE)
        self.upgrade_button = QPushButton("&Upgrade the database", autoDefault=False)
        self.upgrade_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", autoDefault=False)
        self.upgrade_button.clicked.connect(self._upgrade)
        self.cancel_button.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Admin user name", self.username)
        form.addRow("&Password", self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.upgrade_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _upgrade(self) -> None:
        from desk.services.database import upgrade_confirmed_by_admin

        url, username, password = self._url, self.username.text(), self.password.text()
        self._set_busy(True)
        self.status.setText("Upgrading the database… do not switch this computer off.")
        run_in_background(
            self,
            lambda: upgrade_confirmed_by_admin(url, username, password),
            lambda _none: self.accept(),
            self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.password.clear()
        self.status.setText(error_text(error))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.username, self.password, self.upgrade_button, self.cancel_button):
            widget.setEnabled(not busy)
