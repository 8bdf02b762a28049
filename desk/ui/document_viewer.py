"""A read-only PDF viewer (pages rendered with pypdfium2) with Print and Save as PDF.

Shows exactly the bytes it is given: a stored consent is viewed as stored, a reprint as the
stamped copy. The file name offered for saving is the document id, never a patient name.
"""

from __future__ import annotations

import threading

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPixmap, QResizeEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, ValidationError
from desk.pdf import default_filename
from desk.services.consent_files import write_atomically
from desk.ui.forms import resize_to_fit
from desk.ui.messages import show_error, show_message
from desk.ui.save_dialogs import ask_save_path

PAGE_WIDTH_PX = 820
MAX_PRINT_DPI = 300


# PDFium is not thread-safe and pages are drawn on the UI thread and in workers.
_PDFIUM = threading.Lock()


def render_page_images(pdf: bytes, width_px: int) -> list[QImage]:
    """Every page as an image ``width_px`` wide (ValidationError for an unreadable PDF).

    Safe on any thread: QImage (unlike QPixmap) may be made outside the UI thread.
    """
    with _PDFIUM:
        return _render(pdf, width_px)


def _render(pdf: bytes, width_px: int) -> list[QImage]:
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as err:
        raise ValidationError("This document cannot be displayed.", "pdf") from err
    images: list[QImage] = []
    try:
        for index in range(len(document)):
            page = document[index]
            scale = width_px / page.get_width()
            images.append(_to_qimage(page.render(scale=scale)))
            page.close()
    finally:
        document.close()
    return images


def _to_qimage(bitmap: pdfium.PdfBitmap) -> QImage:
    picture = bitmap.to_pil().convert("RGB")
    data = picture.tobytes("raw", "RGB")
    image = QImage(
        data, picture.width, picture.height, 3 * picture.width, QImage.Format.Format_RGB888
    )
    return image.copy()  # own the pixels: ``data`` goes away with this function


class PdfPagesView(QScrollArea):
    """The pages of one PDF, one under the other, in a scroll area.

    With ``fit_width`` the pages follow the view's width (re-rendered shortly after a
    resize), so a narrow pane never hides the right half of the form.
    """

    def __init__(
        self, parent: QWidget | None = None, width_px: int = PAGE_WIDTH_PX, fit_width: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPages")
        self._width_px = width_px
        self._fit_width = fit_width
        self._pdf: bytes | None = None
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(150)
        self._refit.timeout.connect(self._rerender)
        self._pages = QWidget()
        self._layout = QVBoxLayout(self._pages)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._layout.setSpacing(12)
        self.setWidget(self._pages)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setStyleSheet("QScrollArea { background: #6b6b6b; }")
        self._placeholder = QLabel("")
        self._layout.addWidget(self._placeholder)
        self.page_labels: list[QLabel] = []

    def show_message(self, text: str) -> None:
        self._pdf = None
        self._clear()
        self._placeholder.setText(text)
        self._placeholder.setStyleSheet("color: white; font-size: 14px; padding: 40px;")
        self._placeholder.show()

    def _clear(self) -> None:
        for label in self.page_labels:
            label.deleteLater()
        self.page_labels = []

    def page_width(self) -> int:
        """How wide pages are drawn now (render off the UI thread at this width)."""
        if not self._fit_width:
            return self._width_px
        # Room for the scroll bar and the page border, never smaller than readable.
        return max(360, self.viewport().width() - 40)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_width and self._pdf is not None:
            self._refit.start()

    def _rerender(self) -> None:
        if self._pdf is not None and self.page_labels:
            first = self.page_labels[0].pixmap()
            if abs(first.width() - self.page_width()) > 20:
                position = self.verticalScrollBar().value() / max(
                    1, self.verticalScrollBar().maximum()
                )
                self.set_pdf(self._pdf)
                self.verticalScrollBar().setValue(
                    round(position * self.verticalScrollBar().maximum())
                )

    def set_pdf(self, pdf: bytes) -> None:
        self.show_pages(pdf, render_page_images(pdf, self.page_width()))

    def show_pages(self, pdf: bytes, images: list[QImage]) -> None:
        """``pdf``'s pages, already drawn (``render_page_images``, e.g. in a worker)."""
        self._pdf = pdf
        self._clear()
        self._placeholder.hide()
        for number, image in enumerate(images, start=1):
            label = QLabel()
            label.setObjectName(f"pdfPage{number}")
            label.setPixmap(QPixmap.fromImage(image))
            label.setAccessibleName(f"Page {number}")
            label.setStyleSheet("border: 1px solid #444;")
            self._layout.addWidget(label)
            self.page_labels.append(label)
        self.verticalScrollBar().setValue(0)

    @property
    def page_count(self) -> int:
        return len(self.page_labels)


def print_pdf(parent: QWidget | None, pdf: bytes, title: str) -> bool:
    """Ask for a printer and print ``pdf``; False when the person cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    paint_pdf(printer, pdf)
    return True


def paint_pdf(printer: QPrinter, pdf: bytes) -> None:
    """Draw each page onto the printer's pages, fitted and centred."""
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise ValidationError("The printer could not be started.", "printer")
    with _PDFIUM:
        _paint_pages(painter, printer, pdf, dpi)


def _paint_pages(painter: QPainter, printer: QPrinter, pdf: bytes, dpi: int) -> None:
    try:
        document = pdfium.PdfDocument(pdf)
        for index in range(len(document)):
            if index:
                printer.newPage()
            page = document[index]
            image = _to_qimage(page.render(scale=dpi / 72))
            page.close()
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(
                area.x() + (area.width() - size.width()) // 2,
                area.y() + (area.height() - size.height()) // 2,
                size.width(),
                size.height(),
            )
            painter.drawImage(target, image)
        document.close()
    finally:
        painter.end()


class DocumentViewerDialog(QDialog):
    """View a PDF's pages; Print… through Qt's print dialog, or Save as PDF…."""

    def __init__(
        self, pdf: bytes, title: str, document_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("documentViewer")
        self.setWindowTitle(title)
        self._pdf, self._title, self._document_id = pdf, title, document_id
        self.pages = PdfPagesView()
        self.print_button = QPushButton("&Print…")
        self.save_button = QPushButton("&Save as PDF…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(buttons)
        resize_to_fit(self, PAGE_WIDTH_PX + 80, 900)
        try:
            self.pages.set_pdf(pdf)
        except DeskError as err:
            self.pages.show_message(str(err))

    @property
    def pdf(self) -> bytes:
        """The exact bytes shown, printed and saved."""
        return self._pdf

    def print_document(self) -> bool:
        return print_pdf(self, self._pdf, self._title)

    def save_as(self) -> None:
        path = ask_save_path(
            self, "Save as PDF", default_filename(self._document_id), "PDF files (*.pdf)"
        )
        if path is None:
            return
        try:
            write_atomically(path, self._pdf)
        except DeskError as err:
            show_error(self, err)
            return
        show_message(self, f"Saved as {path.name}.")
