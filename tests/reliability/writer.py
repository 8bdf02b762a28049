"""A standalone clinic writer for crash and concurrency tests.

``python -m tests.reliability.writer URL SEED`` works a clinic day through the real
services forever, printing ``<pid> ok <action> <id>`` after each committed step: the
crash test kills it with SIGKILL at random moments and checks what survived.

``python -m tests.reliability.writer --zygote URL`` imports everything once and then
forks a fresh writer (or workstation) process per command read from stdin, so a test can
kill and restart hundreds of real processes without paying Python's start-up each time:

    writer SEED              fork a writer; answers "spawned PID"
    workstation NAME SEED GO VISITS...
                             fork a competing workstation (tests.reliability.workstation)
    reap PID                 wait for that child to end; answers "reaped PID STATUS"
    quit                     end the zygote
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from collections.abc import Callable

from sqlalchemy import Engine, select

from desk.db.engine import make_engine
from desk.db.models import Candidacy, Patient, Visit
from desk.domain.visit_states import VisitState
from tests.helpers.clinic_flow import Flow, Step

OPEN_VISITS = 3  # visits on the go at once, like a small clinic morning
_CLOSED = {VisitState.DISCHARGED.value, VisitState.CANCELLED.value, VisitState.NO_SHOW.value}


def emit(message: str) -> None:
    """One line, written in a single system call so lines from processes never interleave."""
    os.write(1, f"{os.getpid()} {message}\n".encode())


def run_writer(url: str, seed: int, max_steps: int | None = None) -> None:
    engine = make_engine(url)
    flow = Flow(engine, f"writer-{seed}", random.Random(seed))
    emit("ready")
    steps = 0
    while max_steps is None or steps < max_steps:
        step = next_step(flow, engine)
        emit(f"ok {step.action} {step.entity_id}")
        steps += 1


def next_step(flow: Flow, engine: Engine) -> Step:
    """One service call, chosen from what the database says is left to do."""
    with engine.connect() as conn:
        unscreened = conn.execute(
            select(Patient.id).outerjoin(Candidacy).where(Candidacy.patient_id.is_(None))
        ).scalars().first()
        unbooked = conn.execute(
            select(Patient.id).outerjoin(Visit).where(Visit.id.is_(None))
        ).scalars().first()
        open_visits = conn.execute(
            select(Visit.id, Visit.status).where(Visit.status.not_in(_CLOSED))
        ).all()
        patient_count = len(conn.execute(select(Patient.id)).all())
    if unscreened is not None:
        return flow.screen(unscreened)
    if unbooked is not None:
        return flow.book(unbooked, flow.visit_count())
    if len(open_visits) < OPEN_VISITS:
        return flow.register(patient_count)
    roll = flow.rng.random()
    if roll < 0.03:
        return flow.change_settings()
    if roll < 0.05:
        return flow.toggle_spare_roles()
    scheduled = [v.id for v in open_visits if v.status == VisitState.SCHEDULED.value]
    if roll < 0.09 and scheduled:
        return flow.close_early(flow.rng.choice(scheduled))
    if roll < 0.15:
        arrived = [v.id for v in open_visits if v.status == VisitState.ARRIVED.value]
        if arrived:
            return flow.record_transport(flow.rng.choice(arrived))
    visit_id = flow.rng.choice(open_visits).id
    step = flow.advance(visit_id)
    assert step is not None  # open visits always have a next step
    return step


def warm_up() -> None:
    """Do the one-off work of a first clinic step here, so forked children start warm.

    Mapper configuration and the fonts and layout code of the consent PDF are loaded once
    in the zygote instead of in every child.
    """
    from sqlalchemy.orm import configure_mappers

    from desk.pdf import preview_template
    from desk.resources import resource_path

    configure_mappers()
    template = sorted(resource_path("consent").glob("*.txt"))[0]
    preview_template(template.read_text("utf-8"), "Warm Up")


def zygote(url: str) -> None:
    from tests.reliability import workstation

    warm_up()

    commands: dict[str, Callable[[list[str]], None]] = {
        "writer": lambda args: run_writer(url, int(args[0])),
        "workstation": lambda args: workstation.run(url, args[0], int(args[1]), args[2],
                                                    [int(a) for a in args[3:]]),
    }
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            return
        if words[0] == "reap":
            pid = int(words[1])
            _, status = os.waitpid(pid, 0)
            emit(f"reaped {pid} {status}")
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(commands[words[0]], words[1:])
        emit(f"spawned {pid}")


def _child(work: Callable[[list[str]], None], args: list[str]) -> None:
    code = 0
    try:
        work(args)
    except BaseException:  # report anything unexpected, then end without cleanup
        emit("crash " + traceback.format_exc().replace("\n", " | "))
        code = 3
    os._exit(code)


def main(argv: list[str]) -> None:
    if argv[0] == "--zygote":
        zygote(argv[1])
    else:
        run_writer(argv[0], int(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
