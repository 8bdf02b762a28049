"""Consent templates (parsing, placeholders, versions) and the consent validity rule.

A template is a UTF-8 text file: a header of ``key: value`` lines, a ``---`` line, then
sections. Example::

    # comment lines are allowed in the header
    id: ketamine-iv
    version: 1.0
    language: en
    title: Consent to treatment with intravenous ketamine
    treatments: mood_series, pain_series, booster, maintenance
    ---
    ## What ketamine is
    A paragraph may span several lines; a blank line ends it. **Bold** is allowed.
    Placeholders such as {clinic_name} are filled from the clinic and patient records.

    - A bullet item
      continues on indented lines.

    @signature patient
    @signature witness

Every error names the line it was found on, so an admin can fix the file before import.
Pure: no I/O.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from desk.domain.errors import ValidationError
from desk.domain.policy import ClinicPolicy

KNOWN_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "clinic_name",
        "clinic_phone",
        "clinic_address",
        "patient_legal_name",
        "patient_dob",
        "patient_mrn",
        "treatment",
        "costs_text",
        # Numbers the desk enforces come from ClinicPolicy, so the form never contradicts
        # the checks the nurse sees.
        "fasting_food_hours",
        "clear_fluids_hours",
        "min_observation_minutes",
        "reconsent_months",
    }
)

HEADER_KEYS = ("id", "version", "language", "title", "treatments")
HEADER_END = "---"

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
_VERSION_RE = re.compile(r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_HEADER_LINE_RE = re.compile(r"^([a-z_]+)\s*:\s*(.*)$")
# Hostile-input cap: a template is a few pages; a megabyte is a wrong file, not a template.
MAX_TEMPLATE_CHARS = 200_000


class TreatmentType(StrEnum):
    """The treatments a consent can cover (the infusion visit types)."""

    MOOD_SERIES = "mood_series"
    PAIN_SERIES = "pain_series"
    BOOSTER = "booster"
    MAINTENANCE = "maintenance"


class SignatureRole(StrEnum):
    PATIENT = "patient"
    WITNESS = "witness"


class TemplateError(ValidationError):
    """A template that cannot be imported; ``line`` is 1-based (0 when not about a line)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"Line {line}: {message}" if line else message, "template")
        self.line = line


@dataclass(frozen=True, order=True)
class TemplateVersion:
    """MAJOR.MINOR: a new MAJOR needs every patient to consent again; MINOR does not."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> TemplateVersion:
        match = _VERSION_RE.match(text.strip())
        if match is None:
            raise ValidationError(
                f"Version '{text}' is not MAJOR.MINOR (for example 1.0 or 2.3).", "version"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def needs_reconsent_from(self, signed: TemplateVersion) -> bool:
        """True when a consent signed on ``signed`` is not covered by this version."""
        return self.major != signed.major


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class SignatureSlot:
    role: SignatureRole
    line: int


Block = Paragraph | BulletList | SignatureSlot


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    line: int


@dataclass(frozen=True)
class ConsentTemplate:
    template_id: str
    version: TemplateVersion
    language: str
    title: str
    treatments: tuple[TreatmentType, ...]
    sections: tuple[Section, ...]
    placeholders: frozenset[str]

    def covers(self, treatment: TreatmentType) -> bool:
        return treatment in self.treatments

    @property
    def label(self) -> str:
        """How people name this template: ``ketamine-iv 1.0 (en)``."""
        return f"{self.template_id} {self.version} ({self.language})"


@dataclass(frozen=True)
class TextRun:
    """A piece of filled text; ``bold`` comes from ``**…**`` in the template only."""

    text: str
    bold: bool = False


# --- parsing ----------------------------------------------------------------------------


def parse_template(text: str) -> ConsentTemplate:
    """Parse a template file's text; TemplateError (a ValidationError) names the line."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError(0, f"The template is longer than {MAX_TEMPLATE_CHARS} characters.")
    lines = text.lstrip("\ufeff").splitlines()
    header, body_start = _parse_header(lines)
    sections = _parse_body(lines, body_start)
    _require_signatures(sections, len(lines))
    placeholders = frozenset(_placeholders_in(sections))
    return ConsentTemplate(
        template_id=header["id"][0],
        version=_header_version(header["version"]),
        language=header["language"][0],
        title=header["title"][0],
        treatments=_header_treatments(header["treatments"]),
        sections=tuple(sections),
        placeholders=placeholders,
    )


