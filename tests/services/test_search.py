"""Search as you type through the service the search box uses, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from desk.db import migrate
from desk.db.engine import make_engine
from desk.domain.errors import NotPermitted
from desk.domain.patients import PatientDraft
from desk.domain.search_query import QueryKind
from desk.services import patients, search
from desk.services.context import Desk
from desk.services.database import open_database
from tests.helpers.fixtures import FakeClock, make_clinic

PEOPLE = [
    ("Zoë", "O'Brien", date(1980, 5, 6), "201-555-0123", ""),
    ("Zoe", "Zimmermann", date(1975, 2, 3), "201-555-7788", ""),
    ("Jean-Luc", "de la Cruz", date(1962, 11, 30), "(973) 555-0144", ""),
    ("Margaret", "Smith", date(1990, 1, 2), "973-555-0190", "Peggy"),
    ("John", "Smith", date(1985, 7, 8), "908-555-0175", ""),
    ("Smith", "Johnson", date(1970, 4, 4), "908-555-0166", ""),
    ("Александр", "Иванов", date(1988, 8, 8), "732-555-0111", ""),
]


@pytest.fixture
def clinic(admin_desk: Desk) -> dict[str, patients.PatientView]:
    registered = {}
    for first, last, dob, phone, preferred in PEOPLE:
        view = patients.register_patient(
            admin_desk,
            PatientDraft(first, last, dob, preferred_name=preferred, phones=(phone,)),
            confirm_not_duplicate=True,
        )
        registered[f"{first} {last}"] = view
    return registered


def names(desk: Desk, text: str) -> list[str]:
    return [f"{h.legal_first_name} {h.legal_last_name}" for h in search.search_patients(desk, text)]


def test_zoe_without_accent_finds_zoe_with_accent(admin_desk: Desk, clinic: object) -> None:
    assert names(admin_desk, "zoe") == ["Zoë O'Brien", "Zoe Zimmermann"]
    assert names(admin_desk, "ZOË") == ["Zoë O'Brien", "Zoe Zimmermann"]


def test_prefix_finds_first_or_last_name_in_last_name_order(
    admin_desk: Desk, clinic: object
) -> None:
    assert names(admin_desk, "smi") == ["Smith Johnson", "John Smith", "Margaret Smith"]
    assert names(admin_desk, "obr") == ["Zoë O'Brien"]
    assert names(admin_desk, "bri") == ["Zoë O'Brien"]  # after the apostrophe, as typed


def test_two_words_must_both_match(admin_desk: Desk, clinic: object) -> None:
    assert names(admin_desk, "smith j") == ["Smith Johnson", "John Smith"]
    assert names(admin_desk, "j smith") == ["Smith Johnson", "John Smith"]
    assert names(admin_desk, "smith peg") == ["Margaret Smith"]
    assert names(admin_desk, "zoe smith") == []


def test_joined_and_hyphenated_names(admin_desk: Desk, clinic: object) -> None:
    assert names(admin_desk, "delacruz") == ["Jean-Luc de la Cruz"]
    assert names(admin_desk, "luc cruz") == ["Jean-Luc de la Cruz"]
    assert names(admin_desk, "jeanl") == ["Jean-Luc de la Cruz"]


def test_preferred_name_and_other_scripts(admin_desk: Desk, clinic: object) -> None:
    assert names(admin_desk, "peggy") == ["Margaret Smith"]
    assert names(admin_desk, "иван") == ["Александр Иванов"]
    assert names(admin_desk, "АЛЕКС") == ["Александр Иванов"]


def test_mrn_typed_with_or_without_the_dash(
    admin_desk: Desk, clinic: dict[str, patients.PatientView]
) -> None:
    john = clinic["John Smith"]
    for typed in (john.mrn, john.mrn.replace("-", ""), f" {john.mrn.replace('-', ' ')} "):
        result = search.search(admin_desk, typed)
        assert result.kind is QueryKind.MRN
        assert [h.patient_id for h in result.hits] == [john.id]


def test_phone_digits_from_the_start_or_the_last_four(admin_desk: Desk, clinic: object) -> None:
    assert names(admin_desk, "201555") == ["Zoë O'Brien", "Zoe Zimmermann"]
    assert names(admin_desk, "(973) 555-01") == ["Jean-Luc de la Cruz", "Margaret Smith"]
    assert names(admin_desk, "0175") == ["John Smith"]
    assert names(admin_desk, "+1 908 555 0166") == ["Smith Johnson"]


def test_dob_as_the_clinic_writes_dates(admin_desk: Desk, clinic: object) -> None:
    assert names(admin_desk, "07/08/1985") == ["John Smith"]
    assert names(admin_desk, "7/8/85") == ["John Smith"]
    assert names(admin_desk, "1985-07-08") == ["John Smith"]


def test_half_a_date_asks_for_the_rest(admin_desk: Desk, clinic: object) -> None:
    result = search.search(admin_desk, "07/08")
    assert result.kind is QueryKind.INCOMPLETE and result.hits == ()
    assert "whole date of birth" in result.hint


def test_hit_carries_what_the_list_shows(
    admin_desk: Desk, clinic: dict[str, patients.PatientView]
) -> None:
    [hit] = search.search_patients(admin_desk, "peggy")
    assert hit.preferred_name == "Peggy" and hit.dob == date(1990, 1, 2)
    assert hit.mrn == clinic["Margaret Smith"].mrn
    assert search.display_phone(hit.phone, "US") == "(973) 555-0190"
    assert hit.candidacy.header.startswith("screening incomplete")


def test_edited_name_is_found_by_its_new_name_only(
    admin_desk: Desk, clinic: dict[str, patients.PatientView]
) -> None:
    from dataclasses import replace

    john = clinic["John Smith"]
    patients.update_patient(
        admin_desk, john.id, replace(john.draft(), legal_last_name="Smyth"), john.version
    )
    assert names(admin_desk, "smyth") == ["John Smyth"]
    assert "John Smyth" not in names(admin_desk, "smith")


def test_limit_caps_the_results(admin_desk: Desk, clinic: object) -> None:
    assert len(search.search_patients(admin_desk, "s", limit=2)) == 2


def test_hostile_input_is_just_a_search(admin_desk: Desk, clinic: object) -> None:
    for typed in ("'; DROP TABLE patient; --", "%_%", "\U0010ffff", "a" * 10_000, "\x00z"):
        search.search_patients(admin_desk, typed)
    assert names(admin_desk, "zoe")  # still there


def test_anyone_signed_in_may_search_but_not_anonymous(
    reception_desk: Desk, nurse_desk: Desk, clinic: object
) -> None:
    assert names(reception_desk, "zoe") and names(nurse_desk, "zoe")
    with pytest.raises(NotPermitted):
        search.search_patients(reception_desk.as_actor(None), "zoe")


def test_patients_registered_before_the_search_index_are_found(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "0002_clinical")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patient (id, mrn, legal_first_name, legal_last_name, preferred_name,"
                " dob, sex, phone, phone2, email, address, emergency_name, emergency_phone,"
                " emergency_relationship, notes, first_key, last_key, preferred_key,"
                " phone_digits, created_at, version) VALUES (7, '2795-9136', 'Zoë', 'O''Brien',"
                " '', '1980-05-06', '', '+12015550123', '', '', '', '', '', '', '', '', '', '',"
                " '', '2025-01-02 10:00:00', 1)"
            )
        )
    engine.dispose()
    desk = make_clinic(open_database(url), FakeClock(datetime(2026, 11, 25, 14, tzinfo=UTC)))
    assert names(desk, "zoe") == ["Zoë O'Brien"]
    assert names(desk, "0123") == ["Zoë O'Brien"]
    desk.engine.dispose()
