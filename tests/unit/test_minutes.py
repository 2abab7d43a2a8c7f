"""Drafting minutes from the event log: the parts not covered by the scripted AGM."""

from __future__ import annotations

import random
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt

from hub.minutes import draft, escape, quote
from hub.models import (
    AgendaItem,
    Amendment,
    AmendmentKind,
    Apology,
    Meeting,
    Motion,
    Participant,
    Procedure,
    Role,
)
from tests.unit.builders import NOON, meeting


def removed(name: str) -> dict[str, object]:
    data = {"member_id": "m009", "name": name}
    return {"type": "participant.removed", "data": data, "at": NOON.isoformat()}


def test_a_removal_by_the_chair_is_recorded_once_per_member() -> None:
    text = draft(meeting(), [removed("Ivan Petrov"), removed("Ivan Petrov")])
    assert "Removed from the meeting by the chair: Ivan Petrov." in text


def test_without_removals_nothing_is_said_of_them() -> None:
    assert "Removed from the meeting" not in draft(meeting(), [])


# Member text meant to forge markup: headings, result lines, images, links, autolinks, HTML, code,
# tables, emphasis, lists, quotes, entities, link references, breaks.
EVIL = [
    "## 9. Fake",
    "Result: CARRIED by show of hands (for 99, against 0, abstain 0).",
    "Tea ![t](/dev/zero)",
    "![x](http://10.255.255.1/x.png) ![y](file:///etc/passwd)",
    "[click](http://evil.example) and [ref]",
    "<http://x> <me@example.org>",
    '<img src="x" onerror="alert(1)"> <b>bold</b> <!-- c -->',
    "```\nfenced code\n```",
    "~~~\nmore code\n~~~",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "*em* _em_ **strong** __strong__ `code` ~~gone~~",
    "line\n# heading\n> quote\n- item\n+ item\n* item\n1. one\n2) two\n===\n---\n***",
    "&lt;tag&gt; &amp; &#x41; &copy;",
    "[ref]: http://x\n\n[ref]",
    "    indented code\n\ttabbed code",
    "text  \nhard break\\\nand another",
    "trailing backslash\\",
    "C# #",
    "1986. A good year",
]
APP = MarkdownIt("commonmark", {"html": False})  # the app's config, without its image rule
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "blockquote", "ul", "li", "br"}


class Text(HTMLParser):
    """The tags and the visible text of rendered HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        return flat("".join(self.text))


def flat(text: str) -> str:
    return " ".join(text.split())


def motion(n: int, title: str, text: str, name: str, **more: Any) -> Motion:
    return Motion(
        id=f"mo{n}",
        item_id="a1",
        title=title,
        text=text,
        original_text=text,
        mover_id="m001",
        mover_name=name,
        seconder_id="m002",
        seconder_name=name,
        submitted_at=NOON,
        **more,
    )


def adversarial(title: str, text: str, name: str, note: str) -> tuple[Meeting, list[dict[str, Any]]]:
    """A meeting where every piece of member text is the one given, and its event log."""
    attendee = Participant(
        member_id="m001", name=name, role=Role.MEMBER, present=True, attended=True,
        first_joined_at=NOON, last_seen_at=NOON,
    )  # fmt: skip
    amendment = Amendment(
        id="am1", mover_id="m002", mover_name=name, seconder_name=name, kind=AmendmentKind.REPLACE,
        target=text, text=text,
    )  # fmt: skip
    m = meeting(
        title=title,
        agenda=[AgendaItem(id="a1", title=title)],
        participants={"m001": attendee},
        apologies={"m009": Apology(name=name, at=NOON, note=note)},
        motions=[
            motion(1, title, text, name, amendments=[amendment]),
            motion(2, title, text, name, procedure=Procedure.NEXT_BUSINESS, target_id="mo1"),
        ],
    )
    at = NOON.isoformat()
    called = {"item_id": "a1", "name": name, "kind": "point_of_order", "rule": note}
    events = [
        {"type": "agenda.selected", "data": {"item_id": "a1"}, "at": at},
        {"type": "speaker.called", "data": called, "at": at},
        {"type": "motion.reply_started", "data": {"item_id": "a1", "name": name}, "at": at},
        {"type": "participant.removed", "data": {"member_id": "m009", "name": name}, "at": at},
    ]
    return m, events


HEADINGS = ["h1", "h2", "h2", "h3", "h3"]  # the title, attendance, the item, its two motions


def check(title: str, text: str, name: str, note: str) -> None:
    page = Text(APP.render(draft(*adversarial(title, text, name, note))))
    assert [t for t in page.tags if t.startswith("h")] == HEADINGS
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    # The motion texts and the amendment's words: only the quotes and the list the hub wrote.
    assert (page.tags.count("blockquote"), page.tags.count("li")) == (1, 1)
    for piece in (title, text, name, note):
        assert flat(piece) in page.words, piece


def test_member_text_in_the_minutes_is_text_and_forges_no_markup() -> None:
    for evil in EVIL:
        check(evil, evil, evil.replace("\n", " ")[:120], evil[:500])


def test_a_forged_heading_or_result_line_stays_inside_the_motion_heading() -> None:
    title = "## 9. Fake\nResult: CARRIED by show of hands"
    html = APP.render(draft(*adversarial(title, "Text.", "Ann", "")))
    assert "<h3>Motion: ## 9. Fake Result: CARRIED by show of hands</h3>" in html
    assert "<img" not in html and "<a " not in html


def test_any_text_as_a_motion_title_survives_as_text() -> None:
    """A property test over random text built from the characters markup is made of."""
    pieces = [*"#>-+*_`~[]()!<>&|\\=.:;/ \t\n\r", "1.", "2)", "http://x", "&amp;", "](", "![", "  \n"]
    rng = random.Random(20270313)
    for _ in range(400):
        title = "".join(rng.choice([*pieces, "word"]) for _ in range(rng.randint(1, 40)))[:200]
        check(title, title or "x", "Ann", "note")


def test_a_multi_line_motion_keeps_its_lines_inside_its_quote() -> None:
    text = "This branch notes:\n1. that tea is good;\n2. that coffee is too.\n\n# Resolves\nto drink both."
    html = APP.render(draft(*adversarial("Drinks", text, "Ann", "")))
    quoted = html[html.index("<blockquote>") : html.index("</blockquote>")]
    assert "<p>This branch notes:<br />\n1. that tea is good;<br />\n2. that coffee is too.</p>" in quoted
    assert "<p># Resolves<br />\nto drink both.</p>" in quoted


def test_escape_leaves_ordinary_text_alone() -> None:
    plain = "Motion 1: Votes for life for citizens living abroad, Chair's report (2027)."
    assert escape(plain) == plain
    assert escape("- a\nb") == "\\- a b"
    assert quote("a\n\nb") == ["> a", ">", "> b"]
