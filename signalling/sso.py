"""Single sign-on with an OpenID Connect provider (authlib for the OAuth exchange, joserfc for the ID
token), beside the emailed link:

- `GET /signin/sso`: to the provider, with a state, a nonce and a PKCE challenge kept in Redis for ten
  minutes (`hub:sso:state:STATE`, read and deleted once: a replayed or forged answer finds nothing).
- `GET /signin/sso/callback`: the provider's answer. The code is exchanged, the ID token's signature,
  issuer, audience, expiry and nonce checked, and the person mapped to a member: by the subject a
  first sign-in recorded (`hub:sso:subject:ISSUER-HASH:SUB`), else by an email address the provider
  vouches for, which records the subject for next time. Then a session, as after an emailed link.

A refusal goes back to `/signin?error=CODE`, which the page explains."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from typing import Any, cast
from urllib.parse import urlencode

import msgpack
import redis.asyncio as redis
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwk, jwt
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.config import Oidc
from hub.errors import HubError
from signalling.signin import SignIn

log = logging.getLogger(__name__)

STATE_TTL_MS = 10 * 60 * 1000
SCOPE = "openid email profile"


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SingleSignOn:
    def __init__(self, signin: SignIn, oidc: Oidc, client: redis.Redis) -> None:
        self.signin = signin
        self.oidc = oidc
        self.redis = client
        self.name = oidc.name
        self.callback = f"{signin.base_url}/signin/sso/callback"
        self._issuer_key = hashlib.sha256(oidc.issuer.encode()).hexdigest()[:16]
        self._discovery: dict[str, Any] | None = None

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.oidc.client_id,
            client_secret=self.oidc.client_secret,
            scope=SCOPE,
            redirect_uri=self.callback,
            code_challenge_method="S256",
            timeout=10,
        )

    async def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            async with self._client() as client:
                url = self.oidc.issuer.rstrip("/") + "/.well-known/openid-configuration"
                reply = await client.request("GET", url, withhold_token=True)
                reply.raise_for_status()
                self._discovery = cast(dict[str, Any], reply.json())
        return self._discovery

    async def start(self, request: Request) -> Response:
        try:
            found = await self.discovery()
        except Exception:
            log.warning("single sign-on: the provider's discovery document could not be read", exc_info=True)
            return _back("sso.unavailable")
        state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
        doc = msgpack.packb({"nonce": nonce, "verifier": verifier})
        await self.redis.set(f"hub:sso:state:{state}", doc, px=STATE_TTL_MS)
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                found["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
            )
        return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})

    async def finish(self, request: Request) -> Response:
        params = request.query_params
        if "error" in params:
            return _back("sso.denied")
        state, code = params.get("state", ""), params.get("code", "")
        blob = await self.redis.getdel(f"hub:sso:state:{state[:100]}") if state else None
        if blob is None or not code:
            return _back("sso.expired")
        kept: dict[str, str] = msgpack.unpackb(cast(bytes, blob))
        try:
            claims = await self._claims(code, kept["verifier"], kept["nonce"])
            member_id = await self._member(claims)
        except Refused as refused:
            return _back(refused.code)
        response = RedirectResponse("/home", status_code=303, headers={"Cache-Control": "no-store"})
        await self.signin.start_session(member_id, response)
        return response

    async def _claims(self, code: str, verifier: str, nonce: str) -> dict[str, Any]:
        try:
            found = await self.discovery()
            async with self._client() as client:
                token = await client.fetch_token(
                    found["token_endpoint"],
                    code=code,
                    code_verifier=verifier,
                    grant_type="authorization_code",
                )
                keys = (await client.request("GET", found["jwks_uri"], withhold_token=True)).json()
        except Exception as exc:
            log.warning("single sign-on: the code could not be exchanged for a token", exc_info=True)
            raise Refused("sso.failed") from exc
        try:
            decoded = jwt.decode(token["id_token"], jwk.KeySet.import_key_set(keys))
            jwt.JWTClaimsRegistry(
                now=int(time.time()),
                leeway=60,
                iss={"essential": True, "value": found.get("issuer", self.oidc.issuer)},
                aud={"essential": True, "value": self.oidc.client_id},
                sub={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, KeyError, ValueError) as exc:
            log.warning("single sign-on: the provider's ID token was refused (%s)", exc)
            raise Refused("sso.failed") from exc
        return dict(decoded.claims)

    async def _member(self, claims: dict[str, Any]) -> str:
        subject_key = f"hub:sso:subject:{self._issuer_key}:{claims['sub']}"
        known = await self.redis.get(subject_key)
        if known is not None:
            member_id = cast(bytes, known).decode()
            try:
                await self.signin.hub.member(member_id)
            except HubError as exc:  # the member was deleted since
                raise Refused("sso.unknown") from exc
            return member_id
        email = claims.get("email")
        if not isinstance(email, str) or claims.get("email_verified") is False:
            raise Refused("sso.unknown")
        member = await self.signin.hub.member_by_email(email)
        if member is None:
            raise Refused("sso.unknown")
        await self.redis.set(subject_key, member.id)
        return member.id


def _back(code: str) -> Response:
    return RedirectResponse(f"/signin?{urlencode({'error': code})}", status_code=303)


def sso_routes() -> list[Route]:
    """Served by the `SingleSignOn` in `app.state.sso`; without one (not configured), back to /signin."""

    async def start(request: Request) -> Response:
        sso: SingleSignOn | None = getattr(request.app.state, "sso", None)
        return _back("sso.off") if sso is None else await sso.start(request)

    async def finish(request: Request) -> Response:
        sso: SingleSignOn | None = getattr(request.app.state, "sso", None)
        return _back("sso.off") if sso is None else await sso.finish(request)

    return [Route("/signin/sso", start), Route("/signin/sso/callback", finish)]
