"""The clinic's country decides how dates, times and phone numbers are written and read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from desk.domain.errors import ValidationError
from desk.domain.locale import (
    CLOCK_12,
    check_regional,
    date_placeholder,
    for_country,
    format_date,
    format_day,
    format_long_date,
    format_phone_number,
    format_time,
    parse_time,
    qt_date_format,
    qt_time_format,
)
from desk.domain.phones import normalise_phone
from desk.domain.policy import DEFAULT_POLICY
from desk.domain.search_query import parse_typed_date

UK = for_country(DEFAULT_POLICY, "GB")
US = for_country(DEFAULT_POLICY, "US")


def test_a_uk_clinic_writes_and_reads_day_first_dates() -> None:
    assert format_date(date(1990, 3, 14), UK) == "14/03/1990"
    assert parse_typed_date("14/03/1990", UK, date(2026, 11, 28)) == date(1990, 3, 14)
    assert date_placeholder(UK.date_format) == "DD/MM/YYYY"
    assert qt_date_format(UK.date_format) == "dd/MM/yyyy"


def test_a_us_clinic_writes_month_first_on_a_twelve_hour_clock() -> None:
    assert format_date(date(1990, 3, 14), US) == "03/14/1990"
    assert format_time(time(14, 5), US) == "2:05 PM"
    assert format_time(time(0, 30), US) == "12:30 AM"
    assert qt_time_format(US.time_format) == "h:mm AP"


def test_a_uk_clinic_uses_the_24_hour_clock() -> None:
    assert format_time(datetime(2026, 11, 28, 9, 5), UK) == "09:05"
    assert qt_time_format(UK.time_format) == "HH:mm"


def test_uk_is_read_as_great_britain_and_sets_the_phone_region() -> None:
    assert for_country(DEFAULT_POLICY, "uk").phone_region == "GB"
    e164 = normalise_phone("020 7946 0958", UK.phone_region)
    assert e164 == "+442079460958"
    assert format_phone_number(e164, UK) == "020 7946 0958"
    assert format_phone_number(e164, US) == "+44 20 7946 0958"


def test_an_unknown_country_is_refused_with_a_sentence() -> None:
    with pytest.raises(ValidationError, match="does not know the country 'XX'"):
        for_country(DEFAULT_POLICY, "XX")


def test_headings_spell_the_day_in_the_clinics_order() -> None:
    saturday = date(2026, 11, 28)
    assert format_long_date(saturday, UK) == "Saturday 28 November 2026"
    assert format_long_date(saturday, US) == "Saturday, November 28, 2026"
    assert format_day(saturday, UK) == "Sat 28/11/2026"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("10:00", time(10)), ("10.00", time(10)), ("1000", time(10)), ("10", time(10)),
     ("14:30", time(14, 30)), ("2:30 pm", time(14, 30)), ("2pm", time(14)),
     ("12 am", time(0)), ("12:15 PM", time(12, 15)), (" 9:05 ", time(9, 5))],
)
def test_typed_times_are_read_on_either_clock(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["", ":00", "25:00", "10:60", "13 pm", "noon", "1:2"])
def test_what_is_not_a_time_is_not_read_as_one(typed: str) -> None:
    assert parse_time(typed) is None


def test_a_new_format_must_be_one_the_desk_reads_back() -> None:
    with pytest.raises(ValidationError, match="listed date formats"):
        check_regional(replace(UK, date_format="%d %b"), UK)
    with pytest.raises(ValidationError, match="12-hour or the 24-hour"):
        check_regional(replace(UK, time_format="%H.%M"), UK)
    check_regional(replace(US, time_format=CLOCK_12), UK)


def test_a_format_accepted_once_stays_accepted() -> None:
    old = replace(UK, date_format="%d-%m-%y")
    check_regional(old, old)
