"""The web layer against the real app: security headers on every kind of response (HSTS only over
HTTPS), the built client's assets compressed and cached for a year while the page is not, links built
from the configured address whatever the Host header says, a prompt answer to an oversized Engine.IO
request, and no link token in what `hub serve` logs."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import signal
import subprocess
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
from icalendar import Calendar

from hub.config import Settings
from hub.demo import DEMO_MEETING_ID, load_demo
from hub.runtime import open_hub
from signalling.app import STATIC
from signalling.headers import CONTENT_SECURITY_POLICY, redact
from tests.client import MeetingClient
from tests.conftest import HUB, RunningHub, demo_hub, free_port, hub_env

CHAIR, SECRETARY, MEMBER = "m001", "m007", "m002"
POLLING = "/socket.io/?EIO=4&transport=polling"
LIMIT = 1024 * 1024


async def home_link(settings: Settings, member_id: str = MEMBER) -> str:
    async with open_hub(settings) as hub:
        return await hub.issue_home_link(member_id, timedelta(days=1))


def assert_secured(response: httpx.Response, own_policy: bool = False) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    headers = response.headers
    policies = headers.get_list("content-security-policy")
    assert len(policies) == 1, where
    if not own_policy:
        assert policies == [CONTENT_SECURITY_POLICY], where
    assert headers.get_list("x-content-type-options") == ["nosniff"], where
    assert headers.get_list("referrer-policy") == ["no-referrer"], where
    assert headers.get_list("x-frame-options") == ["DENY"], where


async def open_polling(http: httpx.AsyncClient) -> str:
    opened = await http.get(POLLING)
    assert opened.status_code == 200 and opened.text.startswith("0{"), opened.text
    return str(json.loads(opened.text[1:])["sid"])


async def test_every_kind_of_response_carries_the_security_headers(hub_server: RunningHub) -> None:
    token = await home_link(hub_server.settings)
    join = hub_server.links[MEMBER]
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        page = await http.get("/")
        assert page.status_code == 200, page.text
        script = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
        assert script is not None, page.text
        responses = [
            page,
            await http.get(f"/join/{join}"),
            await http.get(f"/home/{token}"),
            await http.get(script[1]),
            await http.get("/healthz"),
            await http.get(f"/api/home/{token}"),
            await http.get("/api/home/not-a-token"),
            await http.get(f"/calendar/{token}.ics"),
            await http.get(f"/minutes/{DEMO_MEETING_ID}.html?token={join}"),
            await http.get(f"/minutes/{DEMO_MEETING_ID}.pdf?token=not-a-token"),
            await http.get("/nowhere"),
            await http.get(POLLING),
        ]
        sid = await open_polling(http)
        responses.append(await http.post(f"{POLLING}&sid={sid}", content=b"3"))
        responses.append(await http.get(f"{POLLING}&sid=unknown"))
    assert [r.status_code for r in responses if r.status_code >= 400] == [403, 404, 403, 404, 400], [
        (r.request.url.path, r.status_code) for r in responses
    ]
    for response in responses:
        assert_secured(response)
        assert "strict-transport-security" not in response.headers


async def raw_get(http: httpx.AsyncClient, path: str, accept_encoding: str) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent, not decoded."""
    async with http.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


