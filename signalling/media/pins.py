"""Which node runs a meeting's media: its pin in Redis (`hub:{m:ID}:media_node`).

The first node to start a meeting's media claims the pin, and every other node passes its connections'
media to that node (signalling/media/remote.py), so the whole meeting meets in one relay. The pin has a
time to live, renewed by its node while it has peers in the meeting, as long as a node's heartbeat
lasts (signalling/nodes.py): the pin of a node that crashed lapses, and the next member to start media
claims it where they are. A node that finds its pin taken (it stalled past the time to live, or lost
the store that long) ends its peers there with `media.ended` `moved`, and their browsers join again
where the media runs now. A node whose room empties lets go of the pin at once.

A pin names the node and the life of its process (`NODE#BOOT`): a node restarted under the same name
(systemd, the workers' supervisor) takes its previous life's pins back at once, and the nodes holding
connections whose media ran in that life see the pin change and tell them to join again.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from hub.store import Store

# As a node's heartbeat (`Settings.node_expiry_seconds`, `node_beat_seconds`).
PIN_SECONDS = 10.0
RENEW_SECONDS = 2.0


def node_of(owner: str) -> str:
    """The node named by a pin."""
    return owner.partition("#")[0]


class Pins:
    def __init__(self, store: Store, node: str) -> None:
        self.store, self.node = store, node
        self.owner = f"{node}#{secrets.token_hex(4)}"
        """What this process's pins say."""

    async def claim(self, meeting_id: str) -> str:
        """Who runs the meeting's media (a pin): this process if nobody did."""
        return (await self._pin([meeting_id]))[meeting_id]

    async def renew(self, meeting_ids: Sequence[str]) -> list[str]:
        """Renew this process's pins; the meetings among these whose media another runs now."""
        if not meeting_ids:
            return []
        return [m for m, owner in (await self._pin(meeting_ids)).items() if owner != self.owner]

    async def release(self, meeting_id: str) -> None:
        await self.store.unpin_media(meeting_id, self.owner)

    async def _pin(self, meeting_ids: Sequence[str]) -> dict[str, str]:
        return await self.store.pin_media(meeting_ids, self.owner, PIN_SECONDS, takes_over=f"{self.node}#")
