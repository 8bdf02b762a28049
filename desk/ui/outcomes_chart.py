"""One questionnaire's scores over time, painted with QPainter: date across, score up,
severity bands shaded, infusion days marked.

QPainter rather than QtCharts or pyqtgraph: it adds nothing to the bundle (QtGui is
already in it), where QtCharts brings its own Qt library and pyqtgraph brings NumPy.
The points drawn are the points held in ``points``: tests read them there, not from pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desk.services.outcome_trends import InstrumentTrend

_BAND_SHADES = ("#eef6ee", "#f7f5e6", "#fbefe0", "#f9e4e0", "#f4dada")
_LINE = QColor("#1f4e9a")
_INFUSION = QColor("#7a4fb0")
_MARGIN_LEFT, _MARGIN_BOTTOM, _MARGIN = 34.0, 22.0, 8.0


class OutcomeChart(QWidget):
    def __init__(self, trend: InstrumentTrend, infusion_days: tuple[date, ...],
                 date_format: str, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName(f"chart-{trend.code}")
        self.trend = trend
        self.points: tuple[tuple[date, int], ...] = tuple((p.day, p.total) for p in trend.points)
        days = [d for d, _ in self.points]
        # Infusion days inside the chart's span; all of them when there is no score yet.
        self.infusion_marks: tuple[date, ...] = tuple(
            d for d in infusion_days if not days or days[0] <= d <= days[-1]
        )
        self._date_format = date_format
        shown = days + list(self.infusion_marks)
        # Worked out once: every point's position needs it.
        self._first, self._last = (min(shown), max(shown)) if shown else (date.today(),) * 2
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self._summary())

    def _summary(self) -> str:
        """What a screen reader says: how many scores and the latest (not all 60 of them)."""
        if not self.points:
            return f"{self.trend.name}: no scores yet"
        day, total = self.points[-1]
        return (f"{self.trend.name}: {len(self.points)} scores, latest {total} on "
                f"{day.strftime(self._date_format)}")  # fmt: skip

    def _plot(self) -> QRectF:
        return QRectF(
            _MARGIN_LEFT, _MARGIN, self.width() - _MARGIN_LEFT - _MARGIN,
            self.height() - _MARGIN - _MARGIN_BOTTOM,
        )  # fmt: skip

    def position(self, day: date, total: float) -> QPointF:
        """Where a score sits in the widget (the same mapping the painting uses)."""
        return self._mapping()(day, total)

    def _mapping(self) -> Callable[[date, float], QPointF]:
        """Date and score to a point, with the plot's geometry read once (not per point)."""
        plot = self._plot()
        left, bottom = plot.left() + 6, plot.bottom()
        per_day = (plot.width() - 12) / max((self._last - self._first).days, 1)
        per_point = plot.height() / max(self.trend.max_total, 1)
        first = self._first
        return lambda day, total: QPointF(
            left + per_day * (day - first).days, bottom - per_point * total
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_bands(painter)
        self._paint_axes(painter)
        self._paint_infusions(painter)
        self._paint_scores(painter)
        painter.end()

    def _paint_bands(self, painter: QPainter) -> None:
        plot = self._plot()
        top = self.trend.max_total
        edges = [b.lowest for b in self.trend.bands] + [top]
        for n, band in enumerate(self.trend.bands):
            y_low = plot.bottom() - plot.height() * band.lowest / max(top, 1)
            y_high = plot.bottom() - plot.height() * edges[n + 1] / max(top, 1)
            shade = QColor(_BAND_SHADES[min(n, len(_BAND_SHADES) - 1)])
            painter.fillRect(QRectF(plot.left(), y_high, plot.width(), y_low - y_high), shade)
            painter.setPen(QColor("#777777"))
            painter.drawText(QPointF(plot.left() + 4, y_low - 3), band.label)

    def _paint_axes(self, painter: QPainter) -> None:
        plot = self._plot()
        painter.setPen(QColor("#555555"))
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawText(QPointF(4, plot.top() + 10), str(self.trend.max_total))
        painter.drawText(QPointF(4, plot.bottom()), "0")
        first = self._first.strftime(self._date_format)
        painter.drawText(QPointF(plot.left(), self.height() - 5), first)
        if self._last != self._first:
            text = self._last.strftime(self._date_format)
            width = painter.fontMetrics().horizontalAdvance(text)
            painter.drawText(QPointF(plot.right() - width, self.height() - 5), text)

    def _paint_infusions(self, painter: QPainter) -> None:
        plot = self._plot()
        pen = QPen(_INFUSION, 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        place = self._mapping()
        for day in self.infusion_marks:
            x = place(day, 0).x()
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))

    def _paint_scores(self, painter: QPainter) -> None:
        if not self.points:
            painter.setPen(QColor("#555555"))
            painter.drawText(self._plot(), Qt.AlignmentFlag.AlignCenter, "No scores yet")
            return
        place = self._mapping()
        positions = [place(d, t) for d, t in self.points]
        painter.setPen(QPen(_LINE, 2))
        painter.drawPolyline(positions)
        # One call for every marker: a round pen point is a dot (60 ellipses cost 10 ms).
        painter.setPen(QPen(_LINE, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPoints(positions)
