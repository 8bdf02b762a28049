"""One way to tell a person what went wrong: a DeskError's sentence, or a generic apology."""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desk.domain.errors import DeskError

log = logging.getLogger(__name__)
_unowned: set[QMessageBox] = set()

GENERIC = (
    "Something went wrong. The problem was recorded in the log file; "
    "your last action may not have been saved. Please try again or tell IT."
)


def error_text(error: BaseException) -> str:
    """The sentence a person should read for ``error``: never a traceback."""
    if isinstance(error, DeskError):
        return str(error)
    log_unexpected(type(error), error, error.__traceback__)
    return GENERIC


def log_unexpected(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    """Log where an unexpected error happened, without its message.

    Exception messages can quote data (a patient's name in a ValueError), so the log gets
    the type and the code locations only: enough to find the bug, no PHI.
    """
    frames = "".join(
        f"\n  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)
    )
    log.error("unexpected %s%s", kind.__name__, frames)


def show_error(
    parent: QWidget | None, error: BaseException, title: str = "Infusion Desk"
) -> QMessageBox:
    """Show ``error`` as one clear sentence in a window-modal box (does not block)."""
    return show_message(parent, error_text(error), title, QMessageBox.Icon.Warning)


def show_message(
    parent: QWidget | None,
    text: str,
    title: str = "Infusion Desk",
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
) -> QMessageBox:
    # open() rather than exec(): a nested event loop would end if the idle lock hid the box.
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("deskMessage")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        # Nothing owns a box without a parent: keep it alive until it is dismissed.
        _unowned.add(box)
        box.finished.connect(lambda _result: _unowned.discard(box))
    box.open()
    return box
