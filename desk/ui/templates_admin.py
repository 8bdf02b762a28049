"""Admin → Consent templates: every imported version, Import from file…, Preview.

Old versions stay listed and viewable forever: a signed consent names the version it was
signed on. New wording is written outside the app (copy a shipped file, raise the version)
and imported here; a mistake in the file is reported with its line number.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.roles import Role
from desk.services import consent
from desk.services.consent import TemplateView
from desk.ui.document_viewer import DocumentViewerDialog
from desk.ui.messages import error_text
from desk.ui.session import Session
from desk.ui.tablemodel import Column, RecordTableModel, fit_columns


class TemplatesDialog(QDialog):
    required_roles = frozenset({Role.ADMIN})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatesDialog")
        self.setWindowTitle("Consent templates")
        self._session = session
        self.model: RecordTableModel[TemplateView] = RecordTableModel(
            [
                Column("Form", lambda t: t.template_id),
                Column("Version", lambda t: t.version),
                Column("Language", lambda t: t.language),
                Column("In use", lambda t: "current" if t.is_current else "older"),
                Column("Treatments", lambda t: ", ".join(x.value for x in t.treatments)),
                Column("Imported", lambda t: f"{t.imported_at.astimezone():%Y-%m-%d %H:%M}"),
                Column("By", lambda t: t.imported_by),
                Column("Title", lambda t: t.title, tooltip=lambda t: f"SHA-256 {t.sha256}"),
            ]
        )
        self.table = QTableView()
        self.table.setObjectName("templatesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        fit_columns(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.preview_selected())
        self.import_button = QPushButton("&Import from file…")
        self.preview_button = QPushButton("&Preview")
        self.import_button.clicked.connect(self.choose_and_import)
        self.preview_button.clicked.connect(self.preview_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.message = QLabel("", wordWrap=True)
        self.message.setObjectName("templatesMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = QLabel(
            "To change the wording: copy a template file, raise its version (MAJOR when "
            "patients must consent again, MINOR for corrections), edit it, check it with "
            "'desk consent preview', then import it here.",
            wordWrap=True,
        )
        side = QVBoxLayout()
        side.addWidget(self.import_button)
        side.addWidget(self.preview_button)
        side.addStretch()
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(1100, 420)
        self.reload()

    def reload(self) -> None:
        try:
            self.model.set_rows(consent.list_templates(self._session.desk))
        except DeskError as err:
            self._say(error_text(err), error=True)
        self._update_buttons()

    def selected(self) -> TemplateView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        self.preview_button.setEnabled(self.selected() is not None)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #a00000;" if error else "color: #1b5e20;")
        self.message.setText(text)

    def choose_and_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import consent template", "", "Consent templates (*.txt);;All files (*)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> TemplateView | None:
        try:
            view = consent.import_template(self._session.desk, path)
        except DeskError as err:
            self._say(f"{path.name} was not imported. {error_text(err)}", error=True)
            return None
        self.reload()
        self._say(f"Imported {view.label}. New consents use it from now on.")
        return view

    def preview_selected(self) -> DocumentViewerDialog | None:
        template = self.selected()
        if template is None:
            return None
        try:
            pdf = consent.preview_stored_template(self._session.desk, template.id)
        except DeskError as err:
            self._say(error_text(err), error=True)
            return None
        viewer = DocumentViewerDialog(pdf, f"Preview of {template.label}", "PREVIEW", self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer
