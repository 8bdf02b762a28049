"""Who may call which service: every public service function against every role.

The table below names every public function in ``desk.services`` that takes ``desk: Desk``
first, with the roles allowed to call it and how many audit entries one successful call
writes. The test discovers the functions itself, so a new service without a table entry
(or an entry for a removed one) fails here until someone decides who may use it.

Each function is called as a receptionist, a nurse, an admin and with nobody signed in
(a locked or signed-out desk), with valid arguments: where the table refuses a role the
call must raise NotPermitted and change nothing; where it allows one the call must
succeed and move the audit trail by exactly the table's count (one entry per change).
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

import desk.services
from desk.domain.booking import VisitType
from desk.domain.consent import TreatmentType
from desk.domain.errors import DeskError, NotPermitted, PrepNotReady, ValidationError
from desk.domain.instruments import Language
from desk.domain.ledger import Movement
from desk.domain.patients import PatientDraft
from desk.domain.roles import Role
from desk.domain.series import SeriesKind
from desk.domain.transport import PickupPlan
from desk.domain.vitals import Checkpoint
from desk.services import (
    administration,
    audit,
    auth,
    board,
    booking,
    call_list,
    candidacy,
    checkin,
    consent,
    consent_files,
    cs_log,
    day_close,
    demo,
    handouts,
    infusion,
    integrity,
    nurse_board,
    orders,
    outcome_trends,
    outcomes,
    patients,
    prep,
    progress_letters,
    search,
    settings,
    setup,
    staff,
    stock,
    transport,
    visits,
)
from desk.services.administration import Dissociation, RateEvent
from desk.services.booking import SeriesSlot
from desk.services.context import Desk
from desk.services.database import open_database
from desk.services.orders import Cosigner
from desk.services.visits import VisitReason
from tests.helpers import clinic_flow
from tests.helpers.clinic_flow import ADULTS, GOOD_VITALS, PASSWORD, Flow

R, N, A, C = Role.RECEPTIONIST, Role.NURSE, Role.ADMIN, Role.CLINICIAN
ANY = frozenset({R, N, A})
STOCK = frozenset({N, C})  # receiving and removing: nurses and clinicians, with a witness
LOGS = frozenset({N, C, A})  # the ledger and its printouts
WITNESS = Cosigner("walt", PASSWORD)
MOOD = TreatmentType.MOOD_SERIES
Call = Callable[[Desk], object]


class World:
    """A clinic with visits in every state, made on demand through the services."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder
        self.flow = Flow(engine, "matrix", random.Random(7))
        self.flow.rng = _NeverRandom()  # no holds or side effects while walking visits
        self.numbers = itertools.count(1)
        base = self.flow.nurse.as_actor(None)
        self.desks: dict[Role | None, Desk] = {
            R: self.flow.reception, N: self.flow.nurse, A: self.flow.admin, None: base,
        }

    # --- patients and visits -----------------------------------------------------

    def index(self) -> int:
        """A fresh slot number, later than any before it (so never in the clock's past)."""
        return 10 * next(self.numbers)

    def patient(self, index: int | None = None) -> int:
        """A registered, screened patient; the clock stands a few days before ``index``."""
        patient = self.flow.register(self.index() if index is None else index).entity_id
        self.flow.screen(patient)
        return patient

    def visit(self) -> int:
        """A scheduled visit; the clock stands before it."""
        index = self.index()
        return self.flow.book(self.patient(index), index).entity_id

    def arrived(self) -> int:
        visit = self.visit()
        self.flow.check_in(visit)
        self.flow.at(visit, -10)
        return visit

    def prepared(self) -> int:
        """Arrived with every prep item confirmed and consent signed; clock just before."""
        visit = self.arrived()
        while True:
            view = prep.readiness(self.flow.nurse, visit)
            if all(i.status.value == "ok" for i in view.items):
                break
            step = self.flow.prepare(visit)
            assert step.action != "prep.clear"
        self.flow.at(visit, -5)
        return visit

    def advanced_to(self, status: str) -> int:
        visit = self.prepared()
        while booking.get_visit(self.flow.nurse, visit).status.value != status:
            self.flow.advance(visit)
        return visit

    def consent_uid(self) -> str:
        patient = self.patient()
        self.flow.sign_consent(patient, MOOD)
        return consent.documents_for_patient(self.flow.nurse, patient)[0].document_uid

    def template_id(self) -> int:
        return consent.list_templates(self.flow.admin)[0].id

    def template_file(self) -> Path:
        shipped = consent.template_text(self.flow.admin, self.template_id())
        path = self.folder / f"template-{next(self.numbers)}.txt"
        path.write_text(shipped.replace("version: 1.0", f"version: 1.{next(self.numbers)}"),
                        encoding="utf-8")
        return path

    def staff_member(self) -> str:
        name = f"temp{next(self.numbers)}"
        staff.add_staff(self.flow.admin, name, "Temp Person", frozenset({R}), PASSWORD)
        return name

    def a_day(self) -> date:
        return clinic_flow.BASE_DAY

    def lot(self) -> int:
        """A lot with sealed vials on the shelf."""
        self.flow.stock_up()
        return max(stock.lots(self.flow.nurse), key=lambda view: view.sealed_vials).id


