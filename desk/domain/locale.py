"""How the clinic writes dates, times and phone numbers: the one place every screen,
printed sheet and the CLI asks.

The clinic's country (chosen in the setup wizard) sets a date order, 12- or 24-hour time
and the phone region; admins may change each later. A small table rather than Babel: the
desk needs three choices per country, not the CLDR, and the bundle stays small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from desk.domain.errors import ValidationError
from desk.domain.phones import format_phone
from desk.domain.policy import ClinicPolicy

DAY_FIRST = "%d/%m/%Y"
MONTH_FIRST = "%m/%d/%Y"
DAY_FIRST_DOTS = "%d.%m.%Y"
YEAR_FIRST = "%Y-%m-%d"
DATE_FORMATS: dict[str, str] = {
    DAY_FIRST: "day/month/year",
    MONTH_FIRST: "month/day/year",
    DAY_FIRST_DOTS: "day.month.year",
    YEAR_FIRST: "year-month-day",
}

CLOCK_24 = "%H:%M"
CLOCK_12 = "%I:%M %p"
TIME_FORMATS: dict[str, str] = {CLOCK_24: "24-hour clock", CLOCK_12: "12-hour clock"}

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166 alpha-2; also the region phone numbers are read in
    name: str
    date_format: str
    time_format: str


COUNTRIES: tuple[Country, ...] = (
    Country("AU", "Australia", DAY_FIRST, CLOCK_12),
    Country("AT", "Austria", DAY_FIRST_DOTS, CLOCK_24),
    Country("BE", "Belgium", DAY_FIRST, CLOCK_24),
    Country("CA", "Canada", YEAR_FIRST, CLOCK_12),
    Country("DK", "Denmark", DAY_FIRST_DOTS, CLOCK_24),
    Country("FR", "France", DAY_FIRST, CLOCK_24),
    Country("DE", "Germany", DAY_FIRST_DOTS, CLOCK_24),
    Country("IE", "Ireland", DAY_FIRST, CLOCK_24),
    Country("IT", "Italy", DAY_FIRST, CLOCK_24),
    Country("MX", "Mexico", DAY_FIRST, CLOCK_24),
    Country("NL", "Netherlands", DAY_FIRST, CLOCK_24),
    Country("NZ", "New Zealand", DAY_FIRST, CLOCK_12),
    Country("NO", "Norway", DAY_FIRST_DOTS, CLOCK_24),
    Country("PT", "Portugal", DAY_FIRST, CLOCK_24),
    Country("ES", "Spain", DAY_FIRST, CLOCK_24),
    Country("SE", "Sweden", YEAR_FIRST, CLOCK_24),
    Country("CH", "Switzerland", DAY_FIRST_DOTS, CLOCK_24),
    Country("GB", "United Kingdom", DAY_FIRST, CLOCK_24),
    Country("US", "United States", MONTH_FIRST, CLOCK_12),
)
_BY_CODE = {country.code: country for country in COUNTRIES}


def country(code: str) -> Country:
    """The country with ISO code ``code`` ("UK" is read as "GB", as people write it)."""
    key = code.strip().upper()
    key = "GB" if key == "UK" else key
    if key not in _BY_CODE:
        known = ", ".join(sorted(_BY_CODE))
        raise ValidationError(f"The desk does not know the country '{code}'; use one of {known}.",
                              "country")
    return _BY_CODE[key]


def for_country(policy: ClinicPolicy, code: str) -> ClinicPolicy:
    """``policy`` with the date, time and phone conventions of the country ``code``."""
    chosen = country(code)
    return replace(
        policy,
        phone_region=chosen.code,
        date_format=chosen.date_format,
        time_format=chosen.time_format,
    )


def check_regional(policy: ClinicPolicy, previous: ClinicPolicy) -> None:
    """Refuse a new date or time format the desk cannot read back, or an unknown phone
    region; a value unchanged from ``previous`` stays, since it was accepted once."""
    if policy.date_format not in (*DATE_FORMATS, previous.date_format):
        raise ValidationError("Choose one of the listed date formats.", "date_format")
    if policy.time_format not in (*TIME_FORMATS, previous.time_format):
        raise ValidationError("Choose the 12-hour or the 24-hour clock.", "time_format")
    if policy.phone_region not in (*_BY_CODE, previous.phone_region):
        raise ValidationError("Choose the country phone numbers are read in.", "phone_region")


def format_date(day: date, policy: ClinicPolicy) -> str:
    """14/03/1990 in the UK, 03/14/1990 in the US."""
    return day.strftime(policy.date_format)


def format_day(day: date, policy: ClinicPolicy) -> str:
    """A date with its weekday, for days people plan around: "Sat 28/11/2026"."""
    return f"{_WEEKDAYS[day.weekday()]} {format_date(day, policy)}"


def format_long_date(day: date, policy: ClinicPolicy) -> str:
    """A heading's date in words, in the clinic's order: "Saturday 28 November 2026"."""
    weekday, month = day.strftime("%A"), day.strftime("%B")
    if policy.date_format == MONTH_FIRST:
        return f"{weekday}, {month} {day.day}, {day.year}"
    return f"{weekday} {day.day} {month} {day.year}"


def format_time(moment: time | datetime, policy: ClinicPolicy) -> str:
    """14:05 on a 24-hour clock, 2:05 PM on a 12-hour one (no leading zero, as people write)."""
    if policy.time_format == CLOCK_12:
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return moment.strftime(policy.time_format)


def format_hours(start: time | datetime, end: time | datetime, policy: ClinicPolicy) -> str:
    """A slot's hours: "10:00–12:00"."""
    return f"{format_time(start, policy)}–{format_time(end, policy)}"


