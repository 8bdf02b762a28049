"""Clinic details and policy numbers: read by everyone, changed by admins."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import time
from typing import Any

from sqlalchemy.orm import Session

from desk.db.models import ClinicSettings
from desk.domain.errors import NotFound, ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services.context import Desk


@dataclass(frozen=True)
class ClinicInfo:
    name: str
    address: str
    phone: str
    costs_text: str
    policy: ClinicPolicy
    break_glass_enabled: bool
    version: int


def policy_to_json(policy: ClinicPolicy) -> str:
    data: dict[str, Any] = {}
    for key, value in asdict(policy).items():
        if isinstance(value, time):
            data[key] = value.strftime("%H:%M")
        elif isinstance(value, tuple):
            data[key] = list(value)
        else:
            data[key] = value
    return json.dumps(data, sort_keys=True)


def policy_from_json(text: str) -> ClinicPolicy:
    """The stored policy; unknown keys are ignored and missing ones take the defaults."""
    raw = json.loads(text or "{}")
    defaults = ClinicPolicy()
    values: dict[str, Any] = {}
    for f in fields(ClinicPolicy):
        if f.name not in raw:
            continue
        default = getattr(defaults, f.name)
        values[f.name] = _coerce(f.name, raw[f.name], default)
    return replace(defaults, **values)


def _coerce(name: str, value: Any, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return bool(value)
        if isinstance(default, time):
            hours, minutes = str(value).split(":")
            return time(int(hours), int(minutes))
        if isinstance(default, tuple):
            return tuple(value)
        if isinstance(default, int | float | str):
            return type(default)(value)
    except (TypeError, ValueError):
        raise ValidationError(f"The clinic setting '{name}' is not valid.", name) from None
    return value


def _check_lengths(values: dict[str, tuple[str, int]]) -> None:
    for field_name, (value, limit) in values.items():
        if len(value.strip()) > limit:
            label = field_name.replace("_", " ")
            raise ValidationError(
                f"The clinic's {label} is too long (at most {limit}).", field_name
            )


def _row(session: Session) -> ClinicSettings:
    row = session.get(ClinicSettings, 1)
    if row is None:
        raise NotFound("The clinic has not been set up yet.")
    return row


def load_policy(session: Session) -> ClinicPolicy:
    return policy_from_json(_row(session).policy_json)


def clinic_info(desk: Desk) -> ClinicInfo:
    with desk.read() as session:
        row = _row(session)
        return ClinicInfo(
            row.name,
            row.address,
            row.phone,
            row.costs_text,
            policy_from_json(row.policy_json),
            row.break_glass_enabled,
            row.version,
        )


def update_clinic(
    desk: Desk,
    *,
    expected_version: int,
    name: str,
    address: str,
    phone: str,
    costs_text: str,
    policy: ClinicPolicy,
    break_glass_enabled: bool,
) -> ClinicInfo:
    """Admin: save clinic details and policy numbers (refused if changed meanwhile)."""
    desk.require(Role.ADMIN)
    if not name.strip():
        raise ValidationError("Enter the clinic's name.", "name")
    _check_lengths({"name": (name, 200), "phone": (phone, 40)})
    with desk.write() as uow:
        row = uow.get(ClinicSettings, 1, "clinic")
        uow.check_version(row, expected_version, "clinic's settings", {"name": row.name})
        old = policy_from_json(row.policy_json)
        changed: dict[str, object] = {
            k: v for k, v in asdict(policy).items() if getattr(old, k) != v
        }
        details = {
            "name": name.strip(),
            "address": address,
            "phone": phone,
            "costs_text": costs_text,
        }
        for key, value in details.items():
            if getattr(row, key) != value:
                changed[key] = None  # free text: record that it changed, not the text
                setattr(row, key, value)
        if row.break_glass_enabled != break_glass_enabled:
            changed["break_glass_enabled"] = break_glass_enabled
        row.policy_json = policy_to_json(policy)
        row.break_glass_enabled = break_glass_enabled
        uow.touch(row)
        uow.audit("clinic.update", "clinic", 1, changed)
        uow.commit()
    return clinic_info(desk)
