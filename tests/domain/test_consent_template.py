"""Consent template parsing: header, sections, placeholders, versions, line-numbered errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.consent import (
    KNOWN_PLACEHOLDERS,
    BulletList,
    Paragraph,
    SignatureRole,
    SignatureSlot,
    TemplateError,
    TemplateVersion,
    TextRun,
    TreatmentType,
    check_values,
    fill_runs,
    fill_text,
    parse_template,
)
from desk.domain.errors import ValidationError
from desk.resources import resource_path

HEADER = """id: test-form
version: 2.1
language: en
title: Test consent
treatments: mood_series, booster
---
"""
BODY = """## First
Hello {patient_legal_name},
welcome to **{clinic_name}**.

- one
  continued
- two

## Sign
@signature patient
@signature witness
"""


def shipped(language: str) -> str:
    return resource_path("consent", f"ketamine-iv-{language}-1.0.txt").read_text("utf-8")


def error_for(text: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse_template(text)
    return info.value


@pytest.mark.parametrize("language", ["en", "es"])
def test_shipped_templates_parse_with_full_header(language: str) -> None:
    template = parse_template(shipped(language))
    assert template.template_id == "ketamine-iv"
    assert template.version == TemplateVersion(1, 0)
    assert template.language == language
    assert set(template.treatments) == set(TreatmentType)
    assert template.placeholders <= KNOWN_PLACEHOLDERS
    assert {"clinic_name", "clinic_phone", "costs_text", "treatment"} <= template.placeholders


def test_spanish_template_mirrors_the_english_one() -> None:
    english, spanish = parse_template(shipped("en")), parse_template(shipped("es"))
    assert len(spanish.sections) == len(english.sections)
    assert spanish.placeholders == english.placeholders
    assert [len(s.blocks) for s in spanish.sections] == [len(s.blocks) for s in english.sections]


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            "en",
            [
                "not FDA-approved",
                "Schedule III",
                "nausea",
                "dissociation",
                "bladder",
                "memory",
                "liver",
                "dependence",
                "no treatment",
                "Do not drive",
                "withdraw",
                "short-sleeved",
                "clear fluids",
                "pregnancy",
                "blood pressure",
            ],
        ),
        (
            "es",
            [
                "no está aprobada por la FDA",
                "Lista III",
                "náuseas",
                "disociación",
                "vejiga",
                "memoria",
                "hígado",
                "dependencia",
                "no recibir ningún tratamiento",
                "No conduzca",
                "retirar su consentimiento",
                "manga corta",
                "líquidos claros",
                "embarazo",
                "presión arterial",
            ],
        ),
    ],
)
def test_shipped_templates_cover_every_required_topic(language: str, phrases: list[str]) -> None:
    text = " ".join(shipped(language).split())
    for phrase in phrases:
        assert phrase in text, phrase


def test_sections_paragraphs_bullets_and_signature_slots() -> None:
    template = parse_template(HEADER + BODY)
    first, sign = template.sections
    assert first.heading == "First" and first.line == 7
    paragraph, bullets = first.blocks
    assert isinstance(paragraph, Paragraph)
    assert paragraph.text == "Hello {patient_legal_name}, welcome to **{clinic_name}**."
    assert isinstance(bullets, BulletList) and bullets.items == ("one continued", "two")
    assert sign.blocks == (
        SignatureSlot(SignatureRole.PATIENT, 16),
        SignatureSlot(SignatureRole.WITNESS, 17),
    )
    assert template.treatments == (TreatmentType.MOOD_SERIES, TreatmentType.BOOSTER)
    assert template.label == "test-form 2.1 (en)"


def test_unknown_placeholder_is_refused_with_its_line_number() -> None:
    text = HEADER + BODY.replace("welcome to", "welcome to {clinic_nmae} at")
    err = error_for(text)
    assert err.line == 9
    assert str(err).startswith("Line 9: Unknown placeholder {clinic_nmae}")
    assert isinstance(err, ValidationError)


def test_unknown_placeholder_in_the_shipped_template_names_its_line() -> None:
    lines = shipped("en").splitlines()
    lines[40] += " {patient_ssn}"
    assert error_for("\n".join(lines)).line == 41


@pytest.mark.parametrize("bad", ["{clinic_name", "clinic_name}", "{}", "{ clinic_name }"])
def test_stray_or_malformed_braces_are_refused(bad: str) -> None:
    assert error_for(HEADER + BODY.replace("- two", f"- two {bad}")).line == 13


@pytest.mark.parametrize(
    ("header", "line", "words"),
    [
        ("id test-form\n", 1, "Expected 'key: value'"),
        ("id: Test Form\n", 1, "lowercase"),
        ("id: x\nversion: 1\n", 2, "MAJOR.MINOR"),
        ("id: x\nversion: 1.0.1\n", 2, "MAJOR.MINOR"),
        ("id: x\nid: y\n", 2, "twice"),
        ("id: x\nauthor: me\n", 2, "Unknown header key"),
        ("id: x\nversion: 1.0\nlanguage: english\n", 3, "not a code"),
        ("id: x\ntreatments: mood_series, spa_day\n", 2, "Unknown treatment 'spa_day'"),
        ("id: x\ntitle:\n", 2, "no value"),
    ],
)
def test_malformed_header_names_the_line(header: str, line: int, words: str) -> None:
    complete = {
        "id": "x",
        "version": "1.0",
        "language": "en",
        "title": "T",
        "treatments": "booster",
    }
    given_keys = {ln.split(":")[0].split()[0] for ln in header.splitlines()}
    rest = "".join(f"{k}: {v}\n" for k, v in complete.items() if k not in given_keys)
    err = error_for(header + rest + "---\n" + BODY)
    assert err.line == line
    assert words in str(err)


def test_missing_header_keys_are_listed_at_the_separator() -> None:
    err = error_for("id: x\nversion: 1.0\n---\n" + BODY)
    assert err.line == 3
    assert "language, title, treatments" in str(err)


def test_header_without_separator_is_refused() -> None:
    assert "never ends" in str(error_for("id: x\nversion: 1.0\n"))


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("Loose text\n## A\ntext\n@signature patient\n@signature witness\n", 7, "before the first"),
        ("## A\n\n## B\ntext\n", 7, "is empty"),
        ("## A\ntext\n@signature patient\n", 9, "no '@signature witness'"),
        ("## A\n@signature patient\n@signature patient\n", 9, "second"),
        ("## A\n@signature nurse\n", 8, "not patient or witness"),
        ("## A\n@initials patient\n", 8, "Unknown directive"),
        ("## A\n# B\n", 8, "two #"),
        ("## A\nSome **bold\ntext\n", 8, "'**' on both sides"),
    ],
)
def test_malformed_body_names_the_line(body: str, line: int, words: str) -> None:
    err = error_for(HEADER + body)
    assert err.line == line
    assert words in str(err)


def test_bold_may_span_lines_of_one_paragraph() -> None:
    body = BODY.replace("welcome to **{clinic_name}**.", "**welcome\nto {clinic_name}**.")
    parse_template(HEADER + body)


def test_a_huge_file_is_refused_before_parsing() -> None:
    assert "longer than" in str(error_for("x" * 300_000))


def test_fill_runs_splits_bold_and_never_reads_values_as_markup() -> None:
    values = {"clinic_name": "**Evil** {clinic_phone}", "patient_legal_name": "Zoë"}
    runs = fill_runs("Hi {patient_legal_name} at **{clinic_name}**!", values)
    assert runs == (
        TextRun("Hi Zoë at "),
        TextRun("**Evil** {clinic_phone}", bold=True),
        TextRun("!"),
    )
    assert fill_text("**A** {patient_legal_name}", values) == "A Zoë"


def test_check_values_names_every_missing_placeholder() -> None:
    template = parse_template(HEADER + BODY)
    with pytest.raises(ValidationError, match="clinic_name, patient_legal_name"):
        check_values(template, {})
    check_values(template, {"clinic_name": "C", "patient_legal_name": "P"})


@pytest.mark.parametrize(
    ("older", "newer"), [("1.0", "1.1"), ("1.9", "1.10"), ("1.10", "2.0"), ("0.9", "1.0")]
)
def test_versions_compare_numerically(older: str, newer: str) -> None:
    assert TemplateVersion.parse(older) < TemplateVersion.parse(newer)


@pytest.mark.parametrize("bad", ["1", "1.", ".1", "1.0.0", "v1.0", "01.0", "1.-1", "one.two", ""])
def test_malformed_versions_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        TemplateVersion.parse(bad)


def test_major_change_needs_reconsent_minor_does_not() -> None:
    signed = TemplateVersion(1, 0)
    assert not TemplateVersion(1, 7).needs_reconsent_from(signed)
    assert TemplateVersion(2, 0).needs_reconsent_from(signed)


@given(st.integers(0, 9999), st.integers(0, 9999), st.integers(0, 9999), st.integers(0, 9999))
def test_version_text_round_trips_and_orders_like_tuples(a: int, b: int, c: int, d: int) -> None:
    first, second = TemplateVersion(a, b), TemplateVersion(c, d)
    assert TemplateVersion.parse(str(first)) == first
    assert (first < second) == ((a, b) < (c, d))
