"""Advance polls close by themselves at their time. Every process looks about once a second for polls
whose closing time has come (the store keeps them by time, so a look is one small read) and closes
them as the chair's `vote.close` would; a close committed first, by the chair or another process,
stands. Their boxes refuse ballots from the closing time on, whenever the close itself runs."""

from __future__ import annotations

import logging

from hub.service import Hub
from signalling.background import Background
from signalling.ballots import BallotDesk

log = logging.getLogger(__name__)

LOOK_SECONDS = 1.0


class Closing(Background):
    def __init__(self, hub: Hub, ballots: BallotDesk, every: float = LOOK_SECONDS) -> None:
        super().__init__()
        self.hub = hub
        self.ballots = ballots
        self.every = every

    async def run(self) -> None:
        while not self.stopping:
            try:
                for meeting_id, vote_id in await self.hub.store.due_polls(self.hub.clock()):
                    await self.ballots.close_due(meeting_id, vote_id)
            except Exception:
                log.exception("closing advance polls failed; trying again in %s s", self.every)
            await self.pause(self.every)
