"""Signing in by emailed link, against the real app, real Redis and a real SMTP server: single use,
rate limits that say nothing about the address, and sessions that end on the server."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis

from hub.config import Mail, Settings
from hub.sessions import PER_ADDRESS, PER_CLIENT, Sessions
from tests.client import until
from tests.conftest import RunningHub, Sink, demo_hub, free_port

KNOWN = "member002@example.org"  # Beatriz Bauer in the demo constituency
PUBLIC = "https://hub.example.org"


@pytest.fixture
async def hub(redis_url: str, tmp_path: Path, smtp: tuple[Sink, int]) -> AsyncIterator[RunningHub]:
    mail = Mail(url=f"smtp://127.0.0.1:{smtp[1]}", sender="Hub <hub@example.org>", rate="50/second")
    settings = Settings(
        port=free_port(), redis_url=redis_url, data_dir=tmp_path, secret="test-secret", public_url=PUBLIC
    )
    async with demo_hub(replace(settings, mail=mail)) as running:
        yield running


async def ask(hub: RunningHub, email: str, **extra: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=hub.url) as http:
        return await http.post("/api/signin", json={"email": email, **extra})


async def post(hub: RunningHub, path: str, body: object, cookie: str | None = None) -> httpx.Response:
    headers = {"Cookie": f"hub_session={cookie}"} if cookie else {}
    async with httpx.AsyncClient(base_url=hub.url) as http:
        return await http.post(path, json=body, headers=headers)


async def home(hub: RunningHub, cookie: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=hub.url) as http:
        return await http.get("/api/home", headers={"Cookie": f"hub_session={cookie}"})


def token_in(message: object) -> str:
    text = message.get_payload(decode=True).decode()  # type: ignore[attr-defined]
    found = re.search(rf"{re.escape(PUBLIC)}/signin/(\S+)", text)
    assert found, text
    return found.group(1)


def session_cookie(response: httpx.Response) -> str:
    header = response.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header and "Secure" in header
    return header.split(";")[0].split("=", 1)[1]


async def test_a_member_signs_in_once_with_the_emailed_link_and_signs_out(
    hub: RunningHub, smtp: tuple[Sink, int]
) -> None:
    letters, _ = smtp
    asked = await ask(hub, "  Member002@Example.org ", language="es")
    assert (asked.status_code, asked.json()) == (202, {"ok": True})
    await until(lambda: letters.messages)
    letter = letters.messages[0]
    # In the member's own language (English), whatever the page's.
    assert letter["To"] == KNOWN and letter["Subject"] == "Your sign-in link"
    token = token_in(letter)
    async with httpx.AsyncClient(base_url=hub.url) as http:
        # The link opens a page; only its button spends the token (mail scanners open links too).
        assert (await http.get(f"/signin/{token}")).status_code == 200
    confirmed = await post(hub, "/api/signin/confirm", {"token": token})
    assert confirmed.status_code == 200 and confirmed.json()["data"] == {"home": "/home"}
    cookie = session_cookie(confirmed)
    mine = await home(hub, cookie)
    assert mine.status_code == 200
    data = mine.json()["data"]
    assert data["member"]["name"] == "Beatriz Bauer" and data["meetings"][0]["join_url"].startswith("/join/")
    assert data["calendar_url"].startswith("/calendar/")
    again = await post(hub, "/api/signin/confirm", {"token": token})
    assert again.status_code == 403 and again.json()["error"]["code"] == "signin.invalid"
    out = await post(hub, "/api/signout", {}, cookie)
    assert out.status_code == 200 and 'hub_session=""' in out.headers["set-cookie"]
    assert (await home(hub, cookie)).status_code == 401  # ended on the server, not only in the browser


async def test_an_unknown_address_gets_the_same_answer_and_no_letter(
    hub: RunningHub, smtp: tuple[Sink, int]
) -> None:
    letters, _ = smtp
    unknown = await ask(hub, "stranger@example.org")
    assert (unknown.status_code, unknown.json()) == (202, {"ok": True})
    await ask(hub, KNOWN)
    await until(lambda: letters.messages)
    await asyncio.sleep(0.3)
    assert [m["To"] for m in letters.messages] == [KNOWN]


async def test_requests_are_limited_per_address_known_or_not_and_per_client(hub: RunningHub) -> None:
    for address in (KNOWN, "stranger@example.org"):
        answers = [(await ask(hub, address)).status_code for _ in range(PER_ADDRESS + 1)]
        assert answers == [202] * PER_ADDRESS + [429]
    refused = await ask(hub, KNOWN)
    assert refused.json()["error"]["code"] == "signin.too_many" and int(refused.headers["Retry-After"]) > 0
    # This client has asked 2 * (PER_ADDRESS + 1) + 1 times: the rest of its allowance, then no more.
    left = PER_CLIENT - 2 * (PER_ADDRESS + 1) - 1
    codes = [(await ask(hub, f"other{n}@example.org")).status_code for n in range(max(left, 0) + 1)]
    assert codes[-1] == 429


async def test_every_session_of_a_member_can_be_revoked(hub: RunningHub, smtp: tuple[Sink, int]) -> None:
    letters, _ = smtp
    cookies = []
    for n in range(2):
        await ask(hub, KNOWN)
        await until(lambda n=n: len(letters.messages) > n)
        cookies.append(
            session_cookie(await post(hub, "/api/signin/confirm", {"token": token_in(letters.messages[n])}))
        )
    assert [(await home(hub, c)).status_code for c in cookies] == [200, 200]
    client = redis.Redis.from_url(hub.settings.redis_url or "")
    assert await Sessions(client, "test-secret").close_all("m002") == 2
    await client.aclose()
    assert [(await home(hub, c)).status_code for c in cookies] == [401, 401]


async def test_bad_requests_are_refused_with_the_reason(hub: RunningHub) -> None:
    async with httpx.AsyncClient(base_url=hub.url) as http:
        form = await http.post("/api/signin", data={"email": KNOWN})
        assert form.status_code == 415 and form.json()["error"]["code"] == "request.not_json"
        broken = await http.post("/api/signin", content=b"{", headers={"Content-Type": "application/json"})
        assert broken.status_code == 400
    assert (await ask(hub, "not an address")).json()["error"]["code"] == "signin.bad_address"
    assert (await post(hub, "/api/signin/confirm", {"token": "x" * 500})).status_code == 400
    assert (await post(hub, "/api/signin/confirm", {"token": "never-issued"})).status_code == 403
    assert (await home(hub, "forged.cookie")).status_code == 401
    async with httpx.AsyncClient(base_url=hub.url) as http:
        assert (await http.get("/api/home")).json()["error"]["code"] == "signin.needed"


async def test_a_link_expires(hub: RunningHub) -> None:
    client = redis.Redis.from_url(hub.settings.redis_url or "")
    sessions = Sessions(client, "test-secret")
    token = await sessions.issue_link("m002")
    keys = [k async for k in client.scan_iter(match="hub:signin:token:*")]
    await client.pexpire(keys[0], 1)
    await asyncio.sleep(0.05)
    await client.aclose()
    expired = await post(hub, "/api/signin/confirm", {"token": token})
    assert expired.status_code == 403 and "expired" in expired.json()["error"]["message"]


async def test_the_sign_in_letter_is_in_the_members_own_language(
    hub: RunningHub, smtp: tuple[Sink, int]
) -> None:
    letters, _ = smtp
    assert (await ask(hub, "member016@example.org")).status_code == 202  # Eleni reads Spanish
    await until(lambda: letters.messages)
    assert letters.messages[0]["Subject"] == "Tu enlace para entrar"
    assert "Hola, Eleni Papadopoulos:" in letters.messages[0].get_payload(decode=True).decode()
