"""One competing workstation: a nurse at her own desk working the same visits as others.

Forked by the writer zygote (``workstation NAME SEED GO VISITS...``). It signs in as its
nurse, waits until the GO file exists so every workstation starts at the same moment,
then repeatedly takes the visits in a random order and does each one's next step, based
on what it read a moment before (pausing a little between reading and saving, as people
do). Each outcome is one JSON line: the step it saved, or the refusal it was shown.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from desk.db.engine import make_engine
from desk.domain.errors import (
    DatabaseUnavailable,
    DeskError,
    PrepNotReady,
    StaleEdit,
    TransitionRefused,
    ValidationError,
)
from desk.services import auth
from desk.services.context import Desk
from tests.helpers.clinic_flow import PASSWORD, Flow
from tests.reliability.writer import emit

ROUNDS = 40
# The refusals a person may legitimately see when someone else was faster.
EXPECTED = (StaleEdit, TransitionRefused, PrepNotReady, ValidationError)


def run(url: str, name: str, seed: int, go_file: str, visits: list[int]) -> None:
    engine = make_engine(url)
    rng = random.Random(seed)
    flow = Flow(engine, name, rng)
    nurse = f"nurse{name.rsplit('-', 1)[1]}"
    signed_in = auth.sign_in(Desk(engine, workstation=name), nurse, PASSWORD)
    flow.as_staff(signed_in.username)
    flow.think = lambda: time.sleep(rng.uniform(0, 0.01))
    emit("ready")
    give_up = time.monotonic() + 60  # the test went away: do not linger
    while not Path(go_file).exists():
        if time.monotonic() > give_up:
            raise TimeoutError("no GO signal")
        time.sleep(0.001)
    for _ in range(ROUNDS):
        order = visits[:]
        rng.shuffle(order)
        outcomes = [attempt(flow, visit_id) for visit_id in order]
        for outcome in outcomes:
            report(outcome)
        if all("idle" in outcome for outcome in outcomes):
            break  # every visit is closed: the day is done
    emit("done")


def attempt(flow: Flow, visit_id: int) -> dict[str, object]:
    try:
        step = flow.advance(visit_id)
    except EXPECTED as refusal:
        return {"visit": visit_id, "refused": type(refusal).__name__, "message": str(refusal),
                "field": getattr(refusal, "field", None)}
    except DatabaseUnavailable as busy:
        return {"visit": visit_id, "busy": str(busy)}
    except DeskError as other:
        return {"visit": visit_id, "unexpected": type(other).__name__, "message": str(other)}
    if step is None:
        return {"visit": visit_id, "idle": True}
    return {"visit": visit_id, "ok": step.action, "row": step.row, "based_on": step.based_on,
            "entity": step.entity_id}


def report(outcome: dict[str, object]) -> None:
    emit("result " + json.dumps(outcome, sort_keys=True))


if __name__ == "__main__":
    import sys

    run(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], [int(a) for a in sys.argv[5:]])
    os._exit(0)
