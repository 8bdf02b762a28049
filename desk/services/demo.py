"""The demo clinic: staff of each role, patients, series and a week of visits in every state.

``load_demo`` is what the first-run wizard's "load demo data" and ``desk demo`` call. The
same generator builds the 100 000-patient clinic the benchmarks use, so it writes with
Core bulk inserts in batches (no ORM object per row) inside one transaction, and reports
progress per batch.

The data is deterministic for a seed, a clock and the database's current contents: the
random stream is seeded with the seed and the first new patient id, so a second load adds
*different* patients with new MRNs instead of copies of the first load.

Shape of the schedule. Chairs come from the clinic policy; the last chair runs Pain Series
slots (3 h by default), the others Mood Series, booster and maintenance slots. A chair
slot on alternate clinic days forms a "track" that runs one series after another, so a
Mood Series is six infusions every other clinic day (within its 2–3-week window) in the
same chair at the same time. Today always has a session, even on a closed weekday, so the
board shows every state whenever the demo is loaded. For large clinics the history reaches
two years back with several tracks per chair slot (chairs double-booked in the past only);
today ± 3 days always fits the real chairs.

Consents. Only the patients with an infusion this week get consent records (a few dozen
whatever the clinic's size): the real shipped form rendered once per patient and stored as
signed on paper, like ``record_paper_signature`` does. Most are valid; a few patients not
yet in the chair this week have an expired, a withdrawn or no consent, so the board shows
each state without blocking anyone who is already being treated.
"""

from __future__ import annotations

import heapq
import json
import math
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Column, Date, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from desk.db.models import Base, Patient, Series, Staff, Visit
from desk.db.types import UTCDateTime
from desk.domain.accounts import check_full_name, normalise_username, roles_to_text
from desk.domain.booking import VisitType, default_duration
from desk.domain.candidacy import Contraindication, Indication, MedicationFlag
from desk.domain.consent import TreatmentType, add_months
from desk.domain.errors import ValidationError
from desk.domain.mrn import MAX_SEQUENCE, mrn_for_sequence
from desk.domain.names import name_tokens
from desk.domain.phones import national_digits
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.domain.transport import PickupPlan
from desk.domain.visit_states import VisitState
from desk.domain.vitals import Checkpoint
from desk.services import demo_names
from desk.services.consent import (
    add_paper_consent,
    import_shipped_templates,
    treatment_for_visit_type,
)
from desk.services.context import Desk, UnitOfWork
from desk.services.search import index_entries
from desk.services.settings import load_policy
from desk.services.staff import create_staff_row

#: The password of every demo staff account (documented in the README and the wizard).
DEMO_PASSWORD = "demo-password"
MAX_DEMO_PATIENTS = 200_000
BATCH_ROWS = 5_000
# A big clinic's history: about three visits per patient, consultations included.
INFUSIONS_PER_PATIENT = 2.3
MAX_HISTORY_DAYS = 730
MIN_HISTORY_CLINIC_DAYS = 10
WEEK_RADIUS_DAYS = 3
TURNOVER_MINUTES = 15  # cleaning the chair between two patients
PAIN_SHARE = 0.2  # share of patients treated for chronic pain
EXPIRED_CONSENTS = 3  # returning patients whose yearly consent has run out

DEMO_STAFF: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("rita", "Rita Alvarez", frozenset({Role.RECEPTIONIST})),
    ("ravi", "Ravi Shah", frozenset({Role.RECEPTIONIST})),
    ("nina", "Nina Okafor", frozenset({Role.NURSE})),
    ("noah", "Noah Fischer", frozenset({Role.NURSE})),
    ("sam", "Sam Lindqvist", frozenset({Role.NURSE, Role.RECEPTIONIST})),
    ("amal", "Dr Amal Reyes", frozenset({Role.CLINICIAN})),
    ("olga", "Olga Berg", frozenset({Role.ADMIN})),
)

ProgressCallback = Callable[[int, int], None]
_S = VisitState
_MOOD_INDICATIONS = tuple(i for i in Indication if not i.is_chronic_pain)
_PAIN_INDICATIONS = tuple(i for i in Indication if i.is_chronic_pain)

_STAMPS = ("arrived_at", "cleared_at", "infusion_start", "infusion_end", "discharged_at")
# The state a visit enters when each time stamp is set, in order.
_PATH_STAMPS = (
    (_S.ARRIVED.value, "arrived_at"),
    (_S.PREP_CLEARED.value, "cleared_at"),
    (_S.INFUSING.value, "infusion_start"),
    (_S.RECOVERY.value, "infusion_end"),
    (_S.DISCHARGED.value, "discharged_at"),
)
_DESK_STATES = frozenset({_S.ARRIVED.value, _S.NO_SHOW.value, _S.CANCELLED.value})
_REASONS = {
    _S.NO_SHOW.value: "Did not attend; no answer on the phone.",
    _S.CANCELLED.value: "Patient called to reschedule.",
}


@dataclass(frozen=True)
class DemoSummary:
    """What one demo load added."""

    patients: int
    visits: int
    series: int
    candidacies: int
    transports: int
    vitals: int
    staff_added: tuple[str, ...]
    first_patient_id: int
    consents: int = 0


