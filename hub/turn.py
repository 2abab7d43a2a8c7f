"""Time-limited TURN credentials: the TURN REST API scheme that coturn checks with `use-auth-secret`.

The hub and the TURN server share a secret. Each member who joins the media gets the username
`EXPIRY:MEMBER` (EXPIRY in Unix seconds) and the credential base64(HMAC-SHA1(secret, username)). The
TURN server checks both without asking the hub and refuses them after EXPIRY, so there is no account
to keep per member, and a credential copied out of a browser lapses by itself. The member id in the
username lets the TURN server's log and quotas count per member.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from hub.config import IceServer

# coturn checks the expiry on every request, refreshes included, so a credential must outlast the
# longest meeting: one that lapses ends that member's relayed media. Joining again gets a new one.
CREDENTIAL_SECONDS = 24 * 3600

TURN_SCHEMES = ("turn:", "turns:")


def is_turn(server: IceServer) -> bool:
    return any(url.startswith(TURN_SCHEMES) for url in server.urls)


def credentials(secret: str, user: str, expires: int) -> tuple[str, str]:
    """The username and credential that a TURN server sharing `secret` accepts until `expires`."""
    username = f"{expires}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def with_secret(servers: Sequence[IceServer], secret: str | None) -> tuple[IceServer, ...]:
    """`servers` with `secret` given to every TURN server configured without a username and credential.
    A TURN server left with no way to authenticate is refused: browsers reject the whole list."""
    result = []
    for server in servers:
        if is_turn(server) and server.username is None and server.credential is None:
            if not secret:
                raise ValueError(
                    f"the TURN server {server.urls[0]} needs a username and credential, or HUB_TURN_SECRET"
                    " set to its static-auth-secret"
                )
            server = replace(server, secret=secret)
        elif is_turn(server) and (server.username is None or server.credential is None):
            raise ValueError(f"the TURN server {server.urls[0]} needs both a username and a credential")
        result.append(server)
    return tuple(result)


def for_member(servers: Sequence[IceServer], member_id: str, now: float) -> list[dict[str, Any]]:
    """The ICE servers in the browser's format for one member joining the media at `now` (Unix
    seconds): credentials of the member's own for the servers that share a secret."""
    result = []
    for server in servers:
        if server.secret is not None:
            expires = math.ceil(now) + CREDENTIAL_SECONDS
            username, credential = credentials(server.secret, member_id, expires)
            server = replace(server, username=username, credential=credential)
        result.append(server.as_dict())
    return result


def for_relay(servers: Sequence[IceServer]) -> list[IceServer]:
    """The servers the hub's own peer connections gather through. Not those sharing a secret: the TURN
    server relays to the hub's own addresses, which it must reach anyway, so an allocation of the hub's
    would only add a second hop, and an allocation per member to wait for before every offer."""
    return [server for server in servers if server.secret is None]
