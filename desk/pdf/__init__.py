"""PDF documents (ReportLab): consent forms, patient handouts, call lists, COPY reprints.

Every renderer takes plain dataclasses and returns ``bytes``; nothing here touches the
database or the file system except to read the shipped fonts.
"""

from __future__ import annotations

from desk.pdf.call_list import CallList, CallListEntry, render_call_list
from desk.pdf.consent import ConsentForm, placeholder_values, preview_template, render_consent
from desk.pdf.data import (
    ClinicInfo,
    DocumentKind,
    PatientIdentity,
    PrepTimes,
    SignatureCapture,
    default_filename,
    new_document_id,
    prep_times,
)
from desk.pdf.handouts import (
    DischargeHandout,
    PrepHandout,
    UpcomingVisit,
    render_discharge_instructions,
    render_prep_instructions,
)
from desk.pdf.stamp import COPY_STAMP, stamp_copy

__all__ = [
    "COPY_STAMP",
    "CallList",
    "CallListEntry",
    "ClinicInfo",
    "ConsentForm",
    "DischargeHandout",
    "DocumentKind",
    "PatientIdentity",
    "PrepHandout",
    "PrepTimes",
    "SignatureCapture",
    "UpcomingVisit",
    "default_filename",
    "new_document_id",
    "placeholder_values",
    "prep_times",
    "preview_template",
    "render_call_list",
    "render_consent",
    "render_discharge_instructions",
    "render_prep_instructions",
    "stamp_copy",
]
