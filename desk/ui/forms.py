"""Small shared pieces of forms: names for widgets, an inline error line, password fields."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QDate, QDateTime, QObject, QTime
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from desk.domain.errors import ValidationError

ERROR_STYLE = "color: #b00020;"
# A field's real limit is its rule, refused in a sentence at the field; Qt's maxLength
# would cut a 500-character paste to 200 without a word. This cap (far above every
# field's rule) only stops a pasted book: a pasted novel in a password box is a mistake.
MAX_FIELD = 1024

W = TypeVar("W", bound=QObject)


def named(widget: W, name: str) -> W:
    """``widget`` with an object name (tests and style sheets find it by that name)."""
    widget.setObjectName(name)
    return widget


# The smallest desk screen (1366×768) less a taskbar and the title bar: default sizes
# stay within it.
FIT_WIDTH, FIT_HEIGHT = 1360, 700


def resize_to_fit(window: QWidget, width: int, height: int) -> None:
    """Open ``window`` at ``width``×``height``, or smaller on a smaller screen, so its
    buttons are never below the bottom of the screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    room = screen.availableGeometry()
    window.resize(min(width, FIT_WIDTH, room.width()), min(height, FIT_HEIGHT, room.height()))


def error_line(name: str = "formError") -> QLabel:
    label = named(QLabel(""), name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    return label


def password_field(name: str) -> QLineEdit:
    field = named(QLineEdit(maxLength=MAX_FIELD), name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def check_same(password: QLineEdit, confirm: QLineEdit) -> None:
    """ValidationError when the confirmation differs (length rules are the service's)."""
    if password.text() != confirm.text():
        raise ValidationError("The two passwords do not match.", "confirm")


def to_qdatetime(value: datetime) -> QDateTime:
    """``value`` as a local QDateTime (an aware value is converted to local time first).

    Built field by field: the bindings take a Python datetime at run time, but not every
    release's type stubs say so.
    """
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return QDateTime(
        QDate(value.year, value.month, value.day),
        QTime(value.hour, value.minute, value.second, value.microsecond // 1000),
    )
