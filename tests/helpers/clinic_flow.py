"""A clinic day driven through the real services, one transaction per step.

Used by the reliability tests: the crash writer, the competing workstations and the
role matrix all move visits along the same road a receptionist and a nurse would
(register → screen → book → check in → prep → consent → clear → infuse → discharge), so
what they prove holds for the code the clinic runs.

Time is a settable clock: each step sets it to the moment that step happens in the
visit's day (check-in before the slot, clearance just before the start, discharge after
the observation time), so a visit's story is always clinically valid whatever the real
time of day the test runs at.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select

from desk.db.models import Administration, Staff, Transport, Visit, VitalsReading
from desk.domain.accounts import roles_from_text
from desk.domain.booking import VisitType
from desk.domain.candidacy import Candidacy, Indication
from desk.domain.consent import ConsentState, TreatmentType
from desk.domain.patients import PatientDraft
from desk.domain.roles import Role
from desk.domain.transport import PickupPlan, ResponsibleAdult
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Checkpoint, Vitals
from desk.services import (
    administration,
    booking,
    candidacy,
    checkin,
    consent,
    infusion,
    nurse_board,
    orders,
    patients,
    prep,
    settings,
    staff,
    stock,
    visits,
)
from desk.services import transport as transport_service
from desk.services.administration import RateEvent
from desk.services.context import Actor, Desk
from desk.services.orders import Cosigner
from desk.services.visits import VisitReason

PASSWORD = "staff-password-1"
ADMIN_PASSWORD = "admin-password-1"
BASE_DAY = date(2031, 1, 6)  # a Monday, far from today: the clock is always set explicitly
SLOT_TIMES = (time(8, 0), time(10, 15), time(12, 30), time(14, 45))
CHAIRS = ("Chair 1", "Chair 2", "Chair 3", "Chair 4")
SLOTS_PER_DAY = len(SLOT_TIMES) * len(CHAIRS)
GOOD_VITALS = Vitals(systolic=122, diastolic=78, heart_rate=72, spo2=98)
ADULTS = (
    ResponsibleAdult("Maria Lopez", "201-555-0123", "Sister"),
    ResponsibleAdult("Tom Becker", "201-555-0145", "Husband"),
)
# Status-changing audit actions and the state each leads to (prep.hold only from cleared).
STATUS_ACTIONS = {
    "visit.check_in": VisitState.ARRIVED.value,
    "prep.clear": VisitState.PREP_CLEARED.value,
    "visit.infusion_start": VisitState.INFUSING.value,
    "visit.infusion_end": VisitState.RECOVERY.value,
    "visit.discharge": VisitState.DISCHARGED.value,
    "visit.cancel": VisitState.CANCELLED.value,
    "visit.no_show": VisitState.NO_SHOW.value,
    "prep.hold": VisitState.ARRIVED.value,
}


def signature_png(seed: int, width: int = 64, height: int = 24) -> bytes:
    """A small valid PNG "signature": a diagonal stroke that differs with ``seed``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            ink = abs((x + seed) % width * height // width - y) <= 1
            rows.append(0 if ink else 255)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")
    )


