"""The programme's picture: its layout, the source scaled into it, and bands copied over it.

Every band spans the full width, so a band is a run of whole rows in each plane and pasting it is one
copy per plane. The source is scaled and padded to the whole canvas by a libavfilter graph (C, which
releases the GIL), one graph per source geometry and layout, reused frame after frame.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

import av
import av.filter
from av.video.frame import VideoFrame

# Graphs kept: a source's geometry changes rarely (a camera turned, a screen shared).
GRAPHS_KEPT = 8


def even(value: float) -> int:
    return int(value) // 2 * 2


@dataclass(frozen=True)
class Band:
    """Full-width rows as yuv420p planes, with their line sizes."""

    height: int
    planes: tuple[bytes, ...]
    line_sizes: tuple[int, ...]


@dataclass(frozen=True)
class Layout:
    """Rows from the top: the agenda strip, the picture, the vote band (only while a vote is shown), the
    caption bar. Sizes scale with the height from those at 720 rows; all are even, as yuv420p needs."""

    width: int
    height: int
    top: int
    vote: int
    bar: int

    @classmethod
    def of(cls, width: int, height: int) -> Layout:
        scale = height / 720
        return cls(width, height, even(44 * scale), even(132 * scale), even(104 * scale))

    def area(self, voting: bool) -> tuple[int, int]:
        """The picture's first row and height."""
        return self.top, self.height - self.top - self.bar - (self.vote if voting else 0)


def fit(width: int, height: int, into_width: int, into_height: int) -> tuple[int, int, int, int]:
    """A source scaled to fit, keeping its shape, centred: width, height, x, y (all even)."""
    scale = min(into_width / width, into_height / height)
    w, h = max(2, even(width * scale)), max(2, even(height * scale))
    return w, h, even((into_width - w) / 2), even((into_height - h) / 2)


class Compositor:
    def __init__(self, layout: Layout, fps: int) -> None:
        self.layout = layout
        self.time_base = Fraction(1, fps)
        self._graphs: OrderedDict[tuple[object, ...], av.filter.Graph] = OrderedDict()

    def picture(self, source: VideoFrame, voting: bool, pts: int) -> VideoFrame:
        """The whole canvas with the source fitted into the picture's rows, black around it."""
        key = (source.width, source.height, source.format.name, voting)
        graph = self._graphs.get(key)
        if graph is None:
            graph = self._graphs[key] = self._graph(source, voting)
            if len(self._graphs) > GRAPHS_KEPT:
                self._graphs.popitem(last=False)
        self._graphs.move_to_end(key)
        # Sample and hold: the latest frame goes in again at each tick until a newer one comes.
        source.pts, source.time_base = pts, self.time_base
        graph.push(source)
        canvas = graph.pull()
        assert isinstance(canvas, VideoFrame)
        return canvas

    def _graph(self, source: VideoFrame, voting: bool) -> av.filter.Graph:
        layout = self.layout
        top, rows = layout.area(voting)
        w, h, x, y = fit(source.width, source.height, layout.width, rows)
        graph = av.filter.Graph()
        graph.link_nodes(
            graph.add_buffer(
                width=source.width, height=source.height, format=source.format, time_base=self.time_base
            ),
            graph.add("scale", f"{w}:{h}:flags=bilinear"),
            graph.add("pad", f"{layout.width}:{layout.height}:{x}:{top + y}:black"),
            graph.add("format", "yuv420p"),
            graph.add("buffersink"),
        ).configure()
        return graph

    def blank(self) -> VideoFrame:
        """A canvas to paste bands over (every row of it must be pasted)."""
        return VideoFrame(self.layout.width, self.layout.height, "yuv420p")


def paste(canvas: VideoFrame, band: Band, row: int) -> None:
    """Copy the band over the canvas's rows from `row` on."""
    for index, plane in enumerate(canvas.planes):
        down = 1 if index == 0 else 2  # chroma planes have half the rows
        size, data = plane.line_size, band.planes[index]
        start, rows = row // down * size, band.height // down
        target = memoryview(plane).cast("B")
        if band.line_sizes[index] == size:
            target[start : start + rows * size] = data
            continue
        # Padded differently: row by row, the width both share.
        width, theirs = min(size, band.line_sizes[index]), band.line_sizes[index]
        for r in range(rows):
            target[start + r * size : start + r * size + width] = data[r * theirs : r * theirs + width]
