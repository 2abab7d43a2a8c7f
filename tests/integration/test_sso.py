"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock, on a free port in a
thread): the person is mapped to a member by an address the provider vouches for, then by the
subject recorded; a denial, a replayed answer and a stranger are refused with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import oidc_provider_mock
import pytest

from hub.config import Oidc, Settings
from tests.conftest import RunningHub, demo_hub, free_port


@pytest.fixture
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
async def hub(redis_url: str, tmp_path: Path, provider: str) -> AsyncIterator[RunningHub]:
    settings = Settings(port=free_port(), redis_url=redis_url, data_dir=tmp_path, secret="test-secret")
    oidc = Oidc(issuer=provider, client_id="hub", client_secret="s3cret", name="Party ID")
    async with demo_hub(
        replace(settings, oidc=oidc, public_url=f"http://127.0.0.1:{settings.port}")
    ) as running:
        yield running


def person(provider: str, sub: str, **claims: object) -> None:
    assert httpx.put(f"{provider}/users/{sub}", json=claims).status_code == 204


async def sign_in(hub: RunningHub, sub: str, action: str = "allow") -> httpx.Response:
    """Through the provider's form as `sub`; the hub's last answer (a redirect)."""
    async with httpx.AsyncClient(base_url=hub.url) as http:
        to_provider = await http.get("/signin/sso")
        assert to_provider.status_code == 302
        authorize = to_provider.headers["location"]
        form = {"sub": sub} if action == "allow" else {"action": "deny"}
        back = await http.post(authorize, data=form)
        assert back.status_code == 302, back.text
        callback = back.headers["location"]
        assert callback.startswith(f"{hub.url}/signin/sso/callback")
        return await http.get(callback)


async def home_of(hub: RunningHub, response: httpx.Response) -> httpx.Response:
    cookie = response.headers["set-cookie"].split(";")[0]
    async with httpx.AsyncClient(base_url=hub.url) as http:
        return await http.get("/api/home", headers={"Cookie": cookie})


async def test_a_member_signs_in_with_the_provider_by_address_then_by_subject(
    hub: RunningHub, provider: str
) -> None:
    person(provider, "bea-7", email="Member002@example.org", email_verified=True)
    done = await sign_in(hub, "bea-7")
    assert (done.status_code, done.headers["location"]) == (303, "/home")
    assert "HttpOnly" in done.headers["set-cookie"]
    assert (await home_of(hub, done)).json()["data"]["member"]["name"] == "Beatriz Bauer"
    # The subject is remembered: a new address at the provider still signs in the same member.
    person(provider, "bea-7", email="bea@elsewhere.example", email_verified=True)
    again = await sign_in(hub, "bea-7")
    assert (await home_of(hub, again)).json()["data"]["member"]["id"] == "m002"
    async with httpx.AsyncClient(base_url=hub.url) as http:
        options = (await http.get("/api/signin/options")).json()
    assert options == {"ok": True, "data": {"sso": {"name": "Party ID"}}}


def refused(response: httpx.Response) -> str:
    assert response.status_code == 303 and "set-cookie" not in response.headers
    location = urlsplit(response.headers["location"])
    assert location.path == "/signin"
    return parse_qs(location.query)["error"][0]


async def test_strangers_unvouched_addresses_and_denials_are_refused(hub: RunningHub, provider: str) -> None:
    person(provider, "who", email="stranger@example.org", email_verified=True)
    assert refused(await sign_in(hub, "who")) == "sso.unknown"
    person(provider, "shady", email="member002@example.org", email_verified=False)
    assert refused(await sign_in(hub, "shady")) == "sso.unknown"
    assert refused(await sign_in(hub, "anyone", action="deny")) == "sso.denied"


async def test_an_answer_cannot_be_replayed_or_forged(hub: RunningHub, provider: str) -> None:
    person(provider, "bea-7", email="member002@example.org", email_verified=True)
    async with httpx.AsyncClient(base_url=hub.url) as http:
        authorize = (await http.get("/signin/sso")).headers["location"]
        callback = (await http.post(authorize, data={"sub": "bea-7"})).headers["location"]
        assert (await http.get(callback)).status_code == 303
        assert refused(await http.get(callback)) == "sso.expired"
        assert refused(await http.get("/signin/sso/callback?code=x&state=forged")) == "sso.expired"
        assert refused(await http.get("/signin/sso/callback")) == "sso.expired"


async def test_without_a_provider_the_routes_send_back_to_the_signin_page(hub_server: RunningHub) -> None:
    async with httpx.AsyncClient(base_url=hub_server.url) as http:
        assert refused(await http.get("/signin/sso")) == "sso.off"
        assert (await http.get("/api/signin/options")).json()["data"] == {"sso": None}
