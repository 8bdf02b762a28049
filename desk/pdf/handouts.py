"""Patient handouts in English and Spanish: prep instructions and discharge instructions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from desk.domain.consent import TreatmentType
from desk.domain.locale import format_time
from desk.domain.policy import DEFAULT_POLICY, ClinicPolicy
from desk.pdf.data import (
    ClinicInfo,
    base_language,
    clear_fluids_stop_minutes,
    format_day,
    format_number,
    prep_times,
    treatment_label,
)
from desk.pdf.fonts import markup
from desk.pdf.layout import DocumentMeta, build_pdf, styles


@dataclass(frozen=True)
class UpcomingVisit:
    starts_at: datetime
    treatment: TreatmentType
    driver_name: str | None = None
    # "Infusion 3 of 6" when the visit belongs to a series.
    series_position: int | None = None
    series_total: int | None = None


@dataclass(frozen=True)
class PrepHandout:
    clinic: ClinicInfo
    patient_name: str
    visits: tuple[UpcomingVisit, ...]
    document_id: str
    language: str = "en"
    policy: ClinicPolicy = DEFAULT_POLICY
    created_at: datetime | None = None


@dataclass(frozen=True)
class DischargeHandout:
    clinic: ClinicInfo
    patient_name: str
    infusion_day: date
    document_id: str
    next_appointment: datetime | None = None
    language: str = "en"
    policy: ClinicPolicy = DEFAULT_POLICY
    created_at: datetime | None = None
    extra_notes: tuple[str, ...] = field(default=())
    # This visit's own record, as (FACT key, value) lines: discharge time, who collected,
    # the discharging nurse, side effects and what was done, any stop that was passed.
    visit_facts: tuple[tuple[str, str], ...] = field(default=())


_PREP = {
    "en": {
        "title": "Preparing for your ketamine infusion",
        "subject": "Preparation instructions",
        "for": "For: <b>{name}</b>",
        "intro": "Please follow these steps before each visit. The times are worked out for "
        "your own appointments.",
        "visit": "{day} at {time}",
        "series": "infusion {n} of {total}",
        "food": "Stop eating by <b>{time}</b>.",
        "food_day_before": "Stop eating by <b>{time}</b> on {day}.",
        "fluids": "Clear fluids until <b>{time}</b>. After that, nothing to drink.",
        "driver": "Bring your driver: <b>{name}</b>.",
        "no_driver": "Bring a responsible adult to drive you home, and tell us their name "
        "and phone number before your visit. You cannot drive yourself, and a taxi or "
        "rideshare alone is not accepted.",
        "clothing": "Wear a short-sleeved top.",
        "general": "Good to know",
        "questions": "Questions, or need to change an appointment? Call {clinic} at {phone}.",
        "none": "You have no upcoming infusions booked. Call us to book.",
    },
    "es": {
        "title": "Cómo prepararse para su infusión de ketamina",
        "subject": "Instrucciones de preparación",
        "for": "Para: <b>{name}</b>",
        "intro": "Siga estos pasos antes de cada visita. Las horas están calculadas para sus "
        "propias citas.",
        "visit": "{day} a las {time}",
        "series": "infusión {n} de {total}",
        "food": "Deje de comer a las <b>{time}</b>.",
        "food_day_before": "Deje de comer a las <b>{time}</b> del {day}.",
        "fluids": "Líquidos claros hasta las <b>{time}</b>. Después, no beba nada.",
        "driver": "Traiga a su conductor: <b>{name}</b>.",
        "no_driver": "Traiga a una persona adulta responsable que le lleve a casa, y "
        "díganos su nombre y teléfono antes de su visita. Usted no puede conducir, y no se "
        "acepta que se vaya solo en un taxi o en un vehículo de aplicación.",
        "clothing": "Use una prenda de manga corta.",
        "general": "Conviene saber",
        "questions": "¿Tiene preguntas o necesita cambiar una cita? Llame a {clinic} al {phone}.",
        "none": "No tiene infusiones programadas. Llámenos para programarlas.",
    },
}


_PREP_GENERAL: dict[str, tuple[str, ...]] = {
    "en": (
        "No food for {food_hours} hours before your appointment.",
        "Clear fluids are water, clear juice without pulp, and black tea or coffee "
        "without milk. Stop them {fluid_hours} hours before your appointment.",
        "Take your usual medicines unless your clinician told you otherwise.",
        "Tell us before your visit if you are unwell, pregnant or have started a new medicine.",
        "Do not drive until the next day, after a night's sleep.",
    ),
    "es": (
        "No coma nada durante las {food_hours} horas anteriores a su cita.",
        "Los líquidos claros son agua, jugo claro sin pulpa, y té o café solos, sin "
        "leche. Deje de tomarlos {fluid_hours} horas antes de su cita.",
        "Tome sus medicamentos habituales, salvo que su profesional clínico le haya "
        "indicado otra cosa.",
        "Avísenos antes de su visita si se siente mal, si está embarazada o si empezó "
        "un medicamento nuevo.",
        "No conduzca hasta el día siguiente, después de una noche de sueño.",
    ),
}


def render_prep_instructions(handout: PrepHandout) -> bytes:
    """One patient's prep sheet: for each upcoming visit, their own stop-eating times."""
    text = _PREP[base_language(handout.language)]
    style = styles()
    story: list[Flowable] = [
        Paragraph(text["title"], style["title"]),
        Paragraph(text["for"].format(name=markup(handout.patient_name)), style["big"]),
        Paragraph(text["intro"], style["paragraph"]),
    ]
    visits = sorted(handout.visits, key=lambda v: v.starts_at)
    story.extend(_visit_block(visit, handout, text) for visit in visits)
    if not visits:
        story.append(Paragraph(text["none"], style["big"]))
    story.extend(_general_block(handout, text))
    return build_pdf(
        story, _meta(handout.clinic, handout, text["subject"], text["title"]), handout.policy
    )


