"""What the programme writes over the picture: the agenda strip, the caption bar, the vote band, the name
card of someone without a camera, and the slate shown when the meeting is not sitting.

Each is drawn with Pillow (FreeType; the DejaVu fonts the minutes use, WenQuanYi for Chinese, Japanese
and Korean) and converted once to yuv420p planes, kept by its text: the caption's clock changes once a
second, everything else only when the procedure does. Member text is one line, cut to fit with an
ellipsis; it is only ever drawn, never read as markup.
"""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from collections.abc import Callable

import av
from PIL import Image, ImageDraw, ImageFont

from hub.programme import Caption, VoteCard
from signalling.live.compose import Band, Layout
from signalling.minutes import CJK_FONT, CJK_TEXT, FONTS

# Bands kept, by their text.
KEPT = 32

INK = (255, 255, 255)
SOFT = (200, 205, 220)
CLOCK = (255, 220, 120)
STRIP = (20, 24, 38)
VOTE = (28, 52, 96)
LIVE = (200, 32, 40)
SLATE = (16, 20, 32)

Colour = tuple[int, int, int]
Font = ImageFont.FreeTypeFont


@functools.cache
def font(size: int, bold: bool = False, cjk: bool = False) -> Font:
    if cjk:
        return ImageFont.truetype(str(CJK_FONT), size)
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def font_for(text: str, size: int, bold: bool = False) -> Font:
    """DejaVu, or WenQuanYi for text in the scripts DejaVu lacks (when Debian's fonts-wqy-microhei is
    installed; without it those characters show as boxes)."""
    return font(size, bold, cjk=bool(CJK_TEXT.search(text)) and CJK_FONT.exists())


def one_line(text: str, face: Font, width: float) -> str:
    """The text on one line, cut with an ellipsis to fit `width` pixels."""
    said = " ".join(text.split())
    if face.getlength(said) <= width:
        return said
    while said and face.getlength(said + "…") > width:
        said = said[:-1]
    return said.rstrip() + "…"


def initials(name: str) -> str:
    words = name.split()
    if not words:
        return "?"
    if CJK_TEXT.search(name):
        return words[0][0]
    return "".join(w[0] for w in (words[0], words[-1]) if w)[: 1 if len(words) == 1 else 2].upper()


def shade(member_id: str) -> Colour:
    """A dark colour of the member's own, the same in every process."""
    digest = hashlib.sha256(member_id.encode()).digest()
    return (40 + digest[0] % 80, 40 + digest[1] % 80, 60 + digest[2] % 90)


def band(image: Image.Image) -> Band:
    rgba = image.convert("RGBA").tobytes()
    rgb = av.VideoFrame.from_bytes(rgba, image.width, image.height, format="rgba")
    frame = rgb.reformat(format="yuv420p")
    return Band(image.height, tuple(bytes(p) for p in frame.planes), tuple(p.line_size for p in frame.planes))


