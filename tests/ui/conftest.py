"""Shared pieces of the GUI tests: a signed-in session, visits on the board, what is on screen."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import QAbstractListModel, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from desk.db.models import Patient, Visit
from desk.services import settings
from desk.services.context import Desk
from desk.services.database import location_text
from desk.ui.session import Session
from desk.ui.tasks import wait_for_background_work

_mrn = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_background_work_left(qapp: QApplication) -> Iterator[None]:
    yield
    wait_for_background_work()


@pytest.fixture
def session(sqlite_admin_desk: Desk) -> Session:
    desk = sqlite_admin_desk
    return Session(desk, settings.clinic_info(desk), location_text(desk.engine))


def set_policy(desk: Desk, break_glass: bool | None = None, **changes: object) -> None:
    """Change clinic policy numbers (and break-glass) through the settings service."""
    info = settings.clinic_info(desk)
    settings.update_clinic(
        desk,
        expected_version=info.version,
        name=info.name,
        address=info.address,
        phone=info.phone,
        costs_text=info.costs_text,
        policy=replace(info.policy, **changes),
        break_glass_enabled=info.break_glass_enabled if break_glass is None else break_glass,
    )


def today(desk: Desk) -> date:
    return desk.now().astimezone().date()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone()


def add_visit(
    desk: Desk,
    first: str,
    last: str,
    start: datetime,
    *,
    status: str = "scheduled",
    preferred: str = "",
    chair: str | None = "Chair 1",
) -> int:
    """A patient and one visit, written straight to the database (no service yet)."""
    now = desk.now()
    with desk.sessions() as db:
        patient = Patient(
            mrn=f"T{next(_mrn):06d}",
            legal_first_name=first,
            legal_last_name=last,
            preferred_name=preferred,
            dob=date(1980, 1, 1),
            created_at=now,
        )
        db.add(patient)
        db.flush()
        visit = Visit(
            patient_id=patient.id,
            visit_type="mood_infusion",
            chair=chair,
            scheduled_start=start,
            scheduled_end=start + timedelta(hours=2),
            status=status,
            created_at=now,
        )
        db.add(visit)
        db.commit()
        return visit.id


def visible_texts() -> list[str]:
    """Every piece of text a person could read on screen right now."""
    texts: list[str] = []
    for window in QApplication.topLevelWidgets():
        if not window.isVisible():
            continue
        texts.append(window.windowTitle())
        for widget in [window, *window.findChildren(QWidget)]:
            if widget.isVisible():
                texts.extend(_texts_of(widget))
    return texts


def _texts_of(widget: QWidget) -> list[str]:
    if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
        return [widget.text()]
    if isinstance(widget, QPlainTextEdit):
        return [widget.toPlainText()]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        # A list widget's model hides columnCount(); it has one column.
        columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
        return [
            str(model.index(r, c).data(Qt.ItemDataRole.DisplayRole))
            for r in range(model.rowCount())
            for c in range(columns)
        ]
    return []


def screen_shows(text: str) -> bool:
    return any(text in shown for shown in visible_texts())


def field_for(window: QWidget, label_text: str) -> QWidget:
    """The input a visible label names (its buddy), as a person finds it; a required
    field's star ("Legal last name *") is not part of its name."""
    for label in window.findChildren(QLabel):
        shown = label.text().replace("&", "").removesuffix(" *")
        if shown == label_text and label.buddy() is not None:
            buddy = label.buddy()
            assert buddy is not None
            # A plain row box (a date and its weekday) hands focus to the field inside it.
            proxy = buddy.focusProxy()
            if type(buddy) is QWidget and proxy is not None:
                return proxy
            return buddy
    raise AssertionError(f"no field labelled {label_text!r}")


def button(window: QWidget, text: str) -> QAbstractButton:
    for candidate in window.findChildren(QAbstractButton):
        if candidate.text().replace("&", "") == text and candidate.isVisible():
            return candidate
    raise AssertionError(f"no visible button {text!r}")
