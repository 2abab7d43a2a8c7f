"""deploy/turnserver.conf under a real coturn, with aioice as the TURN client: the credentials the hub
makes are accepted until they expire and only with the shared secret, and the peer rules keep a
credential holder away from the TURN server's own machine and private networks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aioice import stun
from aioice.turn import TurnClientUdpProtocol

from hub.turn import credentials
from tests.coturn import Coturn, coturn

pytestmark = pytest.mark.timeout(60)


class Peer(asyncio.DatagramProtocol):
    """A UDP endpoint on 127.0.0.1 that a member relays to."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.put_nowait((data, addr))


async def allocate(server: Coturn, username: str, credential: str) -> TurnClientUdpProtocol:
    loop = asyncio.get_running_loop()
    address = ("127.0.0.1", server.port)
    _, client = await loop.create_datagram_endpoint(
        lambda: TurnClientUdpProtocol(address, username, credential, lifetime=600, channel_refresh_time=500),
        remote_addr=address,
    )
    try:
        await client.connect()
    except BaseException:
        client.transport.close()
        raise
    return client


async def refused(server: Coturn, username: str, credential: str) -> int:
    with pytest.raises(stun.TransactionFailed) as failure:
        await allocate(server, username, credential)
    code: int = failure.value.response.attributes["ERROR-CODE"][0]
    return code


@pytest.fixture
async def turn(tmp_path: Path) -> AsyncIterator[Coturn]:
    async with coturn(tmp_path / "turn") as server:
        yield server


async def test_the_hubs_credentials_relay_to_an_allowed_peer_until_they_expire(turn: Coturn) -> None:
    client = await allocate(turn, *credentials(turn.secret, "m002", int(time.time()) + 60))
    try:
        assert client.relayed_address is not None
        relayed_host, relayed_port = client.relayed_address
        # The deployed relay range.
        assert relayed_host == "127.0.0.1" and 49152 <= relayed_port <= 65535
        transport, peer = await asyncio.get_running_loop().create_datagram_endpoint(
            Peer, local_addr=("127.0.0.1", 0)
        )
        try:
            await client.send_data(b"through the relay", transport.get_extra_info("sockname"))
            data, source = await asyncio.wait_for(peer.received.get(), 5)
            assert (data, source) == (b"through the relay", client.relayed_address)
        finally:
            transport.close()
        # The production rules: no relaying into private networks, whatever the credential.
        with pytest.raises(stun.TransactionFailed) as denied:
            await client.channel_bind(0x4001, ("10.1.2.3", 9))
        assert denied.value.response.attributes["ERROR-CODE"][0] == 403
    finally:
        await client.delete()
    assert turn.allocations() == ["m002"]

    assert await refused(turn, *credentials(turn.secret, "m002", int(time.time()) - 1)) == 401
    assert await refused(turn, *credentials("another secret", "m002", int(time.time()) + 60)) == 401
    username, credential = credentials(turn.secret, "m002", int(time.time()) + 60)
    # The expiry is part of what is signed.
    assert await refused(turn, username.replace(":", "0:", 1), credential) == 401


async def test_the_deployed_rules_refuse_loopback_peers(tmp_path: Path) -> None:
    async with coturn(tmp_path / "turn", loopback_peer=False) as server:
        client = await allocate(server, *credentials(server.secret, "m002", int(time.time()) + 60))
        try:
            with pytest.raises(stun.TransactionFailed) as denied:
                await client.channel_bind(0x4000, ("127.0.0.1", 9))
            assert denied.value.response.attributes["ERROR-CODE"][0] == 403
        finally:
            await client.delete()


async def test_each_member_holds_at_most_the_deployed_quota_of_allocations(turn: Coturn) -> None:
    expires = int(time.time()) + 60
    held = [await allocate(turn, *credentials(turn.secret, "m002", expires)) for _ in range(30)]
    try:
        # Another credential of the same member counts against the same quota.
        assert await refused(turn, *credentials(turn.secret, "m002", expires + 1)) == 486
        other = await allocate(turn, *credentials(turn.secret, "m003", expires))
        await other.delete()
    finally:
        await asyncio.gather(*(client.delete() for client in held))
    # Given back when the allocations are deleted (coturn frees them a moment after the deletion).
    async with asyncio.timeout(10):
        while True:
            try:
                again = await allocate(turn, *credentials(turn.secret, "m002", expires))
                break
            except stun.TransactionFailed:
                await asyncio.sleep(0.2)
    await again.delete()