class _NeverRandom(random.Random):
    def random(self) -> float:
        return 0.99


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] | None  # None: callable without signing in (see ``why``)
    make: Callable[[World], Call]
    audits: int = 0  # audit entries one successful call writes
    why: str = ""
    refusal: type[DeskError] | None = None  # allowed, but this world makes it say no


def read(roles: frozenset[Role] | None, make: Callable[[World], Call], why: str = "") -> Rule:
    return Rule(roles, make, 0, why)


def write(roles: frozenset[Role], make: Callable[[World], Call], audits: int = 1) -> Rule:
    return Rule(roles, make, audits)


def _draft(w: World, patient_id: int) -> PatientDraft:
    view = patients.get_patient(w.flow.admin, patient_id)
    return PatientDraft(
        legal_first_name=view.legal_first_name, legal_last_name=view.legal_last_name,
        dob=view.dob, phones=view.phones, emergency_contact_name=view.emergency_contact_name,
        emergency_contact_phone=view.emergency_contact_phone,
        notes=f"Prefers the window chair {next(w.numbers)}",
    )


def _new_draft(w: World) -> PatientDraft:
    n = next(w.numbers)
    return PatientDraft(legal_first_name=f"Matrix{n}", legal_last_name="Person",
                        dob=date(1985, 1, 1) + timedelta(days=n), phones=("+12015550177",))


def _series(w: World) -> Call:
    patient = w.patient()
    start = clinic_flow.BASE_DAY + timedelta(days=400 + 30 * next(w.numbers))
    proposal = booking.propose_series(w.flow.reception, patient, SeriesKind.MOOD, start, time(9))
    slots = [SeriesSlot(s.start, s.chair) for s in proposal.slots]
    return lambda d: booking.book_series(d, patient, SeriesKind.MOOD, slots)


def _with_version(w: World, visit: int, call: Callable[[Desk, int], object]) -> Call:
    version = booking.get_visit(w.flow.admin, visit).version
    return lambda d: call(d, version)


def _reschedule(w: World) -> Call:
    visit = w.visit()
    start, chair = clinic_flow.slot(w.index())
    return _with_version(w, visit, lambda d, v: visits.reschedule_visit(
        d, visit, start, chair, VisitReason("patient_request"), expected_version=v))


def _no_show(w: World) -> Call:
    visit = w.visit()
    w.flow.at(visit, 10)  # a no-show only once the visit's day has come
    return _with_version(w, visit, lambda d, v: visits.mark_no_show(
        d, visit, VisitReason("did_not_arrive"), expected_version=v))


def _reinstate(w: World) -> Call:
    visit = w.visit()
    view = booking.get_visit(w.flow.admin, visit)
    visits.cancel_visit(w.flow.admin, visit, VisitReason("clinic"), expected_version=view.version)
    return _with_version(w, visit, lambda d, v: visits.reinstate_visit(
        d, visit, VisitReason("in_error"), expected_version=v))


def _check_in(w: World) -> Call:
    visit = w.visit()
    w.flow.at(visit, -20)
    view = booking.get_visit(w.flow.admin, visit)
    dob = patients.get_patient(w.flow.admin, view.patient_id).dob
    return lambda d: checkin.check_in(d, visit, dob_confirmed=dob, contact_confirmed=True,
                                      expected_version=view.version)


