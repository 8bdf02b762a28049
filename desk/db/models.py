"""SQLAlchemy 2 typed models: the clinic's records.

Instants are ``UTCDateTime`` (aware UTC in Python). Rows that two workstations may edit
carry ``version`` (optimistic concurrency through SQLAlchemy's ``version_id_col``) and
who/where/when last changed them, so a stale save can tell the person what changed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from desk.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """Mixin for rows edited from several workstations."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(80))
    updated_workstation: Mapped[str | None] = mapped_column(String(120))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        return {"version_id_col": cls.version}


class ClinicSettings(Versioned, Base):
    """The single row of clinic details and policy numbers."""

    __tablename__ = "clinic_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    costs_text: Mapped[str] = mapped_column(Text, default="")
    # ClinicPolicy as JSON: new policy numbers need no migration, missing keys take defaults.
    policy_json: Mapped[str] = mapped_column(Text, default="{}")
    break_glass_enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class SchemaUpgrade(Base):
    """Which version of the desk upgraded the database's schema, when and from which PC.

    Read by an older desk to say which version it needs (see ``desk.db.migrate``), so its
    columns must never change: older versions query them by name.
    """

    __tablename__ = "schema_upgrade"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[str] = mapped_column(String(64))
    app_version: Mapped[str] = mapped_column(String(40))
    upgraded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    workstation: Mapped[str] = mapped_column(String(120))


