"""Registering and editing patients, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text

from desk.domain.errors import NotPermitted, StaleEdit
from desk.domain.mrn import mrn_for_sequence, parse_mrn
from desk.domain.patients import PatientDraft, PatientInvalid
from desk.domain.roles import Role
from desk.services import audit, patients
from desk.services.context import Desk
from desk.services.patients import DuplicateWarning
from tests.helpers.fixtures import add_person


def draft(
    first: str = "Zoë", last: str = "O'Brien", dob: date = date(1980, 5, 6), **kwargs: object
) -> PatientDraft:
    return PatientDraft(first, last, dob, **kwargs)  # type: ignore[arg-type]


def entries(desk: Desk, action: str) -> list[audit.AuditRecord]:
    return audit.browse(desk, audit.AuditFilter(action=action))


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("Zoë", "O'Brien"),
        ("Jean-Luc", "de la Cruz"),
        ("Nguyễn Thị", "Thảo"),
        ("Александр", "Иванова"),
        ("Σοφία", "Παπαδοπούλου"),
        ("美咲", "佐藤"),
        ("محمد", "العلي"),
        ("Siân", "ap Rhys‑Jones"),
    ],
)
def test_names_are_stored_exactly_as_typed(admin_desk: Desk, first: str, last: str) -> None:
    view = patients.register_patient(admin_desk, draft(f"  {first} ", last))
    again = patients.get_patient(admin_desk, view.id)
    assert (again.legal_first_name, again.legal_last_name) == (first, last)


def test_registration_gives_a_valid_mrn_and_normalised_phone(reception_desk: Desk) -> None:
    view = patients.register_patient(
        reception_desk, draft(phones=("(201) 555-0123",), email=" zoe@example.com ")
    )
    assert parse_mrn(view.mrn) == view.mrn
    assert view.phones == ("+12015550123",)
    assert view.phones_display == ("(201) 555-0123",)
    assert view.email == "zoe@example.com"
    assert view.age == 46 and view.version == 1
    assert view.candidacy.header.startswith("screening incomplete")


def test_mrns_are_unique_across_many_registrations(admin_desk: Desk) -> None:
    names = ["Ann", "Bea", "Cy", "Dov", "Eli", "Fay", "Gus", "Hal", "Ida", "Jo", "Kai", "Lu"]
    mrns = {
        patients.register_patient(admin_desk, draft(name, "Tester", date(1970, 1, n + 1))).mrn
        for n, name in enumerate(names)
    }
    assert len(mrns) == len(names)


def test_an_mrn_already_taken_is_skipped(admin_desk: Desk) -> None:
    first = patients.register_patient(admin_desk, draft())
    with admin_desk.engine.begin() as conn:  # as if imported from an old system
        conn.execute(
            text("UPDATE patient SET mrn = :mrn WHERE id = :id"),
            {"mrn": mrn_for_sequence(first.id + 1), "id": first.id},
        )
    second = patients.register_patient(admin_desk, draft("Marcus", "Feldman"))
    assert second.mrn == mrn_for_sequence(first.id + 2)


def test_every_field_error_is_reported_at_once(admin_desk: Desk) -> None:
    with pytest.raises(PatientInvalid) as caught:
        patients.register_patient(
            admin_desk, draft(first=" ", dob=date(2030, 1, 1), phones=("12ab",), email="x@")
        )
    fields = {error.field for error in caught.value.errors}
    assert fields == {"legal_first_name", "dob", "phones[0]", "email"}


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        (draft("Zoe", "OBrien"), "same date of birth, same name"),
        (draft("Zoé", "O'Brian"), "same date of birth, similar name"),
        (draft("O'Brien", "Zoë"), "same date of birth, first and last name swapped"),
        (draft("Maria", "Lopez", date(1990, 1, 2), phones=("201 555 0123",)), "same phone number"),
    ],
)
def test_a_likely_duplicate_is_warned_with_the_reason(
    reception_desk: Desk, new: PatientDraft, reason: str
) -> None:
    existing = patients.register_patient(reception_desk, draft(phones=("2015550123",)))
    with pytest.raises(DuplicateWarning) as caught:
        patients.register_patient(reception_desk, new)
    [candidate] = caught.value.candidates
    assert candidate.patient_id == existing.id and candidate.mrn == existing.mrn
    assert candidate.reason == reason
    assert "already registered" in str(caught.value)


def test_confirmed_duplicate_is_registered_and_the_choice_audited(
    admin_desk: Desk, reception_desk: Desk
) -> None:
    patients.register_patient(reception_desk, draft())
    twin = patients.register_patient(reception_desk, draft("Zoe"), confirm_not_duplicate=True)
    assert twin.legal_first_name == "Zoe"
    newest = entries(admin_desk, "patient.register")[0]
    assert newest.entity_id == str(twin.id)
    assert "possible_duplicates_confirmed=1" in newest.summary


def test_different_person_same_birthday_is_not_a_duplicate(admin_desk: Desk) -> None:
    patients.register_patient(admin_desk, draft())
    other = patients.register_patient(admin_desk, draft("Marcus", "Feldman"))
    assert other.legal_last_name == "Feldman"


def test_edit_saves_and_audits_field_names_only(admin_desk: Desk) -> None:
    view = patients.register_patient(admin_desk, draft(phones=("2015550123",)))
    edited = patients.update_patient(
        admin_desk,
        view.id,
        replace(view.draft(), preferred_name="Zo", notes="Mornings"),
        view.version,
    )
    assert edited.preferred_name == "Zo" and edited.version == view.version + 1
    [entry] = entries(admin_desk, "patient.update")
    assert entry.summary == "notes, preferred_name"


def test_saving_without_a_change_writes_nothing(admin_desk: Desk) -> None:
    view = patients.register_patient(admin_desk, draft(phones=("2015550123",)))
    same = patients.update_patient(admin_desk, view.id, view.draft(), view.version)
    assert same.version == view.version
    assert entries(admin_desk, "patient.update") == []


def test_stale_edit_names_the_other_workstation_and_shows_current_values(
    admin_desk: Desk,
) -> None:
    front = admin_desk
    nurse = Desk(
        admin_desk.engine,
        workstation="infusion-room",
        clock=admin_desk.clock,
        actor=add_person(admin_desk, "nina", Role.NURSE),
    )
    view = patients.register_patient(front, draft())
    patients.update_patient(
        nurse, view.id, replace(view.draft(), email="z@example.com"), view.version
    )
    with pytest.raises(StaleEdit) as caught:
        patients.update_patient(front, view.id, replace(view.draft(), notes="x"), view.version)
    assert caught.value.workstation == "infusion-room"
    assert caught.value.changed_by == "nina"
    assert caught.value.current["Email"] == "z@example.com"
    assert "infusion-room" in str(caught.value)


def test_edit_that_makes_a_duplicate_warns(admin_desk: Desk) -> None:
    patients.register_patient(admin_desk, draft())
    other = patients.register_patient(admin_desk, draft("Marcus", "Feldman", date(1975, 3, 3)))
    with pytest.raises(DuplicateWarning):
        patients.update_patient(
            admin_desk,
            other.id,
            replace(
                other.draft(),
                legal_first_name="Zoe",
                legal_last_name="O'Brien",
                dob=date(1980, 5, 6),
            ),
            other.version,
        )


def test_audit_summaries_carry_no_phi(admin_desk: Desk) -> None:
    view = patients.register_patient(
        admin_desk,
        draft(
            phones=("2015550123",),
            email="zoe@example.com",
            address="1 Harbour Road",
            notes="Anxious about needles",
        ),
    )
    patients.update_patient(admin_desk, view.id, replace(view.draft(), notes="Calm"), view.version)
    text = " ".join(e.summary for e in entries(admin_desk, "patient."))
    for phi in ("Zoë", "Brien", "1980", "555", "zoe@", "Harbour", "needles", "Calm", view.mrn):
        assert phi not in text


def test_roles_may_register_but_anonymous_may_not(admin_desk: Desk, nurse_desk: Desk) -> None:
    assert patients.register_patient(nurse_desk, draft()).id
    with pytest.raises(NotPermitted):
        patients.register_patient(admin_desk.as_actor(None), draft("Ann", "Other"))
    with pytest.raises(NotPermitted):
        patients.get_patient(admin_desk.as_actor(None), 1)


def test_two_desks_registering_at_once_get_different_mrns(admin_desk: Desk) -> None:
    other = Desk(
        admin_desk.engine,
        workstation="front-desk-2",
        clock=admin_desk.clock,
        actor=admin_desk.actor,
    )
    start = threading.Barrier(2)
    made: list[patients.PatientView] = []

    def register(desk: Desk, first: str) -> None:
        start.wait()
        made.append(
            patients.register_patient(
                desk, draft(first, "Racer", date(1970, 1, 1)), confirm_not_duplicate=True
            )
        )

    threads = [
        threading.Thread(target=register, args=(d, n))
        for d, n in ((admin_desk, "Ann"), (other, "Bob"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(made) == 2 and made[0].mrn != made[1].mrn
