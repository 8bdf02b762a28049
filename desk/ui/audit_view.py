"""Admin → Audit trail: filter and read the hash-chained record, and verify the chain."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.locale import format_datetime
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.ui.datetime_fields import DayField
from desk.ui.forms import named
from desk.ui.messages import error_text, show_error
from desk.ui.session import Session
from desk.ui.tablemodel import Column, RecordTableModel, fit_columns
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from desk.domain.audit_chain import AuditRecord, ChainProblem
    from desk.services.audit import AuditFilter


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone()


def _editable_combo(name: str, items: list[str]) -> QComboBox:
    combo = named(QComboBox(editable=True), name)
    combo.addItems(["", *items])
    line = combo.lineEdit()
    if line is not None:
        line.setMaxLength(80)
    combo.setMinimumWidth(160)
    return combo


class AuditDialog(QDialog):
    required_roles = frozenset({Role.ADMIN})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self._session = session
        self.model: RecordTableModel[AuditRecord] = RecordTableModel(
            [
                Column("#", lambda r: str(r.seq)),
                Column("When", lambda r: format_datetime(r.at, session.policy)),
                Column("Who", lambda r: r.actor),
                Column("Role", lambda r: r.role),
                Column("Workstation", lambda r: r.workstation),
                Column("Action", lambda r: r.action),
                Column("Record", lambda r: f"{r.entity} {r.entity_id}"),
                Column("Changes", lambda r: r.summary, tooltip=lambda r: r.summary),
            ]
        )
        self._build_filters()
        self.table = named(QTableView(), "auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        fit_columns(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.count_label = named(QLabel(""), "auditCount")
        self.verify_button = QPushButton("&Verify chain")
        self.verify_result = named(QLabel("", wordWrap=True), "verifyResult")
        self.verify_button.clicked.connect(self.verify)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.verify_result)
        layout.addWidget(buttons)
        self.resize(1000, 560)
        self.search()

    def _build_filters(self) -> None:
        from desk.services.audit import actions
        from desk.services.staff import list_staff

        desk = self._session.desk
        try:
            people, known_actions = [p.username for p in list_staff(desk)], actions(desk)
        except DeskError:
            people, known_actions = [], []
        self.person = _editable_combo("auditPerson", people)
        self.action = _editable_combo("auditAction", known_actions)
        self.entity = named(QLineEdit(maxLength=40), "auditEntity")
        self.entity.setPlaceholderText("e.g. staff")
        today = self._session.desk.now().astimezone().date()
        self.use_from = QCheckBox("&From")
        self.use_to = QCheckBox("&To")
        policy = self._session.policy
        self.from_date = _date_edit(today - timedelta(days=7), self.use_from, policy)
        self.to_date = _date_edit(today, self.use_to, policy)
        self.search_button = QPushButton("&Search", default=True)
        self.search_button.clicked.connect(self.search)
        grid = QGridLayout()
        grid.addWidget(_label("&Person", self.person), 0, 0)
        grid.addWidget(self.person, 0, 1)
        grid.addWidget(_label("A&ction starts with", self.action), 0, 2)
        grid.addWidget(self.action, 0, 3)
        grid.addWidget(_label("&Record type", self.entity), 0, 4)
        grid.addWidget(self.entity, 0, 5)
        grid.addWidget(self.use_from, 1, 0)
        grid.addWidget(self.from_date, 1, 1)
        grid.addWidget(self.use_to, 1, 2)
        grid.addWidget(self.to_date, 1, 3)
        grid.addWidget(self.search_button, 1, 5)
        self.filters = grid

    def current_filter(self) -> AuditFilter:
        from desk.services.audit import AuditFilter

        from_day, to_day = _day(self.from_date), _day(self.to_date)
        since = local_midnight(from_day) if self.use_from.isChecked() else None
        until = local_midnight(to_day + timedelta(days=1)) if self.use_to.isChecked() else None
        return AuditFilter(
            actor=self.person.currentText(),
            action=self.action.currentText(),
            entity=self.entity.text(),
            since=since,
            until=until,
        )

    def search(self) -> None:
        from desk.services.audit import PAGE_SIZE, browse

        try:
            entries = browse(self._session.desk, self.current_filter())
        except DeskError as exc:
            show_error(self, exc)
            return
        self.model.set_rows(entries)
        if not entries:
            self.count_label.setText("No audit entries match these filters.")
        elif len(entries) >= PAGE_SIZE:
            self.count_label.setText(f"Showing the newest {PAGE_SIZE} matching entries.")
        else:
            self.count_label.setText(f"{len(entries)} matching entries, newest first.")

    def verify(self) -> None:
        from desk.services.audit import verify

        desk = self._session.desk
        self.verify_button.setEnabled(False)
        self.verify_result.setStyleSheet("")
        self.verify_result.setText("Checking every entry of the audit trail…")
        run_in_background(self, lambda: verify(desk), self._verified, self._verify_failed)

    def _verified(self, result: tuple[int, ChainProblem | None]) -> None:
        count, problem = result
        self.verify_button.setEnabled(True)
        if problem is None:
            self.verify_result.setText(f"The audit trail is intact: {count} entries checked.")
            self.verify_result.setStyleSheet("color: #1b5e20;")
        else:
            self.verify_result.setText(
                f"The audit trail has been tampered with: {problem}. Tell the clinic admin/IT."
            )
            self.verify_result.setStyleSheet("color: #b00020; font-weight: 600;")

    def _verify_failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_result.setText(error_text(error))


def _date_edit(day: date, enabled_by: QCheckBox, policy: ClinicPolicy) -> DayField:
    edit = DayField(day, policy)
    edit.setEnabled(False)
    enabled_by.toggled.connect(edit.setEnabled)
    return edit


def _day(edit: DayField) -> date:
    qdate = edit.date()
    return date(qdate.year(), qdate.month(), qdate.day())


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
