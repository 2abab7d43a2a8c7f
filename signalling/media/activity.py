"""Who is speaking: the loudest voiced participant over a short window, from the RFC 6464 audio levels
that publishers send with their audio (about 50 readings a second each), never from decoded audio.

Hysteresis keeps the choice from flickering: a member counts as speaking only when most readings in
the window are voiced, and while the current speaker keeps speaking another takes over only by being
clearly louder. When everyone falls silent the last speaker stays the active one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection

# Seconds of readings considered.
WINDOW = 0.6
# A reading counts as voiced at or above this level, or when the sender flags voice activity (browsers
# do; aiortc does not).
VOICED_DBOV = -50
# Share of the window's readings that must be voiced for a member to be speaking.
SPEAKING_SHARE = 0.5
# Fewer readings than this in the window (0.2 s of audio) say nothing yet.
MIN_READINGS = 10
# While the active speaker speaks, another must be this much louder (mean dBov) to take over.
MARGIN_DB = 6.0
# Members remembered in `recent`.
RECENT_LIMIT = 200


class ActiveSpeaker:
    def __init__(self) -> None:
        # Per member: (arrival time, level if voiced else None).
        self._readings: dict[str, deque[tuple[float, int | None]]] = {}
        self.current: str | None = None
        """The active speaker, if any."""
        self.recent: list[str] = []
        """Members who have been the active speaker, latest first."""

    def hear(self, member_id: str, dbov: int, voice: bool, at: float) -> None:
        readings = self._readings.setdefault(member_id, deque())
        readings.append((at, dbov if voice or dbov >= VOICED_DBOV else None))
        while readings and readings[0][0] < at - WINDOW:
            readings.popleft()

    def forget(self, member_id: str) -> None:
        """Drop a member's readings (their microphone went away)."""
        self._readings.pop(member_id, None)

    def speaking(self, now: float) -> dict[str, float]:
        """Members speaking now, with their mean voiced level."""
        levels: dict[str, float] = {}
        for member_id, readings in list(self._readings.items()):
            while readings and readings[0][0] < now - WINDOW:
                readings.popleft()
            if not readings:
                del self._readings[member_id]
                continue
            voiced = [level for _, level in readings if level is not None]
            if len(readings) >= MIN_READINGS and len(voiced) >= SPEAKING_SHARE * len(readings):
                levels[member_id] = sum(voiced) / len(voiced)
        return levels

    def decide(self, now: float, heard: Collection[str]) -> bool:
        """Update `current` from the readings of the members whose audio is forwarded (`heard`);
        True when it changed."""
        levels = {m: level for m, level in self.speaking(now).items() if m in heard}
        current = self.current if self.current in heard else None
        loudest = max(levels, key=levels.__getitem__, default=None)
        chosen = current
        if loudest is not None and loudest != current:
            if current not in levels or levels[loudest] >= levels[current] + MARGIN_DB:
                chosen = loudest
        if chosen == self.current:
            return False
        self.current = chosen
        if chosen is not None:
            self.recent = [chosen, *(m for m in self.recent if m != chosen)][:RECENT_LIMIT]
        return True