def format_datetime(moment: datetime, policy: ClinicPolicy) -> str:
    """The moment in the workstation's time zone: "28/11/2026 14:05"."""
    local = moment.astimezone() if moment.tzinfo else moment
    return f"{format_date(local.date(), policy)} {format_time(local, policy)}"


def format_phone_number(e164: str, policy: ClinicPolicy) -> str:
    """A stored number as people in the clinic's country read it; other text as it was."""
    return format_phone(e164, policy.phone_region) if e164.startswith("+") else e164


def example_date(date_format: str, day: date) -> str:
    """What a date format looks like, for people choosing one: "28/11/2026"."""
    return day.strftime(date_format)


def date_placeholder(date_format: str) -> str:
    """"%d/%m/%Y" → "DD/MM/YYYY": how to type a date, as a field's placeholder."""
    return (date_format.replace("%d", "DD").replace("%m", "MM")
            .replace("%Y", "YYYY").replace("%y", "YY"))


_QT_DATE_CODES = {"%d": "dd", "%m": "MM", "%Y": "yyyy", "%y": "yy"}


def qt_date_format(date_format: str) -> str:
    """The clinic's date format in Qt's notation, for date fields: "%d/%m/%Y" → "dd/MM/yyyy".

    Editable fields carry no weekday: Up on a weekday section would move whole weeks.
    """
    return re.sub(r"%[dmYy]", lambda m: _QT_DATE_CODES[m[0]], date_format)


def qt_time_format(time_format: str) -> str:
    """The clinic's clock in Qt's notation, for time fields: "HH:mm" or "h:mm AP"."""
    return "h:mm AP" if time_format == CLOCK_12 else "HH:mm"


_TYPED_TIME = re.compile(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2})|(\d{2}))?\s*(?:([ap])\.?\s*m?\.?)?")


def parse_time(text: str) -> time | None:
    """A time of day as people type it on either clock, or None when it is not one.

    "10:00", "10.00", "1000", "10" and "14:30" are read on the 24-hour clock; "2:30 pm",
    "2pm" and "12 am" on the 12-hour one, whichever clock the clinic shows.
    """
    match = _TYPED_TIME.fullmatch(text.strip().lower())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or match[3] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[4] == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