class Staff(Versioned, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Space-separated role names, sorted: "admin nurse".
    roles: Mapped[str] = mapped_column(String(80))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Patient(Versioned, Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(20), unique=True)
    legal_first_name: Mapped[str] = mapped_column(String(200))
    legal_last_name: Mapped[str] = mapped_column(String(200))
    preferred_name: Mapped[str] = mapped_column(String(200), default="")
    dob: Mapped[date] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone2: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    emergency_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_relationship: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Folded (accent- and case-insensitive) keys for prefix search, kept in step by services.
    first_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    last_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    preferred_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    phone_digits: Mapped[str] = mapped_column(String(40), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    visits: Mapped[list[Visit]] = relationship(back_populates="patient")


# Folded search keys compare byte by byte: PostgreSQL needs the "C" collation for a range
# scan to be a prefix match (SQLite's default BINARY collation already is).
_SEARCH_KEY = String(200).with_variant(String(200, collation="C"), "postgresql")
_SEARCH_NAMES = String(400).with_variant(String(400, collation="C"), "postgresql")


class PatientSearchKey(Base):
    """One search key of a patient: a folded name word, or phone digits with a marker.

    Name keys are ``names.search_keys`` ("zoe", "obrien"); phone keys start with a
    character no name key can contain: "#" national digits, "+" E.164 digits, "~" national
    digits reversed (so "the last four digits" is a prefix query too). ``names`` is the
    patient's folded "last first" name followed by their other name keys, space-separated:
    it orders the results and lets a second query word be checked on the same index row.
    """

    __tablename__ = "patient_search_key"
    __table_args__ = (Index("ix_patient_search_key_lookup", "key", "names", "patient_id"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(_SEARCH_KEY, primary_key=True)
    names: Mapped[str] = mapped_column(_SEARCH_NAMES)


class Visit(Versioned, Base):
    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_start", "scheduled_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    visit_type: Mapped[str] = mapped_column(String(40))
    chair: Mapped[str | None] = mapped_column(String(80))
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime())
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    infusion_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    infusion_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Series booking: "3 of 6".
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    series_index: Mapped[int | None] = mapped_column(Integer)
    # Check-in
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    identity_confirmed_by: Mapped[str | None] = mapped_column(String(80))
    # Tomorrow's call list ticks
    prep_explained_by: Mapped[str | None] = mapped_column(String(80))
    prep_explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Booking or check-in despite incomplete screening
    screening_override_by: Mapped[str | None] = mapped_column(String(80))
    screening_override_reason: Mapped[str] = mapped_column(Text, default="")
    # Discharge
    collected_by_name: Mapped[str] = mapped_column(String(200), default="")
    driver_override_reason: Mapped[str] = mapped_column(Text, default="")
    early_discharge_reason: Mapped[str] = mapped_column(Text, default="")
    discharged_by: Mapped[str | None] = mapped_column(String(80))
    # Who collected when it was not the recorded adult, and the hard stop's second signer
    collector_relationship: Mapped[str] = mapped_column(String(80), default="")
    collector_phone: Mapped[str] = mapped_column(String(40), default="")
    collector_id_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    discharge_cosigned_by: Mapped[str | None] = mapped_column(String(80))
    # An infusion ended before the clinic's minimum: the side effect it was stopped for
    infusion_stopped_for: Mapped[str] = mapped_column(String(40), default="")

    patient: Mapped[Patient] = relationship(back_populates="visits")
    series: Mapped[Series | None] = relationship(back_populates="visits")
    status_changes: Mapped[list[VisitStatusChange]] = relationship(
        back_populates="visit", order_by="VisitStatusChange.id"
    )


class VisitStatusChange(Base):
    """Every visit state change: who, when, from which workstation, and why."""

    __tablename__ = "visit_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(80))
    workstation: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")

    visit: Mapped[Visit] = relationship(back_populates="status_changes")


class Series(Versioned, Base):
    """A booked Mood or Pain series of infusions."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    planned_count: Mapped[int] = mapped_column(Integer, default=6)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    visits: Mapped[list[Visit]] = relationship(back_populates="series")


class Candidacy(Versioned, Base):
    """Screening before the first infusion (one row per patient)."""

    __tablename__ = "candidacy"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), primary_key=True)
    indication: Mapped[str] = mapped_column(String(60), default="")
    diagnosis_confirmed_by: Mapped[str] = mapped_column(String(200), default="")
    diagnosis_confirmed_on: Mapped[date | None] = mapped_column(Date)
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    provider_practice: Mapped[str] = mapped_column(String(200), default="")
    provider_phone: Mapped[str] = mapped_column(String(40), default="")
    # Where the progress letter goes.
    provider_address: Mapped[str] = mapped_column(Text, default="")
    consultation_on: Mapped[date | None] = mapped_column(Date)
    history_reviewed_by: Mapped[str] = mapped_column(String(200), default="")
    history_reviewed_on: Mapped[date | None] = mapped_column(Date)
    # JSON lists of flag codes (desk.domain.candidacy enums).
    contraindication_flags: Mapped[str] = mapped_column(Text, default="[]")
    medication_flags: Mapped[str] = mapped_column(Text, default="[]")
    flag_detail: Mapped[str] = mapped_column(Text, default="")
    pregnancy_test_on: Mapped[date | None] = mapped_column(Date)
    # Cleared by a clinician when a pregnancy test makes no sense for this patient.
    pregnancy_test_applies: Mapped[bool] = mapped_column(Boolean, default=True)


class Transport(Versioned, Base):
    """The responsible adult who takes the patient home after one visit."""

    __tablename__ = "transport"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), primary_key=True)
    adult_name: Mapped[str] = mapped_column(String(200), default="")
    adult_phone: Mapped[str] = mapped_column(String(40), default="")
    relationship: Mapped[str] = mapped_column(String(80), default="")
    plan: Mapped[str] = mapped_column(String(40), default="")
    confirmed_by: Mapped[str | None] = mapped_column(String(80))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PrepCheck(Versioned, Base):
    """The nurse's pre-infusion checklist for one visit."""

    __tablename__ = "prep_check"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), primary_key=True)
    last_food_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_fluid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clear_fluids_only: Mapped[bool | None] = mapped_column(Boolean)
    fasting_confirmed_by: Mapped[str | None] = mapped_column(String(80))
    fasting_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clothing_ok: Mapped[bool | None] = mapped_column(Boolean)
    clothing_confirmed_by: Mapped[str | None] = mapped_column(String(80))
    clothing_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_clinician: Mapped[str] = mapped_column(String(200), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    # JSON object: item -> {"reason": ..., "by": ..., "at": ...} for overridden items.
    overrides: Mapped[str] = mapped_column(Text, default="{}")
    cleared_by: Mapped[str | None] = mapped_column(String(80))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VitalsReading(Base):
    """One set of vitals; re-measuring adds a reading, never replaces one."""

    __tablename__ = "vitals_reading"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(20))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    taken_by: Mapped[str] = mapped_column(String(80))
    systolic: Mapped[int] = mapped_column(Integer)
    diastolic: Mapped[int] = mapped_column(Integer)
    heart_rate: Mapped[int] = mapped_column(Integer)
    spo2: Mapped[int] = mapped_column(Integer)
    temperature_c: Mapped[float | None] = mapped_column()
    weight_kg: Mapped[float | None] = mapped_column()


class SideEffect(Base):
    __tablename__ = "side_effect"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    effect: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(10), default="")  # mild, moderate, severe
    intervention: Mapped[str] = mapped_column(Text, default="")
    # When the intervention is a drug (e.g. ondansetron 4 mg IV): its own medication record.
    intervention_drug: Mapped[str] = mapped_column(String(80), default="")
    intervention_dose: Mapped[str] = mapped_column(String(40), default="")