async def test_assets_are_sent_compressed_and_cached_for_a_year(hub_server: RunningHub) -> None:
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        page = await http.get(f"/join/{hub_server.links[MEMBER]}")
        # The entry script, the stylesheet and the views the page preloads.
        assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text)
        assert len(assets) >= 3 and any(a.endswith(".css") for a in assets), page.text
        for path in assets:
            plain = (STATIC / path.removeprefix("/")).read_bytes()
            answers = {
                encoding: await raw_get(http, path, accept)
                for encoding, accept in (
                    ("br", "gzip, deflate, br, zstd"),
                    ("gzip", "gzip, deflate"),
                    (None, "identity"),
                )
            }
            for encoding, (response, body) in answers.items():
                assert response.status_code == 200, path
                assert response.headers.get("content-encoding") == encoding, path
                assert response.headers["vary"] == "Accept-Encoding", path
                assert response.headers["cache-control"] == "public, max-age=31536000, immutable", path
                assert int(response.headers["content-length"]) == len(body), path
                assert "access-control-allow-origin" not in response.headers, path
                assert_secured(response)
            brotli, gzipped, identity = (answers[encoding][1] for encoding in ("br", "gzip", None))
            assert identity == plain, path
            assert gzip.decompress(gzipped) == plain, path
            # The build's brotli variant, smaller still.
            assert brotli == (STATIC / f"{path.removeprefix('/')}.br").read_bytes(), path
            assert len(brotli) < len(gzipped) < len(plain), path
            if len(plain) > 4096:
                # A script or stylesheet of any size at least halves (a chunk of a few KB less so).
                assert len(gzipped) < len(plain) / 2, path

        # The page names the assets of the current build: it is checked at every visit.
        for path in ("/", f"/join/{hub_server.links[MEMBER]}"):
            response = await http.get(path)
            assert response.headers["cache-control"] == "no-cache", path
        missing = await http.get("/assets/index-AAAAAAAA.js")
        assert missing.status_code == 404
        assert "cache-control" not in missing.headers
        assert_secured(missing)


async def test_published_minutes_keep_their_own_policy_and_get_the_rest(hub_server: RunningHub) -> None:
    chair = MeetingClient(hub_server.url, hub_server.links[CHAIR])
    secretary = MeetingClient(hub_server.url, hub_server.links[SECRETARY])
    for client in (chair, secretary):
        await client.connect()
        await client.join()
    await chair.ok("meeting.set_status", {"status": "open"})
    await secretary.ok("minutes.draft", {})
    await chair.ok("minutes.approve", {"note": "Approved."})
    for client in (chair, secretary):
        await client.disconnect()
    token = await home_link(hub_server.settings)
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        (minutes,) = (await http.get(f"/api/home/{token}")).json()["data"]["minutes"]
        for url in (minutes["html_url"], minutes["pdf_url"]):
            response = await http.get(url)
            assert response.status_code == 200
            assert_secured(response, own_policy=True)


