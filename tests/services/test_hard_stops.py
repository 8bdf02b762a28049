"""Each hard stop: one nurse is refused; a second clinician's own password passes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.db.models import AuditEntry, Staff, Visit
from desk.domain.errors import NotPermitted
from desk.domain.readiness import PrepItem
from desk.domain.roles import Role
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Vitals
from desk.services import infusion, prep
from desk.services.context import Desk
from desk.services.cosign import Cosignature
from tests.helpers.fixtures import STAFF_PASSWORD, FakeClock, add_person
from tests.services.nurse_rows import (
    GOOD_VITALS,
    add_visit,
    confirm_everything,
    nurse_and_receptionist,
)

Attempt = Callable[[Cosignature | None], object]


def _clearance(admin_desk: Desk, nurse: Desk, item: PrepItem, **visit: object) -> Attempt:
    visit_id = add_visit(admin_desk, **visit)  # type: ignore[arg-type]
    view = confirm_everything(nurse, visit_id)
    if item is PrepItem.VITALS:
        prep.record_vitals(nurse, visit_id, Vitals(185, 112, 80, 98))
    return lambda cosigner: prep.clear_for_infusion(
        nurse, visit_id, overrides={item: "Known hypertensive, clinician at the bedside"},
        cosigner=cosigner, expected_version=view.prep_version,
    )  # fmt: skip


def _discharge(
    admin_desk: Desk, nurse: Desk, clock: FakeClock, wait: int, collected: str | None
) -> Attempt:
    visit_id = add_visit(admin_desk, start_in_minutes=0)
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    infusion.start_infusion(nurse, visit_id)
    clock.advance(minutes=40)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=60)
    infusion.end_infusion(nurse, visit_id)
    prep.record_vitals(nurse, visit_id, GOOD_VITALS)
    clock.advance(minutes=wait)
    other = collected not in (None, "Maria Lopez")
    collector = infusion.Collector("Neighbour", "201-555-0177", True) if other else None
    return lambda cosigner: infusion.discharge(
        nurse, visit_id, dissociation_resolved=True, end_vitals_acceptable=True,
        instructions_given=True, collected_by_name=collected, collector=collector,
        driver_override_reason="Sister's car broke down" if collected != "Maria Lopez" else "",
        early_discharge_reason="Flight to catch; fully alert" if wait < 30 else "",
        cosigner=cosigner,
    )  # fmt: skip


STOPS: dict[str, Callable[[Desk, Desk, FakeClock], Attempt]] = {
    "vitals at hold": lambda a, n, c: _clearance(a, n, PrepItem.VITALS),
    "candidacy flag": lambda a, n, c: _clearance(a, n, PrepItem.CANDIDACY, screened=False),
    "early discharge": lambda a, n, c: _discharge(a, n, c, 10, "Maria Lopez"),
    "nobody collecting": lambda a, n, c: _discharge(a, n, c, 35, None),
    "driver not the recorded adult": lambda a, n, c: _discharge(a, n, c, 35, "Tom Lee"),
}


@pytest.mark.parametrize("stop", sorted(STOPS))
def test_a_hard_stop_needs_a_second_clinicians_own_password(
    admin_desk: Desk, clock: FakeClock, stop: str
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    add_person(admin_desk, "amal", Role.CLINICIAN)
    attempt = STOPS[stop](admin_desk, nurse, clock)
    with pytest.raises(NotPermitted, match="second clinician must confirm"):
        attempt(None)
    with pytest.raises(NotPermitted, match="someone other than you"):
        attempt(Cosignature("nina", STAFF_PASSWORD))
    with pytest.raises(NotPermitted, match="user name or password is not correct"):
        attempt(Cosignature("amal", "not-her-password"))
    assert _failed_attempts(admin_desk, "amal") == 1  # counts toward her lockout
    attempt(Cosignature("amal", STAFF_PASSWORD))
    assert _failed_attempts(admin_desk, "amal") == 0
    actor, summary = _last_clinical_entry(admin_desk)
    assert actor == "nina" and "cosigned_by=amal" in summary


def test_a_receptionist_cannot_cosign(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)  # adds "rita", a receptionist
    attempt = _clearance(admin_desk, nurse, PrepItem.VITALS)
    with pytest.raises(NotPermitted, match="must be a nurse or clinician"):
        attempt(Cosignature("rita", STAFF_PASSWORD))


def test_a_second_nurse_may_cosign_and_both_names_show_on_the_visit(
    admin_desk: Desk, clock: FakeClock
) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    add_person(admin_desk, "nora", Role.NURSE)
    attempt = _discharge(admin_desk, nurse, clock, 10, "Maria Lopez")
    done = attempt(Cosignature("Nora", STAFF_PASSWORD))  # user names are not case-sensitive
    assert isinstance(done, infusion.InfusionView)
    assert done.status is VisitState.DISCHARGED
    assert done.overrides == (
        "Discharge before the minimum observation time: Flight to catch; fully alert "
        "(Nina, co-signed by Nora)",
    )


def test_soft_stops_pass_with_one_nurses_reason(admin_desk: Desk) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    visit_id = add_visit(admin_desk)
    view = confirm_everything(nurse, visit_id)
    now = nurse.now()
    view = prep.record_intake(
        nurse, visit_id, now - timedelta(hours=3), now - timedelta(hours=3), True,
        view.prep_version,
    )  # fmt: skip
    cleared = prep.clear_for_infusion(
        nurse, visit_id, overrides={PrepItem.FOOD: "Only a cracker"},
        expected_version=view.prep_version,
    )  # fmt: skip
    assert cleared.item(PrepItem.FOOD).override_by == "Nina"


def test_a_refused_cosigner_leaves_the_visit_untouched(admin_desk: Desk, clock: FakeClock) -> None:
    nurse, _ = nurse_and_receptionist(admin_desk)
    add_person(admin_desk, "amal", Role.CLINICIAN)
    attempt = _discharge(admin_desk, nurse, clock, 10, "Maria Lopez")
    with pytest.raises(NotPermitted):
        attempt(Cosignature("amal", "wrong-password"))
    with admin_desk.read() as session:
        visit = session.scalars(select(Visit).order_by(Visit.id.desc())).first()
        assert visit is not None and visit.status == VisitState.RECOVERY.value
        assert visit.early_discharge_reason == "" and visit.discharged_at is None


def _failed_attempts(desk: Desk, username: str) -> int:
    with desk.read() as session:
        query = select(Staff.failed_attempts).where(Staff.username == username)
        return session.scalars(query).one()


def _last_clinical_entry(desk: Desk) -> tuple[str, str]:
    """Who wrote the latest clearance or discharge entry, and its summary."""
    with desk.read() as session:
        query = (
            select(AuditEntry.actor, AuditEntry.summary)
            .where(AuditEntry.action.in_(("prep.clear", "visit.discharge")))
            .order_by(AuditEntry.seq.desc())
        )
        actor, summary = session.execute(query).first() or ("", "")
        return actor, summary
