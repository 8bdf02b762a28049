"""The patient header: name, MRN, date of birth, age and screening status on one strip.

Used wherever a patient appears (search, registration, candidacy, booking, check-in, the
nurse screens) so a person always sees *who* and whether they are cleared to be treated.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desk.domain.candidacy import CandidacyState, CandidacyStatus
from desk.domain.locale import format_date
from desk.domain.patients import age_on
from desk.domain.policy import ClinicPolicy
from desk.ui.forms import named

# Colour is a second channel only: the words say "candidate" / "screening incomplete" /
# "flagged" on their own, for anyone who cannot tell the colours apart.
STATE_STYLE = {
    CandidacyState.CANDIDATE: "background: #e3f4e5; color: #14532d; border: 1px solid #4c9a5b;",
    CandidacyState.SCREENING_INCOMPLETE: (
        "background: #fff4d6; color: #6b4a00; border: 1px solid #c9a227;"
    ),
    CandidacyState.FLAGGED: "background: #fde2e1; color: #7f1d1d; border: 1px solid #c53030;",
}
STATE_MARK = {
    CandidacyState.CANDIDATE: "✓",
    CandidacyState.SCREENING_INCOMPLETE: "…",
    CandidacyState.FLAGGED: "⚠",
}


class ShownPatient(Protocol):
    """What the header needs: PatientView and PatientHit both have it."""

    @property
    def legal_first_name(self) -> str: ...
    @property
    def legal_last_name(self) -> str: ...
    @property
    def preferred_name(self) -> str: ...
    @property
    def mrn(self) -> str: ...
    @property
    def dob(self) -> date: ...
    @property
    def candidacy(self) -> CandidacyStatus: ...


def spoken_name(patient: ShownPatient) -> str:
    """"Peggy Smith (legal: Margaret Smith)" or just "Margaret Smith"."""
    legal = f"{patient.legal_first_name} {patient.legal_last_name}"
    preferred = patient.preferred_name.strip()
    if preferred and preferred != patient.legal_first_name:
        return f"{preferred} {patient.legal_last_name} (legal: {legal})"
    return legal


def candidacy_badge(label: QLabel, status: CandidacyStatus) -> None:
    """Show ``status`` on ``label``: mark, words, colour, and every detail in the tooltip."""
    label.setText(f"{STATE_MARK[status.state]} {status.header}")
    label.setToolTip(status.details)
    label.setStyleSheet(f"{STATE_STYLE[status.state]} border-radius: 4px; padding: 2px 6px;")


class PatientHeader(QWidget):
    """``show_patient(view)`` fills it; ``clear()`` empties it (e.g. on a locked screen)."""

    def __init__(self, policy: ClinicPolicy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientHeader")
        self._policy = policy
        self.name_label = named(QLabel(""), "patientHeaderName")
        self.name_label.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.facts_label = named(QLabel(""), "patientHeaderFacts")
        self.status_label = named(QLabel(""), "patientHeaderStatus")
        top = QHBoxLayout()
        top.addWidget(self.name_label, 1)
        top.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.facts_label)

    def show_patient(self, patient: ShownPatient, today: date | None = None) -> None:
        today = today or date.today()
        self.name_label.setText(spoken_name(patient))
        dob = format_date(patient.dob, self._policy)
        self.facts_label.setText(
            f"MRN {patient.mrn}   ·   DOB {dob}   ·   age {age_on(patient.dob, today)}"
        )
        candidacy_badge(self.status_label, patient.candidacy)
        self.status_label.show()

    def clear(self) -> None:
        for label in (self.name_label, self.facts_label, self.status_label):
            label.setText("")
            label.setToolTip("")
        self.status_label.hide()
