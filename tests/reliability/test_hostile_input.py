"""Odd and hostile text into registration, search, notes, transport and the consent PDF.

Arbitrary Unicode (RTL marks, zero-width joiners, combining marks, emoji, very long
strings, control characters) and SQL / format-string / markup look-alikes: the desk never
crashes; a name it accepts is stored and read back exactly (only surrounding spaces go)
and printed on the consent form; what makes no sense (a control character in a name or a
phone number) is refused with a ValidationError that says which field and why.
"""

from __future__ import annotations

import io
import random
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import Engine

from desk.domain.consent import TreatmentType
from desk.domain.errors import DeskError, ValidationError
from desk.domain.patients import PatientDraft
from desk.domain.transport import PickupPlan, ResponsibleAdult
from desk.services import audit, booking, consent, infusion, patients, search, transport
from desk.services import settings as clinic_settings
from desk.services.database import open_database
from tests.helpers import clinic_flow
from tests.helpers.clinic_flow import Flow

LOOK_ALIKES = [
    "'; DROP TABLE patient; --",
    "Robert'); DELETE FROM audit_entry;--",
    "%s %n {0} %(name)s {patient_name}",
    "{clinic_name}",
    "<b>bold</b> <font size=40>big</font> &amp; &lt;",
    "<para>unclosed",
    "$(rm -rf ~) `id`",
    "\\x00 \\n",
    "O'Neill-Smith",
    "Zoë Ångström",
    "Nguyễn Thị Minh Khai",  # stacked combining marks
    "e\u0301\u0301\u0301",  # a base letter with three combining accents
    "עִבְרִית",
    "\u200fمحمد\u200f",  # RTL marks around Arabic
    "👩\u200d👩\u200d👧 family",  # zero-width joiners
    "🙂" * 50,
    "X" * 201,  # one over the limit
    "ß" * 200,
]
CONTROL = st.characters(categories=["Cc"])
# Words mixing every kind of character, look-alikes and control characters.
TEXT = st.one_of(
    st.sampled_from(LOOK_ALIKES),
    st.text(min_size=1, max_size=80),
    st.text(st.characters(categories=["L", "M", "Zs", "Pd", "Po", "So", "Cf"]),
            min_size=1, max_size=300),
    st.builds(lambda a, c, b: a + c + b, st.text(max_size=10), CONTROL, st.text(max_size=10)),
)
EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    folder = tmp_path_factory.mktemp("hostile")
    engine = open_database(f"sqlite:///{folder / 'clinic.sqlite3'}")
    with clinic_flow.cheap_password_hashing():
        clinic_flow.create_clinic(engine)
    yield Flow(engine, "front-desk", random.Random(3))
    engine.dispose()


def has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def register(flow: Flow, first: str, last: str, **extra: object) -> patients.PatientView:
    draft = PatientDraft(legal_first_name=first, legal_last_name=last,
                         dob=date(1979, 3, 4), phones=("+12015550188",), **extra)  # type: ignore[arg-type]
    return patients.register_patient(flow.reception, draft, confirm_not_duplicate=True)


def assert_clear_refusal(error: ValidationError) -> None:
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message
    assert message.endswith(".")


@EXAMPLES
@given(first=TEXT, last=TEXT)
def test_a_name_is_stored_exactly_or_refused_with_a_message(flow: Flow, first: str,
                                                            last: str) -> None:
    try:
        view = register(flow, first, last)
    except ValidationError as refused:
        assert_clear_refusal(refused)
        return
    assert not has_control(first.strip() + last.strip()), "a control character got into a name"
    again = patients.get_patient(flow.reception, view.id)
    assert (again.legal_first_name, again.legal_last_name) == (first.strip(), last.strip())
    hits = search.search_patients(flow.reception, first)
    assert all(isinstance(h.mrn, str) for h in hits)


@EXAMPLES
@given(text=st.one_of(TEXT, st.text(min_size=1000, max_size=6000)))
def test_search_answers_anything_typed_or_pasted(flow: Flow, text: str) -> None:
    try:
        result = search.search(flow.reception, text)
    except ValidationError as refused:
        assert_clear_refusal(refused)
        return
    assert isinstance(result.hits, list | tuple)


@EXAMPLES
@given(before=st.sampled_from(["201", "(201) 555", "+1 201 555"]), control=CONTROL,
       after=st.sampled_from(["555 0123", "0123", "-0123"]))
def test_a_control_character_in_a_phone_number_is_refused(flow: Flow, before: str,
                                                          control: str, after: str) -> None:
    with pytest.raises(ValidationError) as refused:
        register(flow, "Pat", "Phone", emergency_contact_name="Kim",
                 emergency_contact_phone=before + control + after)
    assert_clear_refusal(refused.value)
    assert "phone" in str(refused.value).lower()


@EXAMPLES
@given(notes=TEXT)
def test_notes_keep_every_character_or_refuse_control_characters(flow: Flow,
                                                                 notes: str) -> None:
    try:
        view = register(flow, "Nora", "Notes", notes=notes)
    except ValidationError as refused:
        assert_clear_refusal(refused)
        return
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in notes.strip())
    assert patients.get_patient(flow.reception, view.id).notes == notes.strip()


@pytest.fixture(scope="module")
def arrived_visit(flow: Flow) -> int:
    index = 5000
    patient = flow.register(index).entity_id
    flow.screen(patient)
    visit = flow.book(patient, index).entity_id
    flow.check_in(visit)
    return visit


