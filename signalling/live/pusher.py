"""The livestream pushed to an RTMP address, as the hub's event loop sees it: the push process
(signalling/live/push.py) run and supervised, its health kept for the console.

The process gets its spec, the address with its stream key included, on standard input (never on its
command line, which every user of the machine can read) and answers with JSON lines on standard output.
One that has not connected within `CONNECT_SECONDS`, or that stops reporting bytes sent for
`STALL_SECONDS` once connected, is killed: PyAV gives an output no timeout of its own. A refused
connection is the process's own error, at once. Whatever ended an attempt, the next starts after 1, 2,
4 … 60 s (1 s again after a minute live). The address is never logged nor shown: only its host.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from pathlib import Path
from typing import Any

from hub.models import push_host
from signalling.live.reports import next_report, spawn

log = logging.getLogger(__name__)

CONNECT_SECONDS = 10.0
STALL_SECONDS = 10.0
FIRST_DELAY = 1.0
MOST_DELAY = 60.0
# A push live this long was healthy: the next attempt waits the first delay again.
HEALTHY_SECONDS = 60.0
# How long `stop` waits for the process to end before it kills it.
STOP_SECONDS = 3.0
# The bitrate is the bytes sent over this many seconds of reports, which come each second.
RATE_SECONDS = 5.0
REPORT_SECONDS = 1.0
# The process yields a contended core to the relay's forwarding.
NICE = 5


class Pusher:
    def __init__(
        self,
        playlist: Path,
        url: str,
        *,
        connect_seconds: float = CONNECT_SECONDS,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        """`playlist`: the live playlist (its `index.m3u8`); `url`: the RTMP address with its key."""
        self.to = push_host(url)
        self.playlist = playlist
        self._url = url
        self.connect_seconds = connect_seconds
        self.stall_seconds = stall_seconds
        self.process: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Set by `stop`, to end a wait between attempts at once.
        self._stopped = asyncio.Event()
        # (monotonic time, bytes sent) of the current attempt's recent reports.
        self._rate: deque[tuple[float, int]] = deque()
        # Bytes and drops of the attempts before the current one.
        self._before = {"sent": 0, "dropped": 0}
        self._live_at: float | None = None
        self._status: dict[str, Any] = {
            "state": "connecting",
            "to": self.to,
            "sent": 0,
            "dropped": 0,
            "error": None,
            "retry_at": None,
            "attempts": 0,
            "since": None,
        }

    @property
    def status(self) -> dict[str, Any]:
        """state ("connecting", "live", "retrying", "stopped"), to (the address's host), bitrate (bits a
        second over the last few seconds), sent (bytes) and dropped (packets), over all attempts; error
        (why the last attempt ended, until one is live), retry_at (the wall time of the next attempt),
        attempts (made so far), since (the wall time the push went live)."""
        return self._status | {"bitrate": self._bitrate()}

    async def start(self) -> None:
        """Start the first attempt and return; `status` says how it goes."""
        if self._task is not None:
            raise RuntimeError("the push has started already")
        failed = None
        try:
            await self._spawn()
        except Exception as exc:  # tried again by the supervisor, as a later attempt would be
            failed = f"{type(exc).__name__}: {exc}"
        self._task = asyncio.create_task(self._supervise(failed), name="live:push")

    async def stop(self) -> None:
        """End the push: the process is terminated, killed if it takes more than a few seconds."""
        self._stopping = True
        self._stopped.set()
        task = self._task
        if task is not None:
            self._end(kill=False)
            done, _ = await asyncio.wait({task}, timeout=STOP_SECONDS)
            if not done:
                log.warning("livestream push: the process did not end within %s s: killed", STOP_SECONDS)
                self._end(kill=True)
                await task
        process = self.process
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        self._rate.clear()
        self._status.update(state="stopped", retry_at=None, since=None)

    # The process.

    async def _spawn(self) -> None:
        spec = {"playlist": str(self.playlist), "url": self._url, "nice": NICE}
        # Known at once, so that `stop` ends it whatever happens next.
        self.process = process = await spawn("signalling.live.push", spec)
        self._status.update(state="connecting", retry_at=None, attempts=self._status["attempts"] + 1)
        if self._stopping:
            process.kill()

    async def _supervise(self, failed: str | None) -> None:
        """Watch each attempt and start the next after a back-off; `failed`: why the first could not
        even start."""
        delay = FIRST_DELAY
        while True:
            process = self.process
            error = failed if process is None else await self._watch(process)
            live_for = 0.0 if self._live_at is None else time.monotonic() - self._live_at
            self._live_at = None
            self._rate.clear()
            self._before = {key: self._status[key] for key in self._before}
            if self._stopping:
                return
            if live_for >= HEALTHY_SECONDS:
                delay = FIRST_DELAY
            while True:
                log.warning("livestream push to %s ended (%s); again in %s s", self.to, error, delay)
                self._status.update(state="retrying", error=error, retry_at=time.time() + delay, since=None)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), delay)
                if self._stopping:
                    return
                delay = min(delay * 2, MOST_DELAY)
                try:
                    await self._spawn()
                    break
                except Exception as exc:  # whatever it was, the next attempt may do better
                    error = f"{type(exc).__name__}: {exc}"

    async def _watch(self, process: asyncio.subprocess.Process) -> str:
        """Read the process's reports until it ends (killed if it does not connect in time or stops
        sending); why it ended."""
        assert process.stdout is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_seconds
        timeout = f"could not connect to {self.to} within {self.connect_seconds:.0f} s"
        error = None
        sent = 0
        while True:
            try:
                report = await next_report(process.stdout, max(0.0, deadline - loop.time()))
            except TimeoutError:
                process.kill()
                error = timeout
                if self._live_at is not None and self._feed_stopped():
                    error = "the livestream's feed stopped"
                break
            if report is None:
                break
            if report.get("connected"):
                self._live_at = time.monotonic()
                self._status.update(state="live", error=None, since=time.time())
                deadline = loop.time() + self.stall_seconds
                timeout = f"{self.to} stopped taking the stream"
            elif "status" in report:
                status = report["status"]
                if status["sent"] > sent:
                    sent = status["sent"]
                    deadline = loop.time() + self.stall_seconds
                self._heard(status)
            elif "error" in report:
                error = str(report["error"])
        # Whatever is left unread, the process is reaped.
        code = await process.wait()
        return error or f"the push process exited with {code}"

    def _feed_stopped(self) -> bool:
        """Whether the live playlist, rewritten with each segment, has not been for `stall_seconds`."""
        try:
            return time.time() - self.playlist.stat().st_mtime > self.stall_seconds
        except OSError:
            return True

    def _heard(self, status: dict[str, Any]) -> None:
        now = time.monotonic()
        self._rate.append((now, int(status["sent"])))
        while len(self._rate) > 2 and now - self._rate[1][0] >= RATE_SECONDS:
            self._rate.popleft()
        self._status.update({key: self._before[key] + int(status[key]) for key in self._before})

    def _bitrate(self) -> int:
        if len(self._rate) < 2 or time.monotonic() - self._rate[-1][0] > 2 * REPORT_SECONDS:
            return 0  # nothing sent lately
        (first, sent_first), (last, sent_last) = self._rate[0], self._rate[-1]
        return round(8 * (sent_last - sent_first) / (last - first)) if last > first else 0

    def _end(self, *, kill: bool) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            if kill:
                process.kill()
            else:
                process.terminate()