class ConsentTemplate(Base):
    """An imported consent template version; old versions stay readable forever."""

    __tablename__ = "consent_template"
    __table_args__ = (UniqueConstraint("template_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_key: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(20))
    major: Mapped[int] = mapped_column(Integer)
    minor: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(10))
    treatments: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(80))


class ConsentDocument(Base):
    """A signed consent: the PDF bytes are stored once and never regenerated."""

    __tablename__ = "consent_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_uid: Mapped[str] = mapped_column(String(40), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("consent_template.id"))
    treatment: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    witness: Mapped[str] = mapped_column(String(80))
    witnessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    """Append-only, hash-chained record of every change."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(80))
    workstation: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """One row: the chain's last sequence number and hash.

    Locking this row serialises appends across workstations, and comparing it with the
    table detects entries deleted from the end of the chain. Its ``seq`` doubles as the
    cheap change counter the boards poll.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class OutcomeResponse(Base):
    """One completed questionnaire: the answers as given, never edited afterwards."""

    __tablename__ = "outcome_response"
    __table_args__ = (Index("ix_outcome_response_patient_taken", "patient_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(20))
    # JSON list of the answer values, in question order.
    answers: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(40))
    # Space-separated safety item numbers answered above 0 ("9"); "" when none.
    safety_items: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(5))
    method: Mapped[str] = mapped_column(String(10))  # "kiosk" or "phone"
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    entered_by: Mapped[str] = mapped_column(String(80))


class SafetyAssessmentRecord(Base):
    """A clinician's safety assessment after a positive suicide item, for one visit."""

    __tablename__ = "safety_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    # The latest positive questionnaire when it was assessed: a later one reopens the alert.
    response_id: Mapped[int] = mapped_column(ForeignKey("outcome_response.id"))
    risk_level: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(Text)
    told: Mapped[str] = mapped_column(Text)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assessed_by: Mapped[str] = mapped_column(String(80))


class ProgressLetter(Base):
    """A signed progress letter to the referring provider: the PDF as it was sent."""

    __tablename__ = "progress_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_by: Mapped[str] = mapped_column(String(80))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


# --- orders, administration and the controlled-substance ledger (amounts: integer µg/µL) ---


class InfusionOrder(Versioned, Base):
    """A clinician's order for one visit, or for every visit of a series."""

    __tablename__ = "infusion_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    drug: Mapped[str] = mapped_column(String(80))
    dose_ug_per_kg: Mapped[int] = mapped_column(Integer)
    weight_g: Mapped[int] = mapped_column(Integer)
    weight_source: Mapped[str] = mapped_column(String(20))  # "prep vitals" or "entered"
    dose_ug: Mapped[int] = mapped_column(Integer)
    duration_min: Mapped[int] = mapped_column(Integer)
    rate_ug_per_h: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    ordered_by: Mapped[str] = mapped_column(String(80))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Above the clinic's dose limit: the second clinician and the reason.
    cosigned_by: Mapped[str | None] = mapped_column(String(80))
    override_reason: Mapped[str] = mapped_column(Text, default="")


