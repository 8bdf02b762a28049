"""The signed-in session the windows share: the current Desk (who, where) and the clinic."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from desk.domain.policy import ClinicPolicy
    from desk.services.context import Actor, Desk
    from desk.services.settings import ClinicInfo


def role_text(actor: Actor) -> str:
    """The person's roles for people to read: "Admin, Nurse" (and emergency access)."""
    roles = ", ".join(r.label for r in sorted(actor.roles, key=lambda r: r.value))
    return f"{roles} (emergency access)" if actor.break_glass else roles


class Session(QObject):
    """Dialogs ask ``session.desk`` at the moment they act, so a switch of user mid-form
    attributes the save to (and checks the roles of) whoever is signed in then."""

    actor_changed = Signal()
    clinic_changed = Signal()
    saved = Signal(str)  # "Registered Ada Lovelace (MRN …)": the main window shows it
    # A save found the signed-in person disabled or with other roles (any thread).
    access_changed = Signal()

    def __init__(self, desk: Desk, clinic: ClinicInfo, location: str) -> None:
        super().__init__()
        self._desk = replace(desk, on_access_changed=self.access_changed.emit)
        self._clinic = clinic
        self.location = location

    @property
    def desk(self) -> Desk:
        return self._desk

    @property
    def actor(self) -> Actor:
        actor = self._desk.actor
        assert actor is not None, "a Session always has someone signed in"
        return actor

    @property
    def clinic(self) -> ClinicInfo:
        return self._clinic

    @property
    def policy(self) -> ClinicPolicy:
        return self._clinic.policy

    def switch_to(self, actor: Actor) -> None:
        changed = actor != self._desk.actor
        self._desk = self._desk.as_actor(actor)
        if changed:
            self.actor_changed.emit()

    def set_clinic(self, clinic: ClinicInfo) -> None:
        self._clinic = clinic
        self.clinic_changed.emit()

    def announce(self, text: str) -> None:
        """Confirm a save where the person looks: the main window's status bar."""
        self.saved.emit(text)

    def reload_clinic(self) -> None:
        from desk.services.settings import clinic_info

        self.set_clinic(clinic_info(self._desk))