def load_demo(
    desk: Desk,
    patients: int = 200,
    seed: int = 1,
    progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Admin: add a demo clinic of ``patients`` patients in one transaction.

    ``progress(done, total)`` is called after each batch; both count the patient and
    visit rows, and ``total`` is fixed before the first call. A clinic that already has
    patients is refused: demo people mixed into real records (or a second demo on top of
    the first, duplicates included) could be mistaken for patients. Staff accounts that
    already exist are left as they are.
    """
    desk.require(Role.ADMIN)
    if not 1 <= patients <= MAX_DEMO_PATIENTS:
        raise ValidationError(
            f"The demo clinic has between 1 and {MAX_DEMO_PATIENTS:,} patients.", "patients"
        )
    with desk.write() as uow:
        session = uow.session
        _lock_for_explicit_ids(session)
        if session.scalar(select(Patient.id).limit(1)) is not None:
            raise ValidationError(
                "This clinic already has patients: demo data loads only into a new, empty clinic."
            )
        staff_added = _ensure_staff(uow)
        ids = _next_ids(session)
        if ids["patient"] + patients > MAX_SEQUENCE:
            raise ValidationError("The database has no MRNs left for more demo patients.")
        policy = load_policy(session)
        gen = _Generator(desk, policy, random.Random(f"{seed}:{ids['patient']}"), ids, patients)
        with _large_page_cache(session):
            summary = gen.write(session, staff_added, progress)
        # The load's one audit entry covers the templates and consents as well.
        templates = import_shipped_templates(uow, audit=False)
        summary = replace(summary, consents=_add_consents(uow, gen.consents))
        _advance_sequences(session)
        uow.audit("demo.load", "clinic", 1, _audit_counts(summary, seed, templates))
        uow.commit()
    return summary


def _audit_counts(summary: DemoSummary, seed: int, templates: int) -> dict[str, object]:
    return {
        "seed": seed,
        "patients": summary.patients,
        "visits": summary.visits,
        "series": summary.series,
        "consents": summary.consents,
        "templates_imported": templates,
        "staff_added": " ".join(summary.staff_added) or "none",
    }


class _Consent(NamedTuple):
    """One consent to store: signed on paper at ``signed_at``, maybe withdrawn since."""

    patient_id: int
    treatment: TreatmentType
    signed_at: datetime
    witness: str
    withdrawn_at: datetime | None


def _add_consents(uow: UnitOfWork, consents: Sequence[_Consent | None]) -> int:
    stored = 0
    for consent in consents:
        if consent is None:
            continue  # the patient has not signed yet
        row = add_paper_consent(
            uow, consent.patient_id, consent.treatment, consent.witness, consent.signed_at
        )
        if consent.withdrawn_at is not None:
            row.withdrawn_at = consent.withdrawn_at
            row.withdrawn_by = consent.witness
            row.withdrawn_reason = "Patient called: wants to stop treatment for now."
        stored += 1
    uow.session.flush()
    return stored


def _ensure_staff(uow: UnitOfWork) -> tuple[str, ...]:
    existing = set(uow.session.scalars(select(Staff.username)))
    missing = [entry for entry in DEMO_STAFF if entry[0] not in existing]
    if not missing:
        return ()
    username, full_name, roles = missing[0]
    first = create_staff_row(uow, username, full_name, roles, DEMO_PASSWORD)
    # argon2 is slow on purpose (about 0.3 s a hash) and every demo account has the same
    # published password, so the others reuse the first account's hash.
    for username, full_name, roles in missing[1:]:
        row = Staff(
            username=normalise_username(username),
            full_name=check_full_name(full_name),
            password_hash=first.password_hash,
            roles=roles_to_text(roles),
            disabled=False,
            failed_attempts=0,
            created_at=uow.desk.now(),
        )
        uow.touch(row)
        uow.session.add(row)
    uow.session.flush()
    return tuple(entry[0] for entry in missing)


@contextmanager
def _large_page_cache(session: Session) -> Iterator[None]:
    """SQLite: a 256 MB page cache while loading, then the connection's own again.

    With the default 2 MB cache the name, phone and MRN indexes of 100 000 patients
    thrash pages through the WAL file; this cut the 100 000-patient load by about half.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    previous = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text("PRAGMA cache_size = -262144"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(previous)}"))


def _lock_for_explicit_ids(session: Session) -> None:
    # Rows get explicit ids (so visits can point at patients without a round trip). On
    # PostgreSQL, keep other workstations from taking ids from the sequences meanwhile;
    # SQLite's BEGIN IMMEDIATE already holds the only write lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE patient, series, visit IN EXCLUSIVE MODE"))


def _next_ids(session: Session) -> dict[str, int]:
    return {
        name: (session.scalar(select(func.max(model.id))) or 0) + 1
        for name, model in (("patient", Patient), ("series", Series), ("visit", Visit))
    }


def _advance_sequences(session: Session) -> None:
    # Explicit ids do not move PostgreSQL's sequences; the next registration must not
    # collide with a demo row.
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in ("patient", "series", "visit"):
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), MAX(id)) FROM {name}")
        )


def _search_key(text_value: str) -> str:
    """The folded search form of one name field: its words, space-separated.

    The same folding as typed queries (``names.name_tokens``): accents and case dropped,
    apostrophes removed inside a word, hyphens splitting words ("O'Brien" → "obrien",
    "Smith-Jones" → "smith jones"), so a query word is a prefix of a key or of a word in it.
    """
    return " ".join(name_tokens(text_value))


# --------------------------------------------------------------------------- people


class _Person(NamedTuple):
    first: str
    sex: str


class _Household(NamedTuple):
    surname: str
    group: int
    phone: str
    address: str
    members: int


class _Contact(NamedTuple):
    """Who the patient names as emergency contact; usually also the driver home."""

    name: str
    phone: str
    relationship: str


def _zipf_cum_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights of ranks 1..count falling off like real name frequencies."""
    total, out = 0.0, []
    for rank in range(1, count + 1):
        total += 1.0 / (rank + 1.5) ** exponent
        out.append(total)
    return out


class _Names:
    """Weighted drawing of names, phones and addresses (weights precomputed once)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.groups = demo_names.GROUPS
        self.group_cum = _cumulative([g.weight for g in self.groups])
        self.cum: dict[int, list[float]] = {}
        self.keys: dict[str, str] = {}

    def pick(self, names: Sequence[str]) -> str:
        cum = self.cum.get(len(names))
        if cum is None:
            cum = self.cum[len(names)] = _zipf_cum_weights(len(names))
        return self.rng.choices(names, cum_weights=cum)[0]

    def key(self, value: str) -> str:
        # Names repeat a lot; folding each distinct name once keeps 100 000 rows fast.
        found = self.keys.get(value)
        if found is None:
            found = self.keys[value] = _search_key(value)
        return found

    def group(self) -> int:
        return self.rng.choices(range(len(self.groups)), cum_weights=self.group_cum)[0]

    def surname(self, group: int) -> str:
        """A family name as listed ("Иванов|Иванова"); ``gendered`` picks the form."""
        name = self.pick(self.groups[group].surnames)
        if self.rng.random() < 0.03:  # double-barrelled: "Smith-Jones"
            other = self.pick(self.groups[group].surnames)
            if other != name:
                name = f"{name}-{other}"
        return name

    @staticmethod
    def gendered(surname: str, sex: str) -> str:
        parts = []
        for part in surname.split("-"):
            masculine, _, feminine = part.partition("|")
            parts.append(feminine if feminine and sex == "female" else masculine)
        return "-".join(parts)

    def first(self, group: int, sex: str) -> str:
        names = self.groups[group]
        return self.pick(names.female if sex == "female" else names.male)

    def person(self, group: int) -> _Person:
        sex = "female" if self.rng.random() < 0.6 else "male"
        return _Person(self.first(group, sex), sex)

    def phone(self, area_codes: Sequence[str]) -> str:
        # 555 numbers: never a real subscriber, still valid for phonenumbers.
        return f"+1{self.rng.choice(area_codes)}555{self.rng.randrange(100, 10_000):04d}"

    def address(self) -> tuple[str, tuple[str, ...]]:
        city, state, zip_prefix, areas = self.rng.choice(demo_names.CITIES)
        street = self.rng.choice(demo_names.STREETS)
        number = self.rng.randrange(1, 9_999)
        zip_code = f"{zip_prefix}{self.rng.randrange(0, 100):02d}"
        return f"{number} {street}\n{city}, {state} {zip_code}", areas


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


