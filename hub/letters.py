"""The letters about a meeting, in the member's language: the invitation, the update after a change,
the cancellation and the reminders. Pure: the caller passes the links, the calendar's sequence and the
time. No I/O.

Each letter has a plain text part and an HTML part made from the same paragraphs; everything that
members or officers wrote (names, titles, branch names) is escaped for HTML, and made safe for mail
headers (no line breaks or control characters). Invitations, updates and cancellations carry an
iCalendar part (RFC 5546: METHOD REQUEST or CANCEL) whose UID is the meeting's, the same as in the
calendar feed, and whose SEQUENCE grows with each change, so a calendar updates the one event."""

from __future__ import annotations

import enum
import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta
from babel.lists import format_list
from icalendar import Calendar, Event, vCalAddress

from hub.home import length
from hub.models import Language, Meeting, Member
from hub.outbox import Attachment, Letter


class Kind(enum.StrEnum):
    INVITATION = "invitation"
    UPDATE = "update"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"


# The letters that put the meeting in the member's calendar (and take it out): a member's latest one is
# where their invitation stands.
CALENDAR_KINDS = frozenset({Kind.INVITATION, Kind.UPDATE, Kind.CANCELLATION})

# Dates and times as each language writes them (English as written outside the US: a day-month date
# and a 24-hour clock suit an international membership).
LOCALES: dict[Language, str] = {"en": "en_GB", "es": "es"}

_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "subject.invitation": "Invitation: {title}",
        "subject.update": "Changed: {title}",
        "subject.cancellation": "Cancelled: {title}",
        "subject.reminder": "Reminder: {title} starts in {left}",
        "hello": "Hello {name},",
        "lead.invitation": "You are invited to {title} ({branch}).",
        "lead.update": "{title} ({branch}) has changed. It now takes place:",
        "lead.cancellation": "{title} ({branch}) has been cancelled. It was to take place:",
        "lead.reminder": "{title} ({branch}) starts in {left}.",
        "yours": "Your time: {when} ({zone})",
        "theirs": "The meeting's time: {when} ({zone})",
        "join": "Join with your own link (it is yours alone: please do not pass it on):",
        "calendar": "The attached calendar file puts the meeting in your calendar.",
        "calendar.cancellation": "The attached calendar file takes the meeting out of your calendar.",
        "remind": "We will remind you {offsets} before it starts.",
        "stop": "To stop reminders before your meetings, open this link:",
        "sign": "The meeting hub",
    },
    "es": {
        "subject.invitation": "Invitación: {title}",
        "subject.update": "Cambio: {title}",
        "subject.cancellation": "Cancelada: {title}",
        "subject.reminder": "Recordatorio: {title} empieza dentro de {left}",
        "hello": "Hola, {name}:",
        "lead.invitation": "Te invitamos a {title} ({branch}).",
        "lead.update": "{title} ({branch}) ha cambiado. Ahora se celebra:",
        "lead.cancellation": "{title} ({branch}) se ha cancelado. Iba a celebrarse:",
        "lead.reminder": "{title} ({branch}) empieza dentro de {left}.",
        "yours": "Tu hora: {when} ({zone})",
        "theirs": "Hora de la reunión: {when} ({zone})",
        "join": "Entra con tu propio enlace (es solo tuyo: no lo compartas, por favor):",
        "calendar": "El archivo de calendario adjunto añade la reunión a tu calendario.",
        "calendar.cancellation": "El archivo de calendario adjunto quita la reunión de tu calendario.",
        "remind": "Te lo recordaremos {offsets} antes de que empiece.",
        "stop": "Para no recibir más recordatorios de tus reuniones, abre este enlace:",
        "sign": "El centro de reuniones",
    },
}

# iCalendar identifies the product that made the file.
PRODID = "-//Meeting hub//Invitations//EN"


def uid(meeting_id: str) -> str:
    """The meeting's event in every calendar: the same in letters and in the calendar feed."""
    return f"{meeting_id}@meeting-hub"


@dataclass(frozen=True)
class About:
    """What every letter about one meeting shares."""

    meeting: Meeting
    branch: str
    # The calendar's SEQUENCE: 0 for the first invitation, one more for each change since.
    sequence: int
    # Who the calendar event comes from (iCalendar's ORGANIZER): the hub's sender address.
    organizer: str
    now: datetime


@dataclass(frozen=True)
class Links:
    """The member's own links in a letter: None where the letter has none."""

    join: str | None = None
    # Reminders off, for a member who gets them.
    unsubscribe: str | None = None


def one_line(text: str, most: int = 200) -> str:
    """Member text fit for a mail header or a line of a letter: control characters and line breaks
    (which in a header could start a header of their own) become spaces, runs of space one, and it is
    cut to `most` characters."""
    cleaned = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    words = " ".join(cleaned.split())
    return words if len(words) <= most else words[: most - 1].rstrip() + "\u2026"


def recipient(member: Member) -> str:
    """The member as a To header: their name quoted (and encoded) as needed beside their address."""
    return str(Address(display_name=one_line(member.name, 120), addr_spec=member.email))


def when(at: datetime, zone: str, language: Language) -> str:
    """A time as the member reads it: weekday, date and 24-hour time in `zone`."""
    local = at.astimezone(ZoneInfo(zone))
    locale = LOCALES[language]
    return f"{format_date(local.date(), 'full', locale=locale)}, {format_time(local, 'HH:mm', locale=locale)}"


