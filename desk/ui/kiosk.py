"""The patient kiosk: this visit's questionnaires, one question at a time, in large type.

Handed over by staff for one visit. It shows nothing but that patient's own questions
(no menus, no other window reachable from it), switches between English and Spanish at
any time, cannot be closed without a staff password, and after a spell without input
drops the answers in progress and shows a neutral screen until staff take it back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError
from desk.domain.instruments import Instrument, Language
from desk.services import auth, outcomes
from desk.services.context import Desk
from desk.ui.forms import error_line, named, password_field
from desk.ui.idle import ACTIVITY_EVENTS, OWN_IDLE_RULE
from desk.ui.messages import error_text
from desk.ui.session import Session

_TEXT = {
    "welcome": {
        "en": "Hello {name}. Before your treatment, please answer a few questions about "
        "how you have been feeling. Tap the answer that fits best.",
        "es": "Hola, {name}. Antes de su tratamiento, conteste unas preguntas sobre cómo se "
        "ha sentido. Toque la respuesta que mejor le describa.",
    },
    "start": {"en": "Start", "es": "Empezar"},
    "back": {"en": "Back", "es": "Atrás"},
    "progress": {
        "en": "{title} — question {n} of {total}",
        "es": "{title} — pregunta {n} de {total}",
    },
    "done": {
        "en": "Thank you. Please hand this screen back to the front desk.",
        "es": "Gracias. Por favor, devuelva esta pantalla a la recepción.",
    },
    "not_saved": {
        "en": "Your answers could not be saved. Please hand this screen to the front desk.",
        "es": "No se pudieron guardar sus respuestas. Entregue esta pantalla a la recepción.",
    },
    "neutral": {
        "en": "Please see the front desk.",
        "es": "Por favor, acuda a la recepción.",
    },
}
_BIG = "font-size: 26px;"
_ANSWER = "font-size: 24px; padding: 14px; text-align: left;"


class KioskWindow(QWidget):
    """``handed_back`` once staff have taken the kiosk back with their password."""

    handed_back = Signal()

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("kiosk")
        self.setProperty(OWN_IDLE_RULE, True)
        self.setWindowTitle("Questionnaire")
        # Saved under the person who handed it over, whoever signs in at the desk meanwhile.
        self._desk: Desk = session.desk
        self._session = session
        self._visit_id = visit_id
        self.language = Language.EN
        self._released = False
        self._queue: list[Instrument] = []
        self._answers: list[int] = []
        asked = outcomes.visit_questionnaires(self._desk, visit_id)
        self._name = asked.greeting_name
        self._remaining = list(asked.remaining)
        self.idle = QTimer(self, singleShot=True)
        self.idle.setInterval(session.policy.kiosk_idle_seconds * 1000)
        self.idle.timeout.connect(self.go_neutral)
        self._build()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.destroyed.connect(self._detach)
        self._show_welcome()
        self.resize(900, 680)

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.english = named(QPushButton("English"), "kioskEnglish")
        self.spanish = named(QPushButton("Español"), "kioskSpanish")
        self.staff = named(QPushButton("Staff"), "kioskStaff")
        for button in (self.english, self.spanish):
            button.setStyleSheet("font-size: 20px; padding: 8px 18px;")
        self.english.clicked.connect(lambda: self.set_language(Language.EN))
        self.spanish.clicked.connect(lambda: self.set_language(Language.ES))
        self.staff.clicked.connect(self.ask_staff_password)
        top = QHBoxLayout()
        top.addWidget(self.english)
        top.addWidget(self.spanish)
        top.addStretch(1)
        top.addWidget(self.staff)
        self.pages = QStackedWidget()
        self.message = self._big_label("kioskMessage")
        self.start = named(QPushButton(), "kioskStart")
        self.start.setStyleSheet(_BIG + "padding: 16px;")
        self.start.clicked.connect(self._begin)
        welcome = QWidget()
        column = QVBoxLayout(welcome)
        column.addWidget(self.message)
        column.addWidget(self.start)
        column.addStretch(1)
        self.pages.addWidget(welcome)
        self.pages.addWidget(self._question_page())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    def _big_label(self, name: str) -> QLabel:
        label = named(QLabel(), name)
        label.setWordWrap(True)
        label.setStyleSheet(_BIG)
        return label

    def _question_page(self) -> QWidget:
        page = QWidget()
        self.progress = named(QLabel(), "kioskProgress")
        self.progress.setStyleSheet("font-size: 18px; color: #444;")
        self.stem = self._big_label("kioskStem")
        self.stem.setStyleSheet("font-size: 20px;")
        self.question = self._big_label("kioskQuestion")
        self.question.setStyleSheet("font-size: 28px; font-weight: 600;")
        self.answer_box = QVBoxLayout()
        self.answer_buttons: list[QPushButton] = []
        self.back = named(QPushButton(), "kioskBack")
        self.back.setStyleSheet("font-size: 20px; padding: 8px;")
        self.back.clicked.connect(self._go_back)
        column = QVBoxLayout(page)
        for widget in (self.progress, self.stem, self.question):
            column.addWidget(widget)
        column.addLayout(self.answer_box)
        column.addStretch(1)
        column.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    def _t(self, key: str, **values: object) -> str:
        return _TEXT[key][self.language.value].format(**values)

    # --- the patient's path -----------------------------------------------------------

    def set_language(self, language: Language) -> None:
        self.language = language
        self.english.setEnabled(language is not Language.EN)
        self.spanish.setEnabled(language is not Language.ES)
        if self.pages.currentIndex() == 1:
            self._show_question()
        else:
            self.message.setText(self._t(self._message_key, name=self._name))
            self.start.setText(self._t("start"))

    def _show_welcome(self) -> None:
        self._message_key = "welcome" if self._remaining else "done"
        self.start.setVisible(bool(self._remaining))
        self.pages.setCurrentIndex(0)
        self.set_language(self.language)

    def _show_message(self, key: str) -> None:
        self._message_key = key
        self.start.hide()
        self.pages.setCurrentIndex(0)
        self.set_language(self.language)

    def _begin(self) -> None:
        self._queue = list(self._remaining)
        self._answers = []
        self.pages.setCurrentIndex(1)
        self.idle.start()
        self._show_question()

    @property
    def current(self) -> Instrument:
        return self._queue[0]

    def _show_question(self) -> None:
        item, n = self.current, len(self._answers)
        self.progress.setText(self._t("progress", title=item.title.text(self.language),
                                      n=n + 1, total=len(item.items)))  # fmt: skip
        self.stem.setText(item.stem.text(self.language))
        self.question.setText(item.items[n].text(self.language))
        self.back.setText(self._t("back"))
        self.back.setEnabled(n > 0)
        for button in self.answer_buttons:
            self.answer_box.removeWidget(button)
            button.deleteLater()
        self.answer_buttons = []
        for option in item.options:
            button = named(QPushButton(option.wording.text(self.language)), f"answer{option.value}")
            button.setStyleSheet(_ANSWER)
            button.clicked.connect(lambda _c=False, v=option.value: self.answer(v))
            self.answer_box.addWidget(button)
            button.show()  # a child added to a shown page shows only when asked to
            self.answer_buttons.append(button)

    def answer(self, value: int) -> None:
        self._answers.append(value)
        if len(self._answers) < len(self.current.items):
            self._show_question()
            return
        if not self._save(self.current, self._answers):
            return
        self._remaining.remove(self.current)
        self._queue.pop(0)
        self._answers = []
        if self._queue:
            self._show_question()
        else:
            self.idle.stop()
            self._show_message("done")

    def _save(self, item: Instrument, answers: list[int]) -> bool:
        try:
            outcomes.record_answers(
                self._desk, self._visit_id, item.code, answers, language=self.language,
                method="kiosk",
            )  # fmt: skip
        except DeskError:
            self.idle.stop()
            self._show_message("not_saved")
            return False
        return True

    def _go_back(self) -> None:
        if self._answers:
            self._answers.pop()
            self._show_question()

    def go_neutral(self) -> None:
        """Idle: the answers in progress are dropped and nothing of the patient stays shown."""
        self._queue, self._answers = [], []
        self._show_message("neutral")

    # --- staying in the kiosk ---------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.idle.isActive() and event.type() in ACTIVITY_EVENTS
            and isinstance(watched, QWidget) and watched.window() is self
        ):
            self.idle.start()
        return False

    def _detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape and the like do nothing here: the way out is the staff password.
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._released:
            event.accept()
            return
        event.ignore()
        self.ask_staff_password()

    def ask_staff_password(self) -> QDialog:
        dialog = StaffUnlockDialog(self._desk, self._session.actor.username, self)
        dialog.accepted.connect(self.release)
        dialog.open()
        return dialog

    def present(self) -> None:
        """Full screen on a second screen when there is one (the patient's), else a large
        window on top of the desk."""
        screens = QApplication.screens()
        if len(screens) > 1:
            self.setGeometry(screens[-1].geometry())
            self.showFullScreen()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

    def release(self) -> None:
        self._released = True
        self.idle.stop()
        self.handed_back.emit()
        self.close()


class StaffUnlockDialog(QDialog):
    """A staff member's user name and password take the kiosk back."""

    def __init__(self, desk: Desk, username: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("kioskUnlock")
        self.setWindowTitle("Staff only")
        self._desk = desk
        self.username = named(QLineEdit(username, maxLength=80), "kioskUser")
        self.password = password_field("kioskPassword")
        self.error = error_line("kioskUnlockError")
        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Take back")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.password.setFocus()

    def check(self) -> None:
        try:
            auth.sign_in(self._desk, self.username.text().strip(), self.password.text())
        except DeskError as err:
            self.password.clear()
            self.error.setText(error_text(err))
            return
        self.accept()