# --------------------------------------------------------------------------- schedule


class _Lane(NamedTuple):
    """One bookable slot of one chair, every clinic day."""

    chair: str
    start: time
    pain: bool


class _Planned(NamedTuple):
    patient: int  # index into the generated patients
    day: date
    lane: int  # index into lanes; -1 for a consultation in an office
    start: time
    visit_type: str
    series: int  # index into planned series, or -1
    series_index: int
    layer: int


class _Journey:
    """What a track is doing: a series in progress, or a single visit."""

    __slots__ = ("index", "patient", "series", "total", "visit_type")

    def __init__(self, patient: int, visit_type: str, total: int, series: int) -> None:
        self.patient, self.visit_type, self.total, self.series = patient, visit_type, total, series
        self.index = 0


def _lanes(policy: ClinicPolicy) -> list[_Lane]:
    chairs = policy.chairs or ("Chair 1",)
    mood_minutes = max(
        policy.mood_infusion_minutes, policy.booster_minutes, policy.maintenance_minutes
    )
    lanes: list[_Lane] = []
    for number, chair in enumerate(chairs):
        pain = len(chairs) > 1 and number == len(chairs) - 1
        length = policy.pain_infusion_minutes if pain else mood_minutes
        start = datetime.combine(date.min, policy.opening_time)
        closing = datetime.combine(date.min, policy.closing_time)
        while start + timedelta(minutes=length) <= closing:
            lanes.append(_Lane(chair, start.time(), pain))
            start += timedelta(minutes=length + TURNOVER_MINUTES)
    return lanes or [_Lane(chairs[0], policy.opening_time, False)]


def _clinic_days(first: date, last: date, policy: ClinicPolicy, today: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() in policy.clinic_weekdays or day == today:
            days.append(day)
        day += timedelta(days=1)
    return days


class _Plan(NamedTuple):
    visits: list[_Planned]
    series: list[tuple[int, str, date]]  # patient, kind, first infusion day
    pain: list[bool]  # per patient: treated for chronic pain
    first_day: dict[int, date]  # per patient: the day of their first visit


class _Planner:
    """Decides who comes when, in which chair; no rows yet (kept small for 100 000)."""

    def __init__(
        self, rng: random.Random, policy: ClinicPolicy, today: date, patients: int
    ) -> None:
        self.rng, self.policy, self.today, self.patients = rng, policy, today, patients
        self.lanes = _lanes(policy)
        self.week_start = today - timedelta(days=WEEK_RADIUS_DAYS)
        self.week_end = today + timedelta(days=WEEK_RADIUS_DAYS)
        self.pain = [rng.random() < PAIN_SHARE for _ in range(patients)]
        self.pools = {flag: [p for p in range(patients) if self.pain[p] == flag] for flag in (0, 1)}
        for pool in self.pools.values():
            rng.shuffle(pool)
        self.cursor = {0: 0, 1: 0}
        self.busy_until = [date.min] * patients
        self.graduates: list[tuple[date, int]] = []  # heap: (booster due, patient)
        self.boosted: set[int] = set()
        self.plan = _Plan([], [], self.pain, {})

    def build(self) -> _Plan:
        days, layers = self._calendar()
        tracks: dict[tuple[int, int, int], _Journey | None] = {}
        for day_no, day in enumerate(days):
            if day > self.week_end and not any(
                j is not None and j.index < j.total for j in tracks.values()
            ):
                break
            for layer in range(layers if day < self.week_start else 1):
                for lane_no, lane in enumerate(self.lanes):
                    key = (layer, lane_no, day_no % 2)
                    journey = tracks.get(key)
                    if journey is None or journey.index >= journey.total:
                        # After the week, only series already under way are booked on.
                        journey = None if day > self.week_end else self._start(lane, day)
                        tracks[key] = journey
                    if journey is not None:
                        self._book(journey, day, lane_no, layer)
        self._consultations()
        return self.plan

    def _calendar(self) -> tuple[list[date], int]:
        """Clinic days from the start of history, and how many tracks share a chair slot."""
        target = int(self.patients * INFUSIONS_PER_PATIENT)
        history = _clinic_days(
            self.today - timedelta(days=MAX_HISTORY_DAYS),
            self.week_start - timedelta(days=1),
            self.policy,
            self.today,
        )
        wanted = max(MIN_HISTORY_CLINIC_DAYS, math.ceil(target / len(self.lanes)))
        layers = 1
        if wanted <= len(history):
            history = history[-wanted:]
        else:
            layers = math.ceil(target / (len(history) * len(self.lanes)))
        # Series that start in the week run on into the following weeks.
        ahead = _clinic_days(self.week_start, self.week_end + timedelta(days=60), self.policy,
                             self.today)
        return history + ahead, layers

    def _start(self, lane: _Lane, day: date) -> _Journey | None:
        rng = self.rng
        if day != self.today and rng.random() < 0.06:
            return None  # an empty slot: clinics are rarely fully booked
        if not lane.pain and rng.random() < 0.3:
            return self._single(day)
        patient = self._fresh(lane.pain, day)
        if patient < 0:
            return None
        kind = "pain" if lane.pain else "mood"
        visit_type = VisitType.PAIN_INFUSION if lane.pain else VisitType.MOOD_INFUSION
        policy = self.policy
        count = policy.pain_series_infusions if lane.pain else policy.mood_series_infusions
        self.plan.series.append((patient, kind, day))
        self.busy_until[patient] = day + timedelta(days=self.policy.mood_series_window_days * 2)
        due = day + timedelta(days=self.policy.booster_due_days_after_series + rng.randrange(30))
        heapq.heappush(self.graduates, (due, patient))
        return _Journey(patient, visit_type.value, count, len(self.plan.series) - 1)

    def _single(self, day: date) -> _Journey | None:
        """A booster for someone whose series is done, else maintenance for an old patient."""
        patient = -1
        if self.graduates and self.graduates[0][0] <= day:
            patient = heapq.heappop(self.graduates)[1]
            if self.busy_until[patient] > day:
                patient = -1
        if patient < 0:
            patient = self._fresh(False, day)
            if patient < 0:
                return None
            self.boosted.add(patient)
        visit_type = VisitType.MAINTENANCE if patient in self.boosted else VisitType.BOOSTER
        self.boosted.add(patient)
        self.busy_until[patient] = day + timedelta(days=1)
        heapq.heappush(self.graduates, (day + timedelta(days=35 + self.rng.randrange(60)), patient))
        return _Journey(patient, visit_type.value, 1, -1)

    def _fresh(self, pain: bool, day: date) -> int:
        """The next patient of the pool who is free on ``day``; -1 if everyone is busy."""
        pool = self.pools[int(pain)]
        for _ in range(len(pool)):
            patient = pool[self.cursor[int(pain)] % len(pool)]
            self.cursor[int(pain)] += 1
            if self.busy_until[patient] <= day:
                return patient
        return -1

    def _book(self, journey: _Journey, day: date, lane_no: int, layer: int) -> None:
        journey.index += 1
        series_index = journey.index if journey.series >= 0 else 0
        self.plan.visits.append(
            _Planned(journey.patient, day, lane_no, self.lanes[lane_no].start,
                     journey.visit_type, journey.series, series_index, layer)
        )
        first = self.plan.first_day
        if journey.patient not in first or day < first[journey.patient]:
            first[journey.patient] = day

    def _consultations(self) -> None:
        """A consultation before each patient's first infusion; some new patients too."""
        rng, plan = self.rng, self.plan
        office = _office_times(self.policy)
        for patient in sorted(plan.first_day):
            day = self._clinic_day_on_or_before(
                plan.first_day[patient] - timedelta(days=rng.randrange(4, 22))
            )
            plan.first_day[patient] = day
            plan.visits.append(_Planned(patient, day, -1, rng.choice(office),
                                        VisitType.CONSULTATION.value, -1, 0, 0))
        week = _clinic_days(self.week_start, self.week_end, self.policy, self.today)
        newcomers = [p for p in range(self.patients) if p not in plan.first_day]
        for number, patient in enumerate(newcomers):
            # New patients not yet treated: three a day this week, some seen in the past.
            if number < 3 * len(week):
                day = week[number % len(week)]
            elif rng.random() < 0.5:
                day = self._clinic_day_on_or_before(
                    self.week_start - timedelta(days=rng.randrange(1, 120))
                )
            else:
                continue
            plan.first_day[patient] = day
            plan.visits.append(_Planned(patient, day, -1, rng.choice(office),
                                        VisitType.CONSULTATION.value, -1, 0, 0))

    def _clinic_day_on_or_before(self, day: date) -> date:
        for _ in range(7):
            if day.weekday() in self.policy.clinic_weekdays:
                return day
            day -= timedelta(days=1)
        return day


def _office_times(policy: ClinicPolicy) -> list[time]:
    start = datetime.combine(date.min, policy.opening_time)
    last = datetime.combine(date.min, policy.closing_time) - timedelta(
        minutes=policy.consultation_minutes
    )
    times = []
    while start <= last:
        times.append(start.time())
        start += timedelta(minutes=30)
    return times or [policy.opening_time]


# --------------------------------------------------------------------------- rows


def _batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH_ROWS):
        yield range(start, min(start + BATCH_ROWS, total))