def span(offset: timedelta, language: Language) -> str:
    """`1 day`, `1 hour 30 minutes`: exact, in the member's language."""
    minutes = int(offset.total_seconds() // 60)
    parts = []
    units: tuple[tuple[Literal["day", "hour", "minute"], int], ...] = (
        ("day", 24 * 60),
        ("hour", 60),
        ("minute", 1),
    )
    for unit, size in units:
        count, minutes = divmod(minutes, size)
        if count:
            # Counted in this unit and no larger one (the threshold keeps babel from rounding up).
            exact = timedelta(minutes=count * size)
            parts.append(format_timedelta(exact, granularity=unit, threshold=1e9, locale=LOCALES[language]))
    return " ".join(parts)


def compose(
    kind: Kind,
    letter_id: str,
    member: Member,
    about: About,
    links: Links,
    reminders: Sequence[timedelta] = (),
    offset: timedelta | None = None,
) -> Letter:
    """One letter to one member. `reminders`: those the member will get (told in an invitation or an
    update); `offset`: how long before the start a reminder goes."""
    language: Language = member.language
    words = _WORDS[language]
    meeting = about.meeting
    left = span(offset, language) if offset is not None else ""
    fill = {
        "title": one_line(meeting.title),
        "branch": one_line(about.branch),
        "name": one_line(member.name),
        "left": left,
    }
    subject = one_line(words[f"subject.{kind.value}"].format(**fill), 250)
    paragraphs: list[list[_Piece]] = [
        [_Words(words["hello"].format(**fill))],
        [_Words(words[f"lead.{kind.value}"].format(**fill))],
        [
            _Words(
                words["yours"].format(
                    when=when(meeting.starts_at, member.time_zone, language), zone=member.time_zone
                )
            ),
            _Break(),
            _Words(
                words["theirs"].format(
                    when=when(meeting.starts_at, meeting.time_zone, language), zone=meeting.time_zone
                )
            ),
        ],
    ]
    if links.join is not None and kind != Kind.CANCELLATION:
        paragraphs.append([_Words(words["join"]), _Break(), _Link(links.join)])
    if kind in CALENDAR_KINDS:
        paragraphs.append(
            [_Words(words["calendar.cancellation" if kind == Kind.CANCELLATION else "calendar"])]
        )
    if kind in (Kind.INVITATION, Kind.UPDATE) and reminders and links.unsubscribe is not None:
        offsets = format_list([span(r, language) for r in reminders], locale=LOCALES[language])
        paragraphs.append([_Words(words["remind"].format(offsets=offsets))])
    if links.unsubscribe is not None and kind != Kind.CANCELLATION:
        paragraphs.append([_Words(words["stop"]), _Break(), _Link(links.unsubscribe)])
    paragraphs.append([_Words(words["sign"])])
    attachments: tuple[Attachment, ...] = ()
    if kind in CALENDAR_KINDS:
        method = "CANCEL" if kind == Kind.CANCELLATION else "REQUEST"
        data = calendar(method, member, about, links.join)
        attachments = (Attachment("invite.ics", f"text/calendar; method={method}", data),)
    headers: tuple[tuple[str, str], ...] = ()
    if kind == Kind.REMINDER and links.unsubscribe is not None:
        # One click in the mail program turns reminders off (RFC 8058); invitations carry no such
        # header, because it would read as turning off the invitations themselves.
        headers = (
            ("List-Unsubscribe", f"<{links.unsubscribe}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        )
    return Letter(
        to=recipient(member),
        subject=subject,
        text=_text(paragraphs),
        html=_html(paragraphs, subject, language),
        attachments=attachments,
        headers=headers,
        kind=kind.value,
        meeting_id=meeting.id,
        member_id=member.id,
        id=letter_id,
    )


def calendar(method: str, member: Member, about: About, join_url: str | None) -> bytes:
    """The meeting as an iCalendar object for the member: a request (to add or update it) or a
    cancellation. Times in UTC, so every calendar shows them in its reader's own zone."""
    meeting = about.meeting
    body = Calendar()
    body.add("prodid", PRODID)
    body.add("version", "2.0")
    body.add("method", method)
    event = Event()
    event.add("uid", uid(meeting.id))
    event.add("sequence", about.sequence)
    event.add("dtstamp", about.now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + length(meeting))
    event.add("summary", f"{one_line(meeting.title)} ({one_line(about.branch)})")
    description = f"Meeting time zone: {meeting.time_zone}."
    if join_url is not None and method == "REQUEST":
        description += f"\nJoin: {join_url}"
        event.add("url", join_url)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{about.organizer}")
    organizer.params["cn"] = one_line(about.branch, 120)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{member.email}")
    attendee.params["cn"] = one_line(member.name, 120)
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "NEEDS-ACTION"
    # The hub reads no replies.
    attendee.params["rsvp"] = "FALSE"
    event.add("attendee", attendee)
    body.add_component(event)
    return bytes(body.to_ical())


# A letter's paragraphs, as the text part and the HTML part both render them.


@dataclass(frozen=True)
class _Words:
    text: str


@dataclass(frozen=True)
class _Break:
    pass


@dataclass(frozen=True)
class _Link:
    url: str


_Piece = _Words | _Break | _Link


def _text(paragraphs: list[list[_Piece]]) -> str:
    def piece(p: _Piece) -> str:
        return "\n" if isinstance(p, _Break) else p.url if isinstance(p, _Link) else p.text

    return "\n\n".join("".join(piece(p) for p in paragraph) for paragraph in paragraphs) + "\n"


def _html(paragraphs: list[list[_Piece]], subject: str, language: Language) -> str:
    def piece(p: _Piece) -> str:
        if isinstance(p, _Break):
            return "<br>"
        if isinstance(p, _Link):
            url = html.escape(p.url)
            return f'<a href="{url}">{url}</a>'
        return html.escape(p.text)

    body = "\n".join("<p>" + "".join(piece(p) for p in paragraph) + "</p>" for paragraph in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n<body>\n{body}\n</body></html>\n"
    )
