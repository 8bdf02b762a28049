"""The demo clinic: every visit state this week, real-looking names, searchable, audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from desk.db.models import Candidacy, ConsentDocument, Patient, Series, Staff, Transport, Visit
from desk.domain.consent import ConsentState
from desk.domain.errors import NotPermitted, ValidationError
from desk.domain.mrn import parse_mrn
from desk.domain.names import name_tokens
from desk.domain.visit_states import VisitState
from desk.services import audit, board, demo, search
from desk.services.consent import consent_status_for, treatment_for_visit_type
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock


def _states_this_week(desk: Desk) -> list[str]:
    today = desk.now().astimezone().date()
    with desk.read() as session:
        rows = session.execute(select(Visit.scheduled_start, Visit.status)).all()
    return [
        status
        for start, status in rows
        if abs((start.astimezone().date() - today).days) <= demo.WEEK_RADIUS_DAYS
    ]


def test_demo_clinic_has_staff_patients_and_every_state_this_week(admin_desk: Desk) -> None:
    progress: list[tuple[int, int]] = []
    summary = demo.load_demo(
        admin_desk, patients=200, seed=1, progress=lambda *done: progress.append(done)
    )

    with admin_desk.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 200
        assert session.scalar(select(func.count()).select_from(Visit)) == summary.visits
        assert session.scalar(select(func.count()).select_from(Series)) == summary.series > 0
        assert session.scalar(select(func.count()).select_from(Candidacy)) == summary.candidacies
        assert session.scalar(select(func.count()).select_from(Transport)) == summary.transports
        usernames = set(session.scalars(select(Staff.username)))
        mrns = list(session.scalars(select(Patient.mrn)))
    assert {"rita", "ravi", "nina", "noah", "olga"} <= usernames
    assert len(set(mrns)) == 200 and all(parse_mrn(m) == m for m in mrns)
    assert progress[-1][0] == progress[-1][1] == 200 + summary.visits
    week = _states_this_week(admin_desk)
    assert set(week) == {state.value for state in VisitState}
    assert len(week) < 150  # a real clinic's week, not the whole history


def test_series_visits_are_numbered_one_to_six_in_order(sqlite_admin_desk: Desk) -> None:
    demo.load_demo(sqlite_admin_desk, patients=200, seed=3)
    with sqlite_admin_desk.read() as session:
        series = session.scalars(select(Series)).all()
        for one in series:
            visits = sorted(one.visits, key=lambda v: v.scheduled_start)
            assert [v.series_index for v in visits] == list(range(1, len(visits) + 1))
            assert all(v.patient_id == one.patient_id for v in visits)
            assert visits[-1].scheduled_start - visits[0].scheduled_start < timedelta(days=21)
        full = [s for s in series if len(s.visits) == s.planned_count == 6]
    assert full


def test_names_are_stored_exactly_and_search_keys_are_folded(admin_desk: Desk) -> None:
    demo.load_demo(admin_desk, patients=200, seed=1)
    with admin_desk.read() as session:
        patients = session.execute(
            select(
                Patient.id,
                Patient.legal_first_name,
                Patient.legal_last_name,
                Patient.preferred_name,
                Patient.first_key,
                Patient.last_key,
                Patient.preferred_key,
                Patient.phone,
                Patient.phone_digits,
            )
        ).all()
    names = {name for p in patients for name in (p.legal_first_name, p.legal_last_name)}
    assert {n for n in names if not n.isascii()}, "accented or non-Latin names expected"
    for p in patients:
        assert p.first_key == " ".join(name_tokens(p.legal_first_name))
        assert p.last_key == " ".join(name_tokens(p.legal_last_name))
        assert p.preferred_key == " ".join(name_tokens(p.preferred_name))
        assert p.phone.startswith("+1") and p.phone_digits == p.phone[2:]
    # Typed without accents, "nunez maria" finds "Núñez, María".
    accented = next(p for p in patients if not p.legal_last_name.isascii() and p.last_key.isascii())
    typed = f"{accented.last_key.split()[0]} {accented.first_key.split()[0]}"
    hits = search.search_patients(admin_desk, typed, limit=200)
    assert accented.id in {hit.patient_id for hit in hits}


def test_families_share_a_phone_and_some_patients_have_a_preferred_name(
    sqlite_admin_desk: Desk,
) -> None:
    demo.load_demo(sqlite_admin_desk, patients=400, seed=2)
    with sqlite_admin_desk.read() as session:
        shared = session.scalar(
            select(func.count()).select_from(
                select(Patient.phone).group_by(Patient.phone).having(func.count() > 1).subquery()
            )
        )
        preferred = session.scalar(select(func.count()).where(Patient.preferred_name != ""))
    assert shared and shared > 5
    assert preferred and preferred > 5


def test_one_audit_entry_and_the_chain_verifies(admin_desk: Desk) -> None:
    before, _ = audit.verify(admin_desk)
    summary = demo.load_demo(admin_desk, patients=50, seed=1)
    count, problem = audit.verify(admin_desk)
    assert problem is None
    assert count == before + 1
    entry = audit.browse(admin_desk, audit.AuditFilter(action="demo.load"))[0]
    assert "patients=50" in entry.summary
    assert f"consents={summary.consents}" in entry.summary and summary.consents > 0


def test_patients_in_the_chair_today_have_a_valid_signed_consent(admin_desk: Desk) -> None:
    summary = demo.load_demo(admin_desk, patients=200, seed=1)
    today = admin_desk.now().astimezone().date()
    rows = board.day_board(admin_desk, today)
    in_chair = [r for r in rows if r.status in {VisitState.INFUSING, VisitState.RECOVERY}]
    assert in_chair
    for row in in_chair:
        treatment = treatment_for_visit_type(row.visit_type)
        assert treatment is not None
        status = consent_status_for(admin_desk, row.patient_id, treatment)
        assert status.state is ConsentState.VALID
        assert not row.blocked and row.consent.text == "Valid"
    with admin_desk.read() as session:
        stored = session.scalar(select(func.count()).select_from(ConsentDocument))
        patients = session.scalar(select(func.count()).select_from(Patient))
    # This week's infusion patients only, not the whole clinic.
    assert stored == summary.consents and 0 < summary.consents < patients


def test_the_week_shows_valid_expired_withdrawn_and_missing_consents(
    sqlite_admin_desk: Desk,
) -> None:
    demo.load_demo(sqlite_admin_desk, patients=200, seed=1)
    today = sqlite_admin_desk.now().astimezone().date()
    rows = [
        row
        for offset in range(-demo.WEEK_RADIUS_DAYS, demo.WEEK_RADIUS_DAYS + 1)
        for row in board.day_board(sqlite_admin_desk, today + timedelta(days=offset))
    ]
    shown = {row.consent.text for row in rows if row.consent.text}
    assert {"Valid", "Expired", "Withdrawn", "Missing"} <= shown
    # A bad consent is only ever on a visit nobody has started yet.
    for row in rows:
        if row.consent.text not in ("", "Valid"):
            assert row.status in {VisitState.SCHEDULED, VisitState.CANCELLED, VisitState.NO_SHOW}


def test_a_demo_consent_is_the_real_form_with_its_sha256(sqlite_admin_desk: Desk) -> None:
    demo.load_demo(sqlite_admin_desk, patients=60, seed=1)
    with sqlite_admin_desk.read() as session:
        documents = session.scalars(select(ConsentDocument)).all()
        assert documents
        for document in documents:
            pdf = bytes(document.pdf)
            assert pdf.startswith(b"%PDF-")
            assert hashlib.sha256(pdf).hexdigest() == document.sha256
            assert document.method == "paper" and document.witness in {"rita", "ravi", "sam"}
            assert document.signed_at <= sqlite_admin_desk.now()


def _snapshot(desk: Desk) -> list[tuple[object, ...]]:
    with desk.read() as session:
        patients = session.execute(
            select(
                Patient.mrn,
                Patient.legal_first_name,
                Patient.legal_last_name,
                Patient.dob,
                Patient.phone,
            ).order_by(Patient.id)
        ).all()
        visits = session.execute(
            select(
                Visit.patient_id,
                Visit.scheduled_start,
                Visit.status,
                Visit.chair,
                Visit.series_index,
            ).order_by(Visit.id)
        ).all()
    return [tuple(r) for r in (*patients, *visits)]


def test_same_seed_same_clinic(tmp_path_factory: pytest.TempPathFactory, clock: FakeClock) -> None:
    from desk.services.database import open_database
    from tests.helpers.fixtures import make_clinic

    snapshots = []
    for name in ("a", "b"):
        engine = open_database(f"sqlite:///{tmp_path_factory.mktemp(name) / 'clinic.sqlite3'}")
        desk = make_clinic(engine, clock)
        demo.load_demo(desk, patients=120, seed=7)
        snapshots.append(_snapshot(desk))
        engine.dispose()
    assert snapshots[0] == snapshots[1]


def test_a_clinic_with_patients_refuses_the_demo(sqlite_admin_desk: Desk) -> None:
    demo.load_demo(sqlite_admin_desk, patients=60, seed=1)
    with pytest.raises(ValidationError, match="already has patients"):
        demo.load_demo(sqlite_admin_desk, patients=60, seed=1)
    with sqlite_admin_desk.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 60
    assert audit.verify(sqlite_admin_desk)[1] is None


def test_a_receptionist_cannot_load_demo_data(reception_desk: Desk) -> None:
    with pytest.raises(NotPermitted):
        demo.load_demo(reception_desk, patients=10)
    with reception_desk.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 0


def test_patient_count_is_bounded(admin_desk: Desk) -> None:
    with pytest.raises(ValidationError):
        demo.load_demo(admin_desk, patients=0)


def test_the_sign_in_window_is_told_the_demo_accounts_only_for_a_demo_clinic(
    sqlite_admin_desk: Desk,
) -> None:
    from desk.services.auth import demo_sign_in_hint

    signed_out = sqlite_admin_desk.as_actor(None)
    assert demo_sign_in_hint(signed_out) == ""  # a real clinic
    demo.load_demo(sqlite_admin_desk, patients=20, seed=1)
    hint = demo_sign_in_hint(signed_out)
    assert hint.startswith("This is a demo clinic with made-up patients.")
    assert "rita (receptionist)" in hint and "olga (admin)" in hint
    assert f"the password is {demo.DEMO_PASSWORD}." in hint


def test_demo_history_reviews_name_the_nurse_not_a_user_name(sqlite_admin_desk: Desk) -> None:
    demo.load_demo(sqlite_admin_desk, patients=60, seed=1)
    with sqlite_admin_desk.read() as session:
        reviewers = set(session.scalars(select(Candidacy.history_reviewed_by)))
    usernames = {username for username, _, _ in demo.DEMO_STAFF}
    assert reviewers - {""} and not reviewers & usernames
