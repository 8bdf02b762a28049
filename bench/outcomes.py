"""Figure: the patient's outcomes record opens with 60 visits of scores, at 100 000 patients.

One patient of the generated clinic gets 60 discharged infusions (ten series of six), each
with a PHQ-9 and a GAD-7: 120 questionnaires. Opening is what a click on "Outcomes…"
does: the service loads the record, the dialog builds a chart per questionnaire and the
series lines, and the event loop runs until the first paint is done. The target is
absolute (≤ 100 ms at p95); the baseline is the same window shape with bare widgets (a
plain dialog with as many labels and empty widgets), built and painted in the same run.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from PySide6.QtWidgets import QApplication, QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget
from sqlalchemy import insert, select

from bench.clinic import Clinic, signed_in
from bench.harness import Figure, Scale, percentile, sample_ms, summary_ms
from desk.db.models import OutcomeResponse, Patient, Series, Visit
from desk.services.context import Desk
from desk.services.database import open_database
from desk.services.settings import clinic_info
from desk.ui.outcomes_record import OutcomesDialog
from desk.ui.session import Session

TARGET_MS = 100.0
VISITS, SERIES_LENGTH = 60, 6


def add_scored_history(desk: Desk, rng: random.Random) -> int:
    """60 discharged infusions with a PHQ-9 and a GAD-7 each, for one existing patient."""
    now = desk.now()
    with desk.sessions() as db:
        patient_id = db.scalars(select(Patient.id).order_by(Patient.id).limit(1)).one()
        start = now - timedelta(days=3 * VISITS)
        for block in range(VISITS // SERIES_LENGTH):
            series = Series(patient_id=patient_id, kind="mood", start_date=start.date(),
                            planned_count=SERIES_LENGTH, created_at=now)  # fmt: skip
            db.add(series)
            db.flush()
            for n in range(SERIES_LENGTH):
                when = start + timedelta(days=3 * (block * SERIES_LENGTH + n))
                visit = Visit(patient_id=patient_id, visit_type="mood_infusion", chair="Chair 1",
                              scheduled_start=when, scheduled_end=when + timedelta(hours=2),
                              status="discharged", created_at=now, series_id=series.id,
                              series_index=n + 1)  # fmt: skip
                db.add(visit)
                db.flush()
                db.execute(insert(OutcomeResponse), [
                    _response(patient_id, visit.id, "phq9", 9, 3, when, rng),
                    _response(patient_id, visit.id, "gad7", 7, 3, when, rng),
                ])  # fmt: skip
        db.commit()
    return patient_id


def _response(
    patient_id: int, visit_id: int, code: str, items: int, top: int, when: datetime,
    rng: random.Random,
) -> dict[str, object]:
    answers = [rng.randint(0, top) for _ in range(items)]
    if code == "phq9":
        answers[-1] = 0
    return {
        "patient_id": patient_id, "visit_id": visit_id, "instrument": code,
        "answers": json.dumps(answers), "total": sum(answers), "band": "",
        "safety_items": "", "language": "en", "method": "kiosk", "taken_at": when,
        "entered_by": "rita",
    }  # fmt: skip


def measure(clinic: Clinic, scale: Scale) -> Figure:
    desk = signed_in(Desk(open_database(clinic.url), workstation="bench"))
    patient_id = add_scored_history(desk, random.Random(scale.seed))
    session = Session(desk, clinic_info(desk), clinic.url)
    app = QApplication.instance() or QApplication([])
    labels = 0

    def open_record() -> None:
        nonlocal labels
        dialog = OutcomesDialog(session, patient_id)
        dialog.show()
        app.processEvents()
        labels = len(dialog.findChildren(QLabel))
        dialog.close()
        dialog.deleteLater()

    def open_bare() -> None:
        dialog = QDialog()
        body = QWidget()
        column = QVBoxLayout(body)
        for _ in range(labels):
            column.addWidget(QLabel("Mood Series, 60 infusions: PHQ-9 20 → 8, response"))
        for _ in range(2):
            column.addWidget(QWidget(minimumHeight=170))
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(body)
        QVBoxLayout(dialog).addWidget(scroll)
        dialog.resize(820, 720)
        dialog.show()
        app.processEvents()
        dialog.close()
        dialog.deleteLater()

    open_record()  # warm: first imports, fonts, statement cache
    repeats = scale.repeats(40)
    record = sample_ms(open_record, repeats)
    bare = sample_ms(open_bare, repeats)
    p95 = percentile(record, 95)
    return Figure(
        "outcomes_record_open", "ms", p95, percentile(bare, 95), f"p95 ≤ {TARGET_MS:g} ms",
        p95 <= TARGET_MS,
        {"record": summary_ms(record), "bare_dialog": summary_ms(bare), "visits": VISITS,
         "questionnaires": 2 * VISITS, "patients": clinic.patients},
    )  # fmt: skip