async def test_strict_transport_security_only_when_served_over_https(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(
        port=free_port(),
        redis_url=redis_url,
        data_dir=tmp_path,
        secret="test-secret",
        public_url="https://hub.example.org",
    )
    async with demo_hub(settings) as running, httpx.AsyncClient(base_url=running.url) as http:
        for response in (await http.get("/"), await http.get("/healthz"), await http.get(POLLING)):
            assert_secured(response)
            assert response.headers.get_list("strict-transport-security") == [
                "max-age=31536000; includeSubDomains"
            ]


async def test_links_follow_the_configured_address_not_the_host_header(
    redis_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        port=free_port(),
        redis_url=redis_url,
        data_dir=tmp_path,
        secret="test-secret",
        public_url="https://hub.example.org/",
    )
    async with demo_hub(settings) as running:
        token = await home_link(settings)
        forged = {"Host": "evil.example"}
        async with httpx.AsyncClient(base_url=running.url, headers=forged) as http:
            feed = await http.get(f"/calendar/{token}.ics")
            assert feed.status_code == 200
            assert b"evil.example" not in feed.content
            (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
            assert str(event["url"]).startswith("https://hub.example.org/join/")
            assert "https://hub.example.org/join/" in str(event["description"])
            # No redirect is built from the Host header either (Starlette's slash redirect is off).
            for path in ("/healthz/", f"/join/{running.links[MEMBER]}/", "/assets"):
                response = await http.get(path)
                assert response.status_code == 404 and "location" not in response.headers, path


async def test_an_oversized_polling_post_is_refused_at_once(hub_server: RunningHub) -> None:
    big = b"4" + b"x" * (2 * LIMIT)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    async with httpx.AsyncClient(base_url=hub_server.url, timeout=30) as http:
        sid = await open_polling(http)
        declared = await http.post(f"{POLLING}&sid={sid}", content=big)
        assert (declared.status_code, declared.text) == (413, "Request body too large")
        assert_secured(declared)
        # Without a Content-Length the body is counted as it arrives.
        chunked = await http.post(f"{POLLING}&sid={sid}", content=chunks())
        assert chunked.request.headers.get("transfer-encoding") == "chunked"
        assert (chunked.status_code, chunked.text) == (413, "Request body too large")
        # The connection and the session are still good for a body within the limit.
        ping = await http.post(f"{POLLING}&sid={sid}", content=b"3")
        assert (ping.status_code, ping.text) == (200, "OK")
        assert (await http.get("/healthz")).status_code == 200


async def test_hub_serve_logs_no_link_tokens(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(port=port, redis_url=redis_url, data_dir=tmp_path, secret="log-secret")
    async with open_hub(settings) as hub:
        linked = await load_demo(hub, timedelta(hours=1))
        home = await hub.issue_home_link(MEMBER, timedelta(days=1))
        unsubscribe = hub.tokens.issue_unsubscribe(MEMBER, hub.clock() + timedelta(days=1))
    join = next(token for member, _, token in linked if member.id == MEMBER)
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    process = serve_at_info(tmp_path, port, redis_url, out, err)
    secrets = [join, home, unsubscribe]
    paths = [
        f"/join/{join}",
        f"/home/{home}",
        f"/api/home/{home}",
        f"/calendar/{home}.ics",
        f"/unsubscribe/{unsubscribe}",
        f"/minutes/{DEMO_MEETING_ID}.html?token={join}",
        f"/minutes/{DEMO_MEETING_ID}.pdf?lang=en&token={join}",
    ]
    try:
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url) as http:
            await wait_healthy(http, process)
            for path in paths:
                await http.get(path)
            sid = await open_polling(http)
            secrets.append(sid)
            await http.post(f"{POLLING}&sid={sid}", content=b"3")
        client = MeetingClient(url, join)
        await client.connect()
        await client.join()
        await client.disconnect()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    logged = out.read_text() + err.read_text()
    for secret in secrets:
        assert secret not in logged, logged
    for shown in (
        '"GET /join/[redacted] HTTP/1.1" 200',
        '"GET /home/[redacted] HTTP/1.1" 200',
        '"GET /api/home/[redacted] HTTP/1.1" 200',
        '"GET /calendar/[redacted].ics HTTP/1.1" 200',
        '"GET /unsubscribe/[redacted] HTTP/1.1" 200',
        f'"GET /minutes/{DEMO_MEETING_ID}.html?token=[redacted] HTTP/1.1"',
        f'"GET /minutes/{DEMO_MEETING_ID}.pdf?lang=en&token=[redacted] HTTP/1.1"',
        '"POST /socket.io/?EIO=4&transport=polling&sid=[redacted] HTTP/1.1" 200',
    ):
        assert shown in logged, logged


def serve_at_info(workdir: Path, port: int, redis_url: str, out: Path, err: Path) -> subprocess.Popen[bytes]:
    """`hub serve` as in production, writing access lines, its output kept in files."""
    with out.open("wb") as stdout, err.open("wb") as stderr:
        return subprocess.Popen(
            [*HUB, "serve", "--port", str(port), "--redis-url", redis_url, "--log-level", "info"],
            cwd=workdir,
            env=hub_env(HUB_SECRET="log-secret"),
            stdout=stdout,
            stderr=stderr,
        )


async def wait_healthy(http: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        assert process.poll() is None, "hub serve exited"
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("hub serve did not become healthy")


def test_redaction_keeps_the_rest_of_the_line() -> None:
    token = "eyJtIjoibTAwMiIsImlkIjoiYWJjIn0.Zm9vYmFyYmF6cXV4cXV1eHh4eHg"
    assert redact(f"/calendar/{token}.ics") == "/calendar/[redacted].ics"
    assert redact(f"/minutes/agm.pdf?token={token}&x=1") == "/minutes/agm.pdf?token=[redacted]&x=1"
    assert (
        redact(f"link https://hub.example.org/join/{token} sent")
        == "link https://hub.example.org/join/[redacted] sent"
    )
    assert redact(f"cannot read {token}!") == "cannot read [redacted]!"
    # A query string escaped once more, as some clients send it.
    assert redact(f"/minutes/agm.pdf?token%3D{token}") == "/minutes/agm.pdf?token%3D[redacted]"
    # File paths in a traceback are not URLs.
    assert redact('File "/home/alice/hub/cli.py", line 3') == 'File "/home/alice/hub/cli.py", line 3'
