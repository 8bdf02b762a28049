"""Test helpers for the visit half of reception: patients and screening rows, written directly.

The patient services arrive in a parallel change; until then tests make their rows here.
"""

from __future__ import annotations

import itertools
import json
from datetime import date

from desk.db.models import Candidacy, Patient
from desk.services.context import Desk

_numbers = itertools.count(1)
DOB = date(1980, 5, 17)


def add_patient(
    desk: Desk,
    first: str = "Zoë",
    last: str = "O'Neill",
    *,
    dob: date = DOB,
    screened: bool = True,
    flags: tuple[str, ...] = (),
    phone: str = "+12015550123",
) -> int:
    """A patient row (and, when ``screened``, a complete screening row); returns the id."""
    number = next(_numbers)
    with desk.write() as uow:
        patient = Patient(
            mrn=f"T{number:05d}", legal_first_name=first, legal_last_name=last,
            preferred_name="", dob=dob, phone=phone, phone_digits=phone.lstrip("+"),
            emergency_name="Kim O'Neill", emergency_phone="+12015550199",
            emergency_relationship="sister", created_at=desk.now(),
        )
        uow.session.add(patient)
        uow.session.flush()
        if screened or flags:
            uow.session.add(Candidacy(
                patient_id=patient.id, indication="treatment_resistant_depression",
                diagnosis_confirmed_by="Dr Hale", diagnosis_confirmed_on=date(2026, 1, 5),
                provider_name="Dr Hale", consultation_on=date(2026, 1, 5),
                history_reviewed_by="Dr Hale", contraindication_flags=json.dumps(list(flags)),
            ))
        uow.commit()
        return patient.id
