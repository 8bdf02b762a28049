"""The patient's outcomes: a chart per questionnaire, each series' response and remission,
the maintenance proposal for the clinician, and the progress letters."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.locale import format_date
from desk.domain.roles import Role
from desk.services import outcome_trends, progress_letters
from desk.services.outcome_trends import PatientOutcomes, SeriesSummary
from desk.ui.document_viewer import DocumentViewerDialog
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text, show_error
from desk.ui.outcomes_chart import OutcomeChart
from desk.ui.session import Session


class OutcomesDialog(QDialog):
    def __init__(self, session: Session, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomes")
        self._session, self._patient_id = session, patient_id
        self.view: PatientOutcomes = outcome_trends.patient_outcomes(session.desk, patient_id)
        # No name in the title: titles show in the taskbar and window lists (issue 14).
        self.setWindowTitle("Outcomes and trends")
        self.charts: dict[str, OutcomeChart] = {}
        body = QWidget()
        column = QVBoxLayout(body)
        whose = named(QLabel(self.view.patient_name), "outcomesPatient")
        whose.setTextFormat(Qt.TextFormat.PlainText)
        whose.setStyleSheet("font-weight: bold; font-size: 13pt;")
        column.addWidget(whose)
        fmt = session.policy.date_format
        for trend in self.view.trends:
            column.addWidget(QLabel(f"<b>{trend.name}</b>"))
            chart = OutcomeChart(trend, self.view.infusion_days, fmt)
            self.charts[trend.code] = chart
            column.addWidget(chart)
        column.addWidget(QLabel("<b>Series</b>"))
        # One label for every series (a record may hold ten): one widget to lay out, not 30.
        self.series = named(QLabel(self._series_text()), "outcomesSeries")
        self.series.setWordWrap(True)
        self.series.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.series)
        due = [s for s in self.view.series if s.finished and not s.letter_signed]
        if due:
            # Letters go out in order: the oldest finished series without one first.
            column.addWidget(self._letter_button(due[0]), 0, Qt.AlignmentFlag.AlignLeft)
        self.proposal = named(QLabel(self._proposal_text()), "outcomesProposal")
        self.proposal.setWordWrap(True)
        column.addWidget(self.proposal)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.resize(820, 720)

    def _series_text(self) -> str:
        if not self.view.series:
            return "No series booked yet."
        policy = self._session.policy
        lines = []
        for series in self.view.series:
            first = format_date(series.first_day, policy)
            span = f"{first} – {format_date(series.last_day, policy)}"
            results = "; ".join(o.describe(n) for n, o in series.outcomes) or "no scores"
            state = "finished" if series.finished else "in progress"
            letter = ", progress letter signed" if series.letter_signed else ""
            lines.append(html.escape(f"{series.kind_label}, {span} ({len(series.days)} "
                                     f"infusions, {state}{letter}): {results}"))  # fmt: skip
        return "<br>".join(lines)

    def _letter_button(self, series: SeriesSummary) -> QPushButton:
        ended = format_date(series.last_day, self._session.policy)
        button = named(QPushButton(f"Sign progress &letter ({series.kind_label} ending {ended})…"),
                       "signLetter")  # fmt: skip
        button.setEnabled(self._session.actor.has(Role.CLINICIAN))
        button.setToolTip("A clinician signs the letter to the referring provider.")
        button.clicked.connect(lambda _c=False, s=series.series_id: self.open_letter(s))
        return button

    def _proposal_text(self) -> str:
        proposal = self.view.proposal
        if proposal is None:
            return "Maintenance: proposed once a series is finished."
        when = ""
        if proposal.suggested_on is not None:
            day = format_date(proposal.suggested_on, self._session.policy)
            when = f" Suggested date: {day}."
        return f"Proposal for the clinician (nothing is booked): {proposal.reason}{when}"

    def open_letter(self, series_id: int) -> QDialog | None:
        try:
            dialog = SignLetterDialog(self._session, series_id, self)
        except DeskError as err:
            show_error(self, err)
            return None
        dialog.open()
        return dialog


class SignLetterDialog(QDialog):
    """The clinician writes the plan (the desk's proposal to start from) and signs."""

    required_roles = frozenset({Role.CLINICIAN})

    def __init__(self, session: Session, series_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signLetter")
        self.setWindowTitle("Progress letter")
        self._session, self._series_id = session, series_id
        draft = progress_letters.letter_draft(session.desk, series_id)
        to = QLabel(f"To: {draft.provider_name or '(no referring provider recorded)'}"
                    f"{', ' + draft.provider_practice if draft.provider_practice else ''}")
        self.plan = named(QPlainTextEdit(draft.proposal_text, tabChangesFocus=True), "letterPlan")
        self.error = error_line("letterError")
        if not draft.ready:
            self.error.setText("Record the referring provider on the screening panel first.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign = buttons.addButton("&Sign and view", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign.setEnabled(draft.ready)
        buttons.accepted.connect(self.sign_letter)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(to)
        layout.addWidget(QLabel("&Plan for the referring provider:"))
        layout.addWidget(self.plan, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def sign_letter(self) -> None:
        try:
            letter = progress_letters.sign_progress_letter(
                self._session.desk, self._series_id, self.plan.toPlainText()
            )
        except DeskError as err:
            self.error.setText(error_text(err))
            return
        self.accept()
        viewer = DocumentViewerDialog(
            letter.pdf, "Progress letter", letter.document_id, self.parentWidget()
        )
        viewer.open()