class _Generator:
    """Turns a plan into rows and writes them in batches."""

    def __init__(
        self,
        desk: Desk,
        policy: ClinicPolicy,
        rng: random.Random,
        ids: dict[str, int],
        patients: int,
    ) -> None:
        self.policy, self.rng, self.ids, self.count = policy, rng, ids, patients
        self.now = desk.now()
        local_now = self.now.astimezone()
        self.today = local_now.date()
        # Today's in-progress states need "now" inside clinic hours: loaded at 07:00 or
        # 21:00 the board still shows patients arriving, infusing and in recovery.
        self.vnow_local = datetime.combine(self.today, _clamp_to_session(local_now, policy))
        self.vnow = self.vnow_local.astimezone(UTC)
        self.stamp = {
            "version": 1,
            "updated_at": self.now,
            "updated_by": desk.actor.username if desk.actor else "system",
            "updated_workstation": desk.workstation,
        }
        self.names = _Names(rng)
        self.receptionists = [u for u, _, r in DEMO_STAFF if Role.RECEPTIONIST in r]
        self.nurses = [u for u, _, r in DEMO_STAFF if Role.NURSE in r]
        self.nurse_names = [name for _, name, r in DEMO_STAFF if Role.NURSE in r]
        self.chair_no = {chair: n for n, chair in enumerate(policy.chairs)}
        self.lanes = _lanes(policy)
        self.durations = {t.value: default_duration(t, policy) for t in VisitType}
        self.contacts: list[_Contact] = []
        self.household: _Household | None = None
        self.household_dob = date.min
        self.utc: dict[tuple[date, time], datetime] = {}
        # Filled by ``write``: this week's consents, None for a patient who has not signed.
        self.consents: list[_Consent | None] = []
        self.last_treated: dict[tuple[int, TreatmentType], date] = {}

    def local(self, day: date, at: time) -> datetime:
        """A clinic wall-clock time as an aware UTC instant (cached: few distinct slots)."""
        found = self.utc.get((day, at))
        if found is None:
            found = self.utc[(day, at)] = datetime.combine(day, at).astimezone(UTC)
        return found

    def write(
        self, session: Session, staff_added: tuple[str, ...], progress: ProgressCallback | None
    ) -> DemoSummary:
        plan = _Planner(self.rng, self.policy, self.today, self.count).build()
        statuses = self._statuses(plan)
        counter = _Progress(self.count + len(plan.visits), progress)
        writer = _Writer(session)
        for batch in _batches(self.count):
            patients = [self._patient(i, plan) for i in batch]
            writer.insert("patient", patients)
            writer.insert("patient_search_key", [k for p in patients for k in _search_rows(p)])
            counter.add(len(batch))
        candidacies = [self._candidacy(p, day, plan) for p, day in sorted(plan.first_day.items())]
        for batch in _batches(len(candidacies)):
            writer.insert("candidacy", candidacies[batch.start : batch.stop])
        series = [self._series(n, s) for n, s in enumerate(plan.series)]
        for batch in _batches(len(series)):
            writer.insert("series", series[batch.start : batch.stop])
        counts = {"transport": 0, "vitals_reading": 0}
        for batch in _batches(len(plan.visits)):
            rows = _VisitRows()
            for n in batch:
                self._visit(rows, n, plan.visits[n], statuses[n])
            rows.insert(writer, counts)
            counter.add(len(batch))
        self.consents = self._consents(plan, statuses)
        return DemoSummary(
            self.count, len(plan.visits), len(series), len(candidacies),
            counts["transport"], counts["vitals_reading"], staff_added, self.ids["patient"],
        )

    # ----------------------------------------------------------------- statuses

    def _statuses(self, plan: _Plan) -> list[str]:
        next_lanes = self._next_lanes()
        rng, out = self.rng, []
        for visit in plan.visits:
            if visit.day < self.today:
                roll = rng.random()
                status = _S.NO_SHOW if roll < 0.05 else _S.CANCELLED if roll < 0.11 else None
                out.append((status or _S.DISCHARGED).value)
            elif visit.day > self.today:
                out.append((_S.CANCELLED if rng.random() < 0.03 else _S.SCHEDULED).value)
            else:
                out.append(self._today_status(visit, next_lanes).value)
        self._cover_closed_states(plan, out)
        return out

    def _next_lanes(self) -> set[int]:
        """Per chair, the first slot after "now": its patient is already in the building."""
        first: dict[str, tuple[time, int]] = {}
        for number, lane in enumerate(self.lanes):
            if lane.start > self.vnow_local.time() and (
                lane.chair not in first or lane.start < first[lane.chair][0]
            ):
                first[lane.chair] = (lane.start, number)
        return {number for _, number in first.values()}

    def _today_status(self, visit: _Planned, next_lanes: set[int]) -> VisitState:
        start = datetime.combine(self.today, visit.start)
        end = start + self._duration(visit.visit_type)
        now = self.vnow_local
        if visit.lane < 0:
            return _S.DISCHARGED if end <= now else _S.ARRIVED if start <= now else _S.SCHEDULED
        # Alternate by chair so that both states of each pair are on the board.
        even = self.chair_no.get(self.lanes[visit.lane].chair, 0) % 2 == 0
        if end + timedelta(minutes=TURNOVER_MINUTES) <= now:
            return _S.NO_SHOW if self.rng.random() < 0.1 else _S.DISCHARGED
        if start <= now:
            return _S.INFUSING if even else _S.RECOVERY
        if visit.lane in next_lanes:
            return _S.ARRIVED if even else _S.PREP_CLEARED
        return _S.CANCELLED if self.rng.random() < 0.05 else _S.SCHEDULED

    def _cover_closed_states(self, plan: _Plan, statuses: list[str]) -> None:
        """Make sure the week shows a no-show and a cancellation, however the dice fell."""
        week_start = self.today - timedelta(days=WEEK_RADIUS_DAYS)
        week = [n for n, v in enumerate(plan.visits) if week_start <= v.day <= self.today]
        for wanted in (_S.NO_SHOW.value, _S.CANCELLED.value):
            if wanted in {statuses[n] for n in week}:
                continue
            for n in week:
                if statuses[n] == _S.DISCHARGED.value:
                    statuses[n] = wanted
                    break

    def _duration(self, visit_type: str) -> timedelta:
        return self.durations[visit_type]

    # ----------------------------------------------------------------- patients

    def _patient(self, index: int, plan: _Plan) -> dict[str, Any]:
        names, rng = self.names, self.rng
        household, joined = self._join_household()
        person = names.person(household.group)
        # Most family members share the surname; partners often keep their own.
        same = not joined or rng.random() < 0.8
        last = names.gendered(household.surname if same else names.surname(household.group),
                              person.sex)
        dob = self.household_dob if joined and rng.random() < 0.05 else self._dob()
        self.household_dob = dob
        preferred = self._preferred(person.first)
        contact = self._contact(household, joined)
        self.contacts.append(contact)
        phone = household.phone
        phone2 = names.phone(("503", "971")) if rng.random() < 0.2 else ""
        patient_id = self.ids["patient"] + index
        first_day = plan.first_day.get(index)
        return {
            "id": patient_id,
            "mrn": mrn_for_sequence(patient_id),
            "legal_first_name": person.first,
            "legal_last_name": last,
            "preferred_name": preferred,
            "dob": dob,
            "sex": person.sex,
            "phone": phone,
            "phone2": phone2,
            "email": self._email(person.first, last, patient_id),
            "address": household.address,
            "emergency_name": contact.name,
            "emergency_phone": contact.phone,
            "emergency_relationship": contact.relationship,
            "notes": "",
            "first_key": names.key(person.first),
            "last_key": names.key(last),
            "preferred_key": names.key(preferred),
            "phone_digits": national_digits(phone),
            "created_at": self._registered_at(first_day),
            **self.stamp,
        }

    def _join_household(self) -> tuple[_Household, bool]:
        """The patient's household: often the previous patient's (spouse, parent, twin)."""
        current = self.household
        if current is not None and current.members < 4 and self.rng.random() < 0.15:
            self.household = current._replace(members=current.members + 1)
            return self.household, True
        group = self.names.group()
        address, areas = self.names.address()
        surname = self.names.surname(group)
        self.household = _Household(surname, group, self.names.phone(areas), address, 1)
        return self.household, False

    def _dob(self) -> date:
        # Adults, most between 30 and 60; with thousands of patients DOBs repeat naturally.
        age_days = int((18 + self.rng.betavariate(2.2, 3.0) * 67) * 365.25)
        return self.today - timedelta(days=age_days)

    def _preferred(self, first: str) -> str:
        roll = self.rng.random()
        if first in demo_names.NICKNAMES and roll < 0.45:
            return demo_names.NICKNAMES[first]
        return self.rng.choice(demo_names.CHOSEN_NAMES) if roll > 0.985 else ""

    def _contact(self, household: _Household, joined: bool) -> _Contact:
        rng = self.rng
        if joined:
            relationship = rng.choice(demo_names.RELATIONSHIPS_FAMILY)
            other = self.names.person(household.group)
            name = f"{other.first} {self.names.gendered(household.surname, other.sex)}"
            return _Contact(name, household.phone, relationship)
        family = rng.random() < 0.7
        other = self.names.person(household.group)
        surname = household.surname if family else self.names.surname(household.group)
        last = self.names.gendered(surname, other.sex)
        pool = demo_names.RELATIONSHIPS_FAMILY if family else demo_names.RELATIONSHIPS_OTHER
        return _Contact(f"{other.first} {last}", self.names.phone(("503", "360")),
                        rng.choice(pool))

    def _email(self, first: str, last: str, patient_id: int) -> str:
        if self.rng.random() < 0.3:
            return ""
        local = ".".join(self.names.key(part).replace(" ", "") for part in (first, last))
        if not local.isascii():
            local = f"patient{patient_id}"
        return f"{local}@{self.rng.choice(demo_names.EMAIL_DOMAINS)}"

    def _registered_at(self, first_day: date | None) -> datetime:
        if first_day is None:
            return self.now - timedelta(days=self.rng.randrange(1, 400), hours=3)
        day = first_day - timedelta(days=self.rng.randrange(1, 30))
        return min(self.local(day, time(10, 0)), self.now)

    # ----------------------------------------------------------------- screening, series

    def _candidacy(self, patient: int, consultation: date, plan: _Plan) -> dict[str, Any]:
        rng = self.rng
        indication = rng.choice(_PAIN_INDICATIONS if plan.pain[patient] else _MOOD_INDICATIONS)
        provider = rng.choice(demo_names.PROVIDERS)
        seen = consultation < self.today
        # Patients still waiting for their consultation are the incomplete ones; a few
        # others lack a document the desk has to chase.
        complete = seen and rng.random() > 0.05
        contraindications: list[str] = []
        medications: list[str] = []
        if seen and rng.random() < 0.05:
            medications.append(rng.choice(list(MedicationFlag)).value)
            if rng.random() < 0.3:
                contraindications.append(rng.choice(list(Contraindication)).value)
        return {
            "patient_id": self.ids["patient"] + patient,
            "indication": indication.value,
            "diagnosis_confirmed_by": provider if complete else "",
            "diagnosis_confirmed_on": consultation - timedelta(days=30) if complete else None,
            "provider_name": provider,
            "provider_practice": rng.choice(demo_names.PRACTICES),
            "provider_phone": self.names.phone(("503", "971")),
            "consultation_on": consultation if seen else None,
            "history_reviewed_by": rng.choice(self.nurse_names) if complete else "",
            "history_reviewed_on": consultation if complete else None,
            "contraindication_flags": json.dumps(contraindications),
            "medication_flags": json.dumps(medications),
            "flag_detail": "Reviewed at consultation." if medications else "",
            **self.stamp,
        }

    def _series(self, number: int, series: tuple[int, str, date]) -> dict[str, Any]:
        patient, kind, first = series
        count = self.policy.pain_series_infusions if kind == "pain" else (
            self.policy.mood_series_infusions
        )
        return {
            "id": self.ids["series"] + number,
            "patient_id": self.ids["patient"] + patient,
            "kind": kind,
            "start_date": first,
            "planned_count": count,
            "created_at": min(self.local(first - timedelta(days=7), time(11, 0)), self.now),
            **self.stamp,
        }

    # ----------------------------------------------------------------- consents

    def _consents(self, plan: _Plan, statuses: list[str]) -> list[_Consent | None]:
        """A consent per (patient, treatment) infused this week; a few in a bad state.

        Only pairs with no visit begun this week (still scheduled, cancelled or a no-show)
        get a bad state, so nobody checked in, infusing or discharged lacks a consent;
        a consent may also have lapsed after the patient's last infusion before today.
        """
        week_start = self.today - timedelta(days=WEEK_RADIUS_DAYS)
        week_end = self.today + timedelta(days=WEEK_RADIUS_DAYS)
        waiting = {_S.SCHEDULED.value, _S.CANCELLED.value, _S.NO_SHOW.value}
        begun: dict[tuple[int, TreatmentType], bool] = {}
        last_treated: dict[tuple[int, TreatmentType], date] = {}
        booked_on: dict[tuple[int, TreatmentType], date] = {}
        treated_before: set[tuple[int, TreatmentType]] = set()
        for visit, status in zip(plan.visits, statuses, strict=True):
            treatment = treatment_for_visit_type(visit.visit_type)
            if treatment is None or visit.day > week_end:
                continue
            key = (visit.patient, treatment)
            if visit.day < week_start:
                treated_before.add(key)
                continue
            begun[key] = begun.get(key, False) or status not in waiting
            if status not in waiting:
                last_treated[key] = max(visit.day, last_treated.get(key, date.min))
            elif status == _S.SCHEDULED.value:
                booked_on[key] = max(visit.day, booked_on.get(key, date.min))
        free = [key for key, started in begun.items() if not started]
        lapsing = [
            k for k, last in last_treated.items()
            if last < self.today and booked_on.get(k, date.min) >= self.today
        ]
        # A returning patient's yearly consent runs out; a new series may not be signed yet.
        returning = [k for k in free if k[1] in (TreatmentType.BOOSTER, TreatmentType.MAINTENANCE)]
        series = sorted((k for k in free if k not in returning), key=lambda k: k in treated_before)
        bad: dict[tuple[int, TreatmentType], str] = {}
        for key, state in (
            *((k, "missing") for k in series[:1]),
            *((k, "withdrawn") for k in series[1:2]),
            *((k, "expired") for k in [*returning, *series[2:]][:EXPIRED_CONSENTS]),
            *((k, "lapsed") for k in lapsing),
        ):
            if sum(state in ("expired", "lapsed") for state in bad.values()) < EXPIRED_CONSENTS:
                bad.setdefault(key, state)
        self.last_treated = last_treated
        return [self._consent(key, bad.get(key, "valid"), plan) for key in begun]

    def _consent(
        self, key: tuple[int, TreatmentType], state: str, plan: _Plan
    ) -> _Consent | None:
        if state == "missing":
            return None
        rng, patient = self.rng, key[0]
        first = plan.first_day.get(patient, self.today - timedelta(days=30))
        months = self.policy.reconsent_months
        # Signed no earlier than this many days ago, a consent lasts the whole week.
        recent = max(int(months * 28) - 2 * WEEK_RADIUS_DAYS, 8)
        if state == "expired":  # the interval ran out a few weeks ago
            day = self.today - timedelta(days=int(months * 31) + rng.randrange(14, 60))
        elif state == "lapsed":  # valid through the last infusion, expired at the next
            day = add_months(self.last_treated[key], -months) + timedelta(days=1)
        elif first >= self.today - timedelta(days=recent):  # signed at the consultation
            day = min(first, self.today - timedelta(days=1))
        else:  # a long-standing patient who signed again within the interval
            day = self.today - timedelta(days=rng.randrange(7, recent))
        at = rng.choice(_office_times(self.policy))
        signed_at = min(self.local(day, at) + timedelta(minutes=40), self.now)
        witness = rng.choice(self.receptionists)
        withdrawn = None
        if state == "withdrawn":  # a call in the last days, after signing
            called = self.now - timedelta(days=rng.randrange(1, 3))
            withdrawn = min(max(called, signed_at + timedelta(hours=2)), self.now)
        return _Consent(self.ids["patient"] + patient, key[1], signed_at, witness, withdrawn)

    # ----------------------------------------------------------------- visits

    def _visit(self, rows: _VisitRows, number: int, visit: _Planned, status: str) -> None:
        visit_id = self.ids["visit"] + number
        start = self.local(visit.day, visit.start)
        stamps = self._timeline(visit, VisitState(status), start)
        infusion = visit.visit_type != VisitType.CONSULTATION.value
        contact = self.contacts[visit.patient]
        transport = self._transport(visit_id, visit, status, start, contact) if infusion else None
        receptionist = self.rng.choice(self.receptionists)
        nurse = self.rng.choice(self.nurses)
        arrived_at = stamps["arrived_at"]
        arrived = arrived_at is not None
        discharged = status == _S.DISCHARGED.value
        confirmed_by = transport["confirmed_by"] if transport else None
        confirmed_at = transport["confirmed_at"] if transport else None
        rows.rows["visit"].append({
            "id": visit_id,
            "patient_id": self.ids["patient"] + visit.patient,
            "visit_type": visit.visit_type,
            "chair": self.lanes[visit.lane].chair if visit.lane >= 0 else None,
            "scheduled_start": start,
            "scheduled_end": start + self._duration(visit.visit_type),
            "status": status,
            **stamps,
            "status_reason": _REASONS.get(status, ""),
            "created_at": min(start - timedelta(days=3 + visit.series_index), self.now),
            "series_id": self.ids["series"] + visit.series if visit.series >= 0 else None,
            "series_index": visit.series_index or None,
            "late": arrived_at is not None and arrived_at > start,
            "identity_confirmed_by": receptionist if arrived else None,
            "prep_explained_by": confirmed_by,
            "prep_explained_at": confirmed_at,
            "collected_by_name": contact.name if discharged and infusion else "",
            "discharged_by": nurse if discharged else None,
            **self.stamp,
        })
        if transport is not None:
            rows.rows["transport"].append(transport)
        if visit.layer == 0 and visit.day >= self.today - timedelta(days=WEEK_RADIUS_DAYS):
            details = (visit_id, VisitState(status), start, stamps)
            self._week_details(rows, details, receptionist, nurse)

    def _timeline(
        self, visit: _Planned, status: VisitState, start: datetime
    ) -> dict[str, datetime | None]:
        """When the patient arrived, was cleared, infused and left, for a visit's state."""
        stamps: dict[str, datetime | None] = dict.fromkeys(_STAMPS)
        if status in (_S.SCHEDULED, _S.NO_SHOW, _S.CANCELLED):
            return stamps
        jitter = self.rng.randrange
        if visit.visit_type == VisitType.CONSULTATION.value:
            stamps["arrived_at"] = min(start - timedelta(minutes=jitter(-5, 20)), self.vnow)
            if status is _S.DISCHARGED:
                stamps["discharged_at"] = start + timedelta(minutes=45 + jitter(15))
            return stamps
        if status in (_S.ARRIVED, _S.PREP_CLEARED):
            cleared = self.vnow - timedelta(minutes=jitter(1, 10))
            stamps["arrived_at"] = cleared - timedelta(minutes=jitter(15, 35))
            stamps["cleared_at"] = cleared if status is _S.PREP_CLEARED else None
            return stamps
        minutes = timedelta(minutes=self._infusion_minutes(visit.visit_type))
        if status is _S.DISCHARGED:
            infusion_start = start + timedelta(minutes=jitter(5, 15))
        elif status is _S.RECOVERY:  # the infusion ended a few minutes ago
            infusion_start = self.vnow - timedelta(minutes=jitter(2, 10)) - minutes
        else:  # infusing: started on time, or just now if "now" is early in the slot
            infusion_start = min(start + timedelta(minutes=5), self.vnow - timedelta(minutes=3))
        cleared = infusion_start - timedelta(minutes=jitter(3, 10))
        stamps["cleared_at"] = cleared
        stamps["arrived_at"] = cleared - timedelta(minutes=jitter(15, 35))
        stamps["infusion_start"] = infusion_start
        if status is _S.INFUSING:
            return stamps
        end = infusion_start + minutes
        stamps["infusion_end"] = end
        if status is _S.DISCHARGED:
            observation = self.policy.min_observation_minutes + jitter(0, 20)
            stamps["discharged_at"] = end + timedelta(minutes=observation)
        return stamps

    def _infusion_minutes(self, visit_type: str) -> int:
        # The booking holds the chair for the infusion, the observation time and a margin.
        booked = self._duration(visit_type).total_seconds() // 60
        return int(max(20, booked - self.policy.min_observation_minutes - 30))

    def _transport(
        self, visit_id: int, visit: _Planned, status: str, start: datetime, contact: _Contact
    ) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        if contact.relationship in demo_names.RELATIONSHIPS_FAMILY:
            plan = PickupPlan.FAMILY_DRIVES
        else:
            plan = PickupPlan.FRIEND_DRIVES
        if roll < 0.08:
            plan = PickupPlan.TAXI_WITH_ESCORT
        elif roll < 0.11:
            plan = PickupPlan.ESCORTED_WALK_OR_TRANSIT
        elif roll < 0.13 and status == _S.SCHEDULED.value:
            plan = PickupPlan.RIDESHARE_ALONE  # the desk has to sort this one out
        # The call the day before confirms the ride; further ahead, about half are done.
        soon = visit.day <= self.today + timedelta(days=1)
        confirmed = status != _S.SCHEDULED.value or rng.random() < (0.85 if soon else 0.4)
        return {
            "visit_id": visit_id,
            "adult_name": contact.name,
            "adult_phone": contact.phone,
            "relationship": contact.relationship,
            "plan": plan.value,
            "confirmed_by": rng.choice(self.receptionists) if confirmed else None,
            "confirmed_at": min(start - timedelta(hours=20), self.now) if confirmed else None,
            **self.stamp,
        }

    # ----------------------------------------------------------------- this week's detail

    def _week_details(
        self,
        rows: _VisitRows,
        details: tuple[int, VisitState, datetime, dict[str, datetime | None]],
        receptionist: str,
        nurse: str,
    ) -> None:
        """State history, prep checklist and vitals: only this week, as a nurse sees it."""
        visit_id, status, start, stamps = details
        for previous, new, at in self._path(status, start, stamps):
            rows.rows["visit_status_change"].append({
                "visit_id": visit_id, "from_status": previous, "to_status": new, "at": at,
                "by": receptionist if new in _DESK_STATES else nurse,
                "workstation": self.stamp["updated_workstation"],
                "reason": _REASONS.get(new, ""),
            })
        arrived, cleared = stamps["arrived_at"], stamps["cleared_at"]
        if arrived is None or (cleared is None and status is not _S.ARRIVED):
            return  # not checked in, or a consultation: no prep checklist
        self._prep(rows, visit_id, arrived, cleared, nurse)
        self._vitals(rows, visit_id, stamps, nurse)

    def _path(
        self, status: VisitState, start: datetime, stamps: dict[str, datetime | None]
    ) -> list[tuple[str, str, datetime]]:
        """(old state, new state, when) for each change the visit went through."""
        if status is _S.CANCELLED:
            return [(_S.SCHEDULED.value, status.value, min(start - timedelta(days=1), self.now))]
        if status is _S.NO_SHOW:
            return [(_S.SCHEDULED.value, status.value, min(start + timedelta(hours=1), self.now))]
        changes, previous = [], _S.SCHEDULED.value
        for state, stamp in _PATH_STAMPS:
            at = stamps[stamp]
            if at is not None:
                changes.append((previous, state, at))
                previous = state
        return changes

    def _prep(
        self, rows: _VisitRows, visit_id: int, arrived: datetime, cleared: datetime | None,
        nurse: str,
    ) -> None:
        jitter = self.rng.randrange
        rows.rows["prep_check"].append({
            "visit_id": visit_id,
            "last_food_at": arrived - timedelta(hours=jitter(5, 13)),
            "last_fluid_at": arrived - timedelta(minutes=jitter(90, 240)),
            "clear_fluids_only": True,
            "fasting_confirmed_by": nurse if cleared else None,
            "fasting_confirmed_at": cleared,
            "clothing_ok": True if cleared else None,
            "clothing_confirmed_by": nurse if cleared else None,
            "clothing_confirmed_at": cleared,
            "cleared_by": nurse if cleared else None,
            "cleared_at": cleared,
            **self.stamp,
        })

    def _vitals(
        self, rows: _VisitRows, visit_id: int, stamps: dict[str, datetime | None], nurse: str
    ) -> None:
        points: list[tuple[Checkpoint, datetime]] = []
        cleared = stamps["cleared_at"]
        if cleared is not None:
            points.append((Checkpoint.BEFORE, cleared - timedelta(minutes=5)))
        start, end = stamps["infusion_start"], stamps["infusion_end"]
        mid = timedelta(minutes=self.policy.mid_infusion_vitals_minutes)
        if start is not None and start + mid <= (end or self.vnow):
            points.append((Checkpoint.MID_INFUSION, start + mid))
        if end is not None:
            points.append((Checkpoint.END, end))
        for checkpoint, at in points:
            rows.rows["vitals_reading"].append(self._reading(visit_id, checkpoint, at, nurse))

    def _reading(
        self, visit_id: int, checkpoint: Checkpoint, at: datetime, nurse: str
    ) -> dict[str, Any]:
        gauss = self.rng.gauss
        # About one reading in ten is high enough for clinician review, as in real clinics.
        systolic = int(gauss(146 if self.rng.random() < 0.1 else 124, 8))
        return {
            "visit_id": visit_id,
            "checkpoint": checkpoint.value,
            "taken_at": at,
            "taken_by": nurse,
            "systolic": systolic,
            "diastolic": int(gauss(systolic * 0.63, 5)),
            "heart_rate": int(gauss(76, 9)),
            "spo2": min(100, int(gauss(97.5, 1.2))),
            "temperature_c": round(gauss(36.7, 0.25), 1),
            "weight_kg": round(gauss(78, 14), 1) if checkpoint is Checkpoint.BEFORE else None,
        }