def _parse_header(lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """Header values with their line numbers, and the index of the first body line."""
    found: dict[str, tuple[str, int]] = {}
    for index, raw in enumerate(lines):
        number, line = index + 1, raw.strip()
        if line == HEADER_END:
            missing = [key for key in HEADER_KEYS if key not in found]
            if missing:
                raise TemplateError(number, f"The header lacks: {', '.join(missing)}.")
            _check_header_values(found)
            return found, index + 1
        if not line or line.startswith("#"):
            continue
        match = _HEADER_LINE_RE.match(line)
        if match is None:
            raise TemplateError(number, f"Expected 'key: value' in the header, found '{line}'.")
        key, value = match.group(1), match.group(2).strip()
        if key not in HEADER_KEYS:
            raise TemplateError(number, f"Unknown header key '{key}'. Keys: {_keys_text()}.")
        if key in found:
            raise TemplateError(number, f"Header key '{key}' appears twice.")
        if not value:
            raise TemplateError(number, f"Header key '{key}' has no value.")
        found[key] = (value, number)
    raise TemplateError(len(lines), f"The header never ends: add a '{HEADER_END}' line.")


def _keys_text() -> str:
    return ", ".join(HEADER_KEYS)


def _check_header_values(found: Mapping[str, tuple[str, int]]) -> None:
    template_id, id_line = found["id"]
    if not _ID_RE.match(template_id):
        raise TemplateError(
            id_line, f"Template id '{template_id}' must be lowercase a-z, 0-9, '-'."
        )
    language, language_line = found["language"]
    if not _LANGUAGE_RE.match(language):
        raise TemplateError(language_line, f"Language '{language}' is not a code like en or es.")
    title, title_line = found["title"]
    if "{" in title or "}" in title:
        raise TemplateError(title_line, "The title cannot contain placeholders.")


def _header_version(entry: tuple[str, int]) -> TemplateVersion:
    try:
        return TemplateVersion.parse(entry[0])
    except ValidationError as err:
        raise TemplateError(entry[1], str(err)) from None


def _header_treatments(entry: tuple[str, int]) -> tuple[TreatmentType, ...]:
    names = [name.strip() for name in entry[0].split(",") if name.strip()]
    treatments: list[TreatmentType] = []
    for name in names:
        try:
            treatment = TreatmentType(name)
        except ValueError:
            known = ", ".join(t.value for t in TreatmentType)
            raise TemplateError(entry[1], f"Unknown treatment '{name}'. Known: {known}.") from None
        if treatment not in treatments:
            treatments.append(treatment)
    return tuple(treatments)


class _SectionBuilder:
    """Collects the blocks of one section while the body is read line by line."""

    def __init__(self, heading: str, line: int) -> None:
        self.heading, self.line = heading, line
        self.blocks: list[Block] = []
        self._paragraph: list[str] = []
        self._paragraph_line = 0
        self._bullets: list[str] = []
        self._bullets_line = 0

    def text_line(self, text: str, number: int) -> None:
        if self._bullets:
            self.flush()
        if not self._paragraph:
            self._paragraph_line = number
        self._paragraph.append(text)

    def bullet(self, text: str, number: int) -> None:
        if self._paragraph:
            self.flush()
        if not self._bullets:
            self._bullets_line = number
        self._bullets.append(text)

    def continue_bullet(self, text: str) -> None:
        self._bullets[-1] = f"{self._bullets[-1]} {text}"

    @property
    def in_bullet(self) -> bool:
        return bool(self._bullets)

    def flush(self) -> None:
        if self._paragraph:
            text = " ".join(self._paragraph)
            _check_bold(text, self._paragraph_line)
            self.blocks.append(Paragraph(text, self._paragraph_line))
            self._paragraph = []
        if self._bullets:
            for item in self._bullets:
                _check_bold(item, self._bullets_line)
            self.blocks.append(BulletList(tuple(self._bullets), self._bullets_line))
            self._bullets = []

    def build(self) -> Section:
        self.flush()
        if not self.blocks:
            raise TemplateError(self.line, f"Section '{self.heading}' is empty.")
        return Section(self.heading, tuple(self.blocks), self.line)


def _parse_body(lines: list[str], start: int) -> list[Section]:
    sections: list[Section] = []
    current: _SectionBuilder | None = None
    for index in range(start, len(lines)):
        number, raw = index + 1, lines[index].rstrip()
        _check_line_text(raw, number)
        stripped = raw.strip()
        if stripped.startswith("## "):
            if current is not None:
                sections.append(current.build())
            current = _SectionBuilder(stripped[3:].strip(), number)
            continue
        if not stripped:
            if current is not None:
                current.flush()
            continue
        if current is None:
            raise TemplateError(number, "Text before the first '## ' section heading.")
        _body_line(current, raw, stripped, number)
    if current is not None:
        sections.append(current.build())
    if not sections:
        raise TemplateError(len(lines), "The template has no sections.")
    return sections


def _body_line(current: _SectionBuilder, raw: str, stripped: str, number: int) -> None:
    if stripped.startswith("@"):
        current.flush()
        current.blocks.append(_directive(stripped, number))
    elif stripped.startswith("- "):
        current.bullet(stripped[2:].strip(), number)
    elif raw.startswith((" ", "\t")) and current.in_bullet:
        current.continue_bullet(stripped)
    elif stripped.startswith("#"):
        raise TemplateError(number, "Headings are written '## Heading' (two #, then a space).")
    else:
        current.text_line(stripped, number)


def _directive(text: str, number: int) -> SignatureSlot:
    parts = text.split()
    if parts[0] != "@signature" or len(parts) != 2:
        raise TemplateError(number, f"Unknown directive '{text}'. Use '@signature patient'.")
    try:
        return SignatureSlot(SignatureRole(parts[1]), number)
    except ValueError:
        raise TemplateError(
            number, f"Signature role '{parts[1]}' is not patient or witness."
        ) from None


def _check_line_text(raw: str, number: int) -> None:
    """Refuse unknown placeholders and stray braces."""
    for match in _PLACEHOLDER_RE.finditer(raw):
        name = match.group(1)
        if name not in KNOWN_PLACEHOLDERS:
            known = ", ".join(sorted(KNOWN_PLACEHOLDERS))
            raise TemplateError(
                number, f"Unknown placeholder {{{name}}}. Known placeholders: {known}."
            )
    leftover = _PLACEHOLDER_RE.sub("", raw)
    if "{" in leftover or "}" in leftover:
        raise TemplateError(
            number, "A '{' or '}' without its partner; placeholders look like {clinic_name}."
        )


def _check_bold(text: str, line: int) -> None:
    if text.count("**") % 2:
        raise TemplateError(line, "Bold text needs '**' on both sides within one paragraph.")


def _require_signatures(sections: list[Section], last_line: int) -> None:
    seen: dict[SignatureRole, int] = {}
    for block in (b for s in sections for b in s.blocks):
        if isinstance(block, SignatureSlot):
            if block.role in seen:
                raise TemplateError(block.line, f"A second '@signature {block.role}' block.")
            seen[block.role] = block.line
    for role in SignatureRole:
        if role not in seen:
            raise TemplateError(last_line, f"The template has no '@signature {role}' block.")


def _placeholders_in(sections: list[Section]) -> set[str]:
    texts: list[str] = []
    for section in sections:
        texts.append(section.heading)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                texts.append(block.text)
            elif isinstance(block, BulletList):
                texts.extend(block.items)
    return {m.group(1) for text in texts for m in _PLACEHOLDER_RE.finditer(text)}


# --- filling ----------------------------------------------------------------------------


def check_values(template: ConsentTemplate, values: Mapping[str, str]) -> None:
    """ValidationError naming every placeholder the template uses but ``values`` lacks."""
    missing = sorted(template.placeholders - values.keys())
    if missing:
        raise ValidationError(f"No value for: {', '.join(missing)}.", "template")


def fill_runs(text: str, values: Mapping[str, str]) -> tuple[TextRun, ...]:
    """Template text as runs with placeholders filled.

    Bold markers are split off before filling, so a value (a patient's name, the clinic's
    cost text) is never read as markup.
    """
    runs: list[TextRun] = []
    for index, piece in enumerate(text.split("**")):
        filled = _PLACEHOLDER_RE.sub(lambda m: _value(values, m.group(1)), piece)
        if filled:
            runs.append(TextRun(filled, bold=index % 2 == 1))
    return tuple(runs)


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Template text filled, as plain text (bold markers dropped)."""
    return "".join(run.text for run in fill_runs(text, values))


def _value(values: Mapping[str, str], name: str) -> str:
    try:
        return values[name]
    except KeyError:
        raise ValidationError(f"No value for placeholder {{{name}}}.", "template") from None


# --- validity ---------------------------------------------------------------------------


class ConsentState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NEEDS_RECONSENT = "needs_reconsent"
    WITHDRAWN = "withdrawn"
    MISSING = "missing"


@dataclass(frozen=True)
class ConsentStatus:
    """Where a patient's consent stands today; ``valid_until`` is the last valid day."""

    state: ConsentState
    valid_until: date | None = None

    @property
    def allows_infusion(self) -> bool:
        return self.state is ConsentState.VALID

    def describe(self, date_format: str) -> str:
        """One sentence for the board badge tooltip and the nurse checklist."""
        until = self.valid_until.strftime(date_format) if self.valid_until else ""
        return {
            ConsentState.VALID: f"Consent valid until {until}.",
            ConsentState.EXPIRED: f"Consent expired: it was valid until {until}.",
            ConsentState.NEEDS_RECONSENT: "The consent form has a new major version: "
            "the patient must consent again.",
            ConsentState.WITHDRAWN: "The patient withdrew consent.",
            ConsentState.MISSING: "No signed consent for this treatment.",
        }[self.state]


def add_months(start: date, months: int) -> date:
    """``start`` plus whole calendar months; a day past the month's end becomes its last day.

    31 Jan + 1 month = 28/29 Feb; 29 Feb 2024 + 12 months = 28 Feb 2025.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def consent_valid_until(signed_on: date, policy: ClinicPolicy) -> date:
    """The last day a consent signed on ``signed_on`` is valid.

    A consent lasts ``reconsent_months`` calendar months and ends the day before the
    same date comes round: signed 15 Mar 2024 with 12 months → valid through 14 Mar 2025,
    expired on 15 Mar 2025 (the patient signs again at that visit).
    """
    if policy.reconsent_months < 1:
        raise ValidationError("The re-consent interval must be at least one month.", "policy")
    return date.fromordinal(add_months(signed_on, policy.reconsent_months).toordinal() - 1)


def consent_status(
    signed_on: date | None,
    template_major_signed: int | None,
    current_major: int,
    withdrawn_at: date | None,
    today: date,
    policy: ClinicPolicy,
) -> ConsentStatus:
    """The state of one consent for one treatment on ``today``.

    Precedence: missing, then withdrawn (a withdrawal always blocks, whatever its date,
    because workstation clocks may disagree), then a changed MAJOR version, then expiry.
    ``withdrawn_at`` may be a date or a datetime.
    """
    if signed_on is None or template_major_signed is None:
        return ConsentStatus(ConsentState.MISSING)
    valid_until = consent_valid_until(signed_on, policy)
    if withdrawn_at is not None:
        return ConsentStatus(ConsentState.WITHDRAWN, valid_until)
    if template_major_signed != current_major:
        return ConsentStatus(ConsentState.NEEDS_RECONSENT, valid_until)
    if today > valid_until:
        return ConsentStatus(ConsentState.EXPIRED, valid_until)
    return ConsentStatus(ConsentState.VALID, valid_until)
