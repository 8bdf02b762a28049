"""First-run setup: create the clinic and its first admin account."""

from __future__ import annotations

from sqlalchemy import func, select

from desk.db.models import ClinicSettings, Staff
from desk.domain.accounts import check_password
from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy
from desk.domain.roles import Role
from desk.services.context import Actor, Desk
from desk.services.settings import policy_to_json
from desk.services.staff import create_staff_row


def initialise(
    desk: Desk,
    *,
    clinic_name: str,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
    address: str = "",
    phone: str = "",
    policy: ClinicPolicy | None = None,
) -> Actor:
    """Create the clinic settings and the first admin; returns that admin, signed in."""
    policy = policy or ClinicPolicy()
    if not clinic_name.strip():
        raise ValidationError("Enter the clinic's name.", "clinic_name")
    check_password(admin_password, policy)
    with desk.write() as uow:
        if uow.session.scalar(select(func.count()).select_from(Staff)):
            raise ValidationError("This database already has a clinic set up.", "clinic_name")
        settings = ClinicSettings(
            id=1,
            name=clinic_name.strip(),
            address=address.strip(),
            phone=phone.strip(),
            costs_text="",
            policy_json=policy_to_json(policy),
            break_glass_enabled=False,
        )
        uow.touch(settings)
        uow.session.add(settings)
        uow.session.flush()
        admin = create_staff_row(
            uow,
            admin_username,
            admin_full_name or admin_username,
            frozenset({Role.ADMIN}),
            admin_password,
        )
        actor = Actor(admin.id, admin.username, admin.full_name, frozenset({Role.ADMIN}))
        uow.desk = desk.as_actor(actor)
        uow.audit("clinic.setup", "clinic", 1, {"name": None})
        uow.audit("staff.add", "staff", admin.id, {"username": admin.username, "roles": "admin"})
        uow.commit()
    return actor