class StockLot(Versioned, Base):
    """A received lot of a controlled drug in single-dose vials."""

    __tablename__ = "stock_lot"
    __table_args__ = (UniqueConstraint("drug", "lot_number", "concentration_ug_per_ml"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drug: Mapped[str] = mapped_column(String(80))
    lot_number: Mapped[str] = mapped_column(String(80))
    expiry: Mapped[date] = mapped_column(Date)
    concentration_ug_per_ml: Mapped[int] = mapped_column(Integer)
    vial_ul: Mapped[int] = mapped_column(Integer)
    balance_ug: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StockMovement(Base):
    """One ledger line: never updated or deleted; each one also has its audit entry."""

    __tablename__ = "stock_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lot.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_ug: Mapped[int] = mapped_column(Integer)  # signed change to the balance
    balance_ug: Mapped[int] = mapped_column(Integer)  # the lot's balance after this line
    vials: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    by: Mapped[str] = mapped_column(String(80))
    witness: Mapped[str | None] = mapped_column(String(80))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    # Receipt: supplier and invoice; waste: method; others: the reason.
    supplier: Mapped[str] = mapped_column(String(200), default="")
    invoice: Mapped[str] = mapped_column(String(80), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    audit_seq: Mapped[int] = mapped_column(Integer)


class Administration(Versioned, Base):
    """The drug given at one visit: vial, volume, IV, amount given and the waste."""

    __tablename__ = "administration"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("infusion_order.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("stock_lot.id"), index=True)
    vials: Mapped[int] = mapped_column(Integer)
    drawn_ug: Mapped[int] = mapped_column(Integer)  # everything the opened vials held
    draw_ul: Mapped[int] = mapped_column(Integer)
    rate_ul_per_h: Mapped[int] = mapped_column(Integer)
    iv_site: Mapped[str] = mapped_column(String(80))
    iv_gauge: Mapped[int] = mapped_column(Integer)
    started_by: Mapped[str] = mapped_column(String(80))
    given_ug: Mapped[int | None] = mapped_column(Integer)
    ended_by: Mapped[str | None] = mapped_column(String(80))
    waste_ug: Mapped[int | None] = mapped_column(Integer)
    waste_method: Mapped[str] = mapped_column(String(80), default="")
    waste_by: Mapped[str | None] = mapped_column(String(80))
    waste_witness: Mapped[str | None] = mapped_column(String(80))
    waste_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RateChange(Base):
    """A rate change, pause or resume during the infusion, with time and reason."""

    __tablename__ = "rate_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # rate, pause, resume
    rate_ul_per_h: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(80))


class SedationCheck(Base):
    """Responsiveness (0–5) and dissociation at the REMS-style monitoring points."""

    __tablename__ = "sedation_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(20))
    responsiveness: Mapped[int] = mapped_column(Integer)
    dissociation: Mapped[str] = mapped_column(String(10))  # none, mild, moderate, severe
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(80))


class DayClose(Base):
    """A closed clinic day: who counted, who witnessed, and the audit head it anchors."""

    __tablename__ = "day_close"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    closed_by: Mapped[str] = mapped_column(String(80))
    witness: Mapped[str] = mapped_column(String(80))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))
    counts_json: Mapped[str] = mapped_column(Text, default="[]")
    report_pdf: Mapped[bytes] = mapped_column(LargeBinary)
    report_csv: Mapped[str] = mapped_column(Text)
class SignInThrottle(Base):
    """Failed sign-ins for a user name that is no account, so it locks like one that is."""

    __tablename__ = "sign_in_throttle"

    name_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