class SettableClock:
    """The services' clock; steps set it to the moment they happen."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set_local(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


def slot(index: int) -> tuple[datetime, str]:
    """The (naive local start, chair) of the ``index``-th visit: weekdays, four by four."""
    day_number, within = divmod(index, SLOTS_PER_DAY)
    weeks, weekday = divmod(day_number, 5)
    day = BASE_DAY + timedelta(weeks=weeks, days=weekday)
    chair = CHAIRS[within % len(CHAIRS)]
    return datetime.combine(day, SLOT_TIMES[within // len(CHAIRS)]), chair


def actor(engine: Engine, username: str) -> Actor:
    """The staff member as a signed-in Actor (no password check: tests sign in elsewhere)."""
    with engine.connect() as conn:
        row = conn.execute(select(Staff).where(Staff.username == username)).one()
    return Actor(row.id, row.username, row.full_name, roles_from_text(row.roles))


@contextmanager
def cheap_password_hashing() -> Iterator[None]:
    """Argon2 with tiny parameters while test clinics are made: hundreds of hashes in
    a test run would otherwise take minutes. Hashes made this way also verify quickly
    (argon2 reads its parameters from the hash), which speeds up signing in later."""
    from argon2 import PasswordHasher

    from desk.services import passwords

    saved = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    try:
        yield
    finally:
        passwords._hasher = saved


def create_clinic(engine: Engine, *, extra_nurses: int = 0) -> None:
    """A clinic with admin, receptionist rita, nurse nina, a spare account and more nurses."""
    with cheap_password_hashing():
        _create_clinic(engine, extra_nurses)


def _create_clinic(engine: Engine, extra_nurses: int) -> None:
    from desk.services import setup

    clock = SettableClock(datetime.combine(BASE_DAY - timedelta(days=30), time(9)).astimezone())
    desk = Desk(engine, workstation="setup", clock=clock)
    admin = setup.initialise(
        desk, clinic_name="Harbour Ketamine Clinic", admin_username="admin",
        admin_full_name="Ada Admin", admin_password=ADMIN_PASSWORD,
    )
    desk = desk.as_actor(admin)
    staff.add_staff(desk, "rita", "Rita Reyes", frozenset({Role.RECEPTIONIST}), PASSWORD)
    staff.add_staff(desk, "nina", "Nina Ngata", frozenset({Role.NURSE}), PASSWORD)
    staff.add_staff(desk, "sam", "Sam Spare", frozenset({Role.RECEPTIONIST}), PASSWORD)
    staff.add_staff(desk, "cleo", "Cleo Clark", frozenset({Role.CLINICIAN}), PASSWORD)
    staff.add_staff(desk, "walt", "Walt Witness", frozenset({Role.NURSE}), PASSWORD)
    for n in range(extra_nurses):
        staff.add_staff(desk, f"nurse{n}", f"Nurse {n}", frozenset({Role.NURSE}), PASSWORD)
    consent.ensure_shipped_templates(desk)
    # More chairs than visits a day can have in flight: a random walk through the day may
    # leave the booked chair occupied, and the nurse then seats the patient elsewhere.
    info = settings.clinic_info(desk)
    chairs = tuple(f"Chair {n}" for n in range(1, SLOTS_PER_DAY + 1))
    settings.update_clinic(
        desk, expected_version=info.version, name=info.name, address=info.address,
        phone=info.phone, costs_text=info.costs_text,
        policy=replace(info.policy, chairs=chairs), break_glass_enabled=False,
    )


@dataclass
class Step:
    """What one service call did: its audit action and the entity it concerned."""

    action: str
    entity_id: int
    row: str | None = None  # the versioned row the step saved ("visit", "prep", "transport")
    based_on: int | None = None  # the version of that row the step was based on


class Flow:
    """Drives visits through the services as a receptionist, a nurse and an admin."""

    def __init__(self, engine: Engine, workstation: str, rng: random.Random) -> None:
        self.engine = engine
        self.rng = rng
        self.clock = SettableClock(datetime.combine(BASE_DAY, time(7)).astimezone())
        base = Desk(engine, workstation=workstation, clock=self.clock)
        self.reception = base.as_actor(actor(engine, "rita"))
        self.nurse = base.as_actor(actor(engine, "nina"))
        self.admin = base.as_actor(actor(engine, "admin"))
        self.clinician = base.as_actor(actor(engine, "cleo"))
        # Called between reading a record and saving it: competing workstations pause here.
        self.think: Callable[[], None] = lambda: None

    def as_staff(self, username: str) -> None:
        """Do the receptionist's and the nurse's work as one person (a workstation's nurse)."""
        person = self.nurse.as_actor(actor(self.engine, username))
        self.reception = self.nurse = person

    # --- new visits ---------------------------------------------------------------

    def visit_count(self) -> int:
        with self.reception.read() as session:
            return session.scalar(select(func.count()).select_from(Visit)) or 0

    def register(self, number: int) -> Step:
        start, _chair = slot(number)
        self.clock.set_local(start - timedelta(days=3))
        draft = PatientDraft(
            legal_first_name=f"Writer{number}", legal_last_name="Crash-Test",
            dob=date(1970, 1, 1) + timedelta(days=number % 9000),
            phones=("+12015550123",),  # shared numbers are confirmed as not duplicates
            emergency_contact_name="Kim Test", emergency_contact_phone="+12015550199",
        )
        view = patients.register_patient(self.reception, draft, confirm_not_duplicate=True)
        return Step("patient.register", view.id)

    def screen(self, patient_id: int) -> Step:
        today = self.clock.now.astimezone().date()
        record = Candidacy(
            indication=Indication.TREATMENT_RESISTANT_DEPRESSION,
            diagnosis_confirmed_by="Dr Hale", diagnosis_confirmed_on=today - timedelta(days=30),
            provider_name="Dr Hale", consultation_date=today - timedelta(days=20),
            history_reviewed_by="Dr Hale",
        )
        candidacy.update_candidacy(
            self.nurse, patient_id, record, history_reviewed_on=today - timedelta(days=20),
            expected_version=0,
        )
        return Step("candidacy.update", patient_id)

    def book(self, patient_id: int, number: int) -> Step:
        start, chair = slot(number)
        self.clock.set_local(start - timedelta(days=2))
        view = booking.book_visit(
            self.reception, patient_id, VisitType.MOOD_INFUSION, start, chair
        )
        return Step("visit.book", view.id)

    # --- moving a visit along -----------------------------------------------------

    def start_of(self, visit_id: int) -> datetime:
        return booking.get_visit(self.reception, visit_id).start

    def at(self, visit_id: int, minutes: float) -> None:
        """Set the clock ``minutes`` after the visit's scheduled start."""
        self.clock.set_local(self.start_of(visit_id) + timedelta(minutes=minutes))

    def advance(self, visit_id: int) -> Step | None:
        """The next step of the visit's day, or None when it is over."""
        view = booking.get_visit(self.reception, visit_id)
        step: dict[VisitState, Callable[[int], Step]] = {
            VisitState.SCHEDULED: self.check_in,
            VisitState.ARRIVED: self.prepare,
            VisitState.PREP_CLEARED: self.start_infusion,
            VisitState.INFUSING: self.infuse,
            VisitState.RECOVERY: self.recover,
        }
        action = step.get(view.status)
        return action(visit_id) if action else None

    def check_in(self, visit_id: int) -> Step:
        self.at(visit_id, -20)
        view = booking.get_visit(self.reception, visit_id)
        dob = patients.get_patient(self.reception, view.patient_id).dob
        self.think()
        checkin.check_in(
            self.reception, visit_id, dob_confirmed=dob, contact_confirmed=True,
            expected_version=view.version,
        )
        return Step("visit.check_in", visit_id, "visit", view.version)

    def prepare(self, visit_id: int) -> Step:
        """One prep item per call, in the order a nurse works; clearance when all are done."""
        self.at(visit_id, -10)
        view = prep.readiness(self.nurse, visit_id)
        now = self.clock.now
        self.think()
        if view.last_food_at is None:
            prep.record_intake(
                self.nurse, visit_id, now - timedelta(hours=6), now - timedelta(hours=3), True,
                view.prep_version,
            )
            return Step("prep.intake", visit_id, "prep", view.prep_version)
        if view.clothing_ok is None:
            prep.confirm_clothing(self.nurse, visit_id, True, view.prep_version)
            return Step("prep.clothing", visit_id, "prep", view.prep_version)
        ride = transport_service.transport_for(self.reception, visit_id)
        if not ride.recorded or (ride.confirmed_by is None and self.rng.random() < 0.2):
            return self.record_transport(visit_id)
        if ride.confirmed_by is None:
            transport_service.confirm_by_phone(self.reception, visit_id, ride.version)
            return Step("transport.confirm", visit_id, "transport", ride.version)
        if not any(r.checkpoint == Checkpoint.BEFORE.value for r in view.readings):
            prep.record_vitals(self.nurse, visit_id, GOOD_VITALS)
            return Step("vitals.record", visit_id)
        signed = self.consent_step(visit_id)
        if signed is not None:
            return signed
        self.at(visit_id, -5)
        prep.clear_for_infusion(self.nurse, visit_id, expected_version=view.prep_version)
        return Step("prep.clear", visit_id, "prep", view.prep_version)

    def record_transport(self, visit_id: int) -> Step:
        ride = transport_service.transport_for(self.reception, visit_id)
        # Always a real edit: re-saving the same adult at the same instant changes nothing,
        # which would hide (and falsely flag) lost updates in the concurrency test.
        adult = ADULTS[1] if ride.adult_name == ADULTS[0].name else ADULTS[0]
        self.think()
        transport_service.record_transport(
            self.reception, visit_id, adult, PickupPlan.FAMILY_DRIVES, ride.version
        )
        return Step("transport.record", visit_id, "transport", ride.version)

    def consent_step(self, visit_id: int) -> Step | None:
        """Sign the consent on screen when the patient has none for this treatment."""
        view = booking.get_visit(self.reception, visit_id)
        treatment = consent.treatment_for_visit_type(view.visit_type.value)
        assert treatment is not None
        if consent.consent_status_for(self.reception, view.patient_id, treatment).state is (
            ConsentState.VALID
        ):
            return None
        return self.sign_consent(view.patient_id, treatment)

    def sign_consent(self, patient_id: int, treatment: TreatmentType) -> Step:
        draft = consent.prepare_consent(self.reception, patient_id, treatment, "en")
        self.think()
        doc = consent.sign_on_screen(
            self.reception, patient_id, treatment, draft.template.id,
            signature_png(patient_id), signature_png(patient_id + 1),
        )
        return Step("consent.sign", doc.id)

    def start_infusion(self, visit_id: int) -> Step:
        if self.rng.random() < 0.15:
            self.at(visit_id, -3)
            prep_version = prep.readiness(self.nurse, visit_id).prep_version
            self.think()
            prep.hold(self.nurse, visit_id, "Blood pressure rose; re-check in ten minutes",
                      prep_version)
            return Step("prep.hold", visit_id, "prep", prep_version)
        self.at(visit_id, 0)
        moved = self.seat(visit_id)
        if moved is not None:
            return moved  # the start is the next step
        needed = self.order(visit_id) or self.stock_up()
        if needed is not None:
            return needed
        version = booking.get_visit(self.nurse, visit_id).version
        lot = max(stock.lots(self.nurse), key=lambda view: view.sealed_vials)
        self.think()
        administration.start_with_vial(
            self.nurse, visit_id, lot.id, "Left antecubital", 22, version
        )
        return Step("visit.infusion_start", visit_id, "visit", version)

    def seat(self, visit_id: int) -> Step | None:
        """Move the patient to a free chair when their booked one is still occupied."""
        view = booking.get_visit(self.nurse, visit_id)
        board = nurse_board.nurse_board(self.nurse, view.start.date())
        busy = (VisitState.INFUSING, VisitState.RECOVERY)
        taken = {c.chair for c in board.chairs if c.status in busy and c.visit_id != visit_id}
        if view.chair not in taken:
            return None
        free = next(c.chair for c in board.chairs if c.visit_id is None)
        self.think()
        infusion.move_chair(self.nurse, visit_id, free, view.version)
        return Step("visit.move_chair", visit_id, "visit", view.version)

    # --- the drug: order, stock, administration, waste ----------------------------------

    def order(self, visit_id: int) -> Step | None:
        """The clinician's order, when the visit has none yet."""
        if orders.current_order(self.nurse, visit_id) is not None:
            return None
        orders.record_order(
            self.clinician, visit_id, drug="Ketamine", mg_per_kg="0.5",
            weight_kg=str(self.rng.randint(55, 110)), duration_min=40,
        )
        return Step("order.record", visit_id)

    def stock_up(self) -> Step | None:
        """Receive vials (nurse and witness) when the shelf runs low."""
        if sum(view.sealed_vials for view in stock.lots(self.nurse)) >= 10:
            return None
        lot = stock.receive(
            self.nurse, drug="Ketamine", lot_number="W-2031",
            expiry=BASE_DAY + timedelta(days=700), concentration_mg_per_ml="50", vial_ml="2",
            vials=20, supplier="Hikma", invoice=f"INV-{self.rng.randint(1000, 9999)}",
            witness=Cosigner("walt", PASSWORD),
        )
        return Step("stock.receipt", lot.id)

    def has_drug_record(self, visit_id: int) -> bool:
        with self.nurse.read() as session:
            return session.get(Administration, visit_id) is not None

    def end(self, visit_id: int, version: int) -> None:
        """End the infusion; with a vial, the amount given is part of the same action."""
        if not self.has_drug_record(visit_id):
            infusion.end_infusion(self.nurse, visit_id, version)
            return
        order = orders.current_order(self.nurse, visit_id)
        assert order is not None
        given = order.dose_ug - self.rng.choice([0, 0, 500, 2500])
        administration.end_with_amount(self.nurse, visit_id, str(Decimal(given) / 1000), version)

    def waste(self, visit_id: int) -> Step | None:
        """The witnessed waste of what the opened vials still held, once."""
        with self.nurse.read() as session:
            record = session.get(Administration, visit_id)
            pending = record is not None and record.waste_at is None
        if not pending:
            return None
        self.think()
        administration.witness_waste(
            self.nurse, visit_id, "Rx Destroyer", Cosigner("walt", PASSWORD)
        )
        return Step("stock.waste", visit_id)

    def readings(self, visit_id: int) -> list[str]:
        with self.nurse.read() as session:
            return list(session.scalars(
                select(VitalsReading.checkpoint).where(VitalsReading.visit_id == visit_id)
            ))

    def infuse(self, visit_id: int) -> Step:
        taken = self.readings(visit_id)
        if Checkpoint.MID_INFUSION.value not in taken:
            self.at(visit_id, 40)
            self.think()
            prep.record_vitals(self.nurse, visit_id, GOOD_VITALS)
            return Step("vitals.record", visit_id)
        if self.rng.random() < 0.3:
            self.at(visit_id, 50)
            self.think()
            infusion.record_side_effect(
                self.nurse, visit_id, infusion.SideEffectKind.NAUSEA, "Mild; settled with rest"
            )
            return Step("side_effect.record", visit_id)
        if self.rng.random() < 0.4 and self.has_drug_record(visit_id):
            self.at(visit_id, 60)
            administration.change_rate(self.nurse, visit_id, RateEvent.RATE, "Nausea", "2.5")
            return Step("administration.rate", visit_id)
        self.at(visit_id, 100)
        version = booking.get_visit(self.nurse, visit_id).version
        self.think()
        self.end(visit_id, version)
        return Step("visit.infusion_end", visit_id, "visit", version)

    def recover(self, visit_id: int) -> Step:
        self.at(visit_id, 101)
        wasted = self.waste(visit_id)
        if wasted is not None:
            return wasted
        if Checkpoint.END.value not in self.readings(visit_id):
            self.at(visit_id, 101)
            self.think()
            prep.record_vitals(self.nurse, visit_id, GOOD_VITALS)
            return Step("vitals.record", visit_id)
        self.at(visit_id, 140)
        with self.nurse.read() as session:
            adult = session.get(Transport, visit_id)
            name = adult.adult_name if adult else ""
        version = booking.get_visit(self.nurse, visit_id).version
        self.think()
        infusion.discharge(
            self.nurse, visit_id, dissociation_resolved=True, end_vitals_acceptable=True,
            instructions_given=True, collected_by_name=name, expected_version=version,
        )
        return Step("visit.discharge", visit_id, "visit", version)

    def close_early(self, visit_id: int) -> Step:
        """Cancel a scheduled visit, or close it as a no-show."""
        self.at(visit_id, -60)
        view = booking.get_visit(self.reception, visit_id)
        self.think()
        if self.rng.random() < 0.5:
            visits.cancel_visit(
                self.reception, visit_id, VisitReason("patient_unwell"),
                expected_version=view.version,
            )
            return Step("visit.cancel", visit_id, "visit", view.version)
        visits.mark_no_show(
            self.reception, visit_id, VisitReason("did_not_arrive"), expected_version=view.version
        )
        return Step("visit.no_show", visit_id, "visit", view.version)

    # --- admin work ---------------------------------------------------------------

    def change_settings(self) -> Step:
        info = settings.clinic_info(self.admin)
        settings.update_clinic(
            self.admin, expected_version=info.version, name=info.name, address=info.address,
            phone=info.phone, costs_text=f"Infusion fee {self.rng.randint(300, 600)} USD",
            policy=info.policy, break_glass_enabled=info.break_glass_enabled,
        )
        return Step("clinic.update", 1)

    def toggle_spare_roles(self) -> Step:
        spare = next(s for s in staff.list_staff(self.admin) if s.username == "sam")
        roles = frozenset({Role.RECEPTIONIST})
        if spare.roles == roles:
            roles = frozenset({Role.RECEPTIONIST, Role.NURSE})
        staff.set_roles(self.admin, "sam", roles, spare.version)
        return Step("staff.set_roles", spare.id)
