"""A clinic's controlled-substance day through the services: people, a lot, an order, a visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desk.domain.roles import Role
from desk.services import orders, prep, stock
from desk.services.context import Desk
from desk.services.orders import Cosigner
from tests.helpers.fixtures import STAFF_PASSWORD, add_person
from tests.services.nurse_rows import add_visit, confirm_everything


@dataclass(frozen=True)
class Team:
    nurse: Desk  # nina
    witness: Desk  # walt, a second nurse
    clinician: Desk  # cleo
    second_clinician: Desk  # dora


def team(admin_desk: Desk) -> Team:
    def person(name: str, role: Role) -> Desk:
        return admin_desk.as_actor(add_person(admin_desk, name, role))

    return Team(
        person("nina", Role.NURSE), person("walt", Role.NURSE),
        person("cleo", Role.CLINICIAN), person("dora", Role.CLINICIAN),
    )  # fmt: skip


def sign(username: str, password: str = STAFF_PASSWORD) -> Cosigner:
    return Cosigner(username, password)


def receive_lot(desk: Desk, vials: int = 10, lot: str = "KX2291", mg_per_ml: str = "50",
                vial_ml: str = "1", witness: str = "walt") -> stock.LotView:  # fmt: skip
    return stock.receive(
        desk, drug="Ketamine", lot_number=lot, expiry=date(2028, 6, 30),
        concentration_mg_per_ml=mg_per_ml, vial_ml=vial_ml, vials=vials,
        supplier="Hikma Pharmaceuticals", invoice="INV-7781", witness=sign(witness),
    )  # fmt: skip


def ordered_cleared_visit(admin_desk: Desk, t: Team, mg_per_kg: str = "0.5",
                          weight: str = "70", minutes: int = 40) -> int:  # fmt: skip
    visit_id = add_visit(admin_desk, start_in_minutes=0)
    orders.record_order(t.clinician, visit_id, drug="Ketamine", mg_per_kg=mg_per_kg,
                        weight_kg=weight, duration_min=minutes)  # fmt: skip
    view = confirm_everything(t.nurse, visit_id)
    prep.clear_for_infusion(t.nurse, visit_id, expected_version=view.prep_version)
    return visit_id
