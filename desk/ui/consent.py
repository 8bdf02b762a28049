"""The consent dialog: read the form, the patient signs, the witness signs, store it.

Also: "signed on paper" (print, then record the witness and the time), and the patient's
stored consents with View, Reprint (COPY) and Withdraw. The witness is always whoever is
signed in at the moment of signing; their name and the time are stamped on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.domain.consent import ConsentState, ConsentStatus, TreatmentType
from desk.domain.errors import DeskError
from desk.domain.locale import format_datetime, qt_date_format, qt_time_format
from desk.domain.policy import ClinicPolicy
from desk.services import consent, handouts
from desk.services.consent import (
    ConsentDocumentView,
    ConsentDraft,
    ConsentOverview,
    PrintedForm,
)
from desk.ui.document_viewer import (
    DocumentViewerDialog,
    PdfPagesView,
    print_pdf,
    render_page_images,
)
from desk.ui.forms import named, resize_to_fit, to_qdatetime
from desk.ui.messages import error_text, show_error, show_message
from desk.ui.session import Session
from desk.ui.signature_pad import SignatureBox
from desk.ui.tablemodel import Column, RecordTableModel, fit_columns
from desk.ui.tasks import run_in_background

TREATMENT_LABELS = {
    TreatmentType.MOOD_SERIES: "Mood Series",
    TreatmentType.PAIN_SERIES: "Pain Series",
    TreatmentType.BOOSTER: "Booster",
    TreatmentType.MAINTENANCE: "Maintenance",
}
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
STATE_COLOURS = {
    ConsentState.VALID: "#1b5e20",
    ConsentState.MISSING: "#8a5a00",
    ConsentState.EXPIRED: "#a00000",
    ConsentState.NEEDS_RECONSENT: "#a00000",
    ConsentState.WITHDRAWN: "#a00000",
}
MAX_REASON = 1000


def _local_text(moment: datetime | None, policy: ClinicPolicy) -> str:
    return format_datetime(moment, policy) if moment else ""


def _status_html(status: ConsentStatus, date_format: str) -> str:
    colour = STATE_COLOURS[status.state]
    return f'<span style="color:{colour}; font-weight:bold">{status.describe(date_format)}</span>'


class WithdrawDialog(QDialog):
    """Ask why the patient withdraws consent; the reason is required."""

    def __init__(self, document: ConsentDocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Withdraw consent")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("withdrawReason")
        self.reason.setPlaceholderText("For example: the patient no longer wants the treatment.")
        label = QLabel(
            f"Record that the patient withdraws consent {document.document_uid}. "
            "No infusion for this treatment until they sign a new consent.",
            wordWrap=True,
        )
        reason_label = QLabel("&Reason")
        reason_label.setBuddy(self.reason)
        self.error = QLabel("", wordWrap=True)
        self.error.setStyleSheet("color: #a00000;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton(
            "Withdraw consent", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (label, reason_label, self.reason, self.error, buttons):
            layout.addWidget(widget)

    def _check(self) -> None:
        text = self.reason.toPlainText().strip()
        if not text:
            self.error.setText("Enter why the consent is withdrawn.")
        elif len(text) > MAX_REASON:
            self.error.setText(f"Keep the reason under {MAX_REASON} characters.")
        else:
            self.accept()


class ConsentDialog(QDialog):
    """One patient's consent: sign a new one, or look after the stored ones."""

    def __init__(self, session: Session, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consentDialog")
        self.setWindowTitle("Consent")
        self._session = session
        self._patient_id = patient_id
        self._draft: ConsentDraft | None = None
        self._printed: PrintedForm | None = None
        self._patient_signed_at: datetime | None = None
        self._overview: ConsentOverview | None = None
        self._busy = False
        self._witness_name = ""
        # Replaced in tests; the real one opens Qt's print dialog.
        self.print_document: Callable[[QWidget, bytes, str], bool] = print_pdf
        self.header = named(QLabel("Loading…", wordWrap=True), "consentHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_sign_tab(), "&Sign a new consent")
        self.tabs.addTab(self._build_documents_tab(), "Stored &documents")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        resize_to_fit(self, 1280, 880)
        session.actor_changed.connect(self._show_witness)
        self._show_witness()
        self.reload()
        self._load_draft()

    # --- layout -------------------------------------------------------------------------

    def _build_sign_tab(self) -> QWidget:
        self.treatment_combo = named(QComboBox(), "treatmentCombo")
        for treatment, treatment_text in TREATMENT_LABELS.items():
            self.treatment_combo.addItem(treatment_text, treatment)
        self.language_combo = named(QComboBox(), "languageCombo")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        self.treatment_status = named(QLabel("", wordWrap=True), "treatmentStatus")
        self.treatment_status.setTextFormat(Qt.TextFormat.RichText)
        self.treatment_combo.currentIndexChanged.connect(self._load_draft)
        self.language_combo.currentIndexChanged.connect(self._load_draft)
        choose = QHBoxLayout()
        for text, combo in (
            ("&Treatment", self.treatment_combo),
            ("&Language", self.language_combo),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            choose.addWidget(label)
            choose.addWidget(combo)
        choose.addWidget(self.treatment_status, 1)
        self.preview = PdfPagesView(fit_width=True)
        self.form_label = named(QLabel(""), "formLabel")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.form_label)
        left_layout.addWidget(self.preview, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        # The signing steps scroll rather than push Close below a 768-pixel screen.
        signing = QScrollArea(widgetResizable=True)
        signing.setFrameShape(QFrame.Shape.NoFrame)
        signing.setWidget(self._build_signing_panel())
        splitter.addWidget(signing)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 540])
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(choose)
        layout.addWidget(splitter, 1)
        return tab

    def _build_signing_panel(self) -> QWidget:
        self.patient_box = SignatureBox(
            "1. The patient reads the whole form, then signs", "",
            buttons=("&Clear", "&Accept signature"),
        )
        self.witness_box = SignatureBox(
            "2. The witness (you) signs", "", buttons=("Cl&ear", "Accept si&gnature")
        )
        self.patient_box.setObjectName("patientSignature")
        self.witness_box.setObjectName("witnessSignature")
        self.patient_box.accepted.connect(self._patient_signed)
        self.patient_box.cleared.connect(self._patient_cleared)
        self.witness_box.accepted.connect(lambda _png: self._update_buttons())
        self.witness_box.cleared.connect(self._update_buttons)
        self.save_button = QPushButton("Sa&ve signed consent")
        self.save_button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.sign_message = named(QLabel("", wordWrap=True), "signMessage")
        paper = QGroupBox("Signing on paper instead?")
        self.print_button = QPushButton("&Print the form for signing on paper…")
        self.print_button.clicked.connect(self.print_for_paper)
        self.paper_info = named(QLabel("", wordWrap=True), "paperInfo")
        self.witnessed_at = named(QDateTimeEdit(), "witnessedAt")
        self.witnessed_at.setCalendarPopup(True)
        policy = self._session.policy
        self.witnessed_at.setDisplayFormat(
            f"{qt_date_format(policy.date_format)} {qt_time_format(policy.time_format)}"
        )
        self.witnessed_label = QLabel("Signed and &witnessed at")
        self.witnessed_label.setBuddy(self.witnessed_at)
        self.record_paper_button = QPushButton("&Record paper signature")
        self.record_paper_button.clicked.connect(self.record_paper)
        paper_form = QFormLayout()
        paper_form.addRow(self.witnessed_label, self.witnessed_at)
        paper_layout = QVBoxLayout(paper)
        paper_layout.addWidget(self.print_button)
        paper_layout.addWidget(self.paper_info)
        paper_layout.addLayout(paper_form)
        paper_layout.addWidget(self.record_paper_button)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.patient_box, 1)
        layout.addWidget(self.witness_box, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.sign_message)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        layout.addWidget(paper)
        self._show_paper_step()
        return panel

    def _build_documents_tab(self) -> QWidget:
        policy = self._session.policy
        self.documents: RecordTableModel[ConsentDocumentView] = RecordTableModel(
            [
                Column("Document", lambda d: d.document_uid),
                Column("Treatment", lambda d: TREATMENT_LABELS[d.treatment]),
                Column("Form", lambda d: d.template_label),
                Column("Signed", lambda d: _local_text(d.signed_at, policy)),
                Column("How", lambda d: "on screen" if d.method == consent.SCREEN else "on paper"),
                Column("Witness", lambda d: d.witness_name),
                Column(
                    "Status",
                    lambda d: (
                        f"Withdrawn {_local_text(d.withdrawn_at, policy)}"
                        if d.withdrawn
                        else "Signed"
                    ),
                    tooltip=lambda d: d.withdrawn_reason,
                ),
            ]
        )
        self.table = named(QTableView(), "consentDocuments")
        self.table.setModel(self.documents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        fit_columns(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.view_selected())
        self.view_button = QPushButton("&View")
        self.reprint_button = QPushButton("&Reprint (COPY)…")
        self.withdraw_button = QPushButton("&Withdraw…")
        self.prep_button = QPushButton("Prep &instructions…")
        self.view_button.clicked.connect(self.view_selected)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.prep_button.clicked.connect(self.show_prep_instructions)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_doc_buttons())
        self.statuses = named(QLabel("", wordWrap=True), "consentStatuses")
        self.statuses.setTextFormat(Qt.TextFormat.RichText)
        side = QVBoxLayout()
        for widget in (self.view_button, self.reprint_button, self.withdraw_button):
            side.addWidget(widget)
        side.addStretch()
        side.addWidget(self.prep_button)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.statuses)
        layout.addLayout(body, 1)
        self._update_doc_buttons()
        return tab

    # --- loading ------------------------------------------------------------------------

    @property
    def treatment(self) -> TreatmentType:
        # Qt hands the enum back as its plain string value.
        return TreatmentType(str(self.treatment_combo.currentData()))

    @property
    def language(self) -> str:
        return str(self.language_combo.currentData())

    def reload(self) -> None:
        """The header, statuses and stored documents, from the database."""
        try:
            overview = consent.consent_overview(self._session.desk, self._patient_id)
        except DeskError as err:
            self.header.setText(error_text(err))
            return
        self._overview = overview
        fmt = overview.date_format
        self.header.setText(
            f"<span style='font-size:15px'><b>{_escape(overview.patient_name)}</b></span>"
            f" &nbsp; MRN {_escape(overview.mrn)}"
        )
        self.statuses.setText(
            "<br>".join(
                f"{TREATMENT_LABELS[t]}: {_status_html(s, fmt)}"
                for t, s in overview.statuses.items()
            )
        )
        self.documents.set_rows(overview.documents)
        self.tabs.setTabText(1, f"Stored &documents ({len(overview.documents)})")
        self._show_treatment_status()
        self._update_doc_buttons()

    def _show_treatment_status(self) -> None:
        if self._overview is None:
            return
        status = self._overview.statuses[self.treatment]
        self.treatment_status.setText(_status_html(status, self._overview.date_format))

    def _load_draft(self) -> None:
        self._reset_signing()
        self._show_treatment_status()
        self._draft = None
        self.preview.show_message("Preparing the form…")
        self.form_label.setText("")
        self._update_buttons()
        desk, patient, treatment, language = (
            self._session.desk,
            self._patient_id,
            self.treatment,
            self.language,
        )
        wanted = (treatment, language)

        width = self.preview.page_width()

        def work() -> tuple[ConsentDraft, list[QImage] | DeskError]:
            # The pages are drawn here too: rasterising four pages on the UI thread froze
            # the dialog for several frames while it opened.
            draft = consent.prepare_consent(desk, patient, treatment, language)
            try:
                return draft, render_page_images(draft.pdf, width)
            except DeskError as err:
                return draft, err

        def done(outcome: tuple[ConsentDraft, list[QImage] | DeskError]) -> None:
            draft, pages = outcome
            if wanted != (self.treatment, self.language):
                return  # the person chose something else meanwhile
            self._draft = draft
            self.form_label.setText(f"Form {draft.template.label}: {draft.template.title}")
            if isinstance(pages, DeskError):
                self.preview.show_message(str(pages))
            else:
                self.preview.show_pages(draft.pdf, pages)
            self._update_buttons()

        def failed(error: BaseException) -> None:
            if wanted == (self.treatment, self.language):
                self.preview.show_message(error_text(error))

        run_in_background(self, work, done, failed)

    # --- signing on screen --------------------------------------------------------------

    def _show_witness(self) -> None:
        actor = self._session.actor
        if self.witness_box.png and self._witness_name != actor.full_name:
            # Someone else signed in: the signature on the pad is not theirs to witness with.
            self.witness_box.clear()
            self.sign_message.setText(f"{actor.full_name} is signed in now: sign as the witness.")
        self._witness_name = actor.full_name
        self.witness_box.setTitle(f"2. The witness signs: {actor.full_name}")
        if not self.witness_box.png:
            self.witness_box.set_signer(f"Witness: {actor.full_name}")

    def _reset_signing(self) -> None:
        self._patient_signed_at = None
        self._printed = None
        self.patient_box.clear()
        self.witness_box.clear()
        self.sign_message.setText("")
        self._show_paper_step()

    def _patient_signed(self, _png: bytes) -> None:
        now = self._session.desk.now()
        self._patient_signed_at = now
        name = self._draft.patient_name if self._draft else ""
        self.patient_box.set_signer(f"Signed by {name} at {now.astimezone():%H:%M}")
        self._update_buttons()

    def _patient_cleared(self) -> None:
        self._patient_signed_at = None
        if self._draft is not None:
            self.patient_box.set_signer(f"Patient: {self._draft.patient_name}")
        self.witness_box.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self._draft is not None and not self._busy
        if ready and self._draft is not None and not self.patient_box.png:
            self.patient_box.set_signer(f"Patient: {self._draft.patient_name}")
        self.patient_box.set_enabled_for_signing(ready)
        self.witness_box.set_enabled_for_signing(ready and bool(self.patient_box.png))
        if self.witness_box.png:
            self.witness_box.set_signer(f"Witnessed by {self._session.actor.full_name}")
        self.save_button.setEnabled(
            ready and bool(self.patient_box.png) and bool(self.witness_box.png)
        )
        self.print_button.setEnabled(ready)
        self._show_paper_step()

    def save(self) -> None:
        draft = self._draft
        if draft is None or not self.patient_box.png or not self.witness_box.png:
            self.sign_message.setText("Both the patient and the witness must sign first.")
            return
        desk = self._session.desk
        patient_png, witness_png = self.patient_box.png, self.witness_box.png
        signed_at = self._patient_signed_at

        def work() -> ConsentDocumentView:
            return consent.sign_on_screen(
                desk,
                draft.patient_id,
                draft.treatment,
                draft.template.id,
                patient_png,
                witness_png,
                signed_at,
            )

        self._run(work, "Saving the signed consent…")

    def _run(self, work: Callable[[], ConsentDocumentView], busy_text: str) -> None:
        self._busy = True
        self.sign_message.setStyleSheet("")
        self.sign_message.setText(busy_text)
        self._update_buttons()

        def done(document: object) -> None:
            assert isinstance(document, ConsentDocumentView)
            self._busy = False
            self._reset_signing()
            self.reload()
            self._update_buttons()
            self.sign_message.setStyleSheet("color: #1b5e20; font-weight: bold;")
            self.sign_message.setText(f"Stored as {document.document_uid}.")

        def failed(error: BaseException) -> None:
            self._busy = False
            self._update_buttons()
            self.sign_message.setStyleSheet("color: #a00000;")
            self.sign_message.setText(error_text(error))

        run_in_background(self, work, done, failed)

    # --- signing on paper ---------------------------------------------------------------

    def _show_paper_step(self) -> None:
        printed = self._printed
        # The time and Record appear only once a form is printed: nothing to record before.
        for widget in (self.witnessed_at, self.witnessed_label, self.record_paper_button):
            widget.setVisible(printed is not None)
        self.record_paper_button.setEnabled(printed is not None and not self._busy)
        if printed is None:
            self.paper_info.setText(
                "Print the form, let the patient sign it in ink while you watch, then record "
                "it here. Keep the signed paper in the patient's chart."
            )
        else:
            self.paper_info.setText(
                f"Printed form <b>{printed.document_uid}</b>. When the patient has signed "
                "it, record the time and press Record. You "
                f"({_escape(self._session.actor.full_name)}) are recorded as the witness."
            )

    def print_for_paper(self) -> None:
        draft = self._draft
        if draft is None:
            return
        try:
            printed = consent.print_paper_form(
                self._session.desk, draft.patient_id, draft.treatment, draft.template.id
            )
        except DeskError as err:
            show_error(self, err)
            return
        if not self.print_document(self, printed.pdf, printed.document_uid):
            return
        self._printed = printed
        self.witnessed_at.setDateTime(to_qdatetime(self._session.desk.now()))
        self._show_paper_step()

    def record_paper(self) -> None:
        printed = self._printed
        if printed is None:
            return
        witnessed = self.witnessed_at.dateTime().toPython()
        assert isinstance(witnessed, datetime)
        desk = self._session.desk
        when = witnessed.astimezone()  # the edit shows local wall-clock time
        self._run(lambda: consent.record_paper_signature(desk, printed, when), "Recording…")

    # --- stored documents ---------------------------------------------------------------

    def selected_document(self) -> ConsentDocumentView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.documents.row_at(rows[0].row()) if rows else None

    def _update_doc_buttons(self) -> None:
        document = self.selected_document()
        self.view_button.setEnabled(document is not None)
        self.reprint_button.setEnabled(document is not None)
        self.withdraw_button.setEnabled(document is not None and not document.withdrawn)

    def _open_viewer(self, pdf: bytes, title: str, document_id: str) -> DocumentViewerDialog:
        viewer = DocumentViewerDialog(pdf, title, document_id, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.open()
        return viewer

    def view_selected(self) -> DocumentViewerDialog | None:
        document = self.selected_document()
        if document is None:
            return None
        try:
            pdf = consent.document_pdf(self._session.desk, document.document_uid)
        except DeskError as err:
            show_error(self, err)
            return None
        return self._open_viewer(pdf, f"Consent {document.document_uid}", document.document_uid)

    def reprint_selected(self) -> DocumentViewerDialog | None:
        document = self.selected_document()
        if document is None:
            return None
        try:
            pdf = consent.reprint(self._session.desk, document.document_uid)
        except DeskError as err:
            show_error(self, err)
            return None
        title = f"Consent {document.document_uid} — COPY"
        return self._open_viewer(pdf, title, f"{document.document_uid}-COPY")

    def withdraw_selected(self) -> WithdrawDialog | None:
        document = self.selected_document()
        if document is None or document.withdrawn:
            return None
        dialog = WithdrawDialog(document, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            reason = dialog.reason.toPlainText()
            try:
                consent.withdraw(self._session.desk, document.document_uid, reason)
            except DeskError as err:
                show_error(self, err)
                return
            self.reload()
            show_message(self, f"Consent {document.document_uid} is withdrawn.")

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def show_prep_instructions(self) -> DocumentViewerDialog | None:
        try:
            pdf = handouts.prep_instructions_pdf(
                self._session.desk, self._patient_id, self.language
            )
        except DeskError as err:
            show_error(self, err)
            return None
        return self._open_viewer(pdf, "Preparation instructions", "prep-instructions")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_consent(session: Session, patient_id: int, parent: QWidget | None = None) -> ConsentDialog:
    """Open the consent dialog for a patient (for the main window and the patient screen)."""
    dialog = ConsentDialog(session, patient_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