def _candidacy(w: World) -> Call:
    patient = w.patient()
    view = candidacy.get_candidacy(w.flow.admin, patient)
    changed = replace(view.candidacy, provider_practice=f"Harbour Practice {next(w.numbers)}")
    return lambda d: candidacy.update_candidacy(d, patient, changed,
                                                history_reviewed_on=view.history_reviewed_on,
                                                expected_version=view.version)


def _intake(w: World) -> Call:
    visit = w.arrived()
    now = w.flow.clock.now
    return lambda d: prep.record_intake(d, visit, now - timedelta(hours=6),
                                        now - timedelta(hours=3), True, 0)


def _transport(w: World) -> Call:
    visit = w.arrived()
    return lambda d: transport.record_transport(d, visit, ADULTS[0], PickupPlan.FAMILY_DRIVES, 0)


def _confirm_ride(w: World) -> Call:
    visit = w.arrived()
    ride = transport.record_transport(w.flow.nurse, visit, ADULTS[0], PickupPlan.FAMILY_DRIVES, 0)
    return lambda d: transport.confirm_by_phone(d, visit, ride.version)


def _clear(w: World) -> Call:
    visit = w.prepared()
    version = prep.readiness(w.flow.nurse, visit).prep_version
    return lambda d: prep.clear_for_infusion(d, visit, expected_version=version)


def _start(w: World) -> Call:
    visit = w.advanced_to("prep_cleared")
    w.flow.order(visit)  # no order is a hard stop
    w.lot()  # with stock on the desk, the start must name its vial (start_with_vial)
    w.flow.at(visit, 0)
    w.flow.seat(visit)
    return _with_version(w, visit, lambda d, v: infusion.start_infusion(d, visit, v))


def _end(w: World) -> Call:
    visit = w.advanced_to("infusing")
    w.flow.infuse(visit)  # the mid-infusion vitals
    w.flow.at(visit, 100)
    return _with_version(w, visit, lambda d, v: infusion.end_infusion(d, visit, v))


def _side_effect(w: World) -> Call:
    visit = w.advanced_to("infusing")
    w.flow.at(visit, 50)
    return lambda d: infusion.record_side_effect(d, visit, infusion.SideEffectKind.NAUSEA)


def _discharge(w: World) -> Call:
    visit = w.advanced_to("recovery")
    w.flow.waste(visit)  # the witnessed waste of the opened vial
    w.flow.recover(visit)  # the end vitals
    w.flow.at(visit, 140)
    return _with_version(w, visit, lambda d, v: infusion.discharge(
        d, visit, dissociation_resolved=True, end_vitals_acceptable=True,
        instructions_given=True, collected_by_name=ADULTS[0].name, expected_version=v))


def _move_chair(w: World) -> Call:
    visit = w.arrived()
    # Its own chair: other visits of this world may be seated in any other one.
    chair = infusion.infusion_view(w.flow.nurse, visit).chair
    return lambda d: infusion.move_chair(d, visit, chair)


def _receive(d: Desk) -> object:
    return stock.receive(
        d, drug="Ketamine", lot_number="M-1", expiry=clinic_flow.BASE_DAY + timedelta(days=700),
        concentration_mg_per_ml="50", vial_ml="2", vials=5, supplier="Hikma", invoice="INV-1",
        witness=WITNESS,
    )


def _start_with_vial(w: World) -> Call:
    visit = w.advanced_to("prep_cleared")
    w.flow.order(visit)
    lot = w.lot()
    w.flow.at(visit, 0)
    return _with_version(w, visit, lambda d, v: administration.start_with_vial(
        d, visit, lot, "Left antecubital", 22, v))


def _plan(w: World) -> Call:
    visit = w.arrived()
    w.flow.order(visit)
    lot = w.lot()
    return lambda d: administration.plan_draw(d, visit, lot)


def _end_with_amount(w: World) -> Call:
    visit = w.advanced_to("infusing")
    w.flow.infuse(visit)  # the mid-infusion vitals
    w.flow.at(visit, 100)
    return _with_version(w, visit, lambda d, v: administration.end_with_amount(d, visit, "30", v))


def _close_day(w: World, day: date | None = None) -> Call:
    """Closing a day not closed before, every lot counted as the ledger expects."""
    day = day or w.a_day() + timedelta(days=next(w.numbers))
    lots = day_close.day_to_close(w.flow.nurse, day).lots
    counts = {lot.lot_id: lot.expected_vials for lot in lots}
    return lambda d: day_close.close_day(d, day, counts, {}, WITNESS)


