"""The signature pad: sign with a mouse, a pen or a finger; Clear, Accept, export as PNG.

An empty pad or a mere dot is refused with a sentence, so a consent never carries a
signature nobody actually wrote. Strokes are kept as points and drawn again for the PNG,
so the exported image is crisp at twice the screen resolution and cropped to the ink.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

INK = QColor(10, 30, 110)
# Below these the mark is a dot, a tap or a stray drag, not a signature.
MIN_EXTENT_MM = 12.0
MIN_POINTS = 8
EXPORT_SCALE = 2.0
EXPORT_MARGIN_PX = 6.0
EMPTY_MESSAGE = "The pad is empty. Please sign with your usual signature."
DOT_MESSAGE = "That is only a dot or a short mark. Please sign with your usual signature."


@dataclass(frozen=True)
class InkStats:
    points: int
    width_px: float
    height_px: float


def signature_problem(stats: InkStats, pixels_per_mm: float) -> str | None:
    """Why this ink is not accepted as a signature, or None when it is."""
    if stats.points == 0:
        return EMPTY_MESSAGE
    extent_mm = max(stats.width_px, stats.height_px) / pixels_per_mm
    if stats.points < MIN_POINTS or extent_mm < MIN_EXTENT_MM:
        return DOT_MESSAGE
    return None


class SignaturePad(QWidget):
    """The drawing surface. Mouse, tablet pen and touch all add to the current stroke."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setMinimumSize(420, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Signature pad")
        self._strokes: list[list[QPointF]] = []
        self._drawing = False
        self._locked = False

    # --- state --------------------------------------------------------------------------

    def clear(self) -> None:
        self._strokes = []
        self._drawing = False
        self._locked = False
        self.update()
        self.changed.emit()

    def set_locked(self, locked: bool) -> None:
        """A locked pad shows the accepted signature and takes no more ink."""
        self._locked = locked
        self._drawing = False
        self.update()

    def is_empty(self) -> bool:
        return not any(self._strokes)

    def stats(self) -> InkStats:
        points = [p for stroke in self._strokes for p in stroke]
        if not points:
            return InkStats(0, 0.0, 0.0)
        box = self._ink_rect()
        return InkStats(len(points), box.width(), box.height())

    def problem(self) -> str | None:
        return signature_problem(self.stats(), self.logicalDpiX() / 25.4)

    # --- input --------------------------------------------------------------------------

    def _begin(self, point: QPointF) -> None:
        if self._locked:
            return
        self._drawing = True
        self._strokes.append([point])
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._drawing and self._strokes:
            self._strokes[-1].append(point)
            self.update()

    def _end(self, point: QPointF) -> None:
        if self._drawing:
            self._extend(point)
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end(event.position())
        event.accept()  # no synthesised mouse event: the pen's stroke is drawn once

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent) and event.points():
            point = event.points()[0].position()
            kind = event.type()
            if kind == QEvent.Type.TouchBegin:
                self._begin(point)
            elif kind == QEvent.Type.TouchUpdate:
                self._extend(point)
            elif kind in (QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
                self._end(point)
            event.accept()
            return True
        return super().event(event)

    # --- drawing ------------------------------------------------------------------------

    def _ink_rect(self) -> QRectF:
        points = [p for stroke in self._strokes for p in stroke]
        xs, ys = [p.x() for p in points], [p.y() for p in points]
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))

    def _draw_strokes(self, painter: QPainter, width: float) -> None:
        pen = QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor(170, 170, 170), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        baseline = self.height() - 34
        painter.drawLine(24, baseline, self.width() - 24, baseline)
        painter.drawText(8, baseline + 6, "×")
        if self.is_empty() and not self._locked:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(
                self.rect().adjusted(0, 0, 0, -40),
                Qt.AlignmentFlag.AlignCenter,
                "Sign here with the mouse, a pen or your finger",
            )
        self._draw_strokes(painter, 2.5)
        painter.end()

    def to_png(self) -> bytes:
        """The ink on a transparent background, cropped to the signature, as PNG bytes."""
        if self.is_empty():
            return b""
        box = self._ink_rect().adjusted(
            -EXPORT_MARGIN_PX, -EXPORT_MARGIN_PX, EXPORT_MARGIN_PX, EXPORT_MARGIN_PX
        )
        image = QImage(
            max(1, round(box.width() * EXPORT_SCALE)),
            max(1, round(box.height() * EXPORT_SCALE)),
            QImage.Format.Format_ARGB32,
        )
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(EXPORT_SCALE, EXPORT_SCALE)
        painter.translate(-box.left(), -box.top())
        self._draw_strokes(painter, 2.5)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        buffer.close()
        return bytes(data.data())


class SignatureBox(QGroupBox):
    """A titled pad with Clear and Accept; ``accepted`` carries the PNG once it is valid."""

    accepted = Signal(bytes)
    cleared = Signal()

    def __init__(
        self, title: str, signer: str, parent: QWidget | None = None,
        buttons: tuple[str, str] = ("C&lear", "&Accept signature"),
    ) -> None:
        """``buttons``: the Clear and Accept texts; two boxes in one window need two sets
        of Alt+letters."""
        super().__init__(title, parent)
        self.pad = SignaturePad()
        self.signer_label = QLabel(signer, wordWrap=True)
        self.signer_label.setObjectName("signerName")
        self.message = QLabel("", wordWrap=True)
        self.message.setObjectName("signatureMessage")
        self.message.setStyleSheet("color: #a00000;")
        self.clear_button = QPushButton(buttons[0])
        self.accept_button = QPushButton(buttons[1])
        self.clear_button.clicked.connect(self.clear)
        self.accept_button.clicked.connect(self.accept_signature)
        self.pad.changed.connect(lambda: self.message.setText(""))
        row = QHBoxLayout()
        row.addWidget(self.signer_label, 1)
        row.addWidget(self.clear_button)
        row.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pad, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self._png = b""

    @property
    def png(self) -> bytes:
        """The accepted signature, or empty bytes."""
        return self._png

    def set_signer(self, text: str) -> None:
        self.signer_label.setText(text)

    def accept_signature(self) -> None:
        problem = self.pad.problem()
        if problem is not None:
            self.message.setStyleSheet("color: #a00000;")
            self.message.setText(problem)
            return
        self._png = self.pad.to_png()
        self.pad.set_locked(True)
        self.accept_button.setEnabled(False)
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText("Signature accepted.")
        self.accepted.emit(self._png)

    def clear(self) -> None:
        self._png = b""
        self.pad.clear()
        self.accept_button.setEnabled(True)
        self.message.setText("")
        self.cleared.emit()

    def set_enabled_for_signing(self, enabled: bool) -> None:
        for widget in (self.pad, self.clear_button, self.accept_button):
            widget.setEnabled(enabled)
        if enabled and self._png:
            self.accept_button.setEnabled(False)