def _search_rows(patient: dict[str, Any]) -> list[dict[str, Any]]:
    """The patient's rows of the search index, by the rules registration uses."""
    entries = index_entries(
        patient["legal_first_name"], patient["legal_last_name"], patient["preferred_name"],
        (patient["phone"], patient["phone2"]),
    )
    return [{"patient_id": patient["id"], "key": key, "names": names} for key, names in entries]


class _Progress:
    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total, self.done, self.callback = total, 0, callback

    def add(self, rows: int) -> None:
        self.done += rows
        if self.callback is not None:
            self.callback(self.done, self.total)


class _VisitRows:
    """The rows of one batch of visits and of the tables that hang off them."""

    TABLES = ("visit", "transport", "prep_check", "vitals_reading", "visit_status_change")

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in self.TABLES}

    def insert(self, writer: _Writer, counts: dict[str, int]) -> None:
        for name in self.TABLES:  # parents first: the foreign keys are checked per row
            writer.insert(name, self.rows[name])
            if name in counts:
                counts[name] += len(self.rows[name])


_Statement = tuple[str, list[tuple[int, Callable[[Any], Any]]], tuple[Any, ...]]


class _Writer:
    """Bulk inserts straight to the driver, in the form SQLAlchemy itself stores.

    SQLAlchemy's per-value bind processing (UTCDateTime, then SQLite's date formatting)
    cost more than the inserts at 100 000 patients, so each table's datetime and date
    columns are converted here once, exactly as ``UTCDateTime`` and the SQLite dialect
    would store them (naive UTC; SQLite as "YYYY-MM-DD HH:MM:SS.ffffff" text).
    """

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.sqlite = self.connection.dialect.name == "sqlite"
        self.statements: dict[tuple[str, tuple[str, ...]], _Statement] = {}

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = tuple(rows[0])
        sql, converters, defaults = self._statement(table, columns)
        pick = itemgetter(*columns)
        params = []
        for row in rows:
            values = list(pick(row)) if len(columns) > 1 else [pick(row)]
            for index, convert in converters:
                values[index] = convert(values[index])
            params.append((*values, *defaults))
        self.connection.exec_driver_sql(sql, params)

    def _statement(self, table: str, given: tuple[str, ...]) -> _Statement:
        key = (table, given)
        if key not in self.statements:
            columns = Base.metadata.tables[table].columns
            # Python-side column defaults ("" for most text columns) are SQLAlchemy's
            # job on the normal path; here they are added as constants.
            defaults = {
                c.name: c.default.arg
                for c in columns
                if c.name not in given and isinstance(c.default, ScalarElementColumnDefault)
            }
            names = (*given, *defaults)
            marks = ", ".join(["?" if self.sqlite else "%s"] * len(names))
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
            self.statements[key] = (sql, self._converters(columns, given), tuple(defaults.values()))
        return self.statements[key]

    def _converters(
        self, columns: ReadOnlyColumnCollection[str, Column[Any]], given: tuple[str, ...]
    ) -> list[tuple[int, Callable[[Any], Any]]]:
        converters: list[tuple[int, Callable[[Any], Any]]] = []
        for index, name in enumerate(given):
            if isinstance(columns[name].type, UTCDateTime):
                converters.append((index, _sqlite_instant if self.sqlite else _naive_utc))
            elif self.sqlite and isinstance(columns[name].type, Date):
                converters.append((index, _sqlite_date))
        return converters


def _naive_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _sqlite_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    # isoformat is many times faster than strftime and gives the same text here.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _clamp_to_session(local_now: datetime, policy: ClinicPolicy) -> time:
    opening = datetime.combine(date.min, policy.opening_time)
    closing = datetime.combine(date.min, policy.closing_time)
    earliest = min(opening + timedelta(hours=3), closing)
    latest = max(closing - timedelta(hours=3), earliest)
    now = datetime.combine(date.min, local_now.time().replace(tzinfo=None))
    return min(max(now, earliest), latest).time()
