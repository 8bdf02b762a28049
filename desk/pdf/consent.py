"""The consent form PDF: a parsed template filled for one patient, with signature blocks.

``render_consent`` returns the bytes a service stores (with their SHA-256); the same
inputs, including ``created_at``, give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desk.domain.consent import (
    BulletList,
    ConsentTemplate,
    Section,
    SignatureRole,
    SignatureSlot,
    TextRun,
    TreatmentType,
    check_values,
    fill_runs,
    fill_text,
    parse_template,
)
from desk.domain.errors import ValidationError
from desk.domain.locale import format_date, format_time
from desk.domain.policy import DEFAULT_POLICY, ClinicPolicy
from desk.pdf.data import (
    ClinicInfo,
    PatientIdentity,
    SignatureCapture,
    base_language,
    clear_fluids_stop_minutes,
    format_number,
    treatment_label,
)
from desk.pdf.fonts import REGULAR, markup
from desk.pdf.layout import RULE, DocumentMeta, build_pdf, styles

SIGNATURE_BOX = (2.9 * inch, 0.85 * inch)
PREVIEW_STAMP = "PREVIEW"

_LABELS = {
    "en": {
        "patient": "Patient",
        "dob": "Date of birth",
        "mrn": "MRN",
        "treatment": "Treatment",
        "form": "Form",
        "document": "Document",
        "sig_patient": "Signature of patient",
        "sig_witness": "Signature of witness (clinic staff)",
        "printed_name": "Printed name",
        "signed_at": "Date and time",
        "electronic": "Signed electronically at {clinic} on {when}.",
        "subject": "Consent form {label}",
        "running": "{name}  ·  DOB {dob}  ·  MRN {mrn}",
        "default_costs": "The front desk will give you the current fees in writing before "
        "your first infusion. Ask us whether your insurance covers any part of the "
        "treatment; ketamine infusions for these conditions are often not covered.",
    },
    "es": {
        "patient": "Paciente",
        "dob": "Fecha de nacimiento",
        "mrn": "N.º de historia (MRN)",
        "treatment": "Tratamiento",
        "form": "Formulario",
        "document": "Documento",
        "sig_patient": "Firma del paciente",
        "sig_witness": "Firma del testigo (personal de la clínica)",
        "printed_name": "Nombre en letra de molde",
        "signed_at": "Fecha y hora",
        "electronic": "Firmado electrónicamente en {clinic} el {when}.",
        "subject": "Formulario de consentimiento {label}",
        "running": "{name}  ·  Fecha de nac. {dob}  ·  MRN {mrn}",
        "default_costs": "En la recepción le entregarán por escrito las tarifas vigentes "
        "antes de su primera infusión. Pregúntenos si su seguro médico cubre alguna parte "
        "del tratamiento; las infusiones de ketamina para estas afecciones a menudo no "
        "están cubiertas.",
    },
}


@dataclass(frozen=True)
class ConsentForm:
    """Everything a consent PDF shows besides the template text."""

    clinic: ClinicInfo
    patient: PatientIdentity
    treatment: TreatmentType
    document_id: str
    policy: ClinicPolicy = DEFAULT_POLICY
    created_at: datetime | None = None
    # None: the block is printed empty, for a signature on paper.
    patient_signature: SignatureCapture | None = None
    witness_signature: SignatureCapture | None = None
    preview: bool = False


def render_consent(template: ConsentTemplate, form: ConsentForm) -> bytes:
    """The consent PDF; ValidationError if the template does not fit this form."""
    _check_form(template, form)
    labels = _LABELS[base_language(template.language)]
    values = placeholder_values(form, template.language)
    check_values(template, values)
    story: list[Flowable] = [
        Paragraph(markup(template.title), styles()["title"]),
        _identity_table(template, form, labels),
        Spacer(1, 6),
    ]
    # Consecutive signing sections (patient, then witness) share one page: what the
    # patient signs, their signature and the witness's attestation are never split.
    signing: list[Flowable] = []
    for section in template.sections:
        parts = _section(section, form, values, labels)
        if _has_signature(section):
            signing.extend(parts)
            continue
        if signing:
            story.append(KeepTogether(signing))
            signing = []
        story.extend(parts)
    if signing:
        story.append(KeepTogether(signing))
    meta = DocumentMeta(
        title=template.title,
        subject=labels["subject"].format(label=template.label),
        document_id=form.document_id,
        clinic=form.clinic,
        language=template.language,
        created_at=form.created_at,
        running_header=labels["running"].format(
            name=form.patient.legal_name,
            dob=format_date(form.patient.date_of_birth, form.policy),
            mrn=form.patient.mrn,
        ),
        footer_note=template.label,
        stamp=PREVIEW_STAMP if form.preview else "",
    )
    return build_pdf(story, meta, form.policy)


def placeholder_values(form: ConsentForm, language: str) -> dict[str, str]:
    """The value of every known placeholder for this clinic, patient and treatment."""
    policy = form.policy
    labels = _LABELS[base_language(language)]
    return {
        "clinic_name": form.clinic.name,
        "clinic_phone": form.clinic.phone,
        "clinic_address": form.clinic.address,
        "patient_legal_name": form.patient.legal_name,
        "patient_dob": format_date(form.patient.date_of_birth, policy),
        "patient_mrn": form.patient.mrn,
        "treatment": treatment_label(form.treatment, language),
        "costs_text": form.clinic.costs_text.strip() or labels["default_costs"],
        "fasting_food_hours": format_number(policy.fasting_food_hours, language),
        "clear_fluids_hours": format_number(clear_fluids_stop_minutes(policy) / 60, language),
        "min_observation_minutes": str(policy.min_observation_minutes),
        "reconsent_months": str(policy.reconsent_months),
    }


def preview_template(
    template_text: str,
    patient_name: str = "Sample Patient",
    *,
    clinic: ClinicInfo | None = None,
    policy: ClinicPolicy = DEFAULT_POLICY,
    created_at: datetime | None = None,
) -> bytes:
    """A template rendered for a sample patient, unsigned and stamped PREVIEW.

    For ``desk consent preview``: parse errors surface as TemplateError with the line.
    """
    template = parse_template(template_text)
    form = ConsentForm(
        clinic=clinic or ClinicInfo("Sample Clinic", "(555) 010-0100", "1 Sample Street"),
        patient=PatientIdentity(patient_name, date(1980, 1, 31), "SAMPLE-0001"),
        treatment=template.treatments[0],
        document_id="PREVIEW",
        policy=policy,
        created_at=created_at,
        preview=True,
    )
    return render_consent(template, form)


def _check_form(template: ConsentTemplate, form: ConsentForm) -> None:
    if not template.covers(form.treatment):
        raise ValidationError(
            f"Template {template.label} does not cover {form.treatment.value}.", "treatment"
        )
    if form.witness_signature is not None and form.patient_signature is None:
        raise ValidationError("The witness signs after the patient, not alone.", "witness")
    if form.preview and (form.patient_signature or form.witness_signature):
        raise ValidationError("A preview is never signed.", "preview")


def _identity_table(template: ConsentTemplate, form: ConsentForm, labels: dict[str, str]) -> Table:
    style = styles()
    label, cell, bold = style["label"], style["cell"], style["cell_bold"]
    rows = [
        [
            Paragraph(labels["patient"], label),
            Paragraph(markup(form.patient.legal_name), bold),
            "",
            "",
        ],
        [
            Paragraph(labels["dob"], label),
            Paragraph(markup(format_date(form.patient.date_of_birth, form.policy)), cell),
            Paragraph(labels["mrn"], label),
            Paragraph(markup(form.patient.mrn), cell),
        ],
        [
            Paragraph(labels["treatment"], label),
            Paragraph(markup(treatment_label(form.treatment, template.language)), cell),
            Paragraph(labels["form"], label),
            Paragraph(markup(template.label), cell),
        ],
    ]
    table = Table(rows, colWidths=[1.25 * inch, 2.45 * inch, 1.25 * inch, None])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("SPAN", (1, 0), (3, 0)),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.3, RULE),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("BACKGROUND", (2, 1), (2, -1), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _section(
    section: Section, form: ConsentForm, values: dict[str, str], labels: dict[str, str]
) -> list[Flowable]:
    style = styles()
    heading = Paragraph(markup(fill_text(section.heading, values)), style["heading"])
    flowables: list[Flowable] = []
    for block in section.blocks:
        if isinstance(block, SignatureSlot):
            flowables.extend(_signature_block(block.role, form, labels))
        elif isinstance(block, BulletList):
            flowables.extend(
                Paragraph(_runs_markup(fill_runs(item, values)), style["bullet"], bulletText="•")
                for item in block.items
            )
        else:
            flowables.append(
                Paragraph(_runs_markup(fill_runs(block.text, values)), style["paragraph"])
            )
    if _has_signature(section):
        return [heading, *flowables]  # kept together by the caller
    # The heading travels with its first block so a page never ends on a bare heading.
    return [KeepTogether([heading, flowables[0]]), *flowables[1:]]


def _has_signature(section: Section) -> bool:
    return any(isinstance(block, SignatureSlot) for block in section.blocks)


def _runs_markup(runs: tuple[TextRun, ...]) -> str:
    return "".join(f"<b>{markup(r.text)}</b>" if r.bold else markup(r.text) for r in runs)


def _signature_block(
    role: SignatureRole, form: ConsentForm, labels: dict[str, str]
) -> list[Flowable]:
    style = styles()
    if role is SignatureRole.PATIENT:
        capture, title = form.patient_signature, labels["sig_patient"]
        printed = form.patient.legal_name
    else:
        capture, title = form.witness_signature, labels["sig_witness"]
        printed = ""
    if capture is not None:
        when = _when(capture.signed_at, form.policy)
        mark: Flowable | str = _signature_image(capture.png)
        printed, when_text = capture.signer_name, when
        note = labels["electronic"].format(clinic=form.clinic.name, when=when)
    else:
        mark, when_text, note = "", "", ""
    rows = [
        [Paragraph(title, style["label"]), mark],
        [
            Paragraph(labels["printed_name"], style["label"]),
            Paragraph(markup(printed), style["cell"]),
        ],
        [
            Paragraph(labels["signed_at"], style["label"]),
            Paragraph(markup(when_text), style["cell"]),
        ],
    ]
    table = Table(
        rows,
        colWidths=[2.3 * inch, SIGNATURE_BOX[0] + 0.3 * inch],
        rowHeights=[SIGNATURE_BOX[1] + 8, None, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, -1), 0.7, colors.black),
                ("TOPPADDING", (0, 1), (-1, -1), 9),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    parts: list[Flowable] = [Spacer(1, 4), table]
    if note:
        parts.append(Paragraph(markup(note), style["small"]))
    return parts


def _signature_image(png: bytes) -> Image:
    """The pad's PNG scaled into the signature box, keeping its proportions."""
    try:
        reader = ImageReader(io.BytesIO(png))
        width, height = reader.getSize()
        # Decode now: a truncated PNG would otherwise fail deep inside the page layout.
        reader.getRGBData()
    except Exception as err:  # ReportLab/Pillow raise many types for a bad image
        raise ValidationError("The signature image cannot be read.", "signature") from err
    if width <= 0 or height <= 0:
        raise ValidationError("The signature image is empty.", "signature")
    scale = min(SIGNATURE_BOX[0] / width, SIGNATURE_BOX[1] / height)
    return Image(io.BytesIO(png), width=width * scale, height=height * scale, hAlign="LEFT")


def _when(moment: datetime, policy: ClinicPolicy) -> str:
    return f"{format_date(moment.date(), policy)} {format_time(moment, policy)}"