def _closed_day(w: World) -> date:
    day = w.a_day() + timedelta(days=next(w.numbers))
    _close_day(w, day)(w.flow.nurse)
    return day


def _paper(w: World) -> Call:
    printed = consent.print_paper_form(w.flow.reception, w.patient(), MOOD, w.template_id())
    return lambda d: consent.record_paper_signature(d, printed, w.flow.clock.now)


def _sign(w: World) -> Call:
    patient = w.patient()
    png = clinic_flow.signature_png(3)
    return lambda d: consent.sign_on_screen(d, patient, MOOD, w.template_id(), png, png)


def _roles(w: World) -> Call:
    name = w.staff_member()
    version = next(s.version for s in staff.list_staff(w.flow.admin) if s.username == name)
    return lambda d: staff.set_roles(d, name, frozenset({R, N}), version)


def _settings(w: World) -> Call:
    info = settings.clinic_info(w.flow.admin)
    costs = f"Infusion fee {next(w.numbers)} USD"
    return lambda d: settings.update_clinic(
        d, expected_version=info.version, name=info.name, address=info.address,
        phone=info.phone, costs_text=costs, policy=info.policy,
        break_glass_enabled=info.break_glass_enabled)


def _own_password(d: Desk) -> object:
    secret = clinic_flow.ADMIN_PASSWORD if d.actor and d.actor.username == "admin" else PASSWORD
    staff.change_own_password(d, secret, secret)
    return None


def _confirm_password(d: Desk) -> object:
    secret = clinic_flow.ADMIN_PASSWORD if d.actor and d.actor.username == "admin" else PASSWORD
    return auth.confirm_password(d, secret)


def _answers(w: World) -> Call:
    visit = w.arrived()
    return lambda d: outcomes.record_answers(d, visit, "gad7", [1, 0, 0, 0, 0, 0, 0],
                                             language=Language.EN, method="kiosk")


def _positive_phq9(w: World) -> int:
    visit = w.arrived()
    outcomes.record_answers(w.flow.reception, visit, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1],
                            language=Language.EN, method="kiosk")  # fmt: skip
    return visit


def _booked_series(w: World) -> int:
    series = _series(w)(w.flow.reception)
    assert isinstance(series, list) and series[0].series_id is not None
    return int(series[0].series_id)


def _pdf_file(w: World) -> Path:
    path = w.folder / f"consent-{next(w.numbers)}.pdf"
    path.write_bytes(consent.document_pdf(w.flow.admin, w.consent_uid()))
    return path


