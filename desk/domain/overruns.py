"""Overruns: an infusion far past its booked length, a patient long past "ready to leave".

Both boards flag them so a nurse notices a patient the schedule has forgotten.
"""

from __future__ import annotations

from datetime import datetime, timedelta

INFUSION_GRACE = timedelta(minutes=15)  # past the booked length before it is flagged
RECOVERY_GRACE = timedelta(minutes=30)  # past "ready to leave" before it is flagged


def infusion_overrun(start: datetime, booked: timedelta, now: datetime) -> timedelta | None:
    """How far past its booked length an infusion has run, once beyond the grace."""
    over = now - (start + booked)
    return over if over > INFUSION_GRACE else None


def recovery_overrun(ready_at: datetime, now: datetime) -> timedelta | None:
    """How long a patient has stayed after "ready to leave", once beyond the grace."""
    over = now - ready_at
    return over if over > RECOVERY_GRACE else None


def overrun_text(over: timedelta, what: str) -> str:
    """"⚠ 25 min past the booked end" — ``what`` names the time that was passed."""
    minutes = int(over.total_seconds() // 60)
    hours, mins = divmod(minutes, 60)
    amount = f"{hours} h {mins:02d} min" if hours else f"{mins} min"
    return f"⚠ {amount} past {what}"
