"""Orders, administration, stock and the day close through the services: roles, the two-person
rule, the ledger's balance, the audit chain, and the printed log and day report."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from desk.db.models import AuditEntry, StockMovement
from desk.domain.errors import NotFound, NotPermitted, PrepNotReady, ValidationError
from desk.domain.ledger import Movement
from desk.domain.vitals import Vitals
from desk.services import (
    administration,
    audit,
    cs_log,
    day_close,
    infusion,
    orders,
    prep,
    stock,
)
from desk.services.administration import RateEvent
from desk.services.context import Desk
from tests.helpers.fixtures import FakeClock
from tests.services.cs_flow import ordered_cleared_visit, receive_lot, sign, team
from tests.services.nurse_rows import add_visit


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_receiving_needs_a_second_person_with_their_own_password(admin_desk: Desk) -> None:
    t = team(admin_desk)
    with pytest.raises(NotPermitted, match="someone other than you"):
        receive_lot(t.nurse, witness="nina")
    with pytest.raises(NotPermitted, match="not correct"):
        stock.receive(
            t.nurse, drug="Ketamine", lot_number="K1",
            expiry=admin_desk.now().date() + timedelta(days=400),
            concentration_mg_per_ml="50", vial_ml="1", vials=5, supplier="S", invoice="I",
            witness=sign("walt", "wrong password"),
        )  # fmt: skip
    lot = receive_lot(t.nurse, vials=10)
    assert (lot.balance_ug, lot.sealed_vials, lot.balance_mg) == (500_000, 10, "500")


def test_a_receptionist_cannot_receive_stock(admin_desk: Desk) -> None:
    from desk.domain.roles import Role
    from tests.helpers.fixtures import add_person

    t = team(admin_desk)
    rita = admin_desk.as_actor(add_person(admin_desk, "rita", Role.RECEPTIONIST))
    with pytest.raises(NotPermitted):
        receive_lot(rita)
    assert stock.lots(t.nurse) == []


def test_only_a_clinician_orders_and_the_dose_is_computed_from_the_prep_weight(
    admin_desk: Desk,
) -> None:
    t = team(admin_desk)
    visit_id = add_visit(admin_desk, start_in_minutes=0)
    prep.record_vitals(t.nurse, visit_id, Vitals(122, 78, 72, 98, weight_kg=72.4))
    with pytest.raises(NotPermitted):
        orders.record_order(t.nurse, visit_id, drug="Ketamine", mg_per_kg="0.5", duration_min=40)
    order = orders.record_order(
        t.clinician, visit_id, drug="Ketamine", mg_per_kg="0.5", duration_min=40
    )
    assert (order.dose_mg, order.weight_kg, order.weight_source) == ("36.2", "72.4", "prep vitals")
    assert order.rate_mg_per_h == "54.3"


def test_a_drug_not_on_the_clinic_list_is_refused(admin_desk: Desk) -> None:
    t = team(admin_desk)
    visit_id = add_visit(admin_desk, start_in_minutes=0)
    with pytest.raises(ValidationError, match="drug list"):
        orders.record_order(t.clinician, visit_id, drug="Esketamine", mg_per_kg="0.5",
                            weight_kg="70", duration_min=40)  # fmt: skip


def test_a_dose_above_the_clinic_limit_needs_a_second_clinician(admin_desk: Desk) -> None:
    t = team(admin_desk)
    visit_id = add_visit(admin_desk, start_in_minutes=0)
    kwargs = {"drug": "Ketamine", "mg_per_kg": "1.2", "weight_kg": "70", "duration_min": 40}
    with pytest.raises(PrepNotReady, match="above the clinic's limit of 1 mg/kg"):
        orders.record_order(t.clinician, visit_id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotPermitted, match="must be a clinician"):
        orders.record_order(t.clinician, visit_id, cosigner=sign("walt"),
                            override_reason="Pain protocol", **kwargs)  # type: ignore[arg-type]  # fmt: skip
    order = orders.record_order(t.clinician, visit_id, cosigner=sign("dora"),
                                override_reason="Pain protocol", **kwargs)  # type: ignore[arg-type]  # fmt: skip
    assert (order.dose_mg, order.cosigned_by) == ("84", "dora")


def test_no_order_is_a_hard_stop_at_the_start(admin_desk: Desk) -> None:
    from tests.services.nurse_rows import confirm_everything

    t = team(admin_desk)
    lot = receive_lot(t.nurse)
    visit_id = add_visit(admin_desk, start_in_minutes=0, ordered=False)
    view = confirm_everything(t.nurse, visit_id)
    prep.clear_for_infusion(t.nurse, visit_id, expected_version=view.prep_version)
    with pytest.raises(PrepNotReady, match="no order"):
        administration.start_with_vial(t.nurse, visit_id, lot.id, "Left antecubital", 22)
    with pytest.raises(PrepNotReady, match="no order"):
        infusion.start_infusion(t.nurse, visit_id)


def test_a_whole_day_keeps_the_ledger_balanced_and_chained(
    admin_desk: Desk, clock: FakeClock
) -> None:
    t = team(admin_desk)
    lot = receive_lot(t.nurse, vials=10)  # 10 × 50 mg
    visit_id = ordered_cleared_visit(admin_desk, t, "0.5", "72.4")  # 36.2 mg
    plan = administration.plan_draw(t.nurse, visit_id, lot.id)
    assert (plan.volume_ml, plan.dose_mg, plan.vials) == ("0.7", "35", 1)
    started = administration.start_with_vial(t.nurse, visit_id, lot.id, "Left antecubital", 22)
    assert started.iv == "Left antecubital, 22 G"
    assert stock.lots(t.nurse)[0].sealed_vials == 9
    clock.advance(minutes=15)
    administration.change_rate(t.nurse, visit_id, RateEvent.RATE, "Nausea", "0.8")
    administration.change_rate(t.nurse, visit_id, RateEvent.PAUSE, "Patient asked for a break")
    administration.change_rate(t.nurse, visit_id, RateEvent.RESUME, "Settled")
    clock.advance(minutes=30)
    with pytest.raises(ValidationError, match="more than the 50 mg"):
        administration.end_with_amount(t.nurse, visit_id, "51")
    ended = administration.end_with_amount(t.nurse, visit_id, "33.5")
    assert ended.given_mg == "33.5" and "not yet witnessed" in ended.waste_text
    with pytest.raises(NotPermitted):
        administration.witness_waste(t.nurse, visit_id, "Sink", sign("walt", "nope"))
    wasted = administration.witness_waste(t.nurse, visit_id, "Rx Destroyer", sign("walt"))
    assert wasted.waste_mg == "16.5"
    assert len(wasted.events) == 3
    kinds = [(m.kind, m.amount_ug, m.balance_ug) for m in stock.movements(t.nurse, lot.id)]
    assert kinds == [
        (Movement.RECEIPT, 500_000, 500_000),
        (Movement.ADMINISTRATION, -33_500, 466_500),
        (Movement.WASTE, -16_500, 450_000),
    ]
    assert audit.verify(admin_desk)[1] is None
    with admin_desk.read() as session:
        seqs = session.scalars(select(StockMovement.audit_seq)).all()
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.seq.in_(seqs))).all()
    assert sorted(actions) == ["stock.receipt", "stock.waste", "visit.infusion_end"]

    day = clock.now.astimezone().date()
    log = pdf_text(cs_log.cs_log_pdf(t.nurse, lot.id, day, day))
    assert "Opening balance 0 mg; closing balance 450 mg; 3 movements." in log
    assert "-33.5" in log and "-16.5" in log and "Rx Destroyer" in log

    to_close = day_close.day_to_close(t.nurse, day)
    assert [lot_.expected_vials for lot_ in to_close.lots] == [9]
    assert any("not discharged" in item for item in to_close.open_items)
    with pytest.raises(ValidationError, match="second person must confirm"):
        day_close.close_day(t.nurse, day, {lot.id: 8}, {}, sign("walt"))
    closed = day_close.close_day(t.nurse, day, {lot.id: 8}, {lot.id: "Vial dropped"}, sign("walt"))
    report = pdf_text(closed.report_pdf)
    assert f"Audit chain head: entry {closed.audit_seq}" in report
    assert closed.audit_hash[:20] in report.replace("\n", "")
    assert "8 vials counted but 9 expected" in report
    assert "33.5" in report and "KX2291" in report and "Sam" not in report
    assert f"audit_head,{closed.audit_seq},{closed.audit_hash}" in closed.report_csv
    assert stock.lots(t.nurse)[0].balance_ug == 400_000
    assert audit.verify(admin_desk)[1] is None
    with pytest.raises(ValidationError, match="already closed"):
        day_close.close_day(t.nurse, day, {lot.id: 8}, {}, sign("walt"))
    assert day_close.stored_report(t.nurse, day)[0] == closed.report_pdf


def test_the_ledger_refuses_updates_and_deletes_in_the_database(admin_desk: Desk) -> None:
    t = team(admin_desk)
    receive_lot(t.nurse)
    for statement in ("UPDATE stock_movement SET amount_ug = 1", "DELETE FROM stock_movement"):
        with pytest.raises(DatabaseError), admin_desk.engine.begin() as conn:
            conn.execute(text(statement))


def test_removals_cannot_take_more_than_the_shelf_holds(admin_desk: Desk) -> None:
    t = team(admin_desk)
    lot = receive_lot(t.nurse, vials=2)
    with pytest.raises(ValidationError, match="Only 2 sealed vials"):
        stock.remove(t.nurse, lot.id, Movement.LOSS, 3, "Missing", sign("walt"))
    after = stock.remove(t.nurse, lot.id, Movement.EXPIRED, 2, "Damaged labels", sign("walt"))
    assert after.balance_ug == 0
    assert stock.lots(t.nurse) == []


def test_waste_before_the_amount_given_is_refused(admin_desk: Desk) -> None:
    t = team(admin_desk)
    lot = receive_lot(t.nurse)
    visit_id = ordered_cleared_visit(admin_desk, t)
    administration.start_with_vial(t.nurse, visit_id, lot.id, "Right hand", 20)
    with pytest.raises(ValidationError, match="amount given before"):
        administration.witness_waste(t.nurse, visit_id, "Sink", sign("walt"))
    with pytest.raises(NotFound):
        administration.administration_view(t.nurse, visit_id + 999)


def test_inventory_form_lists_each_lot_with_its_ledger_balance(admin_desk: Desk) -> None:
    t = team(admin_desk)
    receive_lot(t.nurse, vials=4, lot="LOT-A")
    receive_lot(t.nurse, vials=3, lot="LOT-B", mg_per_ml="10", vial_ml="5")
    form = pdf_text(cs_log.inventory_pdf(t.clinician))
    assert "LOT-A" in form and "LOT-B" in form and "200" in form and "150" in form


def test_a_side_effect_keeps_its_severity_and_the_drug_given_for_it(admin_desk: Desk) -> None:
    from desk.services.infusion import Intervention, SideEffectKind

    t = team(admin_desk)
    lot = receive_lot(t.nurse)
    visit_id = ordered_cleared_visit(admin_desk, t)
    administration.start_with_vial(t.nurse, visit_id, lot.id, "Right hand", 20)
    with pytest.raises(ValidationError, match="name and dose"):
        infusion.record_side_effect(t.nurse, visit_id, SideEffectKind.NAUSEA, severity="moderate",
                                    intervention=Intervention(drug="Ondansetron"))  # fmt: skip
    effect = infusion.record_side_effect(
        t.nurse, visit_id, SideEffectKind.NAUSEA, severity="moderate",
        intervention=Intervention("Rate halved", "Ondansetron", "4 mg IV"),
    )  # fmt: skip
    assert (effect.severity, effect.intervention) == (
        "moderate", "Rate halved; Ondansetron 4 mg IV"
    )  # fmt: skip
    checks = administration.record_sedation(
        t.nurse, visit_id, "mid", 3, administration.Dissociation.MILD
    )
    assert "responsiveness 3/5, dissociation mild" in checks[-1]


def test_the_close_lists_an_infusion_started_without_its_vial(
    admin_desk: Desk, clock: FakeClock
) -> None:
    t = team(admin_desk)
    visit_id = ordered_cleared_visit(admin_desk, t)
    infusion.start_infusion(t.nurse, visit_id)  # before the clinic kept stock on the desk
    receive_lot(t.nurse)
    items = day_close.day_to_close(t.nurse, clock.now.astimezone().date()).open_items
    assert any("started without the vial recorded" in item for item in items)


def test_with_stock_on_the_desk_a_start_must_name_its_vial(admin_desk: Desk) -> None:
    t = team(admin_desk)
    receive_lot(t.nurse)
    visit_id = ordered_cleared_visit(admin_desk, t)
    with pytest.raises(PrepNotReady, match="choosing the vial"):
        infusion.start_infusion(t.nurse, visit_id)


def test_an_order_for_the_series_applies_to_every_visit_of_it(admin_desk: Desk) -> None:
    from desk.db.models import Series, Visit

    t = team(admin_desk)
    first, second = add_visit(admin_desk), add_visit(admin_desk, ordered=False)
    with admin_desk.sessions() as session:
        one, two = session.get(Visit, first), session.get(Visit, second)
        assert one is not None and two is not None
        series = Series(patient_id=one.patient_id, kind="mood", start_date=admin_desk.now().date(),
                        created_at=admin_desk.now())  # fmt: skip
        session.add(series)
        session.flush()
        two.patient_id = one.patient_id
        one.series_id = two.series_id = series.id
        session.commit()
    assert orders.current_order(t.nurse, second) is None
    order = orders.record_order(t.clinician, first, drug="Ketamine", mg_per_kg="0.4",
                                weight_kg="80", duration_min=40, whole_series=True)  # fmt: skip
    assert order.for_series and order.dose_mg == "32"
    later = orders.current_order(t.nurse, second)
    assert later is not None and later.id == order.id
    with pytest.raises(ValidationError, match="not part of a series"):
        orders.record_order(t.clinician, add_visit(admin_desk), drug="Ketamine", mg_per_kg="0.4",
                            weight_kg="80", duration_min=40, whole_series=True)  # fmt: skip
