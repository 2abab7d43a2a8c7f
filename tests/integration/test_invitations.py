"""Invitations and reminders against real Redis, the real app and a real SMTP server (aiosmtpd): the
letters read back (links that admit, times in each member's zone, the calendar part parsed with
icalendar, the language), the update after a reschedule and the cancellation, reminders sent once at
their time, unsubscribing, resending, who may use the console's routes, and a hub restarted half way
through 500 invitations after which every member has exactly one."""

from __future__ import annotations

import asyncio
import email
import re
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from hub.config import Mail, Settings
from hub.demo import load_demo
from hub.directory import Directory
from hub.invitations import Invitations
from hub.letters import Kind
from hub.models import Branch, Meeting, Member, Role
from hub.officers import OPERATOR, Reschedule
from hub.outbox import Record, Status
from hub.runtime import open_hub
from hub.service import Hub
from hub.sessions import Sessions
from signalling.invitations import ROUNDS, Rounds
from tests.client import MeetingClient, until
from tests.conftest import HUB, REFUSED, HubProcess, RunningHub, Sink, demo_hub, free_port, hub_env

PUBLIC = "https://hub.example.org"
SENDER = "Branch Hub <hub@example.org>"
# The demo's constituency secretary administers the console; Luis lives in Mexico City and reads
# Spanish; Ciaran lives in Tokyo.
ADMIN, LUIS, CIARAN = "m007", "m046", "m031"
MEETING = "spring"
START = datetime(2031, 3, 4, 19, 0, tzinfo=UTC)


def spring(starts_at: datetime = START) -> Meeting:
    """A meeting of the whole demo constituency (its 49 members)."""
    return Meeting(
        id=MEETING,
        branch_id="intl",
        title="Spring general meeting",
        starts_at=starts_at,
        time_zone="Europe/London",
    )


@dataclass
class Mailing:
    hub: RunningHub
    sink: Sink
    cookie: str

    def http(self, cookie: str | None = None) -> httpx.AsyncClient:
        cookie = self.cookie if cookie is None else cookie
        return httpx.AsyncClient(
            base_url=self.hub.url, headers={"Cookie": f"hub_session={cookie}"} if cookie else {}, timeout=20
        )

    @asynccontextmanager
    async def store(
        self, clock: Callable[[], datetime] | None = None
    ) -> AsyncIterator[tuple[Hub, Invitations]]:
        """The same store from the test's side, with its own clock if given."""
        async with open_hub(self.hub.settings) as hub:
            if clock is not None:
                hub.clock = clock
            yield hub, Invitations(hub, PUBLIC, "hub@example.org")


@pytest.fixture
async def mailing(redis_url: str, tmp_path: Path, smtp: tuple[Sink, int]) -> AsyncIterator[Mailing]:
    mail = Mail(url=f"smtp://127.0.0.1:{smtp[1]}", sender=SENDER, rate="500/second")
    settings = Settings(
        port=free_port(),
        redis_url=redis_url,
        data_dir=tmp_path,
        secret="test-secret",
        public_url=PUBLIC,
        mail=mail,
    )
    async with demo_hub(settings) as running:
        async with open_hub(settings) as hub:
            await hub.create_meeting(spring())
            _, cookie = await Sessions(hub.store.redis, settings.signing_secret()).open(ADMIN, hub.clock())
        yield Mailing(running, smtp[0], cookie)


