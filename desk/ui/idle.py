"""The idle lock: only real input counts as activity; after the clinic's minutes, lock.

Timers, board refreshes and repaints are not input, so a board that refreshes itself
every few seconds never keeps an unattended screen unlocked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

# Real input from a person. Enter/Leave/Hover are left out: Qt also sends them when a
# window appears under a still mouse.
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)
# A window with this property set (the patient kiosk) keeps its own idle rule: a patient
# tapping answers is not the desk's user being active, and the desk's lock does not hide
# it (it shows nothing but that patient's own questions).
OWN_IDLE_RULE = "deskOwnIdleRule"


def _has_own_idle_rule(watched: QObject) -> bool:
    return isinstance(watched, QWidget) and bool(watched.window().property(OWN_IDLE_RULE))


class IdleMonitor(QObject):
    """Emits ``idle`` once when no input arrived for ``minutes`` (while running)."""

    idle = Signal()

    def __init__(
        self,
        minutes: float,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._limit = 0.0
        self._last_input = clock()
        self._last_pos: QPointF | None = None
        self._running = False
        self._check = QTimer(self)
        self._check.timeout.connect(self._tick)
        self.set_minutes(minutes)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self._limit = max(minutes, 0.001) * 60.0
        # Check often enough to lock within a few percent of the limit, at most once a second.
        self._check.setInterval(int(min(1000.0, self._limit * 1000 / 20)) or 1)

    @property
    def seconds(self) -> float:
        return self._limit

    def start(self) -> None:
        self._running = True
        self._last_input = self._clock()
        self._check.start()

    def stop(self) -> None:
        self._running = False
        self._check.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self._running and event.type() in ACTIVITY_EVENTS and self._is_real(event)
            and not _has_own_idle_rule(watched)
        ):
            self._last_input = self._clock()
        return False

    def _is_real(self, event: QEvent) -> bool:
        # Qt synthesises mouse moves when widgets appear or scroll under a still pointer;
        # only a move to a new place is a person moving the mouse.
        if event.type() != QEvent.Type.MouseMove or not isinstance(event, QMouseEvent):
            return True
        pos = event.globalPosition()
        moved = self._last_pos is None or pos != self._last_pos
        self._last_pos = pos
        return moved

    def _tick(self) -> None:
        if self._running and self._clock() - self._last_input >= self._limit:
            self.stop()
            self.idle.emit()

    def detach(self) -> None:
        self.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


_TRANSIENT = (Qt.WindowType.Popup, Qt.WindowType.ToolTip)


class WindowShield:
    """Hides every other visible top-level window (dialogs, message boxes, menus) and
    brings them back later exactly as they were: hidden, never closed, so a half-filled
    form keeps its text."""

    def __init__(self) -> None:
        self._hidden: list[QWidget] = []
        self._focus: QWidget | None = None

    def hide_all_except(self, keep: QWidget) -> None:
        self._focus = QApplication.focusWidget()
        for widget in QApplication.topLevelWidgets():
            if widget is not keep and widget.isVisible() and not widget.property(OWN_IDLE_RULE):
                self._hidden.append(widget)
                widget.hide()

    def hidden_windows(self) -> list[QWidget]:
        return list(self._hidden)

    def forget(self, widget: QWidget) -> None:
        if widget in self._hidden:
            self._hidden.remove(widget)

    def restore(self) -> None:
        for widget in self._hidden:
            # Menus and tooltips are transient: showing one again out of context confuses.
            if shiboken6.isValid(widget) and widget.windowType() not in _TRANSIENT:
                widget.show()
        if self._focus is not None and shiboken6.isValid(self._focus) and self._focus.isVisible():
            self._focus.activateWindow()
            self._focus.setFocus()
        self._hidden, self._focus = [], None

