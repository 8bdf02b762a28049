"""The drug record of one visit: the vial chosen at the start, the volume to draw, the IV,
rate changes and pauses, the amount given at the end, the witnessed waste, and the
sedation / dissociation checks at the monitoring points."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.domain.errors import DeskError, NotFound
from desk.domain.roles import Role
from desk.services import administration, orders, stock
from desk.services.administration import (
    IV_GAUGES,
    RESPONSIVENESS,
    AdministrationView,
    Dissociation,
    RateEvent,
)
from desk.ui.forms import error_line, named
from desk.ui.session import Session
from desk.ui.witness import WitnessFields

CHECKPOINTS = (("before", "Before"), ("mid", "~40 min"), ("end", "End"), ("recovery", "Recovery"))


class AdministrationDialog(QDialog):
    required_roles = frozenset({Role.NURSE})

    def __init__(self, session: Session, visit_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Drug record")
        self._session, self._visit_id = session, visit_id
        self.view: AdministrationView | None = None
        self._lots: list[stock.LotView] = []
        self.order = named(QLabel("", wordWrap=True), "drugOrder")
        self.lot = named(QComboBox(), "vialLot")
        self.plan = named(QLabel("", wordWrap=True), "drawPlan")
        self.iv_site = named(QLineEdit(maxLength=80), "ivSite")
        self.gauge = named(QComboBox(), "ivGauge")
        for gauge in IV_GAUGES:
            self.gauge.addItem(f"{gauge} G", gauge)
        self.start_button = named(QPushButton("&Start infusion with this vial"), "startWithVial")
        self.rate_event = named(QComboBox(), "rateEvent")
        for event, label in ((RateEvent.RATE, "Rate change"), (RateEvent.PAUSE, "Pause"),
                             (RateEvent.RESUME, "Resume")):  # fmt: skip
            self.rate_event.addItem(label, event.value)
        self.rate = named(QLineEdit(maxLength=12), "newRate")
        self.rate_reason = named(QLineEdit(maxLength=2000), "rateReason")
        self.rate_button = named(QPushButton("Record &change"), "recordRate")
        self.given = named(QLineEdit(maxLength=12), "amountGiven")
        self.end_button = named(QPushButton("&End infusion with this amount"), "endWithAmount")
        self.method = named(QLineEdit(maxLength=80), "wasteMethod")
        self.waste_button = named(QPushButton("Record &waste"), "recordWaste")
        self.checkpoint = named(QComboBox(), "sedationPoint")
        for value, label in CHECKPOINTS:
            self.checkpoint.addItem(label, value)
        self.responsiveness = named(QComboBox(), "responsiveness")
        for score, text in enumerate(RESPONSIVENESS):
            self.responsiveness.addItem(text, score)
        self.responsiveness.setCurrentIndex(5)
        self.dissociation = named(QComboBox(), "dissociation")
        for level in Dissociation:
            self.dissociation.addItem(level.value.capitalize(), level.value)
        self.sedation_button = named(QPushButton("Record c&heck"), "recordSedation")
        self.record = named(QLabel("", wordWrap=True), "drugRecord")
        self.error = error_line("drugError")
        self.waste_witness: WitnessFields
        self._lay_out()
        self.lot.currentIndexChanged.connect(self._show_plan)
        self.start_button.clicked.connect(self.start)
        self.rate_button.clicked.connect(self.change_rate)
        self.end_button.clicked.connect(self.end)
        self.waste_button.clicked.connect(self.waste)
        self.sedation_button.clicked.connect(self.record_sedation)
        self.reload()
        self.resize(900, 700)

    def _lay_out(self) -> None:
        start = QGroupBox("Start: vial and IV")
        start_form = QFormLayout(start)
        start_form.addRow("Vial lot", self.lot)
        start_form.addRow(self.plan)
        start_form.addRow("IV site", self.iv_site)
        start_form.addRow("IV gauge", self.gauge)
        start_form.addRow("", self.start_button)
        during = QGroupBox("During: rate changes and pauses")
        during_form = QFormLayout(during)
        during_form.addRow("Change", self.rate_event)
        during_form.addRow("New rate mL/h", self.rate)
        during_form.addRow("Reason for the change", self.rate_reason)
        during_form.addRow("", self.rate_button)
        end = QGroupBox("End: amount given, then the witnessed waste")
        end_form = QFormLayout(end)
        end_form.addRow("Amount given mg", self.given)
        end_form.addRow("", self.end_button)
        end_form.addRow("Waste method", self.method)
        self.waste_witness = WitnessFields(end_form, "Waste witness", "wasteWitness")
        end_form.addRow("", self.waste_button)
        checks = QGroupBox("Sedation and dissociation")
        checks_form = QFormLayout(checks)
        checks_form.addRow("Monitoring point", self.checkpoint)
        checks_form.addRow("Responsiveness", self.responsiveness)
        checks_form.addRow("Dissociation", self.dissociation)
        checks_form.addRow("", self.sedation_button)
        grid = QGridLayout()
        grid.addWidget(start, 0, 0)
        grid.addWidget(during, 0, 1)
        grid.addWidget(end, 1, 0)
        grid.addWidget(checks, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.order)
        layout.addLayout(grid)
        layout.addWidget(self.record, 1)
        layout.addWidget(self.error)

    def reload(self) -> None:
        desk = self._session.desk
        try:
            order = orders.current_order(desk, self._visit_id)
            self._lots = stock.lots(desk)
        except DeskError as err:
            self.error.setText(str(err))
            return
        self.order.setText(
            f"Order: {order.summary()}" if order else "No order: a clinician must record one."
        )
        self.lot.blockSignals(True)
        self.lot.clear()
        for view in self._lots:
            self.lot.addItem(f"{view.label} ({view.sealed_vials} sealed)", view.id)
        self.lot.blockSignals(False)
        try:
            self.show_view(administration.administration_view(desk, self._visit_id))
        except NotFound:
            self.view = None
            self.record.setText("No vial chosen yet.")
            self._show_plan()
        except DeskError as err:
            self.error.setText(str(err))

    def _show_plan(self) -> None:
        lot_id = self.lot.currentData()
        if self.view is not None or lot_id is None:
            return
        try:
            plan = administration.plan_draw(self._session.desk, self._visit_id, int(lot_id))
        except DeskError as err:
            self.plan.setText(str(err))
            return
        self.plan.setText(
            f"Draw {plan.volume_ml} mL ({plan.dose_mg} mg) from {plan.vials} vial(s); "
            f"run at {plan.rate_ml_per_h} mL/h."
        )

    def show_view(self, view: AdministrationView) -> None:
        self.view = view
        lines = [
            f"Vial: {view.lot_label}; {view.vials} vial(s) opened holding {view.drawn_mg} mg.",
            f"Draw {view.draw_ml} mL; rate {view.rate_ml_per_h} mL/h; IV {view.iv}.",
            f"Given: {view.given_mg} mg."
            if view.given_mg is not None
            else "Given: not yet recorded.",
            view.waste_text,
            *view.events,
            *view.sedation,
        ]
        self.record.setText("\n".join(lines))
        self.plan.setText(f"Drawn: {view.draw_ml} mL from lot {view.lot_label}.")

    def _call(self, action: Callable[[], AdministrationView]) -> bool:
        self.error.setText("")
        try:
            view = action()
        except DeskError as err:
            self.error.setText(str(err))
            return False
        self.show_view(view)
        return True

    def start(self) -> None:
        lot_id = self.lot.currentData()
        if lot_id is None:
            self.error.setText("No lot in stock: receive vials first.")
            return
        self._call(lambda: administration.start_with_vial(
            self._session.desk, self._visit_id, int(lot_id), self.iv_site.text(),
            int(self.gauge.currentData()),
        ))  # fmt: skip

    def change_rate(self) -> None:
        event = RateEvent(self.rate_event.currentData())
        if self._call(lambda: administration.change_rate(
            self._session.desk, self._visit_id, event, self.rate_reason.text(), self.rate.text()
        )):  # fmt: skip
            self.rate_reason.clear()

    def end(self) -> None:
        self._call(lambda: administration.end_with_amount(
            self._session.desk, self._visit_id, self.given.text()
        ))  # fmt: skip

    def waste(self) -> None:
        witness = self.waste_witness.cosigner()
        self.waste_witness.clear()
        self._call(lambda: administration.witness_waste(
            self._session.desk, self._visit_id, self.method.text(), witness
        ))  # fmt: skip

    def record_sedation(self) -> None:
        self.error.setText("")
        try:
            checks = administration.record_sedation(
                self._session.desk, self._visit_id, str(self.checkpoint.currentData()),
                int(self.responsiveness.currentData()),
                Dissociation(self.dissociation.currentData()),
            )  # fmt: skip
        except DeskError as err:
            self.error.setText(str(err))
            return
        if self.view is None:
            self.record.setText("\n".join(("No vial chosen yet.", *checks)))
        else:
            self.reload()