def read(raw: Any) -> EmailMessage:
    return email.message_from_bytes(raw.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def letters_to(sink: Sink) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for raw in sink.messages:
        message = read(raw)
        found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return found


def text(message: EmailMessage) -> str:
    return str(next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content())


def vevent(message: EmailMessage) -> tuple[str, Any]:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    return str(calendar["METHOD"]), calendar.walk("VEVENT")[0]


def address(member_id: str) -> str:
    return f"member{member_id[1:]}@example.org"


async def test_inviting_sends_each_member_one_letter_in_their_language_with_their_own_link(
    mailing: Mailing,
) -> None:
    async with mailing.http() as http:
        invited = await http.post(f"/api/officers/meetings/{MEETING}/invitations", json={})
    assert invited.status_code == 200, invited.text
    assert invited.json()["data"] == {"queued": 49, "already": 0, "no_address": 0}
    await until(lambda: len(mailing.sink.messages) == 49, 30)

    letters = letters_to(mailing.sink)
    assert len(letters) == 49 and all(len(got) == 1 for got in letters.values())
    (luis,) = letters[address(LUIS)]
    assert luis["Subject"] == "Invitación: Spring general meeting"
    assert luis["To"].addresses[0].display_name == "Luis Papadopoulos"
    words = text(luis)
    assert "Tu hora: martes, 4 de marzo de 2031, 13:00 (America/Mexico_City)" in words
    assert "Hora de la reunión: martes, 4 de marzo de 2031, 19:00 (Europe/London)" in words
    (ciaran,) = letters[address(CIARAN)]
    assert ciaran["Subject"] == "Invitation: Spring general meeting"
    assert "Your time: Wednesday, 5 March 2031, 04:00 (Asia/Tokyo)" in text(ciaran)

    method, event = vevent(luis)
    assert method == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"], event.decoded("DTSTART")) == (
        "spring@meeting-hub",
        0,
        START,
    )
    assert str(event["ATTENDEE"]) == f"mailto:{address(LUIS)}"

    # The link in the letter is Luis's own: it admits him, and only to this meeting.
    found = re.search(rf"{re.escape(PUBLIC)}/join/(\S+)", words)
    assert found is not None
    client = MeetingClient(mailing.hub.url, found.group(1))
    await client.connect()
    await client.join()
    assert client.meeting is not None and client.meeting["id"] == MEETING
    assert client.meeting["participants"][LUIS]["name"] == "Luis Papadopoulos"
    await client.disconnect()

    # Inviting again invites nobody twice.
    async with mailing.http() as http:
        again = await http.post(f"/api/officers/meetings/{MEETING}/invitations", json={})
        assert again.json()["data"] == {"queued": 0, "already": 49, "no_address": 0}
        listed = (await http.get(f"/api/officers/meetings/{MEETING}/invitations")).json()["data"]
    assert listed["counts"]["recipients"] == 49 and listed["counts"]["sent"] == 49
    assert listed["sending"] is True
    assert listed["reminders"] == {"minutes": [1440, 60], "own": False, "hub": [1440, 60]}
    luis_row = next(r for r in listed["recipients"] if r["member_id"] == LUIS)
    assert luis_row["kind"] == "invitation" and luis_row["letter"]["status"] == "sent"
    assert luis_row["language"] == "es" and luis_row["letter"]["sent_at"]
    await asyncio.sleep(0.3)
    assert len(mailing.sink.messages) == 49


