"""The day board's rows: series place, badges with their reasons, warnings, few queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, event

from desk.db.models import (
    ConsentDocument,
    ConsentTemplate,
    PrepCheck,
    Series,
    Transport,
    Visit,
    VitalsReading,
)
from desk.domain.booking import VisitType
from desk.domain.series import SeriesKind
from desk.services import booking, checkin, visits
from desk.services.board import BadgeLevel, BoardRow, day_board
from desk.services.booking import SeriesSlot, VisitView
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock
from tests.helpers.visits import DOB, add_patient

TODAY = date(2026, 11, 25)


def local(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    return datetime.combine(day, time(hour, minute))


@pytest.fixture
def morning(clock: FakeClock) -> FakeClock:
    clock.now = local(7).astimezone(UTC)
    return clock


def book(
    desk: Desk,
    hour: int,
    chair: str = "Chair 1",
    *,
    screened: bool = True,
    visit_type: VisitType = VisitType.MOOD_INFUSION,
    patient: int | None = None,
) -> VisitView:
    patient = patient or add_patient(desk, screened=screened)
    return booking.book_visit(
        desk,
        patient,
        visit_type,
        local(hour),
        chair if visit_type.needs_chair else None,
        screening_override_reason=None if screened else "letter on its way",
    )


def row_of(desk: Desk, visit_id: int, day: date = TODAY) -> BoardRow:
    return next(r for r in day_board(desk, day) if r.visit_id == visit_id)


def add(desk: Desk, *rows: object) -> None:
    with desk.write() as uow:
        for row in rows:  # in order: a consent document after its template
            uow.session.add(row)
            uow.session.flush()
        uow.commit()


def consent(patient_id: int, signed_local: datetime, *, withdrawn: bool = False) -> list[object]:
    signed = signed_local.astimezone(UTC)
    template = ConsentTemplate(
        id=patient_id * 10,
        template_key=f"infusion-{patient_id}",
        version="1.0",
        major=1,
        minor=0,
        language="en",
        treatments="mood_series,pain_series,booster,maintenance",
        text="",
        sha256="0" * 64,
        imported_at=signed,
        imported_by="admin",
    )
    document = ConsentDocument(
        document_uid=f"CNS-{patient_id}",
        patient_id=patient_id,
        template_id=template.id,
        treatment="mood_series",
        method="paper",
        signed_at=signed,
        witness="rita",
        witnessed_at=signed,
        pdf=b"%PDF",
        sha256="1" * 64,
        withdrawn_at=signed + timedelta(days=1) if withdrawn else None,
    )
    return [template, document]


def test_series_infusion_shows_its_place_and_short_type(
    reception_desk: Desk, morning: FakeClock
) -> None:
    patient = add_patient(reception_desk)
    slots = [SeriesSlot(local(9, day=TODAY + timedelta(days=d)), "Chair 2") for d in (-0, 2, 5)]
    visits = booking.book_series(reception_desk, patient, SeriesKind.MOOD, slots)
    row = row_of(reception_desk, visits[0].id)
    assert (row.visit_label, row.chair, row.status_label) == ("Mood 1 of 6", "Chair 2", "Scheduled")
    assert row.version == visits[0].version


def test_unscreened_patient_is_blocked_naming_what_is_missing(
    admin_desk: Desk, morning: FakeClock
) -> None:
    patient = add_patient(admin_desk, screened=False)
    with admin_desk.write() as uow:  # booked before anyone asked for an override
        uow.session.add(
            Visit(
                patient_id=patient,
                visit_type="mood_infusion",
                chair="Chair 1",
                scheduled_start=local(10).astimezone(UTC),
                scheduled_end=local(12).astimezone(UTC),
                status="scheduled",
                created_at=admin_desk.now(),
            )
        )
        uow.commit()
    row = day_board(admin_desk, TODAY)[0]
    assert row.candidacy.text == "Incomplete" and row.candidacy.level is BadgeLevel.BLOCKED
    assert "Missing: indication" in row.candidacy.tooltip
    assert row.blocked and any(r.startswith("Candidacy: ") for r in row.blocked_reasons)


def test_booking_override_turns_the_block_into_a_named_warning(
    reception_desk: Desk, morning: FakeClock
) -> None:
    view = book(reception_desk, 10, screened=False)
    badge = row_of(reception_desk, view.id).candidacy
    assert (badge.text, badge.level) == ("Incomplete, overridden", BadgeLevel.WARN)
    assert "Overridden by rita: letter on its way" in badge.tooltip


def test_consent_badge_follows_the_signed_document(
    reception_desk: Desk, morning: FakeClock
) -> None:
    missing = book(reception_desk, 9, "Chair 1")
    valid = book(reception_desk, 9, "Chair 2")
    withdrawn = book(reception_desk, 9, "Chair 3")
    add(reception_desk, *consent(valid.patient_id, local(9, day=date(2026, 3, 1))))
    add(
        reception_desk,
        *consent(withdrawn.patient_id, local(9, day=date(2026, 3, 1)), withdrawn=True),
    )
    rows = {r.visit_id: r for r in day_board(reception_desk, TODAY)}
    assert (rows[missing.id].consent.text, rows[missing.id].consent.level) == (
        "Missing",
        BadgeLevel.BLOCKED,
    )
    assert rows[valid.id].consent.level is BadgeLevel.OK
    assert rows[valid.id].consent.tooltip.startswith("Consent valid until")
    assert rows[withdrawn.id].consent.text == "Withdrawn"


def test_transport_badge_says_what_is_missing(reception_desk: Desk, morning: FakeClock) -> None:
    none = book(reception_desk, 9, "Chair 1")
    unconfirmed = book(reception_desk, 9, "Chair 2")
    confirmed = book(reception_desk, 9, "Chair 3")
    adult = {
        "adult_name": "Kim O'Neill",
        "adult_phone": "+12015550199",
        "relationship": "sister",
        "plan": "family_drives",
    }
    add(
        reception_desk,
        Transport(visit_id=unconfirmed.id, **adult),
        Transport(
            visit_id=confirmed.id, confirmed_by="rita", confirmed_at=reception_desk.now(), **adult
        ),
    )
    rows = {r.visit_id: r for r in day_board(reception_desk, TODAY)}
    assert rows[none.id].transport.level is BadgeLevel.BLOCKED
    assert rows[none.id].transport.tooltip == "No responsible adult is recorded."
    assert (rows[unconfirmed.id].transport.text, rows[unconfirmed.id].transport.level) == (
        "Not confirmed",
        BadgeLevel.WARN,
    )
    assert rows[confirmed.id].transport.tooltip == "Kim O'Neill (sister) takes the patient home."


def test_prep_and_vitals_badges_after_arrival(reception_desk: Desk, morning: FakeClock) -> None:
    view = book(reception_desk, 9)
    row = row_of(reception_desk, view.id)
    assert (row.prep.text, row.prep.level) == ("Not started", BadgeLevel.NONE)
    morning.now = local(8, 50).astimezone(UTC)
    checkin.check_in(
        reception_desk,
        view.id,
        dob_confirmed=DOB,
        contact_confirmed=True,
        expected_version=view.version,
    )
    row = row_of(reception_desk, view.id)
    assert (row.prep.text, row.prep.level) == ("Not started", BadgeLevel.WARN)
    assert (row.vitals.text, row.vitals.level) == ("Not taken", BadgeLevel.WARN)
    add(
        reception_desk,
        PrepCheck(visit_id=view.id, clothing_ok=True, hold_reason="Blood pressure high"),
        VitalsReading(
            visit_id=view.id,
            checkpoint="before",
            taken_at=reception_desk.now(),
            taken_by="nina",
            systolic=165,
            diastolic=95,
            heart_rate=80,
            spo2=98,
        ),
    )
    row = row_of(reception_desk, view.id)
    assert (row.prep.text, row.prep.tooltip) == ("On hold", "On hold: Blood pressure high")
    assert (row.vitals.text, row.vitals.level) == ("165/95 Hold", BadgeLevel.BLOCKED)
    assert "165/95" in row.vitals.tooltip


def test_consultation_and_cancelled_visits_carry_no_badges(
    reception_desk: Desk, morning: FakeClock
) -> None:
    book(reception_desk, 9, screened=False, visit_type=VisitType.CONSULTATION)
    cancelled = book(reception_desk, 10)
    visits.cancel_visit(
        reception_desk,
        cancelled.id,
        visits.VisitReason("clinic"),
        expected_version=cancelled.version,
    )
    rows = day_board(reception_desk, TODAY)
    assert [r.visit_label for r in rows] == ["Consultation", "Mood"]
    for row in rows:
        assert not row.blocked
        assert all(badge.text == "" for _, badge in row.badges)


def test_series_past_its_window_is_warned_on_each_infusion(
    reception_desk: Desk, morning: FakeClock
) -> None:
    patient = add_patient(reception_desk)
    slots = [
        SeriesSlot(local(9), "Chair 1"),
        SeriesSlot(local(9, day=date(2026, 12, 21)), "Chair 1"),
    ]
    visits = booking.book_series(reception_desk, patient, SeriesKind.MOOD, slots)
    warnings = row_of(reception_desk, visits[0].id).warnings
    assert any("past its 21-day window" in w for w in warnings)


def test_booster_due_after_a_finished_series(admin_desk: Desk, morning: FakeClock) -> None:
    patient = add_patient(admin_desk)
    series = Series(
        patient_id=patient,
        kind="mood",
        start_date=date(2026, 9, 1),
        planned_count=6,
        created_at=admin_desk.now(),
    )
    past = [
        Visit(
            patient_id=patient,
            visit_type="mood_infusion",
            chair="Chair 1",
            series=series,
            series_index=i + 1,
            status="discharged",
            created_at=admin_desk.now(),
            scheduled_start=local(9, day=date(2026, 9, 1) + timedelta(days=2 * i)).astimezone(UTC),
            scheduled_end=local(11, day=date(2026, 9, 1) + timedelta(days=2 * i)).astimezone(UTC),
        )
        for i in range(6)
    ]
    add(admin_desk, series, *past)
    consult = book(admin_desk, 13, visit_type=VisitType.CONSULTATION, patient=patient)
    assert row_of(admin_desk, consult.id).warnings == ("Booster due since 10/09/2026.",)
    booster = book(admin_desk, 14, visit_type=VisitType.BOOSTER, patient=patient)
    assert row_of(admin_desk, consult.id).warnings == ()
    assert row_of(admin_desk, booster.id).warnings == ()


def test_board_query_count_does_not_grow_with_visits(
    reception_desk: Desk, morning: FakeClock
) -> None:
    def queries_for_board() -> int:
        engine: Engine = reception_desk.engine
        seen: list[str] = []

        def count(*_args: object) -> None:
            seen.append("query")

        event.listen(engine, "before_cursor_execute", count)
        try:
            day_board(reception_desk, TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    book(reception_desk, 9)
    few = queries_for_board()
    for hour in (11, 13, 15):
        for chair in ("Chair 1", "Chair 2", "Chair 3"):
            book(reception_desk, hour, chair)
    assert queries_for_board() == few
