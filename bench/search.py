"""Figure: search as you type, through the search box's own service, at 100 000 patients.

Inputs are what a receptionist types: the first 2–4 letters of a patient's last (or first)
name as typed (lower case, accents kept), whole MRNs, phone numbers (full national number
or the last four digits) and dates of birth (clinic format or ISO). The baseline is a bare
``sqlite3`` prefix range query on an indexed folded-name column over the same name
prefixes, in the same run: what the hardware can do without the ORM and the service.
"""

from __future__ import annotations

import random
import sqlite3
import time
from contextlib import closing
from typing import Any

from bench.clinic import Clinic, signed_in
from bench.harness import Figure, Scale, percentile, summary_ms
from desk.domain.names import name_tokens
from desk.domain.phones import national_digits
from desk.domain.search_query import prefix_upper_bound
from desk.services.context import Desk
from desk.services.database import open_database
from desk.services.search import search_patients

TARGET_P95_MS = 4.0
NAME_INPUTS = 1000
OTHER_INPUTS = 100  # of each: MRN, phone, DOB
BARE_QUERY = (
    "SELECT id, mrn, legal_first_name, legal_last_name, dob, phone FROM patient "
    "WHERE last_key >= ? AND last_key < ? ORDER BY last_key LIMIT 50"
)


def inputs(path: str, count: int, others: int, seed: int) -> dict[str, list[str]]:
    """The typed inputs, drawn from the clinic's own patients (seeded)."""
    rng = random.Random(seed)
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT legal_first_name, legal_last_name, mrn, phone, dob FROM patient"
        ).fetchall()
    picks = [rng.choice(rows) for _ in range(count)]
    names = []
    for first, last, *_ in picks:
        name = last if rng.random() < 0.7 else first
        names.append(name[: rng.randint(2, 4)].lower())
    extra = [rng.choice(rows) for _ in range(others)]
    phones = []
    for *_, phone, _dob in extra:
        digits = national_digits(phone) if phone else "5550100"
        phones.append(digits if rng.random() < 0.5 else digits[-4:])
    dobs = []
    for *_, dob in extra:
        year, month, day = dob.split("-")
        dobs.append(dob if rng.random() < 0.3 else f"{month}/{day}/{year}")
    return {
        "name": names,
        "mrn": [row[2] for row in extra],
        "phone": phones,
        "dob": dobs,
    }


def _service_times(desk: Desk, typed: dict[str, list[str]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for kind, texts in typed.items():
        out = times[kind] = []
        for text in texts:
            start = time.perf_counter()
            search_patients(desk, text)
            out.append((time.perf_counter() - start) * 1000)
    return times


def _bare_times(path: str, prefixes: list[str]) -> list[float]:
    out = []
    with closing(sqlite3.connect(path)) as conn:
        for text in prefixes:
            folded = " ".join(name_tokens(text)) or text
            start = time.perf_counter()
            conn.execute(BARE_QUERY, (folded, prefix_upper_bound(folded))).fetchall()
            out.append((time.perf_counter() - start) * 1000)
    return out


def measure(clinic: Clinic, scale: Scale) -> Figure:
    path = str(clinic.path)
    typed = inputs(
        path, scale.repeats(NAME_INPUTS, 200), scale.repeats(OTHER_INPUTS, 20), scale.seed
    )
    engine = open_database(clinic.url)
    try:
        desk = signed_in(Desk(engine, workstation="bench"))
        _service_times(desk, {k: v[:20] for k, v in typed.items()})  # warm caches, as a desk is
        times = _service_times(desk, typed)
    finally:
        engine.dispose()
    bare = _bare_times(path, typed["name"])
    everything = [t for kind in times.values() for t in kind]
    p95 = percentile(everything, 95)
    notes: dict[str, Any] = {
        "patients": clinic.patients,
        "inputs": {kind: len(texts) for kind, texts in typed.items()},
        "service_ms": summary_ms(everything),
        **{f"{kind}_ms": summary_ms(values) for kind, values in times.items()},
        "bare_prefix_ms": summary_ms(bare),
        "baseline": "p95 of a bare sqlite3 indexed prefix query (LIMIT 50), same name prefixes",
    }
    return Figure(
        name="search_as_you_type_p95",
        unit="ms",
        value=p95,
        baseline=percentile(bare, 95),
        target=f"p95 <= {TARGET_P95_MS:g} ms",
        passed=p95 <= TARGET_P95_MS,
        notes=notes,
    )
