"""Clinic details and policy numbers: read by everyone, changed by admins."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import time
from typing import Any

from sqlalchemy.orm import Session

from desk.db.models import ClinicSettings
from desk.domain.errors import NotFound, ValidationError
from desk.domain.locale import check_regional
from desk.domain.policy import ClinicPolicy, check_setting, clamp_setting, validate_policy
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
        values[f.name] = clamp_setting(f.name, _coerce(f.name, raw[f.name], default))
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
    validate_policy(policy)
    with desk.write() as uow:
        row = uow.get(ClinicSettings, 1, "clinic")
        uow.check_version(row, expected_version, "clinic's settings", {"name": row.name})
        old = policy_from_json(row.policy_json)
        check_regional(policy, old)
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


def setting_values(desk: Desk) -> dict[str, str]:
    """Admin: every policy setting as the text `desk settings set` accepts, by name."""
    desk.require(Role.ADMIN)
    with desk.read() as session:
        raw = json.loads(policy_to_json(load_policy(session)))
    return {name: _as_text(raw[name]) for name in ClinicPolicy.field_names()}


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def set_setting(desk: Desk, name: str, text: str) -> str:
    """Admin (or the machine's operator): change one policy setting; returns the stored text.

    The way back from a bad setting when no desk can be used (an idle lock that never
    lets anyone in): the value is checked against the same ranges as the settings dialog.
    """
    desk.require(Role.ADMIN)
    key = name.strip().lower()
    if key not in ClinicPolicy.field_names():
        raise ValidationError(f"There is no clinic setting called '{name}'.", "name")
    value = _parse_setting(key, text)
    check_setting(key, value)
    with desk.write() as uow:
        row = uow.get(ClinicSettings, 1, "clinic")
        policy = replace(policy_from_json(row.policy_json), **{key: value})
        validate_policy(policy)
        row.policy_json = policy_to_json(policy)
        uow.touch(row)
        uow.audit("clinic.setting", "clinic", 1, {key: value})
        uow.commit()
    return setting_values(desk)[key]


def _parse_setting(key: str, text: str) -> Any:
    default = getattr(ClinicPolicy(), key)
    raw = text.strip()
    if isinstance(default, bool):
        answers = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
        if raw.lower() not in answers:
            raise ValidationError(f"The setting {key} takes yes or no.", key)
        return answers[raw.lower()]
    if isinstance(default, tuple):
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if isinstance(default[0], int):
            try:
                return tuple(int(p) for p in parts)
            except ValueError:
                raise ValidationError(
                    f"The setting {key} takes numbers separated by commas.", key
                ) from None
        return tuple(parts)
    try:
        return _coerce(key, raw, default)
    except ValidationError:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ValidationError(
            f"The setting {key} takes {kind}; '{raw[:40]}' is not.", key
        ) from None
