"""Scoring and banding of every shipped questionnaire, against worked examples."""

from __future__ import annotations

import json
from typing import Any

import pytest

from desk.domain.errors import ValidationError
from desk.domain.instruments import Instrument, Language, instrument_from_data, score
from desk.resources import resource_path


def load(code: str) -> Instrument:
    path = resource_path("instruments", f"{code}.json")
    return instrument_from_data(json.loads(path.read_text(encoding="utf-8")))


def answers_totalling(total: int, count: int, top: int) -> list[int]:
    """``count`` answers summing to ``total``, filled from the first question."""
    result = []
    for _ in range(count):
        take = min(top, total)
        result.append(take)
        total -= take
    assert total == 0
    return result


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("phq9", 0, "Minimal"), ("phq9", 4, "Minimal"), ("phq9", 5, "Mild"),
        ("phq9", 9, "Mild"), ("phq9", 10, "Moderate"), ("phq9", 14, "Moderate"),
        ("phq9", 15, "Moderately severe"), ("phq9", 19, "Moderately severe"),
        ("phq9", 20, "Severe"), ("phq9", 24, "Severe"),
        ("gad7", 0, "Minimal"), ("gad7", 4, "Minimal"), ("gad7", 5, "Mild"),
        ("gad7", 10, "Moderate"), ("gad7", 14, "Moderate"), ("gad7", 15, "Severe"),
        ("gad7", 21, "Severe"),
        ("pcl5", 0, "Below the PTSD cut-point"), ("pcl5", 32, "Below the PTSD cut-point"),
        ("pcl5", 33, "Probable PTSD"), ("pcl5", 80, "Probable PTSD"),
        ("pain_nrs", 0, "No pain"), ("pain_nrs", 3, "Mild"), ("pain_nrs", 4, "Moderate"),
        ("pain_nrs", 6, "Moderate"), ("pain_nrs", 7, "Severe"), ("pain_nrs", 10, "Severe"),
    ],
)  # fmt: skip
def test_total_falls_in_its_band(code: str, total: int, band: str) -> None:
    item = load(code)
    # Item 9 of the PHQ-9 stays 0 here: the safety rule is tested on its own.
    count = len(item.items) - (1 if code == "phq9" else 0)
    answers = answers_totalling(total, count, item.max_answer)
    if code == "phq9":
        answers.append(0)
    result = score(item, answers)
    assert (result.total, result.band) == (total, band)
    assert not result.needs_safety_assessment


@pytest.mark.parametrize(
    ("code", "questions", "maximum"),
    [("phq9", 9, 27), ("gad7", 7, 21), ("pcl5", 20, 80), ("pain_nrs", 1, 10)],
)
def test_each_instrument_has_its_published_length_and_range(
    code: str, questions: int, maximum: int
) -> None:
    item = load(code)
    assert len(item.items) == questions
    assert item.max_total == maximum
    assert score(item, [item.max_answer] * questions).total == maximum


def test_worked_phq9_example_with_item_nine_needs_a_safety_assessment() -> None:
    # 2+1+2+3+1+1+0+1+1 = 12: moderate, and "several days" on item 9.
    result = score(load("phq9"), [2, 1, 2, 3, 1, 1, 0, 1, 1])
    assert (result.total, result.band) == (12, "Moderate")
    assert result.safety_items == (9,)
    assert result.needs_safety_assessment


def test_phq9_item_nine_at_zero_raises_no_alert_even_when_severe() -> None:
    result = score(load("phq9"), [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert (result.total, result.band) == (24, "Severe")
    assert not result.needs_safety_assessment


def test_clinic_chosen_pcl5_item_raises_the_alert() -> None:
    answers = [0] * 20
    answers[15] = 2  # item 16: taking risks that could cause harm
    assert not score(load("pcl5"), answers).needs_safety_assessment
    assert score(load("pcl5"), answers, extra_safety_items=(16,)).safety_items == (16,)


@pytest.mark.parametrize(
    "answers",
    [[0] * 8, [0] * 10, [0, 0, 0, 0, 0, 0, 0, 0, 4], [0, 0, 0, 0, 0, 0, 0, 0, -1],
     [True, 0, 0, 0, 0, 0, 0, 0, 0]],
)
def test_incomplete_or_impossible_answers_are_refused(answers: list[int]) -> None:
    with pytest.raises(ValidationError, match="PHQ-9"):
        score(load("phq9"), answers)


def test_every_instrument_has_english_and_spanish_wording() -> None:
    for code in ("phq9", "gad7", "pcl5", "pain_nrs"):
        item = load(code)
        for wording in (item.stem, *item.items, *(o.wording for o in item.options)):
            assert wording.text(Language.EN) and wording.text(Language.ES)
            assert wording.text(Language.EN) != wording.text(Language.ES) or wording.en.isdigit()


def _phq9_raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        resource_path("instruments", "phq9.json").read_text(encoding="utf-8")
    )
    return raw


def test_a_file_missing_the_spanish_wording_is_refused() -> None:
    raw = _phq9_raw()
    del raw["items"][3]["es"]
    with pytest.raises(ValidationError, match="question 4 needs English and Spanish"):
        instrument_from_data(raw)


def test_bands_that_do_not_start_at_zero_are_refused() -> None:
    raw = _phq9_raw()
    raw["bands"] = raw["bands"][1:]
    with pytest.raises(ValidationError, match="bands must start at 0"):
        instrument_from_data(raw)