TABLE: dict[str, Rule] = {
    # --- audit trail: admins only, except the two numbers that reveal nothing ---------
    "audit.actions": read(frozenset({A}), lambda w: audit.actions),
    "audit.browse": read(frozenset({A}), lambda w: lambda d: audit.browse(d, audit.AuditFilter())),
    "audit.change_counter": read(None, lambda w: audit.change_counter,
                                 "a bare number the boards poll; reveals no record"),
    "audit.verify": read(None, lambda w: audit.verify,
                         "checks the hash chain for 'desk audit verify'; returns a count and "
                         "the first broken entry number, no content"),
    "integrity.verify_database": read(None, lambda w: integrity.verify_database,
                                      "the operator's 'desk verify': counts, entry numbers and "
                                      "consent document ids, never a record's content"),
    # --- signing in ---------------------------------------------------------------------
    "auth.sign_in": Rule(None, lambda w: lambda d: auth.sign_in(d, "nina", PASSWORD), 1,
                         "signing in is how a locked or empty desk gets an actor"),
    "auth.confirm_password": write(ANY, lambda w: _confirm_password),
    "auth.demo_sign_in_hint": read(None, lambda w: auth.demo_sign_in_hint,
                                   "tells a signed-out desk the demo's made-up accounts; "
                                   "empty for a real clinic"),
    # --- boards and visits --------------------------------------------------------------
    "board.day_board": read(ANY, lambda w: lambda d: board.day_board(d, w.a_day())),
    "nurse_board.nurse_board": read(ANY, lambda w: lambda d: nurse_board.nurse_board(
        d, w.a_day())),
    "booking.get_visit": read(ANY, lambda w: (lambda v: lambda d: booking.get_visit(d, v))(
        w.visit())),
    "booking.book_visit": write(frozenset({R, A}), lambda w: (
        lambda i: (lambda p, s: lambda d: booking.book_visit(
            d, p, VisitType.MOOD_INFUSION, s[0], s[1]))(w.patient(i), clinic_flow.slot(i)))(
        w.index())),
    "booking.propose_series": read(frozenset({R, A}), lambda w: (
        lambda p: lambda d: booking.propose_series(
            d, p, SeriesKind.MOOD, clinic_flow.BASE_DAY + timedelta(days=200), time(9)))(
        w.patient())),
    "booking.series_problems": read(frozenset({R, A}), lambda w: (
        lambda p: lambda d: booking.series_problems(d, p, SeriesKind.MOOD, [
            SeriesSlot(datetime.combine(clinic_flow.BASE_DAY + timedelta(days=300), time(9)),
                       "Chair 1")]))(w.patient())),
    "booking.book_series": write(frozenset({R, A}), _series),
    "visits.cancel_visit": write(frozenset({R, A}), lambda w: (lambda v: _with_version(
        w, v, lambda d, ver: visits.cancel_visit(d, v, VisitReason("patient_unwell"),
                                                  expected_version=ver)))(w.visit())),
    "visits.mark_no_show": write(ANY, _no_show),
    "visits.reinstate_visit": write(frozenset({R, A}), _reinstate),
    "visits.reschedule_visit": write(frozenset({R, A}), _reschedule),
    "call_list.call_list": read(ANY, lambda w: lambda d: call_list.call_list(d, w.a_day())),
    "call_list.call_list_pdf": Rule(ANY, lambda w: lambda d: call_list.call_list_pdf(
        d, w.a_day()), 1),
    # The ride tick is the way home's confirmation: transport.confirm_by_phone's row.
    "call_list.record_call": write(ANY, lambda w: (lambda v: _with_version(
        w, v, lambda d, ver: call_list.record_call(d, v, ride_confirmed=False,
                                                   prep_explained=True,
                                                   expected_version=ver)))(w.visit())),
    "checkin.check_in_sheet": read(ANY, lambda w: (
        lambda v: lambda d: checkin.check_in_sheet(d, v))(w.visit())),
    "checkin.check_in": write(ANY, _check_in),
    # --- patients -----------------------------------------------------------------------
    "patients.get_patient": read(ANY, lambda w: (
        lambda p: lambda d: patients.get_patient(d, p))(w.patient())),
    "patients.register_patient": write(ANY, lambda w: (
        lambda draft: lambda d: patients.register_patient(d, draft, confirm_not_duplicate=True))(
        _new_draft(w))),
    "patients.update_patient": write(ANY, lambda w: (
        lambda p: (lambda draft, v: lambda d: patients.update_patient(d, p, draft, v))(
            _draft(w, p), patients.get_patient(w.flow.admin, p).version))(w.patient())),
    "search.search": read(ANY, lambda w: lambda d: search.search(d, "Writer")),
    "search.search_patients": read(ANY, lambda w: lambda d: search.search_patients(d, "Crash")),
    "candidacy.get_candidacy": read(ANY, lambda w: (
        lambda p: lambda d: candidacy.get_candidacy(d, p))(w.patient())),
    "candidacy.candidacy_status": read(ANY, lambda w: (
        lambda p: lambda d: candidacy.candidacy_status(d, p))(w.patient())),
    "candidacy.update_candidacy": write(ANY, _candidacy),
    # --- nurse station: the nurse's alone ------------------------------------------------
    "prep.readiness": read(ANY, lambda w: (lambda v: lambda d: prep.readiness(d, v))(
        w.arrived())),
    "prep.record_intake": write(frozenset({N}), _intake),
    "prep.confirm_clothing": write(frozenset({N}), lambda w: (
        lambda v: lambda d: prep.confirm_clothing(d, v, True, 0))(w.arrived())),
    "prep.record_vitals": write(frozenset({N}), lambda w: (
        lambda v: lambda d: prep.record_vitals(d, v, GOOD_VITALS, Checkpoint.BEFORE))(
        w.arrived())),
    "prep.hold": write(frozenset({N}), lambda w: (
        lambda v: lambda d: prep.hold(d, v, "Blood pressure high; re-check"))(w.arrived())),
    "prep.clear_for_infusion": write(frozenset({N}), _clear),
    "infusion.infusion_view": read(ANY, lambda w: (
        lambda v: lambda d: infusion.infusion_view(d, v))(w.arrived())),
    "infusion.start_infusion": Rule(frozenset({N}), _start, 0,
                                    refusal=PrepNotReady),
    "infusion.record_side_effect": write(frozenset({N}), _side_effect),
    "infusion.end_infusion": write(frozenset({N}), _end),
    "infusion.discharge": write(frozenset({N}), _discharge),
    "infusion.move_chair": write(frozenset({N}), _move_chair),
    "transport.transport_for": read(ANY, lambda w: (
        lambda v: lambda d: transport.transport_for(d, v))(w.arrived())),
    "transport.record_transport": write(frozenset({R, N}), _transport),
    "transport.confirm_by_phone": write(frozenset({R, N}), _confirm_ride),
    "handouts.prep_instructions_pdf": read(ANY, lambda w: (
        lambda p: lambda d: handouts.prep_instructions_pdf(d, p))(w.patient())),
    "handouts.discharge_instructions_pdf": read(ANY, lambda w: (
        lambda v: lambda d: handouts.discharge_instructions_pdf(d, v))(w.arrived())),
    # --- outcomes: anyone hands over the kiosk; only a clinician assesses or signs ------
    # (this world has no clinician: every role here is refused; the clinician's side is
    # tests/services/test_outcomes_service.py and test_progress_letters.py)
    "outcomes.visit_questionnaires": read(ANY, lambda w: (
        lambda v: lambda d: outcomes.visit_questionnaires(d, v))(w.arrived())),
    "outcomes.record_answers": write(ANY, _answers),
    "outcomes.safety_alert": read(ANY, lambda w: (
        lambda v: lambda d: outcomes.safety_alert(d, v))(_positive_phq9(w))),
    "outcomes.record_safety_assessment": write(frozenset(), lambda w: (
        lambda v: lambda d: outcomes.record_safety_assessment(
            d, v, risk="low", action="Safety plan", told="Referring provider"))(
        _positive_phq9(w))),
    "outcome_trends.patient_outcomes": read(ANY, lambda w: (
        lambda p: lambda d: outcome_trends.patient_outcomes(d, p))(w.patient())),
    "progress_letters.letters_due": read(ANY, lambda w: progress_letters.letters_due),
    "progress_letters.letter_draft": read(ANY, lambda w: (
        lambda s: lambda d: progress_letters.letter_draft(d, s))(_booked_series(w))),
    "progress_letters.sign_progress_letter": write(frozenset(), lambda w: (
        lambda s: lambda d: progress_letters.sign_progress_letter(d, s, "Maintenance"))(
        _booked_series(w))),
    # --- consent ------------------------------------------------------------------------
    "consent.list_templates": read(ANY, lambda w: consent.list_templates),
    "consent.template_languages": read(ANY, lambda w: lambda d: consent.template_languages(
        d, MOOD)),
    "consent.template_text": read(ANY, lambda w: (
        lambda t: lambda d: consent.template_text(d, t))(w.template_id())),
    "consent.preview_stored_template": read(ANY, lambda w: (
        lambda t: lambda d: consent.preview_stored_template(d, t))(w.template_id())),
    "consent.ensure_shipped_templates": read(
        None, lambda w: consent.ensure_shipped_templates,
        "imports only the templates shipped inside the application, idempotently, as "
        "'system'; every desk runs it at start, before anyone signs in"),
    "consent.import_template": write(frozenset({A}), lambda w: (
        lambda path: lambda d: consent.import_template(d, path))(w.template_file())),
    "consent.prepare_consent": read(ANY, lambda w: (
        lambda p: lambda d: consent.prepare_consent(d, p, MOOD, "en"))(w.patient())),
    "consent.sign_on_screen": write(ANY, _sign),
    "consent.print_paper_form": read(ANY, lambda w: (
        lambda p, t: lambda d: consent.print_paper_form(d, p, MOOD, t))(
        w.patient(), w.template_id())),
    "consent.record_paper_signature": write(ANY, _paper),
    "consent.documents_for_patient": read(ANY, lambda w: (
        lambda p: lambda d: consent.documents_for_patient(d, p))(w.patient())),
    "consent.consent_overview": read(ANY, lambda w: (
        lambda p: lambda d: consent.consent_overview(d, p))(w.patient())),
    "consent.consent_status_for": read(ANY, lambda w: (
        lambda p: lambda d: consent.consent_status_for(d, p, MOOD))(w.patient())),
    "consent.document_pdf": read(ANY, lambda w: (
        lambda uid: lambda d: consent.document_pdf(d, uid))(w.consent_uid())),
    # A reprint discloses the document again: one audit entry, though nothing changes.
    "consent.reprint": write(ANY, lambda w: (
        lambda uid: lambda d: consent.reprint(d, uid))(w.consent_uid())),
    "consent.withdraw": write(ANY, lambda w: (
        lambda uid: lambda d: consent.withdraw(d, uid, "Patient changed their mind"))(
        w.consent_uid())),
    "consent.verify_bytes": read(ANY, lambda w: (
        lambda uid: lambda d: consent.verify_bytes(d, consent.document_pdf(w.flow.admin, uid)))(
        w.consent_uid())),
    "consent.verify_file": read(ANY, lambda w: (
        lambda path: lambda d: consent.verify_file(d, path))(_pdf_file(w))),
    "consent_files.verify_file": read(ANY, lambda w: (
        lambda path: lambda d: consent_files.verify_file(d, path))(_pdf_file(w))),
    # --- clinic administration: admins only ----------------------------------------------
    "settings.clinic_info": read(None, lambda w: settings.clinic_info,
                                 "the clinic's name and address for the sign-in window and "
                                 "printouts; no patient or staff data"),
    "settings.update_clinic": write(frozenset({A}), _settings),
    "settings.setting_values": read(frozenset({A}), lambda w: settings.setting_values),
    "settings.set_setting": write(frozenset({A}), lambda w: lambda d: settings.set_setting(
        d, "lockout_minutes", str(10 + w.index() % 50))),
    "setup.initialise": Rule(None, lambda w: lambda d: setup.initialise(
        d, clinic_name="Second", admin_username="boss", admin_full_name="Boss",
        admin_password=PASSWORD), 0,
        "the first-run wizard creates the first account, so nobody can be signed in; it "
        "refuses once a clinic exists (as here)", ValidationError),
    "staff.list_staff": read(frozenset({A}), lambda w: staff.list_staff),
    "staff.add_staff": write(frozenset({A}), lambda w: (
        lambda n: lambda d: staff.add_staff(d, n, "New Person", frozenset({R}), PASSWORD))(
        f"new{next(w.numbers)}")),
    "staff.set_disabled": write(frozenset({A}), lambda w: (
        lambda n: lambda d: staff.set_disabled(d, n, True))(w.staff_member())),
    "staff.reset_password": write(frozenset({A}), lambda w: (
        lambda n: lambda d: staff.reset_password(d, n, "brand-new-password"))(w.staff_member())),
    "staff.set_roles": write(frozenset({A}), _roles),
    "staff.unlock": write(frozenset({A}), lambda w: (
        lambda n: lambda d: staff.unlock(d, n))(w.staff_member())),
    "staff.change_own_password": write(ANY, lambda w: _own_password),
    "demo.load_demo": Rule(frozenset({A}), lambda w: lambda d: demo.load_demo(d, patients=3), 0,
                           "", ValidationError),  # this clinic has patients: demo refused
    # --- orders and the controlled substance: clinicians order, nurses give and count -----
    "orders.record_order": write(frozenset({C}), lambda w: (
        lambda v: lambda d: orders.record_order(d, v, drug="Ketamine", mg_per_kg="0.5",
                                                weight_kg="70", duration_min=40))(w.arrived())),
    "orders.current_order": read(ANY, lambda w: (
        lambda v: lambda d: orders.current_order(d, v))(w.arrived())),
    "stock.receive": write(STOCK, lambda w: _receive),
    "stock.remove": write(STOCK, lambda w: (lambda lot: lambda d: stock.remove(
        d, lot, Movement.EXPIRED, 1, "Label damaged", WITNESS))(w.lot())),
    "stock.lots": read(LOGS, lambda w: stock.lots),
    "stock.movements": read(LOGS, lambda w: (
        lambda lot: lambda d: stock.movements(d, lot))(w.lot())),
    "cs_log.cs_log_pdf": read(LOGS, lambda w: (
        lambda lot: lambda d: cs_log.cs_log_pdf(d, lot, w.a_day(), w.a_day()))(w.lot())),
    "cs_log.inventory_pdf": read(LOGS, lambda w: cs_log.inventory_pdf),
    "administration.plan_draw": read(frozenset({N}), _plan),
    "administration.start_with_vial": write(frozenset({N}), _start_with_vial),
    "administration.change_rate": write(frozenset({N}), lambda w: (
        lambda v: lambda d: administration.change_rate(d, v, RateEvent.RATE, "Nausea", "2.5"))(
        w.advanced_to("infusing"))),
    "administration.end_with_amount": write(frozenset({N}), _end_with_amount),
    "administration.witness_waste": write(frozenset({N}), lambda w: (
        lambda v: lambda d: administration.witness_waste(d, v, "Rx Destroyer", WITNESS))(
        w.advanced_to("recovery"))),
    "administration.record_sedation": write(frozenset({N}), lambda w: (
        lambda v: lambda d: administration.record_sedation(d, v, "before", 5, Dissociation.NONE))(
        w.arrived())),
    "administration.sedation_for": read(ANY, lambda w: (
        lambda v: lambda d: administration.sedation_for(d, v))(w.arrived())),
    "administration.administration_view": read(ANY, lambda w: (
        lambda v: lambda d: administration.administration_view(d, v))(w.advanced_to("infusing"))),
    "day_close.day_to_close": read(frozenset({N}), lambda w: (
        lambda day: lambda d: day_close.day_to_close(d, day))(w.a_day())),
    "day_close.close_day": write(frozenset({N}), _close_day),
    "day_close.stored_report": read(LOGS, lambda w: (
        lambda day: lambda d: day_close.stored_report(d, day))(_closed_day(w))),
}


