"""The outbox and its sender against real Redis and a real SMTP server (aiosmtpd) on a free port:
nothing lost across a stop, nothing sent twice, refusals and outages told apart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as redis
from aiosmtpd.controller import Controller

from hub.config import Mail
from hub.outbox import Attachment, Letter, Outbox, Record, Status
from signalling.mailer import Mailer
from tests.client import until
from tests.conftest import REFUSED, Sink, free_port


@pytest.fixture
async def outbox(redis_url: str) -> AsyncIterator[Outbox]:
    client = redis.Redis.from_url(redis_url)
    yield Outbox(client, claim_after_ms=300)
    await client.aclose()


def mail(port: int, rate: str = "100/second") -> Mail:
    return Mail(url=f"smtp://127.0.0.1:{port}", sender="Branch Hub <hub@example.org>", rate=rate)


def letters(n: int, meeting: str = "agm") -> list[Letter]:
    return [
        Letter(
            to=f"Member {i} <m{i}@example.org>",
            subject=f"Invitation {i}",
            text="Join us.",
            meeting_id=meeting,
        )
        for i in range(n)
    ]


async def reaches(outbox: Outbox, letter_id: str, status: Status) -> Record:
    """The letter's record once it stands at `status` (the sender is another task: polled)."""
    async with asyncio.timeout(15):
        while (record := await outbox.record(letter_id)) is None or record.status != status:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return record


async def test_a_letter_goes_out_whole_and_its_record_says_sent(
    outbox: Outbox, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    invite = Letter(
        to="Ana Silva <ana@example.org>",
        subject="AGM: you are invited",
        text="Plain words.",
        html="<p>Plain words.</p>",
        attachments=(
            Attachment(
                "invite.ics", "text/calendar; method=REQUEST", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
            ),
        ),
        headers=(("List-Unsubscribe", "<https://hub.example.org/unsubscribe/x>"),),
        kind="invitation",
        meeting_id="agm",
        member_id="m1",
    )
    await outbox.post([invite], datetime.now(UTC))
    assert (await outbox.record(invite.id)).status == Status.QUEUED  # type: ignore[union-attr]
    mailer = Mailer(outbox, mail(port), "node-a")
    mailer.start()
    await until(lambda: sink.messages)
    await mailer.stop()
    got = sink.messages[0]
    assert (got["To"], got["Subject"], got["Message-ID"]) == (
        invite.to,
        invite.subject,
        f"<{invite.id}@example.org>",
    )
    assert got["List-Unsubscribe"] == "<https://hub.example.org/unsubscribe/x>"
    parts = {p.get_content_type(): p for p in got.walk()}
    assert parts["text/plain"].get_payload(decode=True).strip() == b"Plain words."
    assert parts["text/html"].get_payload(decode=True).strip() == b"<p>Plain words.</p>"
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    assert parts["text/calendar"].get_filename() == "invite.ics"
    record = await outbox.record(invite.id)
    assert record is not None and record.status == Status.SENT and record.attempts == 1 and record.sent_at
    assert [r.letter.id for r in await outbox.about("agm")] == [invite.id]


async def test_a_mailbox_refused_for_good_fails_with_the_servers_words(
    outbox: Outbox, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    bad, good = Letter(to=REFUSED, subject="x", text="x"), Letter(to="a@example.org", subject="y", text="y")
    await outbox.post([bad, good], datetime.now(UTC))
    mailer = Mailer(outbox, mail(port), "node-a")
    mailer.start()
    await until(lambda: len(sink.messages) == 1)
    record = await reaches(outbox, bad.id, Status.FAILED)
    await mailer.stop()
    assert record.error is not None and "550" in record.error and "No such mailbox" in record.error
    assert (await outbox.record(good.id)).status == Status.SENT  # type: ignore[union-attr]


async def test_an_unreachable_server_is_tried_again_later(outbox: Outbox) -> None:
    """Nothing listens at first: the letter waits for its next try, then goes when the server is up."""
    now = [datetime(2027, 1, 4, 9, tzinfo=UTC)]
    port = free_port()
    letter = Letter(to="a@example.org", subject="Reminder", text="Tomorrow.")
    await outbox.post([letter], now[0])
    mailer = Mailer(outbox, mail(port), "node-a", clock=lambda: now[0])
    mailer.start()
    record = await reaches(outbox, letter.id, Status.RETRYING)
    assert record.attempts == 1 and record.error and "connect" in record.error.lower()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await asyncio.sleep(0.3)
        assert not sink.messages  # its time has not come
        now[0] += timedelta(minutes=1)
        await until(lambda: sink.messages)
    finally:
        await mailer.stop()
        controller.stop()
    record = await outbox.record(letter.id)
    assert record is not None and record.status == Status.SENT and record.attempts == 2


async def test_a_stopped_sender_loses_nothing_and_its_successor_repeats_nothing(
    outbox: Outbox, smtp: tuple[Sink, int]
) -> None:
    sink, port = smtp
    batch = letters(60)
    await outbox.post(batch, datetime.now(UTC))
    first = Mailer(outbox, mail(port, "40/second"), "node-a")
    first.start()
    await until(lambda: len(sink.messages) >= 15)
    await first.stop()
    assert len(sink.messages) < 60
    second = Mailer(outbox, mail(port), "node-b")
    second.start()
    await until(lambda: len(sink.messages) >= 60)
    await asyncio.sleep(0.3)
    await second.stop()
    assert sorted(sink.ids()) == sorted(f"<{letter.id}@example.org>" for letter in batch)
    assert {r.status for r in await outbox.about("agm")} == {Status.SENT}


async def test_letters_a_dead_sender_took_are_taken_again(outbox: Outbox, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    batch = letters(5)
    await outbox.post(batch, datetime.now(UTC))
    taken = await outbox.take("dead-node", 10, 100)  # taken, never settled: the process died
    assert len(taken) == 5
    mailer = Mailer(outbox, mail(port), "node-b")
    mailer.start()
    await until(lambda: len(sink.messages) == 5)
    await mailer.stop()
    assert sorted(sink.ids()) == sorted(f"<{letter.id}@example.org>" for letter in batch)


async def test_one_process_sends_at_a_time(outbox: Outbox, smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    a, b = Mailer(outbox, mail(port), "node-a"), Mailer(outbox, mail(port), "node-b")
    a.start()
    await asyncio.sleep(0.2)  # a holds the sender key first
    b.start()
    await outbox.post(letters(20), datetime.now(UTC))
    await until(lambda: len(sink.messages) == 20)
    assert await outbox.redis.get("hub:outbox:sender") == b"node-a"
    await a.stop()
    await b.stop()
    assert len(set(sink.ids())) == 20


async def test_a_failed_letter_can_be_sent_again(outbox: Outbox, smtp: tuple[Sink, int]) -> None:
    _, port = smtp
    letter = Letter(to=REFUSED, subject="x", text="x")
    await outbox.post([letter], datetime.now(UTC))
    mailer = Mailer(outbox, mail(port), "node-a")
    mailer.start()
    await reaches(outbox, letter.id, Status.FAILED)
    assert await outbox.resend(letter.id, datetime.now(UTC))
    # Queued again, and tried again: the server still refuses it.
    record = await reaches(outbox, letter.id, Status.FAILED)
    assert record.attempts == 1
    await mailer.stop()
    assert not await outbox.resend("no-such-letter", datetime.now(UTC))
