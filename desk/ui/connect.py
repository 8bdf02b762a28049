"""Connect a new workstation to the clinic's existing database, and ask for its password.

``ConnectDialog(parent).exec()`` lets IT enter the server (or pick a database file), test
it off the UI thread, see the clinic's name found there, and save. Only a working
connection is saved; the password goes to the OS keyring, never to the config file. After
``Accepted``, ``dialog.database_url`` is the URL to start this session with (password
included, in memory only).

Enter never throws the setup away: *Test connection* is the default button until a test
succeeds, then *Save* is; Cancel is never a default. The form is locked while a test
runs, so the result always describes what is on screen.
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

    def __init__(
        self, parent: QWidget | None = None, *, problem: str = "", current_url: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to the clinic's database")
        self.database_url: str | None = None
        self.found: ProbeResult | None = None
        self.saved: SavedConnection | None = None
        self._busy = False
        self._focus_before_busy: QWidget | None = None
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
        # No button is "auto default": a button that merely has the focus (Cancel after a
        # mouse click elsewhere) must never become what Enter presses.
        self.test_button = QPushButton("&Test connection", autoDefault=False)
        self.save_button = QPushButton("&Save", autoDefault=False)
        self.cancel_button = QPushButton("Cancel", autoDefault=False)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self._lay_out()
        for field in self.findChildren(QLineEdit):
            field.textEdited.connect(self._changed)
        self.kind.currentIndexChanged.connect(self._changed)
        self.port.valueChanged.connect(self._changed)
        self.sslmode.currentIndexChanged.connect(self._sslmode_changed)
        self._sslmode_changed()
        self._fill_from(current_url)
        self._set_default(self.test_button)
        if problem:
            self._show(problem, ok=False)

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
        self.ca_file = named(QLineEdit(maxLength=4096), "caFile")
        self.ca_file.setPlaceholderText("for Verify full: the clinic's CA certificate (.crt)")
        self.ca_browse = QPushButton("Br&owse…", autoDefault=False)
        self.ca_browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file)
        ca_row.addWidget(self.ca_browse)
        ca_label = QLabel("C&A certificate file")
        ca_label.setBuddy(self.ca_file)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Server (&host)", self.host)
        form.addRow("&Port", self.port)
        form.addRow("&Database name", self.database)
        form.addRow("&User name", self.user)
        form.addRow("Pass&word", self.password)
        form.addRow("SS&L (encryption)", self.sslmode)
        form.addRow(ca_label, ca_row)
        return page

    def _file_page(self) -> QWidget:
        page = QWidget()
        self.file_path = named(QLineEdit(maxLength=4096), "databaseFile")
        browse = QPushButton("&Browse…", autoDefault=False)
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
        bottom.addRow("Wor&kstation name", self.workstation)
        self.workstation.setToolTip("Recorded in the audit trail with everything done here.")
        _align_labels(top, bottom, *self.pages.findChildren(QFormLayout))
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        # Everything a person can edit, locked as one while a test runs.
        self.inputs = QWidget()
        inputs = QVBoxLayout(self.inputs)
        inputs.setContentsMargins(0, 0, 0, 0)
        inputs.addLayout(top)
        inputs.addWidget(self.pages)
        inputs.addLayout(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.inputs)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _kind_changed(self, index: int) -> None:
        self.pages.setCurrentIndex(index)

    def _sslmode_changed(self, *_args: object) -> None:
        verify = self.sslmode.currentData() == "verify-full"
        self.ca_file.setEnabled(verify)
        self.ca_browse.setEnabled(verify)

    def _browse_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose the clinic's CA certificate", "", "Certificates (*.crt *.pem);;All (*)"
        )
        if path:
            self.ca_file.setText(path)
            self._changed()

    def _fill_from(self, url_text: str) -> None:
        """Start from the saved connection (File → Database connection…), password empty."""
        from desk.services.workstation import details_from_url

        details = details_from_url(url_text) if url_text else None
        if details is None:
            return
        if details.is_file:
            self.kind.setCurrentIndex(FILE)
            self.file_path.setText(details.file_path)
            return
        self.host.setText(details.host)
        self.port.setValue(details.port)
        self.database.setText(details.database)
        self.user.setText(details.user)
        self.sslmode.setCurrentIndex(max(0, self.sslmode.findData(details.sslmode)))
        self.ca_file.setText(details.ca_file)

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
            ca_file=self.ca_file.text(),
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
        # What a person wants after a good test is to keep it: Enter now saves.
        self._set_default(self.save_button)
        self.save_button.setFocus()

    def _saved(self, result: tuple[ProbeResult, SavedConnection]) -> None:
        self._set_busy(False)
        self.found, self.saved = result
        self.database_url = self.saved.session_url
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.found = None
        self._set_default(self.test_button)
        self._show(error_text(error), ok=False)

    def _changed(self, *_args: object) -> None:
        # A clinic name shown for other details would be misleading once they change, and
        # Enter must test the new details before anything can be saved by it.
        if not self._busy:
            self.found = None
            self.status.clear()
            self._set_default(self.test_button)

    def _set_default(self, default: QPushButton) -> None:
        for candidate in (self.test_button, self.save_button, self.cancel_button):
            candidate.setDefault(candidate is default)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        focused = self.focusWidget()
        self.inputs.setEnabled(not busy)
        self.test_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy)
        if busy:
            self._focus_before_busy = focused
        elif self._focus_before_busy is not None:
            self._focus_before_busy.setFocus()

    def _show(self, text: str, *, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.status.setText(text)


class PasswordPrompt(QDialog):
    """Asks for the database password at start when no keyring holds it."""

    def __init__(self, url_text: str, parent: QWidget | None = None) -> None:
        from desk.services.workstation import password_question

        super().__init__(parent)
        self._url_text = url_text
        self.setWindowTitle("Database password")
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
        text += (
            " Its database is older than this version: it is upgraded at the next start "
            "(a shared server only after an admin confirms)."
        )
    return text


def _default_workstation_name() -> str:
    from desk.config import workstation_name

    return workstation_name() or socket.gethostname()
