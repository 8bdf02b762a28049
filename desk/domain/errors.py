"""Named domain errors that the UI and CLI turn into one clear sentence."""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error a person may see; ``str(err)`` is the sentence to show."""


class ValidationError(DeskError):
    """Input that does not make sense, with the field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotPermitted(DeskError):
    """The signed-in person's roles do not allow this action."""


class NotFound(DeskError):
    """A record that was asked for does not exist."""


class StaleEdit(DeskError):
    """Somebody else saved the same record since it was loaded.

    Carries who changed it, where and when, and the current values, so the person can
    see what changed instead of overwriting it.
    """

    def __init__(
        self,
        entity: str,
        changed_by: str,
        workstation: str,
        changed_at_text: str,
        current: dict[str, str] | None = None,
    ) -> None:
        self.entity = entity
        self.changed_by = changed_by
        self.workstation = workstation
        self.changed_at_text = changed_at_text
        self.current = dict(current or {})
        super().__init__(
            f"This {entity} was changed at {workstation} by {changed_by} at "
            f"{changed_at_text}. Your change was not saved; the current values are shown."
        )


class SignInFailed(DeskError):
    """Wrong user name or password; never says which."""

    def __init__(self) -> None:
        super().__init__("The user name or password is not correct.")


class AccountLocked(DeskError):
    """Too many failed attempts; carries when the lockout ends."""


class AccountDisabled(DeskError):
    """A disabled account tried to sign in."""

    def __init__(self) -> None:
        super().__init__("This account is disabled. Ask the clinic admin.")


class TransitionRefused(DeskError):
    """An illegal visit state change."""


class PrepNotReady(DeskError):
    """The pre-infusion checklist does not allow this step yet."""


class SchemaTooNew(DeskError):
    """The database was migrated by a newer version of the desk than this one."""


class DatabaseUnavailable(DeskError):
    """The database cannot be opened or reached."""


class DatabaseLoginRefused(DatabaseUnavailable):
    """The database server refused the user name or password this workstation used."""


class UpgradeNeedsConfirmation(DeskError):
    """A shared database would be upgraded: only an admin's confirmation or `desk migrate`."""
class AccessChanged(NotPermitted):
    """The signed-in person was disabled or their roles changed since they signed in."""

    def __init__(self) -> None:
        super().__init__("Your access has changed; sign in again.")


class AuditTrailDamaged(DeskError):
    """The audit chain cannot be appended to (its head is gone): nothing can be saved."""

    def __init__(self) -> None:
        super().__init__(
            "The audit trail is damaged, so nothing can be saved: restore the database from "
            "a backup (ask IT), then run 'desk verify'."
        )
