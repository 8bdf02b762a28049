"""The prep checklist: is the patient ready for the infusion, and if not, why not.

The verdict and every line come from the prep service (``desk.services.prep``); this
dialog records the nurse's answers, shows each line's state in colour *and* words with
who confirmed it when, and offers Clear / Hold / Override only as the rules allow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, StaleEdit, ValidationError
from desk.domain.fasting import PrepStatus
from desk.domain.locale import format_time, qt_time_format
from desk.domain.policy import ClinicPolicy
from desk.domain.readiness import PrepItem, Readiness
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Vitals, VitalsVerdict
from desk.ui.cosign import CosignerBox
from desk.ui.forms import error_line, named, resize_to_fit, to_qdatetime
from desk.ui.messages import error_text
from desk.ui.permissions import NURSING_ROLES
from desk.ui.session import Session
from desk.ui.vitals import VitalsEntry, no_default_buttons, save_reading

if TYPE_CHECKING:
    from desk.services.prep import PrepView, VitalsView

# Each state has a mark, a word and a colour: colour alone must never carry the meaning.
STATUS_MARK = {
    PrepStatus.OK: "✓",
    PrepStatus.CAUTION: "!",
    PrepStatus.NOT_READY: "✖",
    PrepStatus.NOT_CONFIRMED: "?",
}
STATUS_STYLE = {
    PrepStatus.OK: "background: #e3f4e5; color: #14532d; border: 1px solid #4c9a5b;",
    PrepStatus.CAUTION: "background: #fff4d6; color: #6b4a00; border: 1px solid #c9a227;",
    PrepStatus.NOT_READY: "background: #fde2e1; color: #7f1d1d; border: 1px solid #c53030;",
    PrepStatus.NOT_CONFIRMED: "background: #eeeeee; color: #333333; border: 1px solid #999;",
}
VERDICT_STYLE = {
    Readiness.READY: STATUS_STYLE[PrepStatus.OK],
    Readiness.READY_WITH_REVIEW: STATUS_STYLE[PrepStatus.CAUTION],
    Readiness.NOT_READY: STATUS_STYLE[PrepStatus.NOT_READY],
}
VERDICT_TEXT = {
    Readiness.READY: "✓ READY for the infusion",
    Readiness.READY_WITH_REVIEW: "! READY WITH CLINICIAN REVIEW",
    Readiness.NOT_READY: "✖ NOT READY",
}
VITALS_MARK = {VitalsVerdict.OK: "✓", VitalsVerdict.REVIEW: "!", VitalsVerdict.HOLD: "✖"}
QUICK_HOURS = (0, 2, 4, 6)  # "Now", "now −1 h", …: what patients usually say
BADGE = "border-radius: 4px; padding: 2px 6px; font-weight: 600;"


def status_badge(label: QLabel, status: PrepStatus) -> None:
    label.setText(f"{STATUS_MARK[status]} {status.label}")
    label.setStyleSheet(f"{STATUS_STYLE[status]} {BADGE}")


def reading_text(reading: VitalsView, policy: ClinicPolicy) -> str:
    v = reading.vitals
    extra = "".join(
        [
            f", {v.temperature_c:g} °C" if v.temperature_c is not None else "",
            f", {v.weight_kg:g} kg" if v.weight_kg is not None else "",
        ]
    )
    return (
        f"{format_time(reading.taken_at, policy)}  {reading.checkpoint_label}: "
        f"BP {v.blood_pressure_text}, HR {v.heart_rate}, SpO2 {v.spo2} %{extra} — "
        f"{VITALS_MARK[reading.verdict]} {reading.verdict.label} ({reading.taken_by})"
    )


class IntakeTimeEdit(QWidget):
    """A time from yesterday or today, or "not recorded", with quick "now −4 h" buttons."""

    def __init__(
        self, name: str, now: datetime, policy: ClinicPolicy, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._now = now
        self.edit = named(QDateTimeEdit(), name)
        # Only yesterday and today are allowed, so the weekday names the day unambiguously.
        self.edit.setDisplayFormat(f"ddd {qt_time_format(policy.time_format)}")
        start_of_yesterday = datetime.combine(now.date() - timedelta(days=1), datetime.min.time())
        # One minute before yesterday stands for "not recorded" (shown as words).
        self._unset = to_qdatetime(start_of_yesterday - timedelta(minutes=1))
        self.edit.setMinimumDateTime(self._unset)
        self.edit.setSpecialValueText("not recorded")
        self.edit.setDateTime(self._unset)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 0, 0, 1, len(QUICK_HOURS))
        for column, hours in enumerate(QUICK_HOURS):
            text = "Now" if hours == 0 else f"now −{hours} h"
            button = named(QPushButton(text), f"{name}_minus_{hours}")
            button.setAutoDefault(False)
            button.clicked.connect(
                lambda _c=False, h=hours: self.set_value(self._now - timedelta(hours=h))
            )
            layout.addWidget(button, 1, column)

    def set_now(self, now: datetime) -> None:
        self._now = now

    def set_value(self, value: datetime | None) -> None:
        if value is None:
            self.edit.setDateTime(self._unset)
        else:
            self.edit.setDateTime(to_qdatetime(value.replace(tzinfo=None, second=0, microsecond=0)))

    def value(self) -> datetime | None:
        current = self.edit.dateTime()
        if current <= self._unset:
            return None
        naive = current.toPython()
        assert isinstance(naive, datetime)
        return naive.astimezone()  # the workstation's local zone, as typed


class ReasonDialog(QDialog):
    """Asks for one reason (hold, override); ``reason()`` is the stripped text."""

    def __init__(
        self,
        title: str,
        prompt: str,
        parent: QWidget | None = None,
        choices: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.choice = named(QComboBox(), "reasonChoice")
        self.text = named(QLineEdit(maxLength=2000), "reasonText")
        self.hint = named(QLabel("", wordWrap=True), "reasonHint")
        self.error = error_line("reasonError")
        form = QFormLayout()
        if choices:
            self.choice.addItems(choices)
            form.addRow("&Item", self.choice)
        form.addRow(prompt, self.text)
        form.addRow(self.hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def reason(self) -> str:
        return self.text.text().strip()

    def _accept(self) -> None:
        if not self.reason():
            self.error.setText("Give a reason.")
            self.text.setFocus()
            return
        self.accept()


class PrepDialog(QDialog):
    """The checklist for one visit; every save reloads the verdict from the service."""

    required_roles = NURSING_ROLES

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._visit_id = visit_id
        self.view: PrepView | None = None
        self.pending_overrides: dict[PrepItem, str] = {}
        self.setWindowTitle("Prep checklist")
        self._build()
        # Another person signing in to this desk never inherits these overrides or notes.
        session.actor_changed.connect(self.forget_attestations)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.reload)
        no_default_buttons(self)
        self.reload()
        resize_to_fit(self, 1240, 740)

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.title = named(QLabel("", wordWrap=True), "prepTitle")
        self.title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.verdict = named(QLabel("", wordWrap=True), "prepVerdict")
        self.hold_banner = named(QLabel("", wordWrap=True), "prepHold")
        self.hold_banner.setStyleSheet(f"{STATUS_STYLE[PrepStatus.NOT_READY]} {BADGE}")
        self.error = error_line("prepError")
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.verdict)
        left.addWidget(self.hold_banner)
        left.addWidget(self._checklist_box())
        left.addWidget(self._clearance_box())
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self._intake_box())
        right.addWidget(self._clothing_box())
        right.addWidget(self._vitals_box(), 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 5)
        columns.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)

    def _checklist_box(self) -> QGroupBox:
        box = QGroupBox("Checklist")
        grid = QGridLayout(box)
        self.item_status: dict[PrepItem, QLabel] = {}
        self.item_reason: dict[PrepItem, QLabel] = {}
        self.item_confirmed: dict[PrepItem, QLabel] = {}
        for row, item in enumerate(PrepItem):
            name = QLabel(f"<b>{item.label}</b>")
            status = named(QLabel(""), f"item_{item.value}_status")
            status.setAlignment(Qt.AlignmentFlag.AlignCenter)
            status.setMinimumWidth(130)
            reason = named(QLabel("", wordWrap=True), f"item_{item.value}_reason")
            confirmed = named(QLabel(""), f"item_{item.value}_confirmed")
            confirmed.setStyleSheet("color: #555;")
            detail = QVBoxLayout()
            detail.setSpacing(0)
            detail.addWidget(reason)
            detail.addWidget(confirmed)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(status, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(detail, row, 2)
            self.item_status[item], self.item_reason[item] = status, reason
            self.item_confirmed[item] = confirmed
        grid.setColumnStretch(2, 1)
        self.transport_button = named(QPushButton("&Way home…"), "openTransport")
        self.transport_button.clicked.connect(self.open_transport)
        grid.addWidget(self.transport_button, len(PrepItem), 0)
        return box

    def _clearance_box(self) -> QGroupBox:
        self.review_box = QGroupBox("Caution items: note why the infusion can go ahead")
        self.review_clinician = named(QLineEdit(maxLength=200), "reviewClinician")
        self.review_note = named(QPlainTextEdit(), "reviewNote")
        self.review_note.setTabChangesFocus(True)
        self.review_note.setFixedHeight(60)
        review = QFormLayout(self.review_box)
        review.addRow("Reviewing &clinician (if asked)", self.review_clinician)
        review.addRow("Review &note", self.review_note)
        self.review_clinician.textChanged.connect(self._update_buttons)
        self.review_note.textChanged.connect(self._update_buttons)
        self.blockers = named(QLabel("", wordWrap=True), "clearBlockers")
        self.cosigner = CosignerBox()
        self.cosigner.username.textChanged.connect(self._update_buttons)
        self.cosigner.password.textChanged.connect(self._update_buttons)
        self.notice = named(QLabel("", wordWrap=True), "prepNotice")
        self.clear_button = named(QPushButton("C&lear for infusion"), "clearForInfusion")
        self.clear_button.setStyleSheet("font-weight: 600;")
        self.hold_button = named(QPushButton("&Hold…"), "holdInfusion")
        self.override_button = named(QPushButton("O&verride…"), "overrideItem")
        self.close_button = named(QPushButton("Close"), "closePrep")
        for button in (self.clear_button, self.hold_button, self.override_button):
            button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.clear_for_infusion)
        self.hold_button.clicked.connect(self.ask_hold)
        self.override_button.clicked.connect(self.ask_override)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.clear_button, self.hold_button, self.override_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        box = QGroupBox("Clearance")
        layout = QVBoxLayout(box)
        layout.addWidget(self.review_box)
        layout.addWidget(self.blockers)
        layout.addWidget(self.cosigner)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        return box

    def _intake_box(self) -> QGroupBox:
        now = self._session.desk.now().astimezone()
        policy = self._session.policy
        self.food = IntakeTimeEdit("lastFood", now, policy)
        self.fluid = IntakeTimeEdit("lastFluid", now, policy)
        self.clear_fluids = named(QComboBox(), "clearFluids")
        self.clear_fluids.addItem("Not asked", None)
        self.clear_fluids.addItem("Clear fluids only (water, black tea or coffee)", True)
        self.clear_fluids.addItem("Not clear (milk, juice with pulp, smoothie)", False)
        self.save_intake_button = named(QPushButton("Save &food and fluids"), "saveIntake")
        self.save_intake_button.setAutoDefault(False)
        self.save_intake_button.clicked.connect(self.save_intake)
        self.intake_error = error_line("intakeError")
        box = QGroupBox("Food and fluids")
        form = QFormLayout(box)
        form.addRow("Last &solid food", self.food)
        form.addRow("Last fl&uids", self.fluid)
        form.addRow("What they &drank", self.clear_fluids)
        form.addRow("", self.save_intake_button)
        form.addRow(self.intake_error)
        return box

    def _clothing_box(self) -> QGroupBox:
        self.clothing = named(
            QCheckBox("Clothing gives &access to the arms for the IV"), "clothingOk"
        )
        self.clothing.clicked.connect(self.save_clothing)
        box = QGroupBox("Clothing")
        QVBoxLayout(box).addWidget(self.clothing)
        return box

    def _vitals_box(self) -> QGroupBox:
        self.vitals_entry = VitalsEntry(self._session.policy)
        self.vitals_entry.connect_record(self.save_vitals)
        self.readings = named(QLabel("", wordWrap=True), "vitalsReadings")
        self.readings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QGroupBox("Vitals (re-measuring adds a reading)")
        layout = QVBoxLayout(box)
        layout.addWidget(self.vitals_entry)
        layout.addWidget(self.readings)
        layout.addStretch(1)
        return box

    # --- showing -----------------------------------------------------------------------

    def reload(self) -> None:
        from desk.services.prep import readiness

        try:
            self.show_view(readiness(self._session.desk, self._visit_id))
        except DeskError as err:
            self.error.setText(str(err))

    def show_view(self, view: PrepView) -> None:
        self.view = view
        policy = self._session.policy
        self.title.setText(
            f"{view.patient_name} · MRN {view.mrn} · {view.visit_type_label}"
            f"{' · ' + view.chair if view.chair else ''}"
            f" · start {format_time(view.planned_start, policy)}"
            f" · {view.status.label}"
        )
        self._show_verdict(view, policy)
        for line in view.items:
            status_badge(self.item_status[line.item], line.status)
            reason = line.reason
            pending = self.pending_overrides.get(line.item)
            if line.override_reason:
                reason += f"  Overridden: {line.override_reason} ({line.override_by})"
            elif pending and line.status is PrepStatus.NOT_READY:
                reason += f"  Override (applies when cleared): {pending}"
            self.item_reason[line.item].setText(reason)
            self.item_confirmed[line.item].setText(line.confirmed)
        self._show_entries(view)
        self._update_buttons()

    def _show_verdict(self, view: PrepView, policy: ClinicPolicy) -> None:
        text = VERDICT_TEXT[view.verdict]
        if view.status is not VisitState.ARRIVED:
            text = f"{text} — {view.status.label}" + (f" ({view.cleared})" if view.cleared else "")
        elif view.verdict is Readiness.NOT_READY:
            open_items = len([i for i in view.items if i.status.blocks])
            text += f": {open_items} item{'s' if open_items != 1 else ''} open"
        if view.ready_at is not None:
            text += f"  ·  fasting allows the start at {format_time(view.ready_at, policy)}"
        self.verdict.setText(text)
        self.verdict.setStyleSheet(
            f"{VERDICT_STYLE[view.verdict]} {BADGE} font-size: 15pt; padding: 8px;"
        )
        self.hold_banner.setText(f"On hold: {view.hold_reason}")
        self.hold_banner.setVisible(bool(view.hold_reason) and view.status is VisitState.ARRIVED)

    def _show_entries(self, view: PrepView) -> None:
        now = self._session.desk.now().astimezone()
        for edit, value in ((self.food, view.last_food_at), (self.fluid, view.last_fluid_at)):
            edit.set_now(now)
            edit.set_value(value)
        self.clear_fluids.setCurrentIndex(
            max(0, self.clear_fluids.findData(view.clear_fluids_only))
        )
        self.clothing.setChecked(bool(view.clothing_ok))
        policy = self._session.policy
        lines = [reading_text(r, policy) for r in reversed(view.readings)]
        self.readings.setText("\n".join(lines) or "No vitals recorded yet.")
        self.review_box.setVisible(view.needs_review and view.status is VisitState.ARRIVED)
        if view.review_clinician and not self.review_clinician.text():
            self.review_clinician.setText(view.review_clinician)
        editable = view.status is VisitState.ARRIVED
        for widget in (self.food, self.fluid, self.clear_fluids, self.save_intake_button,
                       self.clothing):  # fmt: skip
            widget.setEnabled(editable)
        in_clinic = view.status in (VisitState.ARRIVED, VisitState.PREP_CLEARED,
                                    VisitState.INFUSING, VisitState.RECOVERY)  # fmt: skip
        why = (f"The visit is {view.status.label.lower()}: vitals are recorded only while the "
               "patient is in the clinic.")  # fmt: skip
        for entry in (self.vitals_entry, self.vitals_entry.record_button):
            entry.setEnabled(in_clinic)
            entry.setToolTip("" if in_clinic else why)

    def problems(self) -> tuple[str, ...]:
        from desk.services.prep import clearance_problems

        if self.view is None:
            return ("The checklist has not loaded.",)
        return clearance_problems(
            self.view.items,
            self.pending_overrides,
            self.review_clinician.text(),
            self.review_note.toPlainText(),
        )

    def hard_pending(self) -> tuple[PrepItem, ...]:
        """Pending overrides of hard stops: they need the second clinician's box."""
        from desk.services.prep import hard_overrides

        items = self.view.items if self.view else ()
        open_items = {i.item for i in items if i.status is PrepStatus.NOT_READY}
        return hard_overrides(i for i in self.pending_overrides if i in open_items)

    def _update_buttons(self) -> None:
        view = self.view
        arrived = view is not None and view.status is VisitState.ARRIVED
        nurse = self._session.actor.has(Role.NURSE)
        problems = self.problems() if arrived else ()
        hard = self.hard_pending() if arrived else ()
        self.cosigner.setVisible(bool(hard))
        if hard and self.cosigner.cosignature() is None:
            labels = ", ".join(i.label for i in hard)
            problems += (f"{labels}: a hard stop; the second clinician confirms below.",)
        self.clear_button.setEnabled(arrived and nurse and not problems)
        self.hold_button.setEnabled(
            nurse and view is not None
            and view.status in (VisitState.ARRIVED, VisitState.PREP_CLEARED)
        )  # fmt: skip
        self.override_button.setEnabled(arrived and nurse and bool(self._overridable()))
        if not nurse:
            self.blockers.setText("Only a nurse can clear or hold the infusion.")
        elif arrived and problems:
            self.blockers.setText("Cannot clear yet:\n• " + "\n• ".join(problems))
        elif arrived:
            self.blockers.setText("Everything is confirmed: the patient can be cleared.")
        else:
            self.blockers.setText("")

    def _overridable(self) -> list[PrepItem]:
        if self.view is None:
            return []
        return [i.item for i in self.view.items
                if i.status is PrepStatus.NOT_READY and i.overridable]  # fmt: skip

    # --- acting ------------------------------------------------------------------------

    def _run(self, call: object) -> bool:
        """Run a service call; show its sentence on failure; reload after a stale save."""
        self.error.setText("")
        try:
            view = call()  # type: ignore[operator]
        except StaleEdit as err:
            self.error.setText(str(err))
            self.reload()
            return False
        except DeskError as err:
            self.error.setText(error_text(err))
            return False
        if view is not None:
            self.show_view(view)
        return True

    def save_intake(self) -> None:
        from desk.services.prep import record_intake

        assert self.view is not None
        version = self.view.prep_version
        self.intake_error.setText("")
        try:
            view = record_intake(
                self._session.desk, self._visit_id, self.food.value(), self.fluid.value(),
                self.clear_fluids.currentData(), version,
            )  # fmt: skip
        except ValidationError as err:
            self.intake_error.setText(str(err))
            return
        except DeskError as err:
            self.error.setText(str(err))
            self.reload()
            return
        self.show_view(view)

    def save_clothing(self, checked: bool) -> None:
        from desk.services.prep import confirm_clothing

        assert self.view is not None
        version = self.view.prep_version
        if not self._run(
            lambda: confirm_clothing(self._session.desk, self._visit_id, checked, version)
        ):
            self.clothing.setChecked(bool(self.view.clothing_ok))

    def save_vitals(self, vitals: Vitals) -> bool:
        desk = self._session.desk
        if not save_reading(desk, self._visit_id, vitals, self.vitals_entry, self.error):
            return False
        self.reload()
        return True

    def clear_for_infusion(self) -> None:
        from desk.services.prep import clear_for_infusion

        assert self.view is not None
        version = self.view.prep_version
        cosigner = self.cosigner.cosignature() if self.hard_pending() else None
        cleared = self._run(
            lambda: clear_for_infusion(
                self._session.desk, self._visit_id,
                review_clinician=self.review_clinician.text(),
                review_note=self.review_note.toPlainText(),
                overrides=dict(self.pending_overrides), cosigner=cosigner,
                expected_version=version,
            )
        )  # fmt: skip
        self.cosigner.clear_password()  # a typed password is used once
        if cleared:
            self.pending_overrides.clear()
            self.cosigner.clear()
            self._update_buttons()

    def forget_attestations(self) -> None:
        """Someone else signed in: drop the previous person's overrides, notes and typing."""
        self.pending_overrides.clear()
        self.cosigner.clear()
        self.review_clinician.clear()
        self.review_note.clear()
        self.vitals_entry.clear()
        for child in self.findChildren(ReasonDialog):
            child.reject()
        self.notice.setText(
            "Another person signed in: the previous person's unsaved overrides and notes "
            "were cleared."
        )
        self.reload()

    def ask_hold(self) -> ReasonDialog:
        dialog = ReasonDialog("Hold the infusion", "&Reason for the hold", self)
        dialog.accepted.connect(lambda: self.hold(dialog.reason()))
        dialog.open()
        return dialog

    def hold(self, reason: str) -> None:
        from desk.services.prep import hold

        version = self.view.prep_version if self.view else None
        self._run(lambda: hold(self._session.desk, self._visit_id, reason, version))

    def ask_override(self) -> ReasonDialog:
        from desk.domain.stops import stop_for_item

        items = self._overridable()
        dialog = ReasonDialog(
            "Override a not-ready item", "&Reason", self, [i.label for i in items]
        )

        def explain(index: int) -> None:
            stop = stop_for_item(items[index]) if 0 <= index < len(items) else None
            dialog.hint.setText(
                "Hard stop: a second nurse or a clinician must confirm with their own "
                "password before the patient is cleared."
                if stop is not None and stop.is_hard
                else "Soft stop: your reason is recorded under your name."
            )

        dialog.choice.currentIndexChanged.connect(explain)
        explain(dialog.choice.currentIndex())
        dialog.accepted.connect(
            lambda: self.add_override(items[dialog.choice.currentIndex()], dialog.reason())
        )
        dialog.open()
        return dialog

    def add_override(self, item: PrepItem, reason: str) -> None:
        """Remember the override; it is recorded (and audited) when the patient is cleared."""
        self.pending_overrides[item] = reason
        if self.view is not None:
            self.show_view(self.view)

    def open_transport(self) -> QDialog:
        from desk.ui.transport import TransportDialog

        dialog = TransportDialog(self._session, self._visit_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.panel.changed.connect(lambda _view: self.reload())
        dialog.open()
        return dialog