@EXAMPLES
@given(name=TEXT, relationship=TEXT)
def test_the_responsible_adult_is_stored_exactly_or_refused(
    flow: Flow, arrived_visit: int, name: str, relationship: str
) -> None:
    ride = transport.transport_for(flow.reception, arrived_visit)
    try:
        adult = ResponsibleAdult(name, "201-555-0123", relationship)
        saved = transport.record_transport(flow.reception, arrived_visit, adult,
                                           PickupPlan.FAMILY_DRIVES, ride.version)
    except ValidationError as refused:
        assert_clear_refusal(refused)
        return
    assert not has_control(name.strip() + relationship.strip())
    assert (saved.adult_name, saved.relationship) == (name.strip(), relationship.strip())


# Text the bundled DejaVu font can show and pypdf reads back in order: Latin, Greek,
# Cyrillic with accents and apostrophes, plus the look-alikes that are markup in ReportLab.
PRINTABLE = st.one_of(
    st.sampled_from(["<b>bold</b> & co", "{patient_name}", "%s %n {0}",
                     "'; DROP TABLE patient; --", "O'Neill-Smith", "Zoë Ångström"]),
    st.text(st.characters(categories=["Lu", "Ll"], max_codepoint=0x04FF),
            min_size=1, max_size=40),
)


@pytest.mark.slow
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=PRINTABLE, last=st.one_of(PRINTABLE, st.sampled_from(LOOK_ALIKES)))
def test_the_consent_pdf_prints_any_accepted_name(flow: Flow, first: str, last: str) -> None:
    try:
        view = register(flow, first, last)
    except ValidationError:
        return
    draft = consent.prepare_consent(flow.reception, view.id, TreatmentType.MOOD_SERIES, "en")
    assert draft.pdf.startswith(b"%PDF-")
    if all(ord(c) <= 0x04FF for c in view.legal_name):  # within the font's coverage
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(draft.pdf)).pages)
        # Long names wrap inside a word; compare without the line breaks the layout added.
        def flat(value: str) -> str:
            return unicodedata.normalize("NFC", "".join(value.split()))

        assert flat(view.legal_name) in flat(text)


class _NoHolds(random.Random):
    def random(self) -> float:
        return 0.99  # walk the visit straight through: no holds, no side effects


def test_overlong_values_are_refused_with_a_sentence_on_every_database(engine: Engine) -> None:
    """PostgreSQL enforces column lengths that SQLite ignores; neither may crash."""
    clinic_flow.create_clinic(engine)
    flow = Flow(engine, "front-desk", _NoHolds())
    patient = flow.register(0).entity_id
    flow.screen(patient)
    visit = flow.book(patient, 0).entity_id
    flow.check_in(visit)
    info = clinic_settings.clinic_info(flow.admin)

    def clinic(name: str, phone: str) -> object:
        return clinic_settings.update_clinic(
            flow.admin, expected_version=info.version, name=name, address="", phone=phone,
            costs_text="", policy=info.policy, break_glass_enabled=False)

    second = flow.register(1).entity_id
    flow.screen(second)
    leaving = flow.book(second, 1).entity_id
    while booking.get_visit(flow.nurse, leaving).status.value != "recovery":
        flow.advance(leaving)
    flow.recover(leaving)  # the end vitals
    flow.at(leaving, 140)
    version = booking.get_visit(flow.nurse, leaving).version
    attempts: dict[str, Callable[[], object]] = {
        "collected by": lambda: infusion.discharge(
            flow.nurse, leaving, dissociation_resolved=True, end_vitals_acceptable=True,
            instructions_given=True, collected_by_name="Z" * 300,
            driver_override_reason="Her aunt came instead", expected_version=version),
        "relationship": lambda: transport.record_transport(
            flow.reception, visit, ResponsibleAdult("Ann Lee", "201-555-0123", "cousin " * 40),
            PickupPlan.FAMILY_DRIVES, 0),
        "clinic name": lambda: clinic("C" * 300, ""),
        "clinic phone": lambda: clinic("Harbour", "1" * 100),
    }
    for field, attempt in attempts.items():
        before = audit.change_counter(flow.admin)
        try:
            attempt()
        except DeskError as refused:
            assert str(refused).endswith("."), field
            assert audit.change_counter(flow.admin) == before, field
            continue
        assert engine.dialect.name == "sqlite", f"{field}: PostgreSQL stored an overlong value?"


@pytest.mark.parametrize(("index", "adult_name"), [(5100, "\u0301Ana"), (5101, "ﾟ Kenji")])
def test_an_adult_name_starting_with_a_mark_never_blocks_the_discharge(
    flow: Flow, index: int, adult_name: str
) -> None:
    patient = flow.register(index).entity_id
    flow.screen(patient)
    visit = flow.book(patient, index).entity_id
    flow.check_in(visit)
    ride = transport.transport_for(flow.reception, visit)
    transport.record_transport(flow.reception, visit,
                               ResponsibleAdult(adult_name, "201-555-0123", "Sister"),
                               PickupPlan.FAMILY_DRIVES, ride.version)
    ride = transport.transport_for(flow.reception, visit)
    transport.confirm_by_phone(flow.reception, visit, ride.version)
    while flow.advance(visit) is not None:  # the flow discharges to the stored adult
        pass
    assert booking.get_visit(flow.reception, visit).status.value == "discharged"
    assert search.search(flow.reception, adult_name) is not None
