"""Connect a new workstation to the clinic's existing database, and ask for its password.

``ConnectDialog(parent).exec()`` lets IT enter the server (or pick a database file), test
it off the UI thread, see the clinic's name found there, and save. Only a working
connection is saved; the password goes to the OS keyring, never to the config file. After
``Accepted``, ``dialog.database_url`` is the URL to start this session with (password
included, in memory only).
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import ValidationError
from desk.ui.forms import ERROR_STYLE, named, password_field
from desk.ui.messages import error_text
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from collections.abc import Callable

    from desk.services.workstation import ConnectionDetails, ProbeResult, SavedConnection

SERVER, FILE = 0, 1
OK_STYLE = "color: #1b5e20;"
MAX_HOST = 253  # the longest DNS name
MAX_NAME = 63  # PostgreSQL's identifier limit
SSL_LABELS = (
    ("prefer", "Prefer (encrypt when the server can)"),
    ("require", "Require (always encrypt)"),
    ("verify-full", "Verify full (encrypt and check the certificate)"),
    ("disable", "Disable (never encrypt)"),
)


class ConnectDialog(QDialog):
    """“Connect to the clinic's database”: server details, test, clinic name, save."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Infusion Desk — Connect to the clinic's database")
        self.database_url: str | None = None
        self.found: ProbeResult | None = None
        self.saved: SavedConnection | None = None
        self._busy = False
        self.kind = named(QComboBox(), "databaseKind")
        self.kind.addItems(["Database server (PostgreSQL)", "Database file on this computer"])
        self.pages = QStackedWidget()
        self.pages.addWidget(self._server_page())
        self.pages.addWidget(self._file_page())
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.workstation = named(QLineEdit(maxLength=120), "workstationName")
        self.workstation.setText(_default_workstation_name())
        self.status = named(QLabel(""), "connectStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(420)
        self.test_button = QPushButton("&Test connection")
        self.save_button = QPushButton("&Save", default=True, autoDefault=True)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(self.save)
        self._lay_out()
        for field in self.findChildren(QLineEdit):
            field.textEdited.connect(self._changed)
        self.kind.currentIndexChanged.connect(self._changed)

    # --- layout -----------------------------------------------------------------------

    def _server_page(self) -> QWidget:
        page = QWidget()
        self.host = named(QLineEdit(maxLength=MAX_HOST), "host")
        self.host.setPlaceholderText("e.g. clinic-server or 192.168.1.20")
        self.port = named(QSpinBox(minimum=1, maximum=65535, value=5432), "port")
        self.database = named(QLineEdit(maxLength=MAX_NAME), "database")
        self.database.setText("infusion_desk")
        self.user = named(QLineEdit(maxLength=MAX_NAME), "user")
        # Workstations use the least-privilege login 'desk init' printed, never the owner's.
        self.user.setPlaceholderText("the workstation login, e.g. desk_ws_infusion_desk")
        self.password = password_field("password")
        self.sslmode = named(QComboBox(), "sslmode")
        for code, label in SSL_LABELS:
            self.sslmode.addItem(label, code)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Server (&host)", self.host)
        form.addRow("&Port", self.port)
        form.addRow("&Database name", self.database)
        form.addRow("&User name", self.user)
        form.addRow("Pass&word", self.password)
        form.addRow("SS&L (encryption)", self.sslmode)
        return page

    def _file_page(self) -> QWidget:
        page = QWidget()
        self.file_path = named(QLineEdit(maxLength=4096), "databaseFile")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.file_path)
        row.addWidget(browse)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Database &file")
        label.setBuddy(self.file_path)
        form.addRow(label, row)
        return page

    def _lay_out(self) -> None:
        intro = QLabel(
            "Enter the details IT gave you for the clinic's shared database. "
            "The desk checks them and shows the clinic it finds before anything is saved."
        )
        intro.setWordWrap(True)
        top = QFormLayout()
        top.addRow("&Connect to", self.kind)
        bottom = QFormLayout()
        bottom.addRow("&Workstation name", self.workstation)
        self.workstation.setToolTip("Recorded in the audit trail with everything done here.")
        _align_labels(top, bottom, *self.pages.findChildren(QFormLayout))
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.pages)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _kind_changed(self, index: int) -> None:
        self.pages.setCurrentIndex(index)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose the clinic's database file", "", "Infusion Desk database (*.sqlite3)"
        )
        if path:
            self.file_path.setText(path)
            self._changed()

    # --- actions ----------------------------------------------------------------------

    def details(self) -> ConnectionDetails:
        """What the form holds, as the workstation service takes it."""
        from desk.services.workstation import ConnectionDetails

        if self.kind.currentIndex() == FILE:
            path = self.file_path.text().strip()
            if not path:
                raise ValidationError("Choose the database file.", "file")
            return ConnectionDetails(file_path=path)
        return ConnectionDetails(
            host=self.host.text(),
            port=self.port.value(),
            database=self.database.text(),
            user=self.user.text(),
            password=self.password.text(),
            sslmode=str(self.sslmode.currentData()),
        )

    def test_connection(self) -> None:
        """Look for the clinic at the entered address (off the UI thread); saves nothing."""
        from desk.services.workstation import probe_database

        details = self._checked_details()
        if details is not None:
            self._start(details, lambda: probe_database(details), self._found)

    def save(self) -> None:
        """Test again, then save only if the clinic was found there."""
        from desk.services.workstation import connect_and_save

        details = self._checked_details()
        if details is not None:
            name = self.workstation.text()
            self._start(details, lambda: connect_and_save(details, name), self._saved)

    def _checked_details(self) -> ConnectionDetails | None:
        from desk.services.workstation import location

        try:
            details = self.details()
            location(details)  # raises ValidationError naming an empty or wrong field
        except ValidationError as exc:
            self._show(str(exc), ok=False)
            return None
        return details

    def _start(
        self,
        details: ConnectionDetails,
        work: Callable[[], object],
        on_done: Callable[[Any], None],
    ) -> None:
        from desk.services.workstation import location

        if self._busy:
            return
        self._set_busy(True)
        self._show(f"Connecting to {location(details)}…", ok=True)
        run_in_background(self, work, on_done, self._failed)

    def _found(self, found: ProbeResult) -> None:
        self._set_busy(False)
        self.found = found
        self._show(_found_text(found), ok=True)

    def _saved(self, result: tuple[ProbeResult, SavedConnection]) -> None:
        self._set_busy(False)
        self.found, self.saved = result
        self.database_url = self.saved.session_url
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.found = None
        self._show(error_text(error), ok=False)

    def _changed(self, *_args: object) -> None:
        # A clinic name shown for other details would be misleading once they change.
        if not self._busy:
            self.found = None
            self.status.clear()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.test_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy)

    def _show(self, text: str, *, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.status.setText(text)


class PasswordPrompt(QDialog):
    """Asks for the database password at start when no keyring holds it."""

    def __init__(self, url_text: str, parent: QWidget | None = None) -> None:
        from desk.services.workstation import password_question

        super().__init__(parent)
        self._url_text = url_text
        self.setWindowTitle("Infusion Desk — Database password")
        question = QLabel(password_question(url_text))
        question.setWordWrap(True)
        self.password = password_field("databasePassword")
        label = QLabel("Pass&word")
        label.setBuddy(self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(row)
        layout.addWidget(buttons)

    def url_with_password(self) -> str:
        from desk.services.workstation import with_password

        return with_password(self._url_text, self.password.text())


def ask_database_password(url_text: str, parent: QWidget | None = None) -> str | None:
    """``url_text`` with the password the person types, or None if they cancel."""
    prompt = PasswordPrompt(url_text, parent)
    prompt.setWindowModality(Qt.WindowModality.ApplicationModal)
    if prompt.exec() != QDialog.DialogCode.Accepted:
        return None
    return prompt.url_with_password()


def _align_labels(*forms: QFormLayout) -> None:
    """One label column across several forms, so the fields line up as one form."""
    labels = [
        widget
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and (widget := item.widget()) is not None
    ]
    width = max(label.sizeHint().width() for label in labels)
    for label in labels:
        label.setMinimumWidth(width)


def _found_text(found: ProbeResult) -> str:
    text = f"Found the clinic “{found.clinic_name}” at {found.location}."
    if not found.schema_current:
        text += " Its database will be upgraded when the desk starts."
    return text


def _default_workstation_name() -> str:
    from desk.config import workstation_name

    return workstation_name() or socket.gethostname()