def _visit_block(visit: UpcomingVisit, handout: PrepHandout, text: dict[str, str]) -> Flowable:
    style, policy, language = styles(), handout.policy, handout.language
    times = prep_times(visit.starts_at, policy)
    heading = text["visit"].format(
        day=format_day(visit.starts_at.date(), policy, language),
        time=format_time(visit.starts_at, policy),
    )
    detail = treatment_label(visit.treatment, language)
    if visit.series_position and visit.series_total:
        series = text["series"].format(n=visit.series_position, total=visit.series_total)
        detail = f"{detail}, {series}"
    food_time = format_time(times.stop_food_at, policy)
    if times.stop_food_at.date() == visit.starts_at.date():
        food = text["food"].format(time=food_time)
    else:
        day = format_day(times.stop_food_at.date(), policy, language)
        food = text["food_day_before"].format(time=food_time, day=day)
    fluids = text["fluids"].format(time=format_time(times.clear_fluids_until, policy))
    if visit.driver_name and visit.driver_name.strip():
        driver = text["driver"].format(name=markup(visit.driver_name))
    else:
        driver = text["no_driver"]
    lines = [food, fluids, driver, text["clothing"]]
    return KeepTogether(
        [
            Paragraph(
                f"{markup(heading)} <font size=9>— {markup(detail)}</font>", style["heading"]
            ),
            *(Paragraph(line, style["bullet"], bulletText="☐") for line in lines),
        ]
    )


def _general_block(handout: PrepHandout, text: dict[str, str]) -> list[Flowable]:
    style, policy, language = styles(), handout.policy, handout.language
    items = _PREP_GENERAL[base_language(language)]
    food_hours = format_number(policy.fasting_food_hours, language)
    fluid_hours = format_number(clear_fluids_stop_minutes(policy) / 60, language)
    flowables: list[Flowable] = [
        Spacer(1, 0.1 * inch),
        Paragraph(text["general"], style["heading"]),
    ]
    flowables.extend(
        Paragraph(
            item.format(food_hours=food_hours, fluid_hours=fluid_hours),
            style["bullet"],
            bulletText="•",
        )
        for item in items
    )
    flowables.append(Spacer(1, 6))
    flowables.append(Paragraph(_questions(handout.clinic, text), style["big"]))
    return flowables


