"""The consent dialog: read, sign on the pads, store; paper signatures; stored documents."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desk.domain.consent import ConsentState, TreatmentType
from desk.domain.roles import Role
from desk.services import consent
from desk.ui.consent import ConsentDialog, WithdrawDialog
from desk.ui.document_viewer import DocumentViewerDialog
from desk.ui.session import Session
from desk.ui.signature_pad import EMPTY_MESSAGE
from desk.ui.templates_admin import TemplatesDialog
from tests.helpers.fixtures import FakeClock, add_person
from tests.helpers.visits import add_patient
from tests.ui.test_signature_pad import draw, scribble

MOOD = TreatmentType.MOOD_SERIES


def image_count(pdf: bytes) -> int:
    total = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for xobject in page["/Resources"].get("/XObject", {}).values():
            if xobject.get_object()["/Subtype"] == "/Image":
                total += 1
    return total


def open_dialog(qtbot: QtBot, session: Session, patient: int) -> ConsentDialog:
    dialog = ConsentDialog(session, patient)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.preview.page_count > 0, timeout=20_000)
    return dialog


def sign_both(qtbot: QtBot, dialog: ConsentDialog) -> None:
    scribble(dialog.patient_box.pad)
    qtbot.mouseClick(dialog.patient_box.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.witness_box.pad.isEnabled()
    draw(dialog.witness_box.pad, [(40 + 15 * i, 60 + (i * 7) % 50) for i in range(22)])
    qtbot.mouseClick(dialog.witness_box.accept_button, Qt.MouseButton.LeftButton)


def test_signing_on_screen_stores_a_pdf_with_both_signature_images(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk, "Zoë", "Ñandú")
    dialog = open_dialog(qtbot, session, patient)
    assert "Zoë Ñandú" in dialog.header.text()
    assert "ketamine-iv 1.0 (en)" in dialog.form_label.text()
    assert not dialog.witness_box.pad.isEnabled()  # the patient signs first
    assert not dialog.save_button.isEnabled()
    sign_both(qtbot, dialog)
    assert "Signed by Zoë Ñandú at" in dialog.patient_box.signer_label.text()
    assert dialog.witness_box.signer_label.text() == "Witnessed by Ada Admin"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.sign_message.text().startswith("Stored as CNS-"), timeout=20_000)
    documents = consent.documents_for_patient(session.desk, patient)
    assert len(documents) == 1 and documents[0].method == "screen"
    pdf = consent.document_pdf(session.desk, documents[0].document_uid)
    assert image_count(pdf) == 2
    assert consent.consent_status_for(session.desk, patient, MOOD).state is ConsentState.VALID
    assert dialog.documents.rowCount() == 1
    assert dialog.patient_box.png == b""  # ready for the next form, not re-saveable


def test_an_empty_patient_pad_is_refused_and_nothing_is_stored(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk)
    dialog = open_dialog(qtbot, session, patient)
    qtbot.mouseClick(dialog.patient_box.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.patient_box.message.text() == EMPTY_MESSAGE
    assert not dialog.witness_box.pad.isEnabled() and not dialog.save_button.isEnabled()
    assert consent.documents_for_patient(session.desk, patient) == []


def test_signed_on_paper_prints_then_records_the_signed_in_witness(
    qtbot: QtBot, session: Session, clock: FakeClock
) -> None:
    patient = add_patient(session.desk)
    dialog = open_dialog(qtbot, session, patient)
    printed: list[bytes] = []

    def fake_print(_parent: QWidget, pdf: bytes, _title: str) -> bool:
        printed.append(pdf)
        return True

    dialog.print_document = fake_print
    assert not dialog.record_paper_button.isEnabled()
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert len(printed) == 1 and image_count(printed[0]) == 0
    assert "Printed form <b>CNS-" in dialog.paper_info.text()
    clock.advance(minutes=10)  # the patient reads and signs the paper
    signed = session.desk.now().astimezone() - timedelta(minutes=3)
    dialog.witnessed_at.setDateTime(QDateTime(signed.replace(second=0, microsecond=0)))
    qtbot.mouseClick(dialog.record_paper_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.sign_message.text().startswith("Stored as"), timeout=20_000)
    [document] = consent.documents_for_patient(session.desk, patient)
    assert document.method == "paper" and document.witness == "admin"
    assert document.witnessed_at == signed.replace(second=0, microsecond=0)
    assert consent.document_pdf(session.desk, document.document_uid) == printed[0]


def test_cancelling_the_print_dialog_records_nothing(qtbot: QtBot, session: Session) -> None:
    patient = add_patient(session.desk)
    dialog = open_dialog(qtbot, session, patient)
    dialog.print_document = lambda _parent, _pdf, _title: False
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert not dialog.record_paper_button.isEnabled()
    assert consent.documents_for_patient(session.desk, patient) == []


def _stored_dialog(qtbot: QtBot, session: Session) -> tuple[ConsentDialog, int]:
    patient = add_patient(session.desk)
    dialog = open_dialog(qtbot, session, patient)
    sign_both(qtbot, dialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.documents.rowCount() == 1, timeout=20_000)
    dialog.tabs.setCurrentIndex(1)
    dialog.table.selectRow(0)
    return dialog, patient


def test_view_and_reprint_show_the_stored_pages_and_a_copy(qtbot: QtBot, session: Session) -> None:
    dialog, _patient = _stored_dialog(qtbot, session)
    viewer = dialog.view_selected()
    assert isinstance(viewer, DocumentViewerDialog) and viewer.pages.page_count >= 3
    copy = dialog.reprint_selected()
    assert isinstance(copy, DocumentViewerDialog)
    assert copy.windowTitle().endswith("COPY")


def test_withdraw_needs_a_reason_and_blocks_the_treatment(qtbot: QtBot, session: Session) -> None:
    dialog, patient = _stored_dialog(qtbot, session)
    qtbot.mouseClick(dialog.withdraw_button, Qt.MouseButton.LeftButton)
    withdraw = next(w for w in QApplication.topLevelWidgets() if isinstance(w, WithdrawDialog))
    qtbot.mouseClick(withdraw.ok_button, Qt.MouseButton.LeftButton)
    assert withdraw.error.text() == "Enter why the consent is withdrawn."
    qtbot.keyClicks(withdraw.reason, "Patient decided against treatment")
    qtbot.mouseClick(withdraw.ok_button, Qt.MouseButton.LeftButton)
    status = consent.consent_status_for(session.desk, patient, MOOD)
    assert status.state is ConsentState.WITHDRAWN
    assert "withdrew consent" in dialog.statuses.text()
    assert not dialog.withdraw_button.isEnabled() or dialog.selected_document() is None


def test_templates_admin_lists_versions_and_refuses_a_bad_file_with_its_line(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    dialog = TemplatesDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 2
    bad = tmp_path / "bad.txt"
    bad.write_text("id: x\nversion: 1\n---\n", "utf-8")
    assert dialog.import_file(bad) is None
    assert "bad.txt was not imported. Line 3: The header lacks: language" in dialog.message.text()
    dialog.table.selectRow(0)
    viewer = dialog.preview_selected()
    assert isinstance(viewer, DocumentViewerDialog) and viewer.pages.page_count >= 3


def test_a_change_of_user_clears_the_previous_witness_signature(
    qtbot: QtBot, session: Session
) -> None:
    patient = add_patient(session.desk)
    dialog = open_dialog(qtbot, session, patient)
    sign_both(qtbot, dialog)
    assert dialog.save_button.isEnabled()
    session.switch_to(add_person(session.desk, "nina", Role.NURSE))
    assert dialog.witness_box.png == b"" and not dialog.save_button.isEnabled()
    assert dialog.witness_box.title() == "2. The witness signs: Nina"
    assert dialog.patient_box.png  # the patient's signature stays
