"""File adapters for ``desk consent``: render a template preview to a file, verify a file."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from pypdf import PdfReader

from desk.domain.consent import TemplateError
from desk.domain.errors import ValidationError
from desk.pdf import preview_template
from desk.services import consent
from desk.services.context import Desk

MAX_NAME_CHARS = 200


def preview(template_path: Path, out: Path, patient_name: str) -> int:
    """Render ``template_path`` for a sample patient into ``out``; returns the page count.

    The file is written to a temporary name next to ``out`` and renamed into place, so a
    failure never leaves a half-written PDF behind.
    """
    name = patient_name.strip() or "Sample Patient"
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(f"Keep the patient name under {MAX_NAME_CHARS} characters.")
    text = consent.read_template_file(template_path)
    try:
        pdf = preview_template(text, name)
    except TemplateError as err:
        raise ValidationError(f"{template_path.name}: {err}", "template") from None
    if out.is_dir():
        raise ValidationError(f"{out} is a folder; give a file name ending in .pdf.", "out")
    if not out.parent.is_dir():
        raise ValidationError(f"The folder {out.parent} does not exist.", "out")
    write_atomically(out, pdf)
    return len(PdfReader(io.BytesIO(pdf)).pages)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    try:
        handle, tmp_name = tempfile.mkstemp(prefix=".desk-", suffix=".tmp", dir=path.parent)
    except OSError:
        raise ValidationError(f"Cannot write in the folder {path.parent}.", "out") from None
    try:
        with os.fdopen(handle, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException as err:  # interrupted too: never leave the temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(err, OSError):
            raise ValidationError(f"Cannot write {path}.", "out") from None
        raise


def verify_file(desk: Desk, path: Path) -> str | None:
    """The stored consent ``path`` is byte-identical to, described in one line, or None."""
    return consent.verify_file(desk, path)
