"""Search as you type in the real widget: results follow the keystrokes, arrows and Enter."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desk.domain.patients import PatientDraft
from desk.services import patients
from desk.ui.search import PatientSearch, PatientSearchDialog
from desk.ui.session import Session


@pytest.fixture
def registered(session: Session) -> dict[str, int]:
    people = [
        ("Zoë", "O'Brien", date(1980, 5, 6), "201-555-0123"),
        ("Zoe", "Zimmermann", date(1975, 2, 3), "201-555-7788"),
        ("Marcus", "Feldman", date(1969, 9, 9), "973-555-0144"),
    ]
    ids = {}
    for first, last, dob, phone in people:
        view = patients.register_patient(
            session.desk, PatientDraft(first, last, dob, phones=(phone,)),
            confirm_not_duplicate=True,
        )
        ids[last] = view.id
    return ids


def shown_names(search: PatientSearch) -> list[str]:
    return [search.model.index(r, 1).data() for r in range(search.model.rowCount())]


@pytest.fixture
def search(qtbot: QtBot, session: Session, registered: dict[str, int]) -> PatientSearch:
    widget = PatientSearch(session)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_results_follow_every_keystroke(qtbot: QtBot, search: PatientSearch) -> None:
    qtbot.keyClicks(search.box, "zo")
    qtbot.waitUntil(lambda: shown_names(search) == ["O'Brien, Zoë", "Zimmermann, Zoe"])
    qtbot.keyClicks(search.box, "e zi")
    qtbot.waitUntil(lambda: shown_names(search) == ["Zimmermann, Zoe"])
    assert "1 patient found" in search.status.text()
    qtbot.keyClick(search.box, Qt.Key.Key_Backspace)
    qtbot.keyClick(search.box, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: len(shown_names(search)) == 2)


def test_fast_typing_ends_with_the_results_of_the_last_text(
    qtbot: QtBot, search: PatientSearch
) -> None:
    for char in "feldman":
        qtbot.keyClick(search.box, char)
    qtbot.waitUntil(lambda: search.status.text().startswith("1 patient"))
    assert shown_names(search) == ["Feldman, Marcus"]


def test_arrows_move_and_enter_opens(
    qtbot: QtBot, search: PatientSearch, registered: dict[str, int]
) -> None:
    qtbot.keyClicks(search.box, "zoe")
    qtbot.waitUntil(lambda: len(shown_names(search)) == 2)
    qtbot.keyClick(search.box, Qt.Key.Key_Down)
    with qtbot.waitSignal(search.patient_opened) as opened:
        qtbot.keyClick(search.box, Qt.Key.Key_Return)
    assert opened.args == [registered["Zimmermann"]]
    qtbot.keyClick(search.box, Qt.Key.Key_Up)
    with qtbot.waitSignal(search.patient_opened) as opened_again:
        qtbot.keyClick(search.box, Qt.Key.Key_Enter)
    assert opened_again.args == [registered["O'Brien"]]


def test_phone_mrn_and_dob_from_the_same_box(
    qtbot: QtBot, search: PatientSearch, session: Session, registered: dict[str, int]
) -> None:
    qtbot.keyClicks(search.box, "0144")
    qtbot.waitUntil(lambda: shown_names(search) == ["Feldman, Marcus"])
    assert search.model.index(0, 4).data() == "(973) 555-0144"
    search.box.clear()
    mrn = patients.get_patient(session.desk, registered["O'Brien"]).mrn
    qtbot.keyClicks(search.box, mrn)
    qtbot.waitUntil(lambda: shown_names(search) == ["O'Brien, Zoë"])
    search.box.clear()
    qtbot.keyClicks(search.box, "02/03/1975")
    qtbot.waitUntil(lambda: shown_names(search) == ["Zimmermann, Zoe"])


def test_half_a_date_shows_a_hint(qtbot: QtBot, search: PatientSearch) -> None:
    qtbot.keyClicks(search.box, "02/03")
    qtbot.waitUntil(lambda: "whole date of birth" in search.status.text())
    assert shown_names(search) == []


def test_escape_clears_and_input_is_capped(qtbot: QtBot, search: PatientSearch) -> None:
    qtbot.keyClicks(search.box, "zoe")
    qtbot.waitUntil(lambda: len(shown_names(search)) == 2)
    qtbot.keyClick(search.box, Qt.Key.Key_Escape)
    assert search.box.text() == ""
    qtbot.waitUntil(lambda: shown_names(search) == [])
    search.box.setText("z" * 5000)
    assert len(search.box.text()) == 200


def test_screening_header_is_shown_with_details_in_the_tooltip(
    qtbot: QtBot, search: PatientSearch
) -> None:
    qtbot.keyClicks(search.box, "feld")
    qtbot.waitUntil(lambda: len(shown_names(search)) == 1)
    index = search.model.index(0, 5)
    assert "screening incomplete, missing: indication" in index.data()
    assert "Missing: treating provider" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_no_match_says_so_and_new_patient_button_carries_the_text(
    qtbot: QtBot, search: PatientSearch
) -> None:
    qtbot.keyClicks(search.box, "nobodyhere")
    qtbot.waitUntil(lambda: "No patient matches" in search.status.text())
    with qtbot.waitSignal(search.new_patient_requested) as requested:
        qtbot.mouseClick(search.new_button, Qt.MouseButton.LeftButton)
    assert requested.args == ["nobodyhere"]


def test_dialog_opens_the_record_of_the_chosen_patient(
    qtbot: QtBot, session: Session, registered: dict[str, int]
) -> None:
    from PySide6.QtWidgets import QApplication

    dialog = PatientSearchDialog(session)
    qtbot.addWidget(dialog)
    dialog.show_search()
    qtbot.keyClicks(dialog.search.box, "feld")
    qtbot.waitUntil(lambda: len(shown_names(dialog.search)) == 1)
    qtbot.keyClick(dialog.search.box, Qt.Key.Key_Return)
    forms = [w for w in QApplication.topLevelWidgets()
             if w.objectName() == "patientForm" and w.isVisible()]
    assert len(forms) == 1 and forms[0].windowTitle() == "Edit patient"
    forms[0].close()


def test_the_query_runs_off_the_ui_thread(
    qtbot: QtBot, search: PatientSearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from desk.services import search as search_service

    threads: list[threading.Thread] = []
    real = search_service.search

    def recording(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search_service, "search", recording)
    qtbot.keyClicks(search.box, "feld")
    qtbot.waitUntil(lambda: shown_names(search) == ["Feldman, Marcus"])
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_a_very_long_name_is_elided_and_keeps_mrn_and_dob_on_screen(
    qtbot: QtBot, search: PatientSearch, session: Session
) -> None:
    long_last = "Featherstonehaugh-" + "Q" * 180
    patients.register_patient(
        session.desk, PatientDraft("Marcus", long_last, date(1990, 3, 14),
                                   phones=("201-555-0100",)),
        confirm_not_duplicate=True,
    )
    search.resize(900, 400)
    qtbot.keyClicks(search.box, "featherst")
    qtbot.waitUntil(lambda: search.model.rowCount() == 1)
    header = search.table.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(search.model.columnCount())]
    assert max(widths[:-1]) <= 320  # the last column stretches to the edge
    mrn_column = [search.model.headerData(c, Qt.Orientation.Horizontal)
                  for c in range(search.model.columnCount())].index("MRN")
    assert sum(widths[:mrn_column + 1]) <= search.table.viewport().width()
    legal = search.model.index(0, 1)
    assert legal.data(Qt.ItemDataRole.ToolTipRole) == f"{long_last}, Marcus"