def _questions(clinic: ClinicInfo, text: dict[str, str]) -> str:
    return text["questions"].format(
        clinic=markup(clinic.name), phone=f"<b>{markup(clinic.phone)}</b>"
    )


def _meta(
    clinic: ClinicInfo, handout: PrepHandout | DischargeHandout, subject: str, title: str
) -> DocumentMeta:
    return DocumentMeta(
        title=title,
        subject=subject,
        document_id=handout.document_id,
        clinic=clinic,
        language=handout.language,
        created_at=handout.created_at,
        running_header=handout.patient_name,
    )


_DISCHARGE = {
    "en": {
        "title": "After your infusion",
        "subject": "Discharge instructions",
        "for": "For: <b>{name}</b>  ·  infusion on {day}",
        "rules_heading": "Until tomorrow, after a night's sleep",
        "effects_heading": "Common after-effects",
        "effects": "You may feel tired, dizzy, slightly sick, have blurred vision or feel "
        '"spacey" or detached. These usually pass within a few hours. Rest, eat light food '
        "when you feel hungry, and drink fluids.",
        "call_heading": "Call the clinic at {phone} if",
        "emergency": "<b>Call 911</b> or go to the nearest emergency department for chest "
        "pain, trouble breathing, fainting or a seizure. If you have thoughts of harming "
        "yourself, call or text <b>988</b> (Suicide &amp; Crisis Lifeline) or 911.",
        "next_heading": "Your next appointment",
        "next": "{day} at <b>{time}</b>. Follow your prep instructions and bring your driver.",
        "no_next": "No appointment is booked yet. Call {phone} to book one.",
        "visit_heading": "Today's visit",
        "after_hours": "Outside opening hours call <b>{phone}</b>.",
    },
    "es": {
        "title": "Después de su infusión",
        "subject": "Instrucciones para después de la infusión",
        "for": "Para: <b>{name}</b>  ·  infusión del {day}",
        "rules_heading": "Hasta mañana, después de una noche de sueño",
        "effects_heading": "Efectos frecuentes después de la infusión",
        "effects": "Puede sentirse cansado, mareado, con algo de náuseas, con la vista "
        'borrosa o como "desconectado". Por lo general pasa en unas horas. Descanse, coma '
        "algo ligero cuando tenga hambre y tome líquidos.",
        "call_heading": "Llame a la clínica al {phone} si",
        "emergency": "<b>Llame al 911</b> o acuda al servicio de urgencias más cercano si "
        "tiene dolor en el pecho, dificultad para respirar, desmayo o una convulsión. Si "
        "tiene pensamientos de hacerse daño, llame o envíe un mensaje de texto al "
        "<b>988</b> (Línea de Prevención del Suicidio y Crisis; hay atención en español) o "
        "llame al 911.",
        "next_heading": "Su próxima cita",
        "next": "{day} a las <b>{time}</b>. Siga sus instrucciones de preparación y traiga "
        "a su conductor.",
        "no_next": "Todavía no tiene una cita programada. Llame al {phone} para programarla.",
        "visit_heading": "Su visita de hoy",
        "after_hours": "Fuera del horario de la clínica llame al <b>{phone}</b>.",
    },
}


_DISCHARGE_RULES: dict[str, tuple[str, ...]] = {
    "en": (
        "<b>Do not drive</b> until the next day, after a night's sleep; do not ride a "
        "bicycle or operate machinery.",
        "Do not make important decisions or sign legal documents.",
        "Do not drink alcohol or take recreational drugs.",
        "Let the responsible adult who took you home stay with you if you can.",
    ),
    "es": (
        "<b>No conduzca</b> hasta el día siguiente, después de una noche de sueño; no ande "
        "en bicicleta ni maneje maquinaria.",
        "No tome decisiones importantes ni firme documentos legales.",
        "No tome alcohol ni drogas recreativas.",
        "Si es posible, pida a la persona adulta que le llevó a casa que se quede con usted.",
    ),
}


