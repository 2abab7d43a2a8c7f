"""The programme's sound: the floor and the chair, each decoded from Opus, buffered a little, and mixed on
the feed's own clock.

Each source's decoded sound waits in a FIFO. A source starts being heard once it holds `START` samples
(60 ms: the network's jitter), goes quiet when it runs dry and waits for `START` again, and is cut back
to `START` when it holds more than `MOST` (a sender's clock running fast against ours). Every chunk of
the programme takes one piece from each slot, or silence, and pushes both into amix together: amix
never waits for a source that sends nothing, so the sound never stops while anyone is quiet.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import av
import av.filter
from av.audio.codeccontext import AudioCodecContext
from av.audio.fifo import AudioFifo
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler

RATE = 48_000
# The mix's two slots: the floor and the chair.
SLOTS = 2
START = 2_880
MOST = 9_600
TIME_BASE = Fraction(1, RATE)


def silence(samples: int) -> AudioFrame:
    frame = AudioFrame(format="fltp", layout="stereo", samples=samples)
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    frame.sample_rate = RATE
    return frame


class _Source:
    def __init__(self) -> None:
        self.decoder: AudioCodecContext = av.CodecContext.create("opus", "r")
        # Whatever the decoder gives (mono, another rate), the mix takes stereo at 48 kHz.
        self.resampler = AudioResampler(format="fltp", layout="stereo", rate=RATE)
        self.fifo = AudioFifo()
        self.waiting = True

    def put(self, data: bytes) -> None:
        for decoded in self.decoder.decode(av.Packet(data)):
            for frame in self.resampler.resample(decoded):
                frame.pts = None  # the FIFO checks that timestamps follow on; the feed has its own
                self.fifo.write(frame)

    def take(self, samples: int) -> AudioFrame | None:
        held = self.fifo.samples
        if self.waiting and held >= START:
            self.waiting = False
        if self.waiting:
            return None
        if held > MOST:
            self.fifo.read(held - START)
        frame = self.fifo.read(samples)
        self.waiting = frame is None
        return frame


class Mixer:
    def __init__(self) -> None:
        self._sources: dict[int, _Source] = {}
        self._slots: tuple[int, ...] = ()
        self._graph = av.filter.Graph()
        self._inputs = [
            self._graph.add_abuffer(format="fltp", sample_rate=RATE, layout="stereo", time_base=TIME_BASE)
            for _ in range(SLOTS)
        ]
        mix = self._graph.add("amix", f"inputs={SLOTS}:normalize=0:duration=longest")
        for slot, source in enumerate(self._inputs):
            source.link_to(mix, 0, slot)
        mix.link_to(self._graph.add("abuffersink"))
        self._graph.configure()
        self._mixed = AudioFifo()
        self.samples = 0
        self.errors = 0

    def select(self, sources: Sequence[int]) -> None:
        """The sources to mix from now on (at most `SLOTS`); the others are forgotten."""
        self._slots = tuple(sources[:SLOTS])
        self._sources = {s: self._sources.get(s) or _Source() for s in self._slots}

    def put(self, source: int, data: bytes) -> None:
        found = self._sources.get(source)
        if found is None:
            return  # not in the mix: not decoded
        try:
            found.put(data)
        except av.FFmpegError:
            self.errors += 1  # one bad packet is a moment's silence

    def read(self, samples: int) -> AudioFrame | None:
        """The next `samples` of the mix (None while amix still holds them): one piece from each slot, or
        silence, pushed together."""
        for slot, source in enumerate(self._inputs):
            found = self._sources.get(self._slots[slot]) if slot < len(self._slots) else None
            frame = (found.take(samples) if found is not None else None) or silence(samples)
            frame.pts, frame.time_base, frame.sample_rate = self.samples, TIME_BASE, RATE
            source.push(frame)
        self.samples += samples
        while True:
            try:
                mixed = self._graph.pull()
            except (av.BlockingIOError, av.EOFError):
                break
            assert isinstance(mixed, AudioFrame)
            mixed.pts = None
            self._mixed.write(mixed)
        return self._mixed.read(samples)
