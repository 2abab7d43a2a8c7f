"""The sender: takes letters from the outbox (`hub/outbox.py`) and hands them to the SMTP server, paced
to the provider's limit, on one hub process at a time (the one holding the outbox's sender key).

A try that may succeed later (the server unreachable, a 4xx reply, a timeout) is tried again after a
back-off that doubles up to `MAX_BACKOFF`; a refusal for good (a 5xx reply: no such mailbox, rejected
as spam) fails the letter with the server's words, for the console. On stopping, the letter in hand is
finished first, so a restart neither loses nor repeats it."""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
from aiolimiter import AsyncLimiter

from hub.config import Mail
from hub.outbox import Letter, Outbox, Record
from signalling.background import Background

log = logging.getLogger(__name__)

ATTEMPTS = 8
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(minutes=30)
# The sender key lives this long unless renewed: a dead sender's successor starts within it.
HOLD_MS = 15_000


class Permanent(Exception):
    """The server refused the letter for good."""


def message(letter: Letter, sender: str) -> EmailMessage:
    """The letter as an email, its Message-ID made from the letter's id so that a repeat is the same
    message."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = letter.to
    mail["Subject"] = letter.subject
    mail["Date"] = format_datetime(datetime.now(UTC))
    domain = sender.rsplit("@", 1)[-1].rstrip(">").strip() or "hub.invalid"
    mail["Message-ID"] = f"<{letter.id}@{domain}>"
    for name, value in letter.headers:
        mail[name] = value
    mail.set_content(letter.text)
    if letter.html is not None:
        mail.add_alternative(letter.html, subtype="html")
    for attachment in letter.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, *params = [p.strip() for p in rest.split(";")]
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        mail.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename, params=extra
        )
    return mail


def backoff(attempts: int) -> timedelta:
    factor: int = 2 ** max(attempts - 1, 0)
    return min(FIRST_BACKOFF * factor, MAX_BACKOFF)


class Mailer(Background):
    def __init__(
        self,
        outbox: Outbox,
        mail: Mail,
        name: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__()
        self.outbox = outbox
        self.mail = mail
        self.name = name
        self.clock = clock
        self.tls_context = tls_context
        self.limiter = AsyncLimiter(*mail.per())
        self._smtp: aiosmtplib.SMTP | None = None

    async def stop(self) -> None:
        """Finish the letter in hand, then stop."""
        await super().stop()
        await self.outbox.release(self.name)

    async def run(self) -> None:
        while not self.stopping:
            try:
                if not await self.outbox.hold(self.name, HOLD_MS):
                    await self.pause(HOLD_MS / 3000)
                    continue
                await self.outbox.due(self.clock())
                for entry_id, record in await self.outbox.take(self.name, 10, 1000):
                    await self._deliver(entry_id, record)
            except Exception:
                log.exception("the mail sender failed; it starts again in 5 s")
                await self.pause(5)
        await self._close()

    async def _deliver(self, entry_id: bytes, record: Record) -> None:
        letter = record.letter
        async with self.limiter:
            try:
                await self._send(message(letter, self.mail.sender))
            except Permanent as exc:
                log.warning("letter %s to %s refused: %s", letter.id, letter.to, exc)
                await self.outbox.failed(entry_id, letter.id, str(exc), None)
                return
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._close()
                attempts = record.attempts + 1
                retry = self.clock() + backoff(attempts) if attempts < ATTEMPTS else None
                why = f"{type(exc).__name__}: {exc}"
                if retry is None:
                    why = f"gave up after {attempts} tries: {why}"
                log.warning("letter %s to %s not sent (%s)", letter.id, letter.to, why)
                await self.outbox.failed(entry_id, letter.id, why, retry)
                return
        await self.outbox.sent(entry_id, letter.id, self.clock())

    async def _send(self, mail: EmailMessage) -> None:
        smtp = await self._connected()
        try:
            refused, _ = await smtp.send_message(mail)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise Permanent("; ".join(f"{r.code} {r.message}" for r in exc.recipients)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise Permanent(f"{exc.code} {exc.message}") from exc
            raise
        if refused:
            raise Permanent("; ".join(f"{code} {text}" for code, text in refused.values()))

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        server = self.mail.server()
        smtp = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            use_tls=server.tls == "tls",
            start_tls=server.tls == "starttls",
            tls_context=self.tls_context,
            timeout=30,
        )
        await smtp.connect()
        if server.user is not None:
            await smtp.login(server.user, server.password or "")
        self._smtp = smtp
        return smtp

    async def _close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self._smtp.quit()
            self._smtp = None
