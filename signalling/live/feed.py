"""The programme feed as the hub's event loop sees it: the worker process (signalling/live/worker.py) run
and supervised, packets and scenes written to it without ever waiting.

The worker gets one end of a socket pair, inherited, and its spec on standard input; it answers with
JSON lines on standard output. `show` and `packet` write frames (signalling/live/wire.py) through an
asyncio transport and return at once. While the worker falls behind, the transport's buffer grows:
above 2 MiB video is dropped until the source's next keyframe (asked for through `on_keyframe`), above
4 MiB sound too (`Throttle`).

A worker that exits unexpectedly, or stops reporting, is started again after 1, 2, 4 … 30 s. The new one
continues the live playlist behind a discontinuity, writes the recording's next part, and gets the last
scene again; its decoder starts at a keyframe, asked for at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hub.programme import Scene
from signalling.live import wire
from signalling.live.encode import QUALITIES
from signalling.live.mix import SLOTS
from signalling.live.reports import next_report, spawn

log = logging.getLogger(__name__)

FIRST_DELAY = 1.0
MOST_DELAY = 30.0
# A worker that ran this long was healthy: the next restart waits the first delay again.
HEALTHY_SECONDS = 60.0
# The worker reports each second; this long without a word, it is stuck (a decoder, a disk) and killed.
STALL_SECONDS = 10.0
# How long `stop` waits for the outputs to be finished before it kills the worker.
STOP_SECONDS = 5.0
# The worker yields a contended core to the relay's forwarding.
NICE = 5


class _Link(asyncio.Protocol):
    def __init__(self, feed: Feed) -> None:
        self.feed = feed

    def connection_lost(self, exc: Exception | None) -> None:
        self.feed._unlinked(self)


class Feed:
    def __init__(
        self,
        live_dir: Path,
        recording_dir: Path | None,
        quality: str,
        *,
        on_keyframe: Callable[[int], None] | None = None,
        resuming: bool | None = None,
        preview: Path | None = None,
        fps: int = 30,
    ) -> None:
        """`live_dir` holds the live playlist and its segments, continued behind a discontinuity when
        `resuming` (by default: when the playlist is there already); `recording_dir`, if any, the
        recording's parts, one numbered directory per run of the worker (`0`, `1`, …). `on_keyframe` is
        called with a source whose next keyframe the feed needs (ask its sender). `preview`, if given, is
        where the worker keeps a small JPEG of the programme, rewritten every two seconds."""
        if quality not in QUALITIES:
            raise ValueError(f"unknown quality {quality!r}")
        self.live_dir = live_dir
        self.recording_dir = recording_dir
        self.quality = quality
        self.fps = fps
        self.on_keyframe = on_keyframe
        self.resuming = resuming
        self.preview = preview
        self.process: asyncio.subprocess.Process | None = None
        self._transport: asyncio.Transport | None = None
        self._link: _Link | None = None
        self._throttle = wire.Throttle()
        self._task: asyncio.Task[None] | None = None
        # Set once the first worker reports, or ends.
        self._ready = asyncio.Event()
        self._stopping = False
        self._scenes = 0
        self._shown: tuple[Scene, int | None, tuple[int, ...]] | None = None
        self._video: int | None = None
        self._audio: frozenset[int] = frozenset()
        # Frames and late ticks of the workers before the current one.
        self._before = {"frames": 0, "late": 0}
        self._status: dict[str, Any] = {
            "state": "starting",
            "frames": 0,
            "late": 0,
            "segments": 0,
            "shown": None,
            "failed": {},
            "dropped": 0,
            "restarts": 0,
            "at": None,
            "error": None,
        }

    @property
    def status(self) -> dict[str, Any]:
        """state ("starting", "live", "restarting", "stopped"), frames, late (ticks skipped), segments
        (the live playlist's), shown (the number of the scene on screen), failed (outputs, with their
        errors), dropped (packets held back), restarts, at (the wall time of the worker's last report),
        error (why the last worker ended, until the next one runs)."""
        return self._status | {"dropped": self._throttle.dropped}

    async def start(self) -> None:
        """Start the worker; return once it runs (its first report: the pipeline is ready) or has ended
        (`status` says why, and it is restarted), or after `STALL_SECONDS`."""
        if self._task is not None:
            raise RuntimeError("the feed has started already")
        resuming = self.resuming
        if resuming is None:
            resuming = (self.live_dir / "index.m3u8").exists()
        await self._spawn(resuming=resuming)
        self._task = asyncio.create_task(self._supervise(), name="live:feed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), STALL_SECONDS)

    def show(self, scene: Scene, video: int | None, audio: Sequence[int]) -> None:
        """The scene from now on, with the sources that carry its picture and its sound."""
        self._scenes += 1
        self._shown = (scene, video, tuple(audio))
        if video != self._video:
            self._throttle.clear()
        # Only these are decoded: the others' packets are not worth the socket.
        self._video, self._audio = video, frozenset(audio[:SLOTS])
        if self._transport is not None:
            self._transport.write(wire.show(self._scenes, scene, video, audio))

    def packet(self, source: int, codec: str, pts: int, data: bytes, keyframe: bool) -> None:
        video = codec in wire.VIDEO_CODECS
        wanted = source == self._video if video else source in self._audio
        if not wanted:
            return
        transport = self._transport
        if transport is None:
            return  # between workers: the next one starts from a keyframe anyway
        queued = transport.get_write_buffer_size()
        verdict = self._throttle.admit(source, video, keyframe, queued, time.monotonic())
        if verdict == "send":
            transport.write(wire.packet(source, codec, pts, data, keyframe))
        elif verdict == "ask":
            self._ask(source)

    async def stop(self) -> None:
        """Finish the outputs (the live playlist gets its end) and end the worker; killed if it takes more
        than a few seconds."""
        self._stopping = True
        task, process = self._task, self.process
        if task is not None:
            # Between workers (waiting to restart) there is nobody to finish: the task is only cancelled.
            if self._transport is not None and process is not None and process.returncode is None:
                self._transport.write(wire.control(quit=True))
                done, _ = await asyncio.wait({task}, timeout=STOP_SECONDS)
                if not done and process.returncode is None:
                    log.warning("livestream: the worker did not finish within %s s: killed", STOP_SECONDS)
                    process.kill()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        process = self.process
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        self._unlink()
        self._status["state"] = "stopped"

    # The worker.

    async def _spawn(self, *, resuming: bool) -> None:
        parent, child = socket.socketpair()
        try:
            recording = None
            if self.recording_dir is not None:
                recording = self.recording_dir / str(_next_part(self.recording_dir))
            spec = {
                "socket": child.fileno(),
                "live": str(self.live_dir),
                "recording": None if recording is None else str(recording),
                "quality": self.quality,
                "fps": self.fps,
                "resuming": resuming,
                "preview": None if self.preview is None else str(self.preview),
                "nice": NICE,
            }
            process = await spawn("signalling.live.worker", spec, pass_fds=(child.fileno(),))
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        # Known at once, so that `stop` ends it whatever happens next.
        self.process = process
        try:
            loop = asyncio.get_running_loop()
            transport, link = await loop.create_unix_connection(lambda: _Link(self), sock=parent)
        except BaseException:
            parent.close()
            process.kill()
            raise
        self._transport, self._link = transport, link
        log.info("livestream: worker %s started (%s)", process.pid, "resuming" if resuming else "new")
        self._throttle.clear()
        if self._shown is not None:
            scene, video, audio = self._shown
            transport.write(wire.show(self._scenes, scene, video, audio))
            if video is not None:
                # The new decoder starts at a keyframe: nothing before one is worth sending.
                self._throttle.wait(video, time.monotonic())
                self._ask(video)

    async def _supervise(self) -> None:
        delay = FIRST_DELAY
        while True:
            process = self.process
            assert process is not None
            began = time.monotonic()
            error = await self._watch(process)
            self._ready.set()
            self._unlink()
            self._before = {key: self._status[key] for key in self._before}
            if self._stopping:
                return
            if time.monotonic() - began >= HEALTHY_SECONDS:
                delay = FIRST_DELAY
            log.warning("livestream: the worker ended (%s); restarting in %s s", error, delay)
            self._status.update(state="restarting", error=error, restarts=self._status["restarts"] + 1)
            while True:
                await asyncio.sleep(delay)
                delay = min(delay * 2, MOST_DELAY)
                try:
                    await self._spawn(resuming=True)
                    break
                except Exception as exc:  # whatever it was, the next attempt may do better
                    self._status["error"] = f"{type(exc).__name__}: {exc}"
                    log.warning("livestream: the worker could not start: %s", self._status["error"])

    async def _watch(self, process: asyncio.subprocess.Process) -> str:
        """Read the worker's reports until it ends (killed if it stops reporting); why it ended."""
        assert process.stdout is not None
        error = None
        while True:
            try:
                report = await next_report(process.stdout, STALL_SECONDS)
            except TimeoutError:
                process.kill()
                error = f"the worker reported nothing for {STALL_SECONDS:.0f} s"
                break
            if report is None:
                break
            error = self._heard(report) or error
        # Whatever is left unread, the process is reaped.
        code = await process.wait()
        return error or f"the worker exited with {code}"

    def _heard(self, report: dict[str, Any]) -> str | None:
        if "keyframe" in report:
            self._ask(int(report["keyframe"]))
        elif "shown" in report:
            self._status["shown"] = report["shown"]
        elif "status" in report or "end" in report:
            status = report.get("status") or report["end"]
            self._status.update({key: self._before[key] + status[key] for key in self._before})
            self._status.update(
                segments=status["segments"], shown=status["shown"], failed=status["failed"], at=time.time()
            )
            if "status" in report:
                self._ready.set()
                # A worker that reports runs: the last one's end is history (`restarts` counts them).
                self._status.update(state="live", error=None)
        elif "error" in report:
            return str(report["error"])
        return None

    def _ask(self, source: int) -> None:
        if self.on_keyframe is None:
            return
        try:
            self.on_keyframe(source)
        except Exception:
            log.exception("livestream: asking for a keyframe failed")

    def _unlinked(self, link: _Link) -> None:
        if link is self._link:
            self._transport = self._link = None

    def _unlink(self) -> None:
        transport = self._transport
        self._transport = self._link = None
        if transport is not None:
            transport.close()


def _next_part(directory: Path) -> int:
    """The number of the recording's next part: one more than any there (the hub may have restarted)."""
    try:
        taken = [int(p.name) for p in directory.iterdir() if p.name.isdigit()]
    except FileNotFoundError:
        return 0
    return max(taken, default=-1) + 1
