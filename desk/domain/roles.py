"""Staff roles and what each one may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    NURSE = "nurse"
    # The prescriber: orders, second signature on hard-stop overrides, safety assessments.
    CLINICIAN = "clinician"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def parse_role(text: str) -> Role:
    """The role named by ``text`` (case-insensitive); ValidationError if unknown."""
    from desk.domain.errors import ValidationError

    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValidationError(f"Unknown role '{text}'. Roles are: {names}.", "role") from None
