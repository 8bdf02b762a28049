"""The benchmark clinic: the demo generator's N patients, cached, plus a busy "bench day".

Generating 100 000 patients takes about half a minute, so the database is kept in a cache
folder (``$DESK_BENCH_CACHE`` or ``~/.cache/infusion-desk-bench``) under a key made of
the patient count, the seed, the local date (the demo is built around "today"), and a
hash of the migrations and the generator, so a schema or generator change rebuilds it.
Figures that write (sign-in, shared database) work on a copy; the cache stays pristine.

The bench day is 60 days ahead: 200 visits copied from a busy day of the history, mostly
scheduled, so the board figures have exactly 200 rows and the shared-database figure has
visits to cancel.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from desk.db.models import Staff, Visit
from desk.domain.accounts import roles_from_text
from desk.domain.visit_states import VisitState
from desk.services import setup
from desk.services.board import local_day_bounds
from desk.services.context import Actor, Desk
from desk.services.database import open_database
from desk.services.demo import load_demo

BENCH_DAY_OFFSET = 60
BENCH_DAY_VISITS = 200
ADMIN_USER, ADMIN_PASSWORD = "admin", "bench-admin-password"
RECEPTION_USER = "rita"  # a demo account (password DEMO_PASSWORD)
_SOURCES = ("desk/services/demo.py", "desk/services/demo_names.py", "bench/clinic.py")


@dataclass(frozen=True)
class Clinic:
    path: Path
    patients: int
    bench_day: date
    generate_seconds: float | None  # None when the cache answered

    @property
    def url(self) -> str:
        return sqlite_url(self.path)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def cache_root() -> Path:
    configured = os.environ.get("DESK_BENCH_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "infusion-desk-bench"


def cache_key(patients: int, seed: int) -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for source in _SOURCES:
        digest.update((root / source).read_bytes())
    for migration in sorted((root / "desk/db/migrations/versions").glob("*.py")):
        digest.update(migration.read_bytes())
    return f"clinic-{patients}-s{seed}-{date.today():%Y%m%d}-{digest.hexdigest()[:12]}"


def bench_day(today: date | None = None) -> date:
    return (today or date.today()) + timedelta(days=BENCH_DAY_OFFSET)


def build_clinic(
    url: str, patients: int, seed: int, progress: Callable[[int, int], None] | None = None
) -> tuple[Engine, float]:
    """Migrate, create the clinic and its admin, load the demo; seconds the demo load took."""
    engine = open_database(url)
    desk = Desk(engine, workstation="bench")
    admin = setup.initialise(
        desk, clinic_name="Bench Clinic", admin_username=ADMIN_USER,
        admin_full_name="Ada Admin", admin_password=ADMIN_PASSWORD,
    )
    start = time.perf_counter()
    load_demo(desk.as_actor(admin), patients=patients, seed=seed, progress=progress)
    seconds = time.perf_counter() - start
    add_bench_day(engine, bench_day())
    return engine, seconds


def add_bench_day(engine: Engine, day: date) -> None:
    """Copy up to 200 visits of the busiest past day to ``day``, nearly all scheduled."""
    c = Visit.__table__.c
    when = func.date(c.scheduled_start)
    with engine.begin() as conn:
        busiest = conn.execute(
            select(when).group_by(when).order_by(func.count().desc()).limit(1)
        ).scalar_one()
        rows = conn.execute(
            select(*Visit.__table__.columns).where(when == busiest)
            .order_by(c.scheduled_start, c.id).limit(BENCH_DAY_VISITS)
        ).mappings().all()
        source_day = rows[0]["scheduled_start"].astimezone().date()
        shift = local_day_bounds(day)[0] - local_day_bounds(source_day)[0]
        states = [VisitState.SCHEDULED.value] * 7 + [VisitState.CANCELLED.value]
        copies = []
        for number, row in enumerate(rows):
            copy = {k: v for k, v in row.items() if k not in {"id", "series_id", "series_index"}}
            copy.update(
                scheduled_start=row["scheduled_start"] + shift,
                scheduled_end=row["scheduled_end"] + shift,
                status=states[number % len(states)],
                arrived_at=None, cleared_at=None, infusion_start=None, infusion_end=None,
                discharged_at=None, late=False, version=1,
            )
            copies.append(copy)
        conn.execute(insert(Visit), copies)


def cached_clinic(patients: int, seed: int, *, regenerate: bool = False) -> Clinic:
    """The cached clinic, generating it (timed) when missing or when ``regenerate``."""
    root = cache_root()
    key = cache_key(patients, seed)
    path = root / key / "clinic.sqlite3"
    if path.exists() and not regenerate:
        return Clinic(path, patients, bench_day(), None)
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob(f"clinic-{patients}-s{seed}-*"):
        shutil.rmtree(old, ignore_errors=True)  # 250 MB each: keep one per size and seed
    building = root / f"{key}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    engine, seconds = build_clinic(sqlite_url(building / "clinic.sqlite3"), patients, seed)
    engine.dispose()
    building.rename(root / key)
    return Clinic(path, patients, bench_day(), seconds)


def working_copy(clinic: Clinic, folder: Path) -> Clinic:
    """A copy of the clinic that figures may write to."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "clinic.sqlite3"
    shutil.copyfile(clinic.path, target)
    return Clinic(target, clinic.patients, clinic.bench_day, clinic.generate_seconds)


def signed_in(desk: Desk, username: str = RECEPTION_USER) -> Desk:
    """``desk`` acting as a demo staff member, without the password check.

    The check (argon2, deliberately ~0.3 s or more) is timed where it belongs, in the
    sign-in figure; everywhere else it would only slow the benchmark down.
    """
    with desk.read() as session:
        staff = session.scalars(select(Staff).where(Staff.username == username)).one()
        actor = Actor(staff.id, staff.username, staff.full_name, roles_from_text(staff.roles))
    return desk.as_actor(actor)
