"""Symptom questionnaires as data: questions, answer options, bands, in English and Spanish.

The wording lives in ``resources/instruments/*.json``; this module only turns one parsed
file into an ``Instrument`` (checking that it is complete) and scores answers against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desk.domain.errors import ValidationError


class Language(StrEnum):
    EN = "en"
    ES = "es"

    @property
    def label(self) -> str:
        return {"en": "English", "es": "Español"}[self.value]


@dataclass(frozen=True)
class Wording:
    """One text in every language the kiosk offers."""

    en: str
    es: str

    def text(self, language: Language) -> str:
        return self.es if language is Language.ES else self.en

    @classmethod
    def of(cls, raw: Mapping[str, Any], where: str) -> Wording:
        try:
            en, es = str(raw["en"]).strip(), str(raw["es"]).strip()
        except (KeyError, TypeError):
            raise ValidationError(f"{where} needs English and Spanish wording.") from None
        if not en or not es:
            raise ValidationError(f"{where} needs English and Spanish wording.")
        return cls(en, es)


@dataclass(frozen=True)
class Option:
    value: int
    wording: Wording


@dataclass(frozen=True)
class Band:
    """Totals from ``lowest`` up to the next band's lowest have this severity label."""

    lowest: int
    label: str


@dataclass(frozen=True)
class Instrument:
    code: str  # "phq9"
    name: str  # "PHQ-9"
    title: Wording
    stem: Wording  # the question every item completes ("Over the last 2 weeks …")
    options: tuple[Option, ...]
    items: tuple[Wording, ...]
    bands: tuple[Band, ...]
    safety_items: tuple[int, ...]  # 1-based item numbers whose answer above 0 needs a clinician
    remission_below: int | None  # remission when the total is below this (None: not defined)

    @property
    def max_answer(self) -> int:
        return max(o.value for o in self.options)

    @property
    def max_total(self) -> int:
        return self.max_answer * len(self.items)

    def band(self, total: int) -> Band:
        """The severity band of ``total`` (the last band whose lowest it reaches)."""
        if not 0 <= total <= self.max_total:
            raise ValidationError(f"A {self.name} total runs from 0 to {self.max_total}.")
        return [b for b in self.bands if b.lowest <= total][-1]


@dataclass(frozen=True)
class Score:
    instrument: str
    total: int
    band: str
    safety_items: tuple[int, ...]  # safety items answered above 0: each needs an assessment

    @property
    def needs_safety_assessment(self) -> bool:
        return bool(self.safety_items)


def score(
    instrument: Instrument, answers: Sequence[int], extra_safety_items: Sequence[int] = ()
) -> Score:
    """Total, band and positive safety items of a complete set of answers.

    ``extra_safety_items`` are item numbers the clinic chose to treat like PHQ-9 item 9.
    """
    if len(answers) != len(instrument.items):
        raise ValidationError(
            f"The {instrument.name} has {len(instrument.items)} questions; "
            f"{len(answers)} were answered."
        )
    allowed = {o.value for o in instrument.options}
    for number, answer in enumerate(answers, start=1):
        if isinstance(answer, bool) or answer not in allowed:
            raise ValidationError(
                f"{instrument.name} question {number}: choose one of the listed answers."
            )
    total = sum(answers)
    watched = sorted({*instrument.safety_items, *extra_safety_items})
    positive = tuple(n for n in watched if 1 <= n <= len(answers) and answers[n - 1] > 0)
    return Score(instrument.code, total, instrument.band(total).label, positive)


def instrument_from_data(raw: Mapping[str, Any]) -> Instrument:
    """An ``Instrument`` from one parsed resource file; ValidationError says what is wrong."""
    try:
        code, name = str(raw["code"]), str(raw["name"])
        options = tuple(
            Option(int(o["value"]), Wording.of(o, f"{name} answer {o['value']}"))
            for o in raw["options"]
        )
        items = tuple(
            Wording.of(item, f"{name} question {n}") for n, item in enumerate(raw["items"], 1)
        )
        bands = tuple(Band(int(b["from"]), str(b["label"])) for b in raw["bands"])
        remission = raw.get("remission_below")
        instrument = Instrument(
            code, name, Wording.of(raw["title"], f"{name} title"),
            Wording.of(raw["stem"], f"{name} question stem"), options, items, bands,
            tuple(int(n) for n in raw.get("safety_items", ())),
            None if remission is None else int(remission),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"The questionnaire file is incomplete ({exc}).") from None
    _check(instrument)
    return instrument


def _check(instrument: Instrument) -> None:
    values = [o.value for o in instrument.options]
    if not instrument.items or values != list(range(len(values))):
        raise ValidationError(f"{instrument.name}: answers must be numbered 0, 1, 2, …")
    lowest = [b.lowest for b in instrument.bands]
    if not lowest or lowest[0] != 0 or lowest != sorted(set(lowest)):
        raise ValidationError(f"{instrument.name}: bands must start at 0 and rise.")
    if any(not 1 <= n <= len(instrument.items) for n in instrument.safety_items):
        raise ValidationError(f"{instrument.name}: a safety item number is out of range.")
