"""Who may use what, as the menus and forms show it: the services' own role rules.

The services refuse regardless; this module only keeps a person from starting work they
cannot save: an action with nothing to show them is disabled with the reason as its
tooltip (booking, for a nurse), and a form worth reading that they may not save (the prep
checklist, for a receptionist) opens read-only with one line saying who can.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desk.domain.roles import Role
from desk.ui.forms import named

if TYPE_CHECKING:
    from desk.services.context import Actor

# The prep checklist, the infusion record and discharge: the nurse's work.
NURSING_ROLES = frozenset({Role.NURSE})
READ_ONLY_STYLE = "background: #eef2f7; color: #333; padding: 6px; border-radius: 4px;"


def _with_article(role: Role) -> str:
    word = role.label.lower()
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _listed(roles: Iterable[Role]) -> str:
    """"a receptionist, a nurse or an admin" (roles in a fixed, readable order)."""
    names = [_with_article(r) for r in Role if r in set(roles)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def who_may(roles: Iterable[Role]) -> str:
    """"Only a receptionist or an admin can do this." """
    return f"Only {_listed(roles)} can do this."


def allow(action: QAction, actor: Actor, roles: Iterable[Role]) -> None:
    """Enable ``action`` for an actor holding one of ``roles``; else disable it, saying why."""
    wanted = frozenset(roles)
    permitted = not wanted or actor.has(*wanted)
    action.setEnabled(permitted)
    action.setToolTip(action.text().replace("&", "") if permitted else who_may(wanted))


def allow_reading(action: QAction, actor: Actor, roles: Iterable[Role]) -> None:
    """Keep ``action`` open to everyone: its form shows what is recorded, and opens
    read-only for those who may not save it, as the tooltip says beforehand."""
    wanted = frozenset(roles)
    action.setEnabled(True)
    action.setToolTip(action.text().replace("&", "") if actor.has(*wanted)
                      else f"Opens read-only: only {_listed(wanted)} can save it.")


def make_read_only(form: QWidget, roles: Iterable[Role]) -> QLabel:
    """Turn ``form`` into a read-only view: nothing can be typed, ticked or saved; only
    closing stays. Returns the line that says who can save it (added at the top)."""
    for edit in form.findChildren(QLineEdit):
        edit.setReadOnly(True)
    for plain in form.findChildren(QPlainTextEdit):
        plain.setReadOnly(True)
    for rich in form.findChildren(QTextEdit):
        rich.setReadOnly(True)
    for spin in form.findChildren(QAbstractSpinBox):
        spin.setReadOnly(True)
    for combo in form.findChildren(QComboBox):
        combo.setEnabled(False)
    closing = _closing_buttons(form)
    for button in form.findChildren(QAbstractButton):
        if button not in closing:
            button.setEnabled(False)
    line = named(QLabel(f"Read only: only {_listed(roles)} can save this form.",
                        wordWrap=True), "readOnlyNotice")
    line.setStyleSheet(READ_ONLY_STYLE)
    layout = form.layout()
    if layout is not None and hasattr(layout, "insertWidget"):
        layout.insertWidget(0, line)
    return line


def _closing_buttons(form: QWidget) -> set[QAbstractButton]:
    closing = set()
    for box in form.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) == QDialogButtonBox.ButtonRole.RejectRole:
                closing.add(button)
    return closing
