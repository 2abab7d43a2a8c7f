"""The letters about a meeting, as made (no I/O): the member's language and zone, links, the calendar
part read back with icalendar, and member text that cannot break out of HTML or a mail header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from icalendar import Calendar

from hub.letters import About, Kind, Links, compose, one_line, uid
from hub.models import Meeting, Member
from signalling.mailer import message

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
START = datetime(2027, 3, 13, 13, 0, tzinfo=UTC)
JOIN, STOP = "https://hub.example.org/join/TOKEN", "https://hub.example.org/unsubscribe/STOP"


def meeting(**extra: object) -> Meeting:
    fields: dict[str, object] = {
        "id": "agm",
        "branch_id": "intl",
        "title": "Annual General Meeting",
        "starts_at": START,
        "time_zone": "Europe/London",
    }
    return Meeting.model_validate(fields | extra)


def member(**extra: object) -> Member:
    fields: dict[str, object] = {
        "id": "m046",
        "name": "Luis Papadopoulos",
        "email": "member046@example.org",
        "time_zone": "America/Mexico_City",
    }
    return Member.model_validate(fields | extra)


def about(sequence: int = 0, **extra: object) -> About:
    return About(meeting(**extra), "International Constituency", sequence, "hub@example.org", NOW)


def sent(kind: Kind, who: Member, sequence: int = 0, **extra: object) -> EmailMessage:
    """The letter as the mail server receives it."""
    letter = compose(
        kind,
        "id1",
        who,
        about(sequence, **extra),
        Links(JOIN, STOP),
        reminders=(timedelta(days=1), timedelta(hours=1)),
        offset=timedelta(hours=1) if kind == Kind.REMINDER else None,
    )
    raw = message(letter, "Branch Hub <hub@example.org>").as_bytes()
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def part(mail: EmailMessage, content_type: str) -> str:
    found = next(p for p in mail.walk() if p.get_content_type() == content_type)
    return str(found.get_content())


def event(mail: EmailMessage) -> tuple[Calendar, object]:
    body = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    parsed = Calendar.from_ical(body.get_payload(decode=True))
    return parsed, parsed.walk("VEVENT")[0]


def test_an_invitation_in_english_gives_both_times_the_link_and_a_calendar_request() -> None:
    mail = sent(Kind.INVITATION, member(language="en"))
    assert mail["Subject"] == "Invitation: Annual General Meeting"
    assert mail["To"] == "Luis Papadopoulos <member046@example.org>"
    text = part(mail, "text/plain")
    assert "Your time: Saturday, 13 March 2027, 07:00 (America/Mexico_City)" in text
    assert "The meeting's time: Saturday, 13 March 2027, 13:00 (Europe/London)" in text
    assert JOIN in text and STOP in text
    assert "We will remind you 1 day and 1 hour before it starts." in text
    assert f'<a href="{JOIN}">' in part(mail, "text/html")
    calendar, vevent = event(mail)
    assert calendar["METHOD"] == "REQUEST"
    assert str(vevent["UID"]) == uid("agm") == "agm@meeting-hub"
    assert vevent["SEQUENCE"] == 0
    assert vevent.decoded("DTSTART") == START
    assert vevent.decoded("DTEND") == START + timedelta(hours=2)
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["ATTENDEE"]) == "mailto:member046@example.org"
    assert str(vevent["ORGANIZER"]) == "mailto:hub@example.org"
    assert JOIN in str(vevent["DESCRIPTION"])
    # Invitations carry no unsubscribe header: a mail program would read it as stopping invitations.
    assert mail["List-Unsubscribe"] is None


def test_a_spanish_speaking_member_gets_it_in_spanish() -> None:
    mail = sent(Kind.INVITATION, member(language="es"))
    assert mail["Subject"] == "Invitación: Annual General Meeting"
    text = part(mail, "text/plain")
    assert text.startswith("Hola, Luis Papadopoulos:")
    assert "Tu hora: sábado, 13 de marzo de 2027, 07:00 (America/Mexico_City)" in text
    assert "Hora de la reunión: sábado, 13 de marzo de 2027, 13:00 (Europe/London)" in text
    assert "Te lo recordaremos 1 día y 1 hora antes de que empiece." in text
    assert 'lang="es"' in part(mail, "text/html")


def test_an_update_carries_the_same_uid_and_a_higher_sequence() -> None:
    moved = START + timedelta(days=1, hours=2)
    mail = sent(Kind.UPDATE, member(), sequence=3, starts_at=moved)
    assert mail["Subject"] == "Changed: Annual General Meeting"
    assert "Sunday, 14 March 2027, 09:00 (America/Mexico_City)" in part(mail, "text/plain")
    calendar, vevent = event(mail)
    assert calendar["METHOD"] == "REQUEST"
    assert str(vevent["UID"]) == "agm@meeting-hub" and vevent["SEQUENCE"] == 3
    assert vevent.decoded("DTSTART") == moved


def test_a_cancellation_cancels_the_event_and_offers_no_link() -> None:
    mail = sent(Kind.CANCELLATION, member(), sequence=2)
    assert mail["Subject"] == "Cancelled: Annual General Meeting"
    text = part(mail, "text/plain")
    assert JOIN not in text and STOP not in text
    calendar, vevent = event(mail)
    assert calendar["METHOD"] == "CANCEL"
    assert str(vevent["STATUS"]) == "CANCELLED" and vevent["SEQUENCE"] == 2
    assert "URL" not in vevent
    body = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    assert body.get_param("method") == "CANCEL"


def test_a_reminder_says_how_soon_and_can_be_turned_off_in_one_click() -> None:
    mail = sent(Kind.REMINDER, member())
    assert mail["Subject"] == "Reminder: Annual General Meeting starts in 1 hour"
    assert mail["List-Unsubscribe"] == f"<{STOP}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not any(p.get_content_type() == "text/calendar" for p in mail.walk())
    assert JOIN in part(mail, "text/plain")


def test_a_member_without_reminders_is_not_promised_any() -> None:
    letter = compose(
        Kind.INVITATION, "id1", member(reminders=False), about(), Links(JOIN, None), reminders=()
    )
    assert "remind" not in letter.text and "unsubscribe" not in letter.text


def test_hostile_titles_and_names_stay_text_in_html_headers_and_the_calendar() -> None:
    title = 'AGM</p><script>alert(1)</script>\r\nBcc: victim@example.org "x"'
    name = 'Eve "<img src=x onerror=alert(1)>"\nCc: other@example.org'
    mail = sent(Kind.INVITATION, member(name=name), title=title)
    # No header was injected: the line breaks became spaces inside the one header.
    assert mail["Bcc"] is None and mail["Cc"] is None
    # (Folded after the colon, as Python's email package does here: readers drop the leading space.)
    assert (
        mail["Subject"].strip() == 'Invitation: AGM</p><script>alert(1)</script> Bcc: victim@example.org "x"'
    )
    assert mail["To"].addresses[0].addr_spec == "member046@example.org"
    assert mail["To"].addresses[0].display_name == 'Eve "<img src=x onerror=alert(1)>" Cc: other@example.org'
    page = part(mail, "text/html")
    assert "<script>" not in page and "<img" not in page
    assert "AGM&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    _, vevent = event(mail)
    assert str(vevent["SUMMARY"]) == f"{one_line(title)} (International Constituency)"
    assert str(vevent["ATTENDEE"].params["CN"]) == one_line(name)


def test_one_line_removes_every_control_character_and_cuts_long_text() -> None:
    assert one_line("a\r\nb\tc\x00d\u2028e\x85f") == "a b c d e f"
    assert len(one_line("x" * 500)) == 200