_DISCHARGE_CALL: dict[str, tuple[str, ...]] = {
    "en": (
        "nausea or vomiting does not stop, or you cannot keep fluids down;",
        "dizziness, blurred vision or feeling detached last past this evening;",
        "you have pain or burning when passing urine, or blood in the urine;",
        "your mood gets worse or you feel unusually anxious or confused.",
    ),
    "es": (
        "las náuseas o los vómitos no se detienen, o no puede retener líquidos;",
        "el mareo, la vista borrosa o la sensación de desconexión duran más allá de esta noche;",
        "siente dolor o ardor al orinar, o ve sangre en la orina;",
        "su estado de ánimo empeora o se siente inusualmente ansioso o confundido.",
    ),
}


def render_discharge_instructions(handout: DischargeHandout) -> bytes:
    """The sheet a patient takes home after an infusion."""
    text = _DISCHARGE[base_language(handout.language)]
    style, policy, language = styles(), handout.policy, handout.language
    phone = f"<b>{markup(handout.clinic.phone)}</b>"
    story: list[Flowable] = [
        Paragraph(text["title"], style["title"]),
        Paragraph(
            text["for"].format(
                name=markup(handout.patient_name),
                day=format_day(handout.infusion_day, policy, language),
            ),
            style["big"],
        ),
        *_visit_facts(handout, text, style),
        Paragraph(text["rules_heading"], style["heading"]),
        *(
            Paragraph(rule, style["bullet"], bulletText="•")
            for rule in _DISCHARGE_RULES[base_language(language)]
        ),
        Paragraph(text["effects_heading"], style["heading"]),
        Paragraph(text["effects"], style["paragraph"]),
        Paragraph(text["call_heading"].format(phone=phone), style["heading"]),
        *(
            Paragraph(reason, style["bullet"], bulletText="•")
            for reason in _DISCHARGE_CALL[base_language(language)]
        ),
        *_after_hours(handout, text, style),
        Spacer(1, 4),
        Paragraph(text["emergency"], style["paragraph"]),
        *(Paragraph(markup(note), style["paragraph"]) for note in handout.extra_notes),
        Paragraph(text["next_heading"], style["heading"]),
        Paragraph(_next_text(handout, text, phone), style["big"]),
    ]
    return build_pdf(story, _meta(handout.clinic, handout, text["subject"], text["title"]), policy)


FACTS = {
    "en": {
        "discharged": "Discharged at",
        "collected": "Collected by",
        "nurse": "Discharging nurse",
        "side_effects": "Side effects recorded",
        "stopped": "Infusion stopped early for",
        "override": "Safety check passed by override",
    },
    "es": {
        "discharged": "Alta a las",
        "collected": "Recogido por",
        "nurse": "Enfermera/o del alta",
        "side_effects": "Efectos secundarios registrados",
        "stopped": "Infusión detenida antes por",
        "override": "Control de seguridad superado por autorización",
    },
}


def _visit_facts(
    handout: DischargeHandout, text: dict[str, str], style: dict[str, ParagraphStyle]
) -> list[Flowable]:
    if not handout.visit_facts:
        return []
    labels = FACTS[base_language(handout.language)]
    lines = [
        Paragraph(f"<b>{markup(labels[key])}:</b> {markup(value)}", style["paragraph"])
        for key, value in handout.visit_facts
    ]
    return [Paragraph(text["visit_heading"], style["heading"]), *lines]


def _after_hours(
    handout: DischargeHandout, text: dict[str, str], style: dict[str, ParagraphStyle]
) -> list[Flowable]:
    phone = handout.policy.after_hours_phone.strip()
    if not phone:
        return []
    return [Paragraph(text["after_hours"].format(phone=markup(phone)), style["paragraph"])]


def _next_text(handout: DischargeHandout, text: dict[str, str], phone: str) -> str:
    moment = handout.next_appointment
    if moment is None:
        return text["no_next"].format(phone=phone)
    return text["next"].format(
        day=format_day(moment.date(), handout.policy, handout.language),
        time=format_time(moment, handout.policy),
    )
