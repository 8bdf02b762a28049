"""Staff enter a questionnaire the patient answered on the phone, question by question."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.instruments import Instrument, Language
from desk.domain.roles import Role
from desk.services import outcomes
from desk.ui.forms import error_line, named
from desk.ui.messages import error_text
from desk.ui.session import Session


class PhoneAnswersDialog(QDialog):
    """``saved(RecordedScore)`` after each questionnaire is stored."""

    required_roles = frozenset({Role.RECEPTIONIST, Role.NURSE, Role.ADMIN, Role.CLINICIAN})
    saved = Signal(object)

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("phoneAnswers")
        self.setWindowTitle("Questionnaire by phone")
        self._session, self._visit_id = session, visit_id
        asked = outcomes.visit_questionnaires(session.desk, visit_id)
        self.instrument = named(QComboBox(), "phoneInstrument")
        for item in asked.remaining:
            self.instrument.addItem(item.name, item)
        self.language = named(QComboBox(), "phoneLanguage")
        for language in Language:
            self.language.addItem(language.label, language)
        self.stem = QLabel()
        self.stem.setWordWrap(True)
        self.questions = QFormLayout()
        holder = QWidget()
        holder.setLayout(self.questions)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(holder)
        self.error = error_line("phoneError")
        self.status = named(QLabel(), "phoneStatus")
        top = QFormLayout()
        top.addRow("&Questionnaire", self.instrument)
        top.addRow("&Language read out", self.language)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.addButton("&Save answers", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stem)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.answers: list[QComboBox] = []
        self.instrument.currentIndexChanged.connect(self._show_questions)
        self.language.currentIndexChanged.connect(self._show_questions)
        self._show_questions()
        self.resize(700, 640)

    def _show_questions(self) -> None:
        while self.questions.rowCount():
            self.questions.removeRow(0)
        self.answers = []
        item: Instrument | None = self.instrument.currentData()
        self.save_button.setEnabled(item is not None)
        if item is None:
            self.stem.setText("Every questionnaire of this visit is answered.")
            return
        language: Language = self.language.currentData()
        self.stem.setText(item.stem.text(language))
        for number, question in enumerate(item.items, start=1):
            combo = named(QComboBox(), f"question{number}")
            combo.addItem("—", None)
            for option in item.options:
                combo.addItem(f"{option.value} — {option.wording.text(language)}", option.value)
            label = QLabel(f"{number}. {question.text(language)}")
            label.setWordWrap(True)
            self.questions.addRow(label, combo)
            self.answers.append(combo)

    def save(self) -> None:
        item: Instrument | None = self.instrument.currentData()
        if item is None:
            return
        chosen = [c.currentData() for c in self.answers]
        missing = [str(n) for n, value in enumerate(chosen, start=1) if value is None]
        if missing:
            self.error.setText(f"Answer every question first (missing: {', '.join(missing)}).")
            return
        try:
            result = outcomes.record_answers(
                self._session.desk, self._visit_id, item.code, chosen,
                language=self.language.currentData(), method="phone",
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(error_text(err))
            return
        self.error.setText("")
        alert = " Safety alert raised: a clinician must assess." if result.safety_alert else ""
        self.status.setText(f"{item.name} saved: {result.total} ({result.band}).{alert}")
        self.instrument.removeItem(self.instrument.currentIndex())
        self.saved.emit(result)
