"""Search as you type: one box for name prefixes, MRN, phone digits and date of birth.

Every lookup is an index range scan with a LIMIT, so it costs the same at 100 000
patients as at 100. Name and phone prefixes live in ``patient_search_key`` (one row per
key, see ``PatientSearchKey``): a query word ``p`` matches ``key >= p AND key <
prefix_upper_bound(p)``, and several words must each match one of the patient's keys
(what is stored per patient is ``desk.domain.search_index``). The index is ordered
(key, names), so the first rows it yields are already in the order the list shows them.
Details are then fetched for at most ``limit`` patients.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import phonenumbers
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from desk.db.models import Candidacy as CandidacyRow
from desk.db.models import ClinicSettings, Patient, PatientSearchKey
from desk.domain.candidacy import CandidacyStatus
from desk.domain.errors import NotFound, ValidationError
from desk.domain.phones import format_phone
from desk.domain.policy import ClinicPolicy
from desk.domain.search_index import INTERNATIONAL, NATIONAL, REVERSED, index_entries
from desk.domain.search_query import QueryKind, SearchQuery, parse_search, prefix_upper_bound
from desk.services.candidacy import STATUS_COLUMNS, status_from_values
from desk.services.context import Desk
from desk.services.settings import policy_from_json

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


__all__ = ["PatientHit", "SearchResult", "display_phone", "index_entries",
           "replace_search_keys", "search", "search_patients"]


@dataclass(frozen=True)
class PatientHit:
    """One line of the search results."""

    patient_id: int
    mrn: str
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    dob: date
    phone: str  # the first phone, E.164 or ""; ``display_phone`` formats it
    candidacy: CandidacyStatus


@dataclass(frozen=True)
class SearchResult:
    """What the box understood (``kind``), a hint while it is incomplete, and the hits."""

    kind: QueryKind
    hint: str
    hits: tuple[PatientHit, ...]


# --- the index -------------------------------------------------------------------------


def replace_search_keys(
    session: Session,
    patient_id: int,
    first: str,
    last: str,
    preferred: str | None,
    phones: Iterable[str],
) -> None:
    """Re-index one patient inside the caller's transaction (after every save)."""
    session.execute(delete(PatientSearchKey).where(PatientSearchKey.patient_id == patient_id))
    rows = [
        {"patient_id": patient_id, "key": key, "names": names}
        for key, names in index_entries(first, last, preferred, phones)
    ]
    if rows:
        session.execute(insert(PatientSearchKey), rows)


# --- the queries -----------------------------------------------------------------------