class Overlay:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.scale = layout.height / 720
        self._kept: OrderedDict[tuple[object, ...], Band] = OrderedDict()

    def _size(self, points: float) -> int:
        return max(8, round(points * self.scale))

    def _cached(self, key: tuple[object, ...], draw: Callable[[], Image.Image]) -> Band:
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = band(draw())
            if len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        self._kept.move_to_end(key)
        return found

    def _text(
        self,
        draw: ImageDraw.ImageDraw,
        at: tuple[float, float],
        text: str,
        points: float,
        fill: Colour,
        *,
        bold: bool = False,
        width: float | None = None,
        anchor: str = "lm",
    ) -> float:
        """Draw one line; its width in pixels."""
        face = font_for(text, self._size(points), bold)
        said = text if width is None else one_line(text, face, width)
        draw.text(at, said, font=face, fill=fill, anchor=anchor)
        return face.getlength(said)

    def top(self, item: str | None, live: str) -> Band:
        """The agenda item under way, and the live tag on the right."""

        def draw() -> Image.Image:
            w, h, pad = self.layout.width, self.layout.top, round(16 * self.scale)
            image = Image.new("RGB", (w, h), STRIP)
            pen = ImageDraw.Draw(image)
            tag = font_for(live, self._size(20), bold=True).getlength(live) + 2 * pad
            pen.rectangle((w - tag - pad, round(h * 0.18), w - pad, round(h * 0.82)), fill=LIVE)
            self._text(pen, (w - pad - tag / 2, h / 2), live, 20, INK, bold=True, anchor="mm")
            if item:
                self._text(pen, (pad, h / 2), item, 24, INK, width=w - tag - 4 * pad)
            return image

        return self._cached(("top", item, live), draw)

    def bar(self, caption: Caption | None, clock: str | None, paused: str | None) -> Band:
        """Who speaks, their role and what they speak to; the time left on the right."""

        def draw() -> Image.Image:
            w, h, pad = self.layout.width, self.layout.bar, round(32 * self.scale)
            image = Image.new("RGB", (w, h), STRIP)
            pen = ImageDraw.Draw(image)
            right: float = w - pad
            if clock is not None:
                right -= self._text(pen, (w - pad, h / 2), clock, 40, CLOCK, bold=True, anchor="rm") + pad
                if paused:
                    right -= self._text(pen, (right, h / 2), paused, 24, SOFT, anchor="rm") + pad
            if caption is not None:
                room = right - 2 * pad
                self._text(pen, (pad, h * 0.34), caption.name, 36, INK, bold=True, width=room)
                said = caption.role + (f" · {caption.context}" if caption.context else "")
                self._text(pen, (pad, h * 0.74), said, 24, SOFT, width=room)
            return image

        return self._cached(("bar", caption, clock, paused), draw)

    def vote(self, card: VoteCard, voting: str) -> Band:
        """The question put, then whether voting is open or the result with its counts."""

        def draw() -> Image.Image:
            w, h, pad = self.layout.width, self.layout.vote, round(32 * self.scale)
            image = Image.new("RGB", (w, h), VOTE)
            pen = ImageDraw.Draw(image)
            self._text(pen, (pad, h * 0.32), card.question, 28, INK, bold=True, width=w - 2 * pad)
            counts = [f"{label} {n}" for label, n in card.counts]
            said = voting if card.open else " · ".join([card.result or "", *counts])
            self._text(pen, (pad, h * 0.72), said, 24, CLOCK if card.open else INK, width=w - 2 * pad)
            return image

        return self._cached(("vote", card, voting), draw)

    def card(self, member_id: str | None, caption: Caption | None, rows: int) -> Band:
        """The picture's rows for someone without a camera: their initials in a circle and their name, on
        a colour of their own. Without anyone shown, the rows are dark."""

        def draw() -> Image.Image:
            w = self.layout.width
            colour = SLATE if member_id is None else shade(member_id)
            image = Image.new("RGB", (w, rows), colour)
            if caption is None:
                return image
            pen = ImageDraw.Draw(image)
            radius = rows * 0.22
            middle = (w / 2, rows * 0.42)
            pen.ellipse(
                (middle[0] - radius, middle[1] - radius, middle[0] + radius, middle[1] + radius),
                fill=tuple(c + 40 for c in colour),
                outline=INK,
                width=max(2, round(3 * self.scale)),
            )
            self._text(pen, middle, initials(caption.name), 120, INK, bold=True, anchor="mm")
            self._text(pen, (w / 2, rows * 0.82), caption.name, 36, INK, width=w * 0.9, anchor="mm")
            return image

        return self._cached(("card", member_id, caption, rows), draw)

    def slate(self, title: str, note: str | None) -> Band:
        """The whole frame before the meeting, while adjourned, and once it closed."""

        def draw() -> Image.Image:
            w, h = self.layout.width, self.layout.height
            image = Image.new("RGB", (w, h), SLATE)
            pen = ImageDraw.Draw(image)
            self._text(pen, (w / 2, h * 0.42), title, 48, INK, bold=True, width=w * 0.9, anchor="mm")
            if note:
                self._text(pen, (w / 2, h * 0.58), note, 30, SOFT, width=w * 0.9, anchor="mm")
            return image

        return self._cached(("slate", title, note), draw)
