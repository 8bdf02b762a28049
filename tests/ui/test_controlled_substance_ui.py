"""A controlled-substance day through the main window, by visible labels: receive a lot with a
witness, a clinician's order, start with the vial chosen, a rate change, the end with the
amount given, the witnessed waste, and the day closed with a counted balance; the day
report and the lot's log are read back from their PDFs."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from desk.domain.roles import Role
from desk.services import audit, day_close, prep
from desk.ui.administration import AdministrationDialog
from desk.ui.day_close import DayCloseDialog
from desk.ui.mainwindow import MainWindow
from desk.ui.orders import OrderDialog
from desk.ui.session import Session
from desk.ui.stock import StockDialog
from tests.helpers.fixtures import STAFF_PASSWORD, FakeClock, add_person
from tests.services.nurse_rows import add_visit, confirm_everything
from tests.ui.conftest import button, field_for


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def menu_item(window: MainWindow, menu_text: str, item_text: str) -> QDialog:
    """Choose a menu item as a person does; the dialog it opens."""
    for menu_action in window.menuBar().actions():
        if menu_action.text().replace("&", "") == menu_text:
            menu = menu_action.menu()
            for action in menu.actions():  # type: ignore[union-attr]
                if action.text().replace("&", "") == item_text:
                    before = set(window._open_dialogs())
                    action.trigger()
                    opened = [d for d in window._open_dialogs() if d not in before]
                    return opened[0] if opened else window._open_dialogs()[-1]
    raise AssertionError(f"no menu item {menu_text} → {item_text}")


def type_into(qtbot: QtBot, dialog: QWidget, label: str, text: str) -> None:
    field = field_for(dialog, label)
    if isinstance(field, QSpinBox):
        field.selectAll()
        qtbot.keyClicks(field, text)
        return
    assert isinstance(field, QLineEdit)
    field.clear()
    qtbot.keyClicks(field, text)


def choose(dialog: QWidget, label: str, text: str) -> None:
    combo = field_for(dialog, label)
    assert isinstance(combo, QComboBox)
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered under {label!r}"
    combo.setCurrentIndex(index)


def press(qtbot: QtBot, dialog: QWidget, text: str) -> None:
    qtbot.keyClick(button(dialog, text), Qt.Key.Key_Space)


def text_of(dialog: QWidget, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None
    return label.text()


def test_a_controlled_substance_day_through_the_main_window(
    qtbot: QtBot, session: Session, clock: FakeClock, tmp_path: Path
) -> None:
    admin = session.desk
    nina = add_person(admin, "nina", Role.NURSE)
    add_person(admin, "walt", Role.NURSE)
    cleo = add_person(admin, "cleo", Role.CLINICIAN)
    visit_id = add_visit(admin, start_in_minutes=0)
    window = MainWindow(session, "infusion-room-1")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    session.switch_to(nina)
    stock = menu_item(window, "Controlled substance", "Stock and log…")
    assert isinstance(stock, StockDialog)
    for label, value in (("Lot number", "KX2291"), ("Concentration mg/mL", "50"),
                         ("Vial volume mL", "1"), ("Vials received", "10"),
                         ("Supplier", "Hikma"), ("Invoice", "INV-7781"),
                         ("Receiving witness user name", "walt"),
                         ("Receiving witness password", STAFF_PASSWORD)):  # fmt: skip
        type_into(qtbot, stock, label, value)
    press(qtbot, stock, "Receive vials")
    qtbot.waitUntil(lambda: stock.lots.count() == 1)
    assert "500 mg, 10 sealed vials" in stock.lots.item(0).text()
    assert field_for(stock, "Receiving witness password").text() == ""  # type: ignore[attr-defined]

    session.switch_to(cleo)
    qtbot.waitUntil(lambda: window.board.select_visit(visit_id))
    order = menu_item(window, "Controlled substance", "Infusion order…")
    assert isinstance(order, OrderDialog)
    type_into(qtbot, order, "Dose mg/kg", "0.5")
    type_into(qtbot, order, "Weight kg", "72.4")
    press(qtbot, order, "Save order")
    qtbot.waitUntil(lambda: "= 36.2 mg over 40 min" in text_of(order, "currentOrder"))

    session.switch_to(nina)
    nurse = admin.as_actor(nina)
    view = confirm_everything(nurse, visit_id)
    prep.clear_for_infusion(nurse, visit_id, expected_version=view.prep_version)
    record = menu_item(window, "Controlled substance", "Drug record (vial, rate, waste)…")
    assert isinstance(record, AdministrationDialog)
    assert "Draw 0.7 mL (35 mg) from 1 vial(s)" in text_of(record, "drawPlan")
    type_into(qtbot, record, "IV site", "Left antecubital")
    choose(record, "IV gauge", "22 G")
    press(qtbot, record, "Start infusion with this vial")
    qtbot.waitUntil(lambda: "IV Left antecubital, 22 G" in text_of(record, "drugRecord"))

    clock.advance(minutes=15)
    choose(record, "Monitoring point", "~40 min")
    choose(record, "Responsiveness", "4 – lethargic but responds readily")
    choose(record, "Dissociation", "Mild")
    press(qtbot, record, "Record check")
    qtbot.waitUntil(
        lambda: "responsiveness 4/5, dissociation mild" in text_of(record, "drugRecord")
    )
    type_into(qtbot, record, "New rate mL/h", "0.8")
    type_into(qtbot, record, "Reason for the change", "Nausea")
    press(qtbot, record, "Record change")
    qtbot.waitUntil(lambda: "rate 0.8 mL/h: Nausea" in text_of(record, "drugRecord"))
    clock.advance(minutes=25)
    type_into(qtbot, record, "Amount given mg", "33.5")
    press(qtbot, record, "End infusion with this amount")
    qtbot.waitUntil(lambda: "Given: 33.5 mg." in text_of(record, "drugRecord"))
    type_into(qtbot, record, "Waste method", "Rx Destroyer")
    type_into(qtbot, record, "Waste witness user name", "walt")
    type_into(qtbot, record, "Waste witness password", STAFF_PASSWORD)
    press(qtbot, record, "Record waste")
    qtbot.waitUntil(lambda: "16.5 mg wasted (Rx Destroyer)" in text_of(record, "drugRecord"))

    qtbot.waitUntil(lambda: window.board.select_visit(visit_id))
    station = menu_item(window, "Nurse", "Infusion and recovery…")
    assert "mid: responsiveness 4/5, dissociation mild" in text_of(station, "infusionSedation")

    closing = menu_item(window, "Controlled substance", "Close the day…")
    assert isinstance(closing, DayCloseDialog)
    assert "not discharged" in text_of(closing, "openItems")
    (count,) = closing.counts.values()
    assert count.value() == 9
    type_into(qtbot, closing, "Count witness user name", "walt")
    type_into(qtbot, closing, "Count witness password", STAFF_PASSWORD)
    press(qtbot, closing, "Close the day")
    qtbot.waitUntil(lambda: "every count matched" in text_of(closing, "closeOutcome"))
    assert closing.closed is not None
    day = clock.now.astimezone().date()
    report = pdf_text(day_close.stored_report(admin.as_actor(nina), day)[0])
    assert "33.5" in report and "16.5" in report and "KX2291" in report
    assert "9 vials counted, as expected." in report
    assert f"Audit chain head: entry {closing.closed.audit_seq}" in report
    assert "Sam" not in report  # MRNs, never names
    closing.write_csv(tmp_path / "day.csv", day_close.stored_report(admin.as_actor(nina), day)[1])
    saved = (tmp_path / "day.csv").read_text(encoding="utf-8")
    assert "infusion,T" in saved and ",33.5," in saved and "audit_head," in saved
    assert audit.verify(admin)[1] is None

    press(qtbot, stock, "Print log of the lot…")
    log = pdf_text(stock.last_pdf)
    assert "Opening balance 0 mg; closing balance 450 mg; 3 movements." in log
    assert "+500" in log and "-33.5" in log and "-16.5" in log