def _in_range(column: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range an index answers (no LIKE)."""
    return and_(column >= prefix, column < prefix_upper_bound(prefix))


def _has_word(session: Session, names: ColumnElement[str], word: str) -> ColumnElement[bool]:
    """Some name key in ``names`` starts with ``word`` (keys are space-separated)."""
    find = func.strpos if session.get_bind().dialect.name == "postgresql" else func.instr
    return find(" " + names, " " + word) > 0


def _matching_ids(session: Session, prefixes: Sequence[str], limit: int) -> list[int]:
    """Patients having, for every prefix, a name key starting with it; in name order.

    The longest word drives the index range scan (it matches fewest keys); the others
    are checked on the same index row through its ``names``, without another lookup.
    """
    driver = max(prefixes, key=len)
    others = list(prefixes)
    others.remove(driver)
    k = PatientSearchKey.__table__.c
    query = select(k.patient_id, k.key, k.names).where(
        _in_range(k.key, driver), *(_has_word(session, k.names, word) for word in others)
    )
    return _distinct_ids(session, query.order_by(k.key, k.names, k.patient_id), limit)


def _distinct_ids(session: Session, query: Select[int, str, str], limit: int) -> list[int]:
    """The first ``limit`` distinct patients of an ordered key query, paging by keyset.

    One patient may match through several keys ("mar" in Mary Martin): rows are fetched
    a few per wanted patient and repeats skipped.
    """
    found: dict[int, None] = {}
    k = PatientSearchKey.__table__.c
    page, after = limit * 2 + 8, None
    while len(found) < limit:
        paged = query if after is None else query.where(
            tuple_(k.key, k.names, k.patient_id) > tuple_(*after)
        )
        rows = session.execute(paged.limit(page)).all()
        for patient_id, _key, _order in rows:
            found.setdefault(patient_id)
        if len(rows) < page:
            break
        last = rows[-1]
        after = (last.key, last.names, last.patient_id)
    return list(found)[:limit]


def _phone_ids(session: Session, digits: str, limit: int) -> list[int]:
    """Numbers starting with the digits (national or international) or ending with them."""
    k = PatientSearchKey.__table__.c
    national = digits.lstrip("0") or digits  # "07700 900123" is dialled 7700 900123 abroad
    prefixes = [NATIONAL + national, INTERNATIONAL + digits, REVERSED + digits[::-1]]
    found: dict[int, None] = {}
    for prefix in prefixes:
        query = (
            select(k.patient_id, k.key, k.names)
            .where(_in_range(k.key, prefix))
            .order_by(k.key, k.names, k.patient_id)
        )
        for patient_id in _distinct_ids(session, query, limit - len(found)):
            found.setdefault(patient_id)
        if len(found) >= limit:
            break
    return list(found)


def _dob_ids(session: Session, dob: date, limit: int) -> list[int]:
    query = (
        select(Patient.id)
        .where(Patient.dob == dob)
        .order_by(Patient.last_key, Patient.first_key, Patient.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def _mrn_ids(session: Session, mrn: str) -> list[int]:
    return list(session.scalars(select(Patient.id).where(Patient.mrn == mrn)))


def _ids_for(session: Session, query: SearchQuery, limit: int) -> list[int]:
    if query.kind is QueryKind.NAME:
        return _matching_ids(session, query.name_prefixes, limit)
    if query.kind is QueryKind.DOB and query.dob is not None:
        return _dob_ids(session, query.dob, limit)
    ids: list[int] = []
    if query.kind is QueryKind.MRN and query.mrn is not None:
        ids = _mrn_ids(session, query.mrn)
    if query.phone_digits and len(ids) < limit:
        # Eight digits may be an MRN or part of a phone number: the MRN comes first.
        ids += [i for i in _phone_ids(session, query.phone_digits, limit) if i not in ids]
    return ids[:limit]


_CANDIDACY = CandidacyRow.__table__.c
# Built once: the statement is compiled once and cached, only the ids change.
_DETAILS = (
    select(
        Patient.id,
        Patient.mrn,
        Patient.legal_first_name,
        Patient.legal_last_name,
        Patient.preferred_name,
        Patient.dob,
        Patient.phone,
        *(_CANDIDACY[name] for name in STATUS_COLUMNS),
    )
    .outerjoin(CandidacyRow, CandidacyRow.patient_id == Patient.id)
    .where(Patient.id.in_(bindparam("ids", expanding=True)))
)


def _hits(session: Session, ids: list[int], policy: ClinicPolicy) -> list[PatientHit]:
    """Display details of ``ids``, in the order given."""
    if not ids:
        return []
    rows = session.execute(_DETAILS, {"ids": ids}).mappings()
    by_id: dict[int, PatientHit] = {}
    # Most results share a status (never screened, or complete): assess each shape once.
    statuses: dict[tuple[object, ...], CandidacyStatus] = {}
    for row in rows:
        screening = tuple(row[name] for name in STATUS_COLUMNS)
        if screening not in statuses:
            statuses[screening] = status_from_values(dict(row), policy)
        by_id[row["id"]] = PatientHit(
            patient_id=row["id"],
            mrn=row["mrn"],
            legal_first_name=row["legal_first_name"],
            legal_last_name=row["legal_last_name"],
            preferred_name=row["preferred_name"] or "",
            dob=row["dob"],
            phone=row["phone"] or "",
            candidacy=statuses[screening],
        )
    return [by_id[i] for i in ids if i in by_id]


@lru_cache(maxsize=4096)
def display_phone(e164: str, region: str) -> str:
    """A stored phone as people read it; "" for none.

    Formatting costs ~0.2 ms a number, too slow for 50 hits inside the search's time
    budget, so the search returns E.164 and the list formats what it shows (off the UI
    thread in the search box's worker), remembering recent numbers.
    """
    if not e164:
        return ""
    try:
        return format_phone(e164, region)
    except phonenumbers.NumberParseException:  # stored outside the desk: show it as it is
        return e164


def _policy(session: Session) -> ClinicPolicy:
    """The clinic policy, parsed once per distinct settings text (searches run per key)."""
    query = select(ClinicSettings.policy_json).where(ClinicSettings.id == 1)
    text = session.execute(query).scalar_one_or_none()
    if text is None:
        raise NotFound("The clinic has not been set up yet.")
    return _parsed_policy(text)


@lru_cache(maxsize=8)
def _parsed_policy(text: str) -> ClinicPolicy:
    return policy_from_json(text)


def search(desk: Desk, text: str, limit: int = DEFAULT_LIMIT) -> SearchResult:
    """Any signed-in staff: classify ``text`` and return at most ``limit`` patients."""
    desk.require()
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"Ask for between 1 and {MAX_LIMIT} results.", "limit")
    with desk.read() as session:
        policy = _policy(session)
        query = parse_search(text, policy=policy, today=desk.now().astimezone().date())
        if query.kind in (QueryKind.EMPTY, QueryKind.INCOMPLETE):
            return SearchResult(query.kind, query.hint, ())
        hits = _hits(session, _ids_for(session, query, limit), policy)
        return SearchResult(query.kind, query.hint, tuple(hits))


def search_patients(desk: Desk, text: str, limit: int = DEFAULT_LIMIT) -> list[PatientHit]:
    """Any signed-in staff: the patients matching what was typed, best order first."""
    return list(search(desk, text, limit).hits)
