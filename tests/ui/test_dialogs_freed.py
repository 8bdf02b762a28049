"""A dialog closed is a dialog gone: a desk open all day must not pile up closed windows.

Found by the all-day soak (issue 19): every patient record opened from the board stayed in
memory (about 80 widgets, 2 MB each time).
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from desk.ui.mainwindow import MainWindow
from desk.ui.session import Session
from tests.ui.conftest import add_visit, local, today

# Menu entries by shortcut; the board's selected visit serves those that need one.
SHORTCUTS = ("Ctrl+N", "Ctrl+R", "Ctrl+Shift+C", "Ctrl+P", "Ctrl+Shift+I", "Ctrl+T")


def open_and_close(qtbot: QtBot, action: QAction) -> None:
    """Open the dialog as a click would, close it, and wait for it to be destroyed."""
    before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    action.trigger()
    opened: list[QDialog] = []

    def dialog_shown() -> bool:
        opened[:] = [
            w for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.isVisible() and w not in before
        ]
        return bool(opened)

    qtbot.waitUntil(dialog_shown)
    destroyed: list[object] = []
    for dialog in opened:
        dialog.destroyed.connect(lambda *_: destroyed.append(1))
        dialog.reject()
    qtbot.waitUntil(lambda: len(destroyed) == len(opened))


def test_closing_a_dialog_frees_it(qtbot: QtBot, session: Session) -> None:
    add_visit(session.desk, "Freya", "Lund", local(today(session.desk), 10))
    window = MainWindow(session, "desk-1")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.board.model.rowCount() == 1)
    window.board.table.selectRow(0)
    actions = {a.shortcut().toString(): a for a in window.findChildren(QAction)}
    for shortcut in SHORTCUTS:
        open_and_close(qtbot, actions[shortcut])