async def test_a_reschedule_sends_an_update_and_a_cancellation_cancels(mailing: Mailing) -> None:
    async with mailing.http() as http:
        assert (await http.post(f"/api/officers/meetings/{MEETING}/invitations", json={})).status_code == 200
        await until(lambda: len(mailing.sink.messages) == 49, 30)
        moved = await http.post(
            f"/api/officers/meetings/{MEETING}/reschedule", json={"starts_at": "2031-03-05T18:30"}
        )
        assert moved.status_code == 200, moved.text
    async with mailing.store() as (_, invitations):
        assert await invitations.sync(MEETING) == 49
        # Told once: a second round (or another process's) sends nothing more.
        assert await invitations.sync(MEETING) == 0
    await until(lambda: len(mailing.sink.messages) == 98, 30)
    updates = {to: got[1] for to, got in letters_to(mailing.sink).items()}
    assert len(updates) == 49
    luis = updates[address(LUIS)]
    assert luis["Subject"] == "Cambio: Spring general meeting"
    assert "Tu hora: miércoles, 5 de marzo de 2031, 12:30 (America/Mexico_City)" in text(luis)
    new_start = datetime(2031, 3, 5, 18, 30, tzinfo=UTC)
    for update in updates.values():
        method, event = vevent(update)
        assert (method, str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", "spring@meeting-hub", 1)
        assert event.decoded("DTSTART") == new_start

    async with mailing.http() as http:
        cancelled = await http.post(f"/api/officers/meetings/{MEETING}/cancel", json={"reason": "No hall"})
        assert cancelled.status_code == 200, cancelled.text
    async with mailing.store() as (_, invitations):
        assert await invitations.sync(MEETING) == 49
        assert await invitations.sync(MEETING) == 0
    await until(lambda: len(mailing.sink.messages) == 147, 30)
    for to, got in letters_to(mailing.sink).items():
        assert len(got) == 3, to
        method, event = vevent(got[2])
        assert got[2]["Subject"].endswith("Spring general meeting")
        assert (method, str(event["STATUS"]), event["SEQUENCE"]) == ("CANCEL", "CANCELLED", 2)
        assert "/join/" not in text(got[2])
    async with mailing.http() as http:
        refused = await http.post(f"/api/officers/meetings/{MEETING}/invitations", json={})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invitations.meeting_over"


async def test_the_rounds_tell_members_of_a_change_by_themselves_on_one_process(
    redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(redis_url=redis_url, data_dir=tmp_path, secret="test-secret", public_url=PUBLIC)
    async with open_hub(settings) as hub:
        await load_demo(hub, timedelta(days=1), with_motions=False)
        await hub.create_meeting(spring())
        invitations = Invitations(hub, PUBLIC, "hub@example.org")
        await invitations.invite(MEETING)
        one, two = Rounds(invitations, "node-a", every=0.05), Rounds(invitations, "node-b", every=0.05)
        one.start()
        # The first to start holds the rounds; the second waits its turn.
        await asyncio.sleep(0.1)
        two.start()
        await Directory(hub).reschedule(OPERATOR, MEETING, Reschedule(starts_at="2031-03-05T18:30"))

        async def updates() -> int:
            return sum(1 for r in await hub.outbox.about(MEETING) if r.letter.kind == "update")

        async with asyncio.timeout(10):
            while await updates() < 49:  # noqa: ASYNC110 (written by another task, polled)
                await asyncio.sleep(0.05)
        assert await hub.store.redis.get(ROUNDS) == b"node-a"
        await asyncio.sleep(0.3)
        assert await updates() == 49
        await one.stop()
        await two.stop()
        assert await hub.store.redis.get(ROUNDS) is None


async def test_a_change_that_raced_an_invitation_reaches_those_invited_in_between(
    redis_url: str, tmp_path: Path
) -> None:
    """Rounds skip a meeting whose members were all told of its latest sequence; an invitation made
    from the meeting as it was before a change, and posted after the round that told everyone else, is
    caught by the thorough look that follows every invitation and resend."""
    settings = Settings(redis_url=redis_url, data_dir=tmp_path, secret="test-secret", public_url=PUBLIC)
    async with open_hub(settings) as hub:
        await load_demo(hub, timedelta(days=1), with_motions=False)
        await hub.create_meeting(spring())
        intl = await hub.branch("intl")
        await hub.save_branch(
            intl.model_copy(update={"roles": {m: r for m, r in intl.roles.items() if m != LUIS}})
        )
        invitations = Invitations(hub, PUBLIC, "hub@example.org")
        assert (await invitations.invite(MEETING)).queued == 48
        _, before = await hub.meeting(MEETING)
        await Directory(hub).reschedule(OPERATOR, MEETING, Reschedule(starts_at="2031-03-05T18:30"))
        assert await invitations.sync(MEETING) == 48
        # Luis joins the roll, and a slower process posts his invitation made from the meeting before.
        await hub.save_branch(intl)
        branches = {b.id: b for b in await hub.branches()}
        luis = await hub.member(LUIS)
        assert await invitations._post(before, branches, 0, Kind.INVITATION, [luis]) == 1
        assert await invitations.sync(MEETING) == 0
        assert await invitations.sync(MEETING, thorough=True) == 1
        mine = [r.letter for r in await hub.outbox.about(MEETING) if r.letter.member_id == LUIS]
        assert [letter.kind for letter in mine] == ["invitation", "update"]
        assert "miércoles, 5 de marzo de 2031, 12:30" in mine[1].text


async def reminders_in(hub: Hub) -> Counter[str]:
    """Reminder letters queued for the meeting, by member."""
    return Counter(
        r.letter.member_id or "" for r in await hub.outbox.about(MEETING) if r.letter.kind == "reminder"
    )


async def test_reminders_go_once_each_at_their_time(redis_url: str, tmp_path: Path) -> None:
    """The day-before and hour-before reminders, on two processes at once, with the clock moved by hand:
    each member gets each once, none before its time or after the start, none once unsubscribed, and
    a member invited after the day-before time gets only the hour-before one."""
    now = [START - timedelta(days=3)]
    settings = Settings(redis_url=redis_url, data_dir=tmp_path, secret="test-secret", public_url=PUBLIC)
    async with open_hub(settings) as one, open_hub(settings) as two:
        one.clock = two.clock = lambda: now[0]
        await load_demo(one, timedelta(days=1), with_motions=False)
        await one.create_meeting(spring())
        late = Member(id="late", name="Late Comer", email="late@example.org", time_zone="Asia/Tokyo")
        await one.save_member(late)
        first, second = (
            Invitations(one, PUBLIC, "hub@example.org"),
            Invitations(two, PUBLIC, "hub@example.org"),
        )
        assert (await first.invite(MEETING)).queued == 49
        await first.set_member_reminders(CIARAN, False)

        now[0] = START - timedelta(days=1, seconds=1)
        assert await first.sync(MEETING) == 0 and not await reminders_in(one)

        now[0] = START - timedelta(days=1) + timedelta(minutes=1)
        queued = await asyncio.gather(first.sync(MEETING), second.sync(MEETING))
        assert sum(queued) == 48
        day = await reminders_in(one)
        assert len(day) == 48 and set(day.values()) == {1} and CIARAN not in day

        # Invited after the day-before time: the hour-before reminder only.
        intl = await one.branch("intl")
        await one.save_branch(intl.model_copy(update={"roles": {**intl.roles, "late": Role.MEMBER}}))
        now[0] = START - timedelta(hours=5)
        assert (await first.invite(MEETING)).queued == 1
        assert await first.sync(MEETING) == 0

        now[0] = START - timedelta(minutes=59)
        assert sum(await asyncio.gather(first.sync(MEETING), second.sync(MEETING))) == 49
        assert await first.sync(MEETING) == 0
        both = await reminders_in(one)
        assert both["late"] == 1 and both[LUIS] == 2 and CIARAN not in both and len(both) == 49

        now[0] = START + timedelta(minutes=1)
        assert await first.sync(MEETING) == 0

        records = [r for r in await one.outbox.about(MEETING) if r.letter.kind == "reminder"]
        luis = [r.letter for r in records if r.letter.member_id == LUIS]
        assert [letter.subject for letter in luis] == [
            "Recordatorio: Spring general meeting empieza dentro de 1 día",
            "Recordatorio: Spring general meeting empieza dentro de 1 hora",
        ]
        assert all(
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click") in r.letter.headers for r in records
        )


async def test_a_meeting_may_have_its_own_reminders(redis_url: str, tmp_path: Path) -> None:
    now = [START - timedelta(days=10)]
    settings = Settings(redis_url=redis_url, data_dir=tmp_path, secret="test-secret", public_url=PUBLIC)
    async with open_hub(settings) as hub:
        hub.clock = lambda: now[0]
        await load_demo(hub, timedelta(days=1), with_motions=False)
        await hub.create_meeting(spring())
        invitations = Invitations(hub, PUBLIC, "hub@example.org")
        await invitations.set_reminders(MEETING, [timedelta(days=7)])
        await invitations.invite(MEETING)
        invitation = next(r for r in await hub.outbox.about(MEETING) if r.letter.member_id == CIARAN)
        assert "We will remind you 7 days before it starts." in invitation.letter.text
        now[0] = START - timedelta(days=6)
        assert await invitations.sync(MEETING) == 49
        now[0] = START - timedelta(minutes=30)
        assert await invitations.sync(MEETING) == 0
        assert await invitations.set_reminders(MEETING, None) == invitations.reminders
        assert await invitations.sync(MEETING) == 49


async def test_a_member_unsubscribes_with_the_link_in_a_reminder(mailing: Mailing) -> None:
    now = [START - timedelta(days=3)]
    async with mailing.store(lambda: now[0]) as (hub, invitations):
        await invitations.invite(MEETING)
        now[0] = START - timedelta(hours=23)
        await invitations.sync(MEETING)
    await until(lambda: len(mailing.sink.messages) == 98, 30)
    reminder = letters_to(mailing.sink)[address(LUIS)][1]
    assert reminder["Subject"] == "Recordatorio: Spring general meeting empieza dentro de 1 día"
    link = reminder["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{PUBLIC}/unsubscribe/") and link in text(reminder)
    path = link.removeprefix(PUBLIC)
    async with httpx.AsyncClient(base_url=mailing.hub.url) as http:
        page = await http.get(path)
        # Opening the link (as a mail scanner does) changes nothing: the page's button does.
        assert page.status_code == 200 and '<form method="post">' in page.text and 'lang="es"' in page.text
        async with mailing.store() as (hub, _):
            assert (await hub.member(LUIS)).reminders
        done = await http.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200 and "ya no recibirá recordatorios" in done.text
        forged = await http.post("/unsubscribe/forged")
        assert forged.status_code == 404 and "not valid" in forged.text
    async with mailing.store(lambda: now[0]) as (hub, invitations):
        assert not (await hub.member(LUIS)).reminders
        now[0] = START - timedelta(minutes=50)
        assert await invitations.sync(MEETING) == 48
    await until(lambda: len(mailing.sink.messages) == 146, 30)
    assert len(letters_to(mailing.sink)[address(LUIS)]) == 2


async def test_failures_are_listed_with_the_servers_reason_and_resent(mailing: Mailing) -> None:
    async with mailing.store() as (hub, _):
        bouncing = (await hub.member("m003")).model_copy(update={"email": REFUSED})
        await hub.save_member(bouncing)
    async with mailing.http() as http:
        await http.post(f"/api/officers/meetings/{MEETING}/invitations", json={})
        await until(lambda: len(mailing.sink.messages) == 48, 30)

        async def failed() -> dict[str, Any]:
            reply = await http.get(
                f"/api/officers/meetings/{MEETING}/invitations", params={"status": "failed"}
            )
            data: dict[str, Any] = reply.json()["data"]
            return data

        for _ in range(200):
            listed = await failed()
            if listed["counts"]["failed"]:
                break
            await asyncio.sleep(0.05)
        assert listed["counts"]["failed"] == 1 and listed["counts"]["sent"] == 48 and listed["total"] == 1
        (row,) = listed["recipients"]
        assert row["member_id"] == "m003" and "550" in row["letter"]["error"]

        async with mailing.store() as (hub, _):
            await hub.save_member(bouncing.model_copy(update={"email": address("m003")}))
        again = await http.post(f"/api/officers/meetings/{MEETING}/invitations/resend", json={"failed": True})
        assert again.json()["data"] == {"queued": 1}
        await until(lambda: len(mailing.sink.messages) == 49, 30)
        one = await http.post(
            f"/api/officers/meetings/{MEETING}/invitations/resend", json={"member_id": LUIS}
        )
        assert one.json()["data"] == {"queued": 1}
        await until(lambda: len(mailing.sink.messages) == 50, 30)
        copies = letters_to(mailing.sink)[address(LUIS)]
        assert len({c["Message-ID"] for c in copies}) == 2
        assert [vevent(c)[1]["SEQUENCE"] for c in copies] == [0, 0]

        nobody = await http.post(
            f"/api/officers/meetings/{MEETING}/invitations/resend", json={"member_id": "nobody"}
        )
        assert nobody.status_code == 404 and nobody.json()["error"]["code"] == "member.not_found"
        both = await http.post(
            f"/api/officers/meetings/{MEETING}/invitations/resend", json={"member_id": LUIS, "failed": True}
        )
        assert both.status_code == 400 and both.json()["error"]["code"] == "invalid_payload"
        bad = await http.get(f"/api/officers/meetings/{MEETING}/invitations", params={"status": "lost"})
        assert bad.status_code == 400 and bad.json()["error"]["details"]["problems"][0]["field"] == "status"
        page = (await http.get(f"/api/officers/meetings/{MEETING}/invitations", params={"limit": 10})).json()
        assert len(page["data"]["recipients"]) == 10 and page["data"]["total"] == 49


async def test_a_member_not_invited_cannot_be_resent_to(mailing: Mailing) -> None:
    async with mailing.store() as (hub, _):
        await hub.save_member(Member(id="outsider", name="Out Sider", email="out@example.org"))
    async with mailing.http() as http:
        reply = await http.post(
            f"/api/officers/meetings/{MEETING}/invitations/resend", json={"member_id": "outsider"}
        )
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "invitations.not_invited"


async def test_the_meetings_own_reminders_are_set_from_the_console(mailing: Mailing) -> None:
    base = f"/api/officers/meetings/{MEETING}/invitations"
    async with mailing.http() as http:
        own = await http.post(f"{base}/reminders", json={"minutes": [60, 2880]})
        assert own.json()["data"] == {"minutes": [2880, 60], "own": True}
        listed = (await http.get(base)).json()["data"]["reminders"]
        assert listed == {"minutes": [2880, 60], "own": True, "hub": [1440, 60]}
        for wrong in ({"minutes": [1]}, {"minutes": [60] * 5}, {"minutes": [99999]}, {"minutes": "1d"}, {}):
            refused = await http.post(f"{base}/reminders", json=wrong)
            assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_payload", wrong
        back = await http.post(f"{base}/reminders", json={"minutes": None})
        assert back.json()["data"] == {"minutes": [1440, 60], "own": False}


async def test_members_choose_reminders_and_their_letters_language_on_their_home_page(
    mailing: Mailing,
) -> None:
    async with mailing.store() as (hub, _):
        token = await hub.issue_home_link(CIARAN, timedelta(days=1))
        _, cookie = await Sessions(hub.store.redis, "test-secret").open(LUIS, hub.clock())
    async with httpx.AsyncClient(base_url=mailing.hub.url) as http:
        home = (await http.get(f"/api/home/{token}")).json()["data"]["member"]
        assert (home["reminders"], home["language"]) == (True, "en")
        chosen = await http.post(f"/api/home/{token}/letters", json={"reminders": False, "language": "es"})
        assert chosen.json()["data"] == {"reminders": False, "language": "es"}
        home = (await http.get(f"/api/home/{token}")).json()["data"]["member"]
        assert (home["reminders"], home["language"]) == (False, "es")
        wrong = await http.post(f"/api/home/{token}/letters", json={"language": "fr"})
        assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_payload"
        forged = await http.post("/api/home/forged/letters", json={"reminders": True})
        assert forged.status_code == 403
        signed_out = await http.post("/api/home/letters", json={"reminders": False})
        assert signed_out.status_code == 401
        mine = await http.post(
            "/api/home/letters", json={"reminders": False}, headers={"Cookie": f"hub_session={cookie}"}
        )
        assert mine.json()["data"] == {"reminders": False, "language": "es"}


# Who may use the console's invitation routes: the meeting's branch's officers and admins.

BERLIN_OFFICER, PARIS_OFFICER, MEMBER = "m002", "m008", "m040"
EXPECTED = {"admin": 200, "berlin officer": 200, "paris officer": 403, "member": 403, "signed out": 401}


async def test_only_the_meetings_officers_and_admins_use_the_invitation_routes(mailing: Mailing) -> None:
    from signalling.invitations import ROUTES

    async with mailing.store() as (hub, _):
        for branch_id, member_id, role in (
            ("berlin", BERLIN_OFFICER, Role.SECRETARY),
            ("paris", PARIS_OFFICER, Role.CHAIR),
        ):
            branch: Branch = await hub.branch(branch_id)
            await hub.save_branch(branch.model_copy(update={"roles": {**branch.roles, member_id: role}}))
        await hub.create_meeting(
            Meeting(
                id="bm",
                branch_id="berlin",
                title="Berlin branch meeting",
                starts_at=START,
                time_zone="Europe/Berlin",
            )
        )
        sessions = Sessions(hub.store.redis, "test-secret")
        cookies = {"signed out": ""}
        for actor, member_id in (
            ("admin", ADMIN),
            ("berlin officer", BERLIN_OFFICER),
            ("paris officer", PARIS_OFFICER),
            ("member", MEMBER),
        ):
            cookies[actor] = (await sessions.open(member_id, hub.clock()))[1]
    bodies = {"": {}, "/resend": {"member_id": "m003"}, "/reminders": {"minutes": [60]}}
    seen = set()
    for route in ROUTES:
        path = route.path.replace("{meeting_id}", "bm")
        body = bodies[route.path.removeprefix("/api/officers/meetings/{meeting_id}/invitations")]
        for actor, status in EXPECTED.items():
            async with mailing.http(cookies[actor]) as http:
                reply = await (http.get(path) if route.method == "GET" else http.post(path, json=body))
            assert reply.status_code == status, (route.method, route.path, actor, reply.text)
            seen.add((route.method, route.path))
    assert len(seen) == len(ROUTES) == 4
    # Paris's officer may use them on a Paris meeting, and not on the constituency's.
    async with mailing.http(cookies["paris officer"]) as http:
        assert (await http.get(f"/api/officers/meetings/{MEETING}/invitations")).status_code == 403
        assert (await http.get("/api/officers/meetings/nope/invitations")).status_code == 404


# A hub restarted while it sends 500 invitations.

MANY = 500


async def test_a_hub_restarted_half_way_through_500_invitations_delivers_each_exactly_once(
    redis_url: str, tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    settings = Settings(redis_url=redis_url, data_dir=tmp_path, secret="test-secret", public_url=PUBLIC)
    async with open_hub(settings) as hub:
        roll = {}
        for n in range(MANY):
            await hub.save_member(Member(id=f"p{n:03}", name=f"Member {n}", email=f"p{n:03}@example.org"))
            roll[f"p{n:03}"] = Role.MEMBER
        await hub.save_branch(Branch(id="big", name="Big branch", roles=roll))
        await hub.create_meeting(
            Meeting(id="big-agm", branch_id="big", title="Big AGM", starts_at=START, time_zone="UTC")
        )
    env = hub_env(HUB_SECRET="test-secret", HUB_PUBLIC_URL=PUBLIC, HUB_REDIS_URL=redis_url)
    serve = HubProcess(
        tmp_path,
        free_port(),
        "--smtp-url",
        f"smtp://127.0.0.1:{port}",
        "--mail-from",
        SENDER,
        "--mail-rate",
        "80/second",
        env=env,
    )
    await serve.start()
    try:
        invite = [*HUB, "invite", "big-agm", "--mail-from", SENDER]
        done = await asyncio.to_thread(
            subprocess.run, invite, cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        )
        assert done.stdout.splitlines()[0] == "500 invitations queued.", done.stdout
        await until(lambda: len(sink.messages) >= 120, 30)
        serve.stop(signal.SIGTERM)
        stopped_at = len(sink.messages)
        assert stopped_at < MANY
        await serve.start()
        await until(lambda: len(sink.messages) >= MANY, 60)
        await asyncio.sleep(1)
        again = await asyncio.to_thread(
            subprocess.run, invite, cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        )
        assert again.stdout.splitlines() == [
            "0 invitations queued.",
            "500 invited before: nothing new for them.",
        ]
    finally:
        if serve.process is not None and serve.process.poll() is None:
            serve.stop()
    received = Counter(read(m)["To"].addresses[0].addr_spec for m in sink.messages)
    assert len(received) == MANY and set(received.values()) == {1}
    assert len({m["Message-ID"] for m in sink.messages}) == MANY
    async with open_hub(settings) as hub:
        records: list[Record] = await hub.outbox.about("big-agm")
    assert len(records) == MANY and {r.status for r in records} == {Status.SENT}
    assert {r.letter.kind for r in records} == {Kind.INVITATION.value}
