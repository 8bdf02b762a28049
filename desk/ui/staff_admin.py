"""Admin → Staff: the list of accounts, adding people, roles, disabling, password resets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
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
from desk.ui.forms import check_same, error_line, named, password_field
from desk.ui.messages import error_text, show_error
from desk.ui.session import Session
from desk.ui.tablemodel import Column, RecordTableModel, fit_columns
from desk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from desk.services.staff import StaffView


def _local(when: datetime | None, policy: ClinicPolicy) -> str:
    return format_datetime(when, policy) if when else "—"


def status_text(person: StaffView, now: datetime) -> str:
    if person.disabled:
        return "Disabled"
    if person.locked_until and person.locked_until > now:
        return f"Locked until {person.locked_until.astimezone():%H:%M}"
    return "Active"


def _role_boxes() -> dict[Role, QCheckBox]:
    return {role: named(QCheckBox(role.label), f"role_{role.value}") for role in Role}


def _checked(boxes: dict[Role, QCheckBox]) -> frozenset[Role]:
    return frozenset(role for role, box in boxes.items() if box.isChecked())


class StaffDialog(QDialog):
    required_roles = frozenset({Role.ADMIN})

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Staff accounts")
        self._session = session
        now = session.desk.now
        self.model: RecordTableModel[StaffView] = RecordTableModel(
            [
                Column("User name", lambda p: p.username),
                Column("Full name", lambda p: p.full_name),
                Column("Roles", lambda p: ", ".join(sorted(r.label for r in p.roles))),
                Column("Status", lambda p: status_text(p, now())),
                Column("Last sign-in", lambda p: _local(p.last_sign_in_at, session.policy)),
            ]
        )
        self.table = named(QTableView(), "staffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        fit_columns(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton("&Add person…")
        self.disable_button = QPushButton("&Disable")
        self.reset_button = QPushButton("Reset &password…")
        self.role_boxes = _role_boxes()
        self.save_roles_button = QPushButton("Save &roles")
        self._lay_out()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.add_button.clicked.connect(self._add)
        self.disable_button.clicked.connect(self._toggle_disabled)
        self.reset_button.clicked.connect(self._reset_password)
        self.save_roles_button.clicked.connect(self._save_roles)
        self.resize(760, 420)
        self.reload()

    def _lay_out(self) -> None:
        roles = QGroupBox("Roles of the selected person")
        roles_layout = QVBoxLayout(roles)
        for box in self.role_boxes.values():
            roles_layout.addWidget(box)
        roles_layout.addWidget(self.save_roles_button)
        side = QVBoxLayout()
        for button in (self.add_button, self.disable_button, self.reset_button):
            side.addWidget(button)
        side.addWidget(roles)
        side.addStretch()
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)

    def selected(self) -> StaffView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def reload(self, select: str | None = None) -> None:
        from desk.services.staff import list_staff

        keep = select or (p.username if (p := self.selected()) else None)
        try:
            self.model.set_rows(list_staff(self._session.desk))
        except DeskError as exc:
            show_error(self, exc)
            return
        names = [p.username for p in self.model.rows()]
        if keep in names:
            self.table.selectRow(names.index(keep))
        self._show_selected()

    def _show_selected(self) -> None:
        person = self.selected()
        for widget in (self.disable_button, self.reset_button, self.save_roles_button):
            widget.setEnabled(person is not None)
        for role, box in self.role_boxes.items():
            box.setEnabled(person is not None)
            box.setChecked(person is not None and role in person.roles)
        self.disable_button.setText("&Enable" if person and person.disabled else "&Disable")

    def _call(self, action: Callable[[], Any], username: str) -> None:
        try:
            action()
        except DeskError as exc:
            show_error(self, exc)
        self.reload(select=username)

    def _toggle_disabled(self) -> None:
        from desk.services.staff import set_disabled

        if (person := self.selected()) is not None:
            desk = self._session.desk
            self._call(lambda: set_disabled(desk, person.username, not person.disabled),
                       person.username)

    def _save_roles(self) -> None:
        from desk.services.staff import set_roles

        if (person := self.selected()) is not None:
            desk, roles = self._session.desk, _checked(self.role_boxes)
            self._call(lambda: set_roles(desk, person.username, roles, person.version),
                       person.username)

    def _add(self) -> None:
        dialog = AddPersonDialog(self._session, self)
        dialog.added.connect(lambda username: self.reload(select=username))
        dialog.open()

    def _reset_password(self) -> None:
        if (person := self.selected()) is not None:
            dialog = ResetPasswordDialog(self._session, person.username, self)
            dialog.accepted.connect(lambda: self.reload(select=person.username))
            dialog.open()


class _HashingDialog(QDialog):
    """A small form whose save hashes a password (argon2): done off the UI thread."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.error = error_line()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self._busy = False

    # Each form supplies the service call to run (validated first, on the UI thread).
    _work: Callable[[], Callable[[], Any]]

    def _submit(self) -> None:
        if self._busy:
            return
        try:
            work = self._work()
        except DeskError as exc:
            self.error.setText(str(exc))
            return
        self._busy = True
        self.buttons.setEnabled(False)
        self.error.setText("")
        run_in_background(self, work, self._done, self._failed)

    def _done(self, result: Any) -> None:
        self._busy = False
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.buttons.setEnabled(True)
        self.error.setText(error_text(error))

    def reject(self) -> None:
        if not self._busy:
            super().reject()


class AddPersonDialog(_HashingDialog):
    added = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a staff member")
        self._session = session
        minimum = session.policy.password_min_length
        self.username = named(QLineEdit(maxLength=40), "newUsername")
        self.full_name = named(QLineEdit(maxLength=200), "newFullName")
        self.role_boxes = _role_boxes()
        self.password = password_field("newPassword")
        self.confirm = password_field("newConfirm")
        roles = QHBoxLayout()
        for box in self.role_boxes.values():
            roles.addWidget(box)
        form = QFormLayout(self)
        form.addRow("&User name", self.username)
        form.addRow("&Full name", self.full_name)
        form.addRow("Roles", roles)
        form.addRow("&Password", self.password)
        form.addRow("", QLabel(f"At least {minimum} characters."))
        form.addRow("&Confirm password", self.confirm)
        form.addRow(self.error)
        form.addRow(self.buttons)

    def _work(self) -> Callable[[], Any]:
        from desk.services.staff import add_staff

        check_same(self.password, self.confirm)
        desk, roles = self._session.desk, _checked(self.role_boxes)
        username, full_name, password = (
            self.username.text(), self.full_name.text(), self.password.text()
        )
        return lambda: add_staff(desk, username, full_name, roles, password)

    def _done(self, result: Any) -> None:
        self._session.announce(f"Added the staff account {result.username}.")
        self.added.emit(result.username)
        super()._done(result)


class ResetPasswordDialog(_HashingDialog):
    def __init__(self, session: Session, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New password for {username}")
        self._session, self._username = session, username
        self.password = password_field("resetPassword")
        self.confirm = password_field("resetConfirm")
        form = QFormLayout(self)
        form.addRow(QLabel("Setting a new password also ends a lockout."))
        form.addRow("&New password", self.password)
        form.addRow("&Confirm password", self.confirm)
        form.addRow(self.error)
        form.addRow(self.buttons)

    def _work(self) -> Callable[[], Any]:
        from desk.services.staff import reset_password

        check_same(self.password, self.confirm)
        desk, username, password = self._session.desk, self._username, self.password.text()
        return lambda: reset_password(desk, username, password)
