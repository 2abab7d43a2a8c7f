"""A meeting's livestream on the node that runs its media: the studio (the scene and its taps), the feed
(the worker writing the live playlist and the recording), the push to a video platform while the meeting
has an address for it, and the report the chair's console reads (`livestream.status`).

The report goes to the store every `REPORT_SECONDS`, with a time to live, so the console reads it on
whichever node holds the chair's connection, and an old report never outlives the node that wrote it:
the feed's state, the recording's length (or why it was refused), the push's health, and a small
preview of the programme (the worker writes a JPEG every two seconds).

A recording needs room: with less than `RECORDING_FREE_BYTES` free where recordings go, the feed runs
without one and the report says why, so the chair knows before the meeting relies on it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub.models import Meeting
from hub.service import Hub
from signalling.live.feed import Feed
from signalling.live.pusher import Pusher
from signalling.live.studio import Studio

log = logging.getLogger(__name__)

REPORT_SECONDS = 2.0
# The report outlives a few missed writes, not a node.
REPORT_TTL_SECONDS = 10.0
# 720p records at about 1.2 GB an hour: less than this free and the recording would not last a meeting.
RECORDING_FREE_BYTES = 2 * 1024**3
PREVIEW = "preview.jpg"
# A preview larger than this is not sent to the console (the worker's is a few kilobytes).
PREVIEW_MOST_BYTES = 64 * 1024


class Station:
    def __init__(
        self,
        hub: Hub,
        meeting: Meeting,
        live_root: Path,
        *,
        free_bytes: Callable[[Path], int] = lambda path: shutil.disk_usage(path).free,
    ) -> None:
        self.hub = hub
        self.meeting_id = meeting.id
        self.live_root = live_root
        self._free_bytes = free_bytes
        self._meeting = meeting
        self.feed: Feed | None = None
        self.studio: Studio | None = None
        self.pusher: Pusher | None = None
        # Where the meeting says to push, and where the running pusher pushes.
        self._push_url: str | None = None
        self._pushing_to: str | None = None
        # Why the feed runs without its recording, if it was asked for one.
        self.recording_refused: str | None = None
        self._pushing = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._reporter: asyncio.Task[None] | None = None
        self._ending = asyncio.Event()

    @property
    def recording_dir(self) -> Path | None:
        return None if self.feed is None else self.feed.recording_dir

    async def open(self) -> Studio:
        """The studio the room feeds, and the feed it feeds, not started yet: the room holds the studio
        from now on, so it is kept (and no second feed started) while the worker starts."""
        meeting = self._meeting
        live = meeting.livestream
        key = await self.hub.store.live_key(meeting.id)
        directory = self.live_root / meeting.id / key
        resuming = (directory / "index.m3u8").exists()
        directory.mkdir(parents=True, exist_ok=True)
        recording = None
        if live.record:
            recordings = self.live_root.parent / "recordings" / meeting.id
            recordings.mkdir(parents=True, exist_ok=True)
            free = self._free_bytes(recordings)
            if free < RECORDING_FREE_BYTES:
                self.recording_refused = (
                    f"only {free / 1024**3:.1f} GB free where recordings are kept: "
                    f"recording needs {RECORDING_FREE_BYTES / 1024**3:.0f} GB"
                )
                log.warning("livestream of %s: not recorded, %s", meeting.id, self.recording_refused)
            else:
                stamp = (live.started_at or self.hub.clock()).strftime("%Y%m%dT%H%M%SZ")
                recording = recordings / stamp
                recording.mkdir(parents=True, exist_ok=True)
        studio: Studio | None = None
        feed = Feed(
            directory,
            recording,
            live.quality,
            resuming=resuming,
            preview=directory / PREVIEW,
            on_keyframe=lambda number: studio.request_keyframe(number) if studio else None,
        )
        studio = Studio(feed, self.hub.clock)
        self.feed, self.studio = feed, studio
        return studio

    async def start(self) -> None:
        """Start the feed (and the push, if the meeting has an address)."""
        assert self.feed is not None, "open the station first"
        await self.feed.start()
        name = f"live:report:{self.meeting_id}"
        self._reporter = asyncio.create_task(self._report_all_along(), name=name)
        self.update(self._meeting)

    def update(self, meeting: Meeting) -> None:
        """The meeting changed: push where it now says (or nowhere)."""
        self._meeting = meeting
        if meeting.livestream.push_url != self._push_url and self.feed is not None:
            self._push_url = meeting.livestream.push_url
            task = asyncio.create_task(self._repush(), name=f"live:push:{meeting.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def stop(self) -> Path | None:
        """Stop the push, the studio and the feed; the directory of the recording, if it made one."""
        self._push_url = None
        self._ending.set()
        await self._repush()
        tasks = [t for t in [*self._tasks, self._reporter] if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.studio is not None:
            await self.studio.stop()
        recording = self.recording_dir
        if self.feed is not None:
            await self.feed.stop()
        with contextlib.suppress(Exception):
            await self.hub.store.forget_live_report(self.meeting_id)
        return recording

    async def _repush(self) -> None:
        # Pushes change in turn: the old one ends before the new one starts.
        async with self._pushing:
            url = self._push_url
            if self.pusher is not None and self._pushing_to != url:
                await self.pusher.stop()
                self.pusher = self._pushing_to = None
            if url is not None and self.pusher is None and self.feed is not None:
                self.pusher, self._pushing_to = Pusher(self.feed.live_dir / "index.m3u8", url), url
                await self.pusher.start()

    # The report.

    def report(self) -> dict[str, Any]:
        """What the console shows: the feed, the recording, the push, and a preview."""
        feed = self.feed
        status = {} if feed is None else feed.status
        recording = None
        if feed is not None and feed.recording_dir is not None:
            recording = {"seconds": round(status.get("frames", 0) / feed.fps, 1)}
        return {
            "feed": {
                "state": status.get("state", "starting"),
                "restarts": status.get("restarts", 0),
                "error": status.get("error"),
                "failed": status.get("failed", {}),
                "quality": None if feed is None else feed.quality,
            },
            "recording": recording,
            "recording_refused": self.recording_refused,
            "push": None if self.pusher is None else self.pusher.status,
            "preview": self._preview(),
            "at": self.hub.clock().isoformat(),
        }

    def _preview(self) -> str | None:
        feed = self.feed
        if feed is None or feed.preview is None:
            return None
        try:
            data = feed.preview.read_bytes()
        except OSError:
            return None
        if not data or len(data) > PREVIEW_MOST_BYTES:
            return None
        return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")

    async def _report_all_along(self) -> None:
        # The flag as well as the cancel: redis-py may swallow a cancellation that lands inside a call.
        while not self._ending.is_set():
            try:
                await self.hub.store.report_live(self.meeting_id, self.report(), REPORT_TTL_SECONDS)
            except Exception:
                # The store is away for a moment: the console shows the report as old, then none.
                log.warning("livestream of %s: its report could not be written", self.meeting_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ending.wait(), REPORT_SECONDS)