def discover() -> set[str]:
    """Every public ``desk.services`` function whose first parameter is ``desk: Desk``."""
    found = set()
    for info in pkgutil.iter_modules(desk.services.__path__):
        module = importlib.import_module(f"desk.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters.values())
            if params and params[0].name == "desk" and params[0].annotation in ("Desk", Desk):
                found.add(f"{info.name}.{name}")
    return found


def test_every_service_function_has_a_row_in_the_role_table() -> None:
    found = discover()
    missing = sorted(found - set(TABLE))
    stale = sorted(set(TABLE) - found)
    assert not missing, f"add these services to the role table: {missing}"
    assert not stale, f"these table rows name no service any more: {stale}"
    for name, rule in TABLE.items():
        assert rule.roles is not None or rule.why, f"{name}: say why it needs no role"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("matrix")
    engine = open_database(f"sqlite:///{folder / 'clinic.sqlite3'}")
    with clinic_flow.cheap_password_hashing():
        clinic_flow.create_clinic(engine)
        yield World(engine, folder)
    engine.dispose()


ROLE_NAMES = {R: "receptionist", N: "nurse", A: "admin", None: "nobody signed in"}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TABLE))
def test_role_may_call_the_service_exactly_as_the_table_says(world: World, name: str) -> None:
    rule = TABLE[name]
    allowed = [r for r in (R, N, A, None) if rule.roles is None or r in (rule.roles or ())]
    refused = [r for r in (R, N, A, None) if r not in allowed]
    if refused:
        call = rule.make(world)
        for role in refused:
            before = audit.change_counter(world.desks[A])
            with pytest.raises(NotPermitted):
                call(world.desks[role])
            moved = audit.change_counter(world.desks[A]) - before
            assert moved == 0, f"{name} refused a {ROLE_NAMES[role]} but wrote {moved} entries"
    shared = None if rule.audits else rule.make(world)
    for role in allowed:
        call = shared or rule.make(world)
        before = audit.change_counter(world.desks[A])
        if rule.refusal is not None:
            with pytest.raises(rule.refusal):
                call(world.desks[role])
        else:
            call(world.desks[role])
        moved = audit.change_counter(world.desks[A]) - before
        assert moved == rule.audits, (
            f"{name} as {ROLE_NAMES[role]} wrote {moved} audit entries, expected {rule.audits}"
        )
