"""Drafting minutes from the event log: the parts not covered by the scripted AGM."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from hub import agenda, attendance, lifecycle, meetings, motions, speakers, votes
from hub.commands import (
    AgendaSelect,
    AmendmentMove,
    AmendmentSecond,
    AttendanceCheckIn,
    MeetingSetStatus,
    MotionAllowWithdrawal,
    MotionProcedural,
    MotionSecond,
    MotionSubmit,
    MotionWithdraw,
    PointRule,
    SpeakerCall,
    SpeakerPointOfOrder,
    SpeakerRequest,
    VoteClose,
    VoteOpen,
)
from hub.meetings import Actor, Change
from hub.minutes import draft, escape, quote
from hub.models import (
    AgendaItem,
    Amendment,
    AmendmentKind,
    Apology,
    Meeting,
    MeetingStatus,
    Minutes,
    Motion,
    Participant,
    Procedure,
    Role,
    VoteSubject,
)
from signalling.minutes import pdf as minutes_pdf
from signalling.minutes import published
from tests.unit.builders import NOON, actor, checked_in, meeting, present


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
    """A meeting where every piece of member text is the one given, and its event log. Two members
    share the name, so the minutes tell them apart."""
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
    called = {"item_id": "a1", "member_id": "m001", "name": name, "kind": "point_of_order", "rule": note}
    events = [
        {"type": "agenda.selected", "actor": "m001", "data": {"item_id": "a1"}, "at": at},
        {"type": "motion.submitted", "actor": "m001", "data": {"motion_id": "mo1"}, "at": at},
        {
            "type": "amendment.moved",
            "actor": "m002",
            "data": {"motion_id": "mo1", "amendment_id": "am1"},
            "at": at,
        },
        {
            "type": "amendment.withdrawn",
            "actor": "m002",
            "data": {"motion_id": "mo1", "amendment_id": "am1"},
            "at": at,
        },
        {"type": "speaker.called", "actor": "m001", "data": called, "at": at},
        {"type": "motion.procedural_moved", "actor": "m001", "data": {"motion_id": "mo2"}, "at": at},
        {"type": "motion.reply_started", "actor": "m001", "data": {"item_id": "a1", "name": name}, "at": at},
        {
            "type": "motion.withdrawn",
            "actor": "m001",
            "data": {"motion_id": "mo1", "consent": True},
            "at": at,
        },
        {
            "type": "participant.removed",
            "actor": "m001",
            "data": {"member_id": "m009", "name": name},
            "at": at,
        },
    ]
    return m, events


HEADINGS = ["h1", "h2", "h2", "h3", "h3"]  # the title, attendance, the item, its two motions


def check(title: str, text: str, name: str, note: str) -> None:
    page = Text(APP.render(draft(*adversarial(title, text, name, note))))
    assert [t for t in page.tags if t.startswith("h")] == HEADINGS
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    # The motion texts and the amendment's words: only the quotes and the list the hub wrote (the
    # procedural motion's reason is quoted when it differs from its title).
    quotes = 1 + (text != title)
    assert (page.tags.count("blockquote"), page.tags.count("li")) == (quotes, 1)
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


# A meeting run through the real rules, its log kept as the store keeps it.


class Script:
    def __init__(self, m: Meeting) -> None:
        self.meeting, self.events, self.minute = m, [], 0

    def __call__(self, rule: Callable[..., Change | None], command: Any, by: Actor, *more: Any) -> Change:
        self.minute += 1
        now = NOON + timedelta(minutes=self.minute)
        change = rule(self.meeting, command, *more, by, now)
        assert change is not None
        self.meeting = change.meeting
        self.events.append(
            {"type": change.type, "actor": by.member_id, "at": now.isoformat(), "data": change.data}
        )
        return change

    def draft(self) -> str:
        return draft(self.meeting, self.events)


CHAIR, DEPUTY = actor("m001", Role.CHAIR), actor("m099", Role.CHAIR)
MEMBERS = [actor(f"p{n:03}") for n in range(6)]
TEXT = "This branch resolves to campaign for votes for life."


def agm() -> Script:
    items = [
        AgendaItem(id=f"a{n}", title=title) for n, title in enumerate(["Apologies", "Reports", "Motions"], 1)
    ]
    m = present(meeting(agenda=items), 6)
    for officer in (CHAIR, DEPUTY):
        joined = meetings.join(m, officer, NOON)
        assert joined is not None
        m = joined.meeting
    return Script(checked_in(m))


def put(script: Script, subject: VoteSubject, counts: dict[str, int], by: Actor = CHAIR) -> Change:
    opened = script(votes.open, VoteOpen(subject=subject), by)
    return script(votes.close, VoteClose(vote_id=opened.data["vote_id"]), by, counts)


def debate() -> Script:
    """Motions taken before reports; amendments carried, fallen and lapsed; a closure moved before the
    motion's result; a tie the chair leaves undecided, declared by the deputy; a motion withdrawn."""
    run = agm()
    mover, seconder, first, second, third, closer = MEMBERS
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    run(agenda.select, AgendaSelect(item_id="a3"), CHAIR)
    mo = run(motions.submit, MotionSubmit(title="Votes for life", text=TEXT), mover).data["motion_id"]
    run(motions.second, MotionSecond(motion_id=mo), seconder)
    moved = [
        run(motions.move_amendment, AmendmentMove(motion_id=mo, kind=kind, target=target, text=text), who)
        for who, kind, target, text in [
            (first, AmendmentKind.REPLACE, "votes for life", "votes for all"),
            (second, AmendmentKind.DELETE, "for life", ""),
            (third, AmendmentKind.INSERT, "", " Now."),
        ]
    ]
    am1, am2, _ = (change.data["amendment_id"] for change in moved)
    run(motions.second_amendment, AmendmentSecond(motion_id=mo, amendment_id=am1), seconder)
    run(motions.second_amendment, AmendmentSecond(motion_id=mo, amendment_id=am2), mover)
    put(run, VoteSubject(kind="amendment", motion_id=mo, amendment_id=am2), {"for": 5, "against": 1})
    run(speakers.request, SpeakerRequest(stance="against"), third)
    run(speakers.call, SpeakerCall(), CHAIR)
    closure = MotionProcedural(procedure=Procedure.QUESTION_BE_NOW_PUT, target_id=mo)
    put_now = run(motions.procedural, closure, closer).data["motion_id"]
    run(motions.second, MotionSecond(motion_id=put_now), first)
    put(run, VoteSubject(kind="procedural", motion_id=put_now), {"for": 6})
    put(run, VoteSubject(kind="motion", motion_id=mo), {"for": 3, "against": 3}, DEPUTY)
    run(agenda.select, AgendaSelect(item_id="a2"), DEPUTY)
    thanks = run(motions.submit, MotionSubmit(title="Thanks", text="Thanks."), second).data["motion_id"]
    run(motions.withdraw, MotionWithdraw(motion_id=thanks), second)
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.CLOSED), DEPUTY)
    return run


def moved(run: Script) -> str:
    """The meeting open, the motions item taken up, and a motion moved and seconded: its id."""
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    run(agenda.select, AgendaSelect(item_id="a3"), CHAIR)
    mo: str = run(motions.submit, MotionSubmit(title="Votes for life", text=TEXT), MEMBERS[0]).data[
        "motion_id"
    ]
    run(motions.second, MotionSecond(motion_id=mo), MEMBERS[1])
    return mo


def paragraphs(text: str) -> list[str]:
    return [p for p in text.strip().split("\n\n") if p]


def test_the_minutes_say_when_the_meeting_opened_and_closed() -> None:
    text = debate().draft()
    # Members check in once it is open: whether it was quorate is told as it goes into session.
    assert "The meeting opened at 12:01.\n" in text
    assert text.rstrip().endswith(f"The meeting closed at 12:{len(debate().events):02}.")


@pytest.mark.parametrize(("checked_in", "state"), [(8, "quorate"), (2, "not quorate")])
def test_the_minutes_say_whether_the_meeting_was_quorate_as_it_went_into_session(
    checked_in: int, state: str
) -> None:
    run = Script(present(meeting(), checked_in))
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.IN_SESSION), CHAIR)
    counted = f"{state} ({checked_in} present, 5 needed)"
    expected = f"The meeting opened at 12:01. It went into session at 12:02, {counted}."
    assert expected in run.draft()


def test_who_was_in_the_chair_and_when_the_chair_changed() -> None:
    run = debate()
    took_over = next(e for e in run.events if e["actor"] == DEPUTY.member_id)["at"][11:16]
    assert f"In the chair: Member m001; Member m099 from {took_over}." in run.draft()


def test_items_keep_their_agenda_numbers_in_the_order_taken_up() -> None:
    headings = [p for p in paragraphs(debate().draft()) if p.startswith("## ")]
    assert headings == ["## Attendance", "## 3. Motions", "## 2. Reports"]


def test_what_happened_on_an_item_is_told_in_order() -> None:
    said = paragraphs(debate().draft())
    order = [
        "### Motion: Votes for life",
        "- Amendment 1 to “Votes for life”, moved by Member p002, seconded by Member p001,"
        " to replace “votes for life” with “votes for all”.",
        "- Amendment 2 to “Votes for life”, moved by Member p003, seconded by Member p000,"
        " to delete “for life”.",
        "- Amendment 3 to “Votes for life”, moved by Member p004, to insert “ Now.” at the end.",
        "Result on amendment 2 to “Votes for life”: CARRIED by show of hands",
        "Amendment 1 to “Votes for life” fell: amendment 2 took out the words it refers to"
        " (“votes for life”).",
        "Speakers: Member p004 (against).",
        "### Procedural motion: That the question be now put",
        "Result: CARRIED by show of hands (for 6, against 0, abstain 0).",
        "Debate on “Votes for life” closed; the question was put.",
        "Amendment 3 to “Votes for life” fell: nobody had seconded it when the motion was put.",
        "As amended, the motion read:",
        "> This branch resolves to campaign for votes.",
        "Result: TIED by show of hands (for 3, against 3, abstain 0).",
    ]
    found = [next(n for n, p in enumerate(said) if p.startswith(line)) for line in order]
    assert found == sorted(found), list(zip(order, found, strict=True))


def test_a_vote_records_its_quorum_and_a_tie_left_undecided_is_said_so() -> None:
    text = debate().draft()
    assert (
        "Result: TIED by show of hands (for 3, against 3, abstain 0). Simple majority of votes cast:"
        " carried if more for than against; abstentions not counted. Tied: the chair's casting vote"
        " decides. The chair gave no casting vote, so the question was not carried. The vote opened"
        " quorate (8 present, 5 needed)."
    ) in text
    assert "LOST" not in text


def test_an_unseconded_amendment_lapses_when_the_motion_is_put() -> None:
    run = agm()
    mo = moved(run)
    run(
        motions.move_amendment,
        AmendmentMove(motion_id=mo, kind=AmendmentKind.DELETE, target="for life"),
        MEMBERS[2],
    )
    put(run, VoteSubject(kind="motion", motion_id=mo), {"for": 5}, CHAIR)
    said = paragraphs(run.draft())
    fell = said.index("Amendment 1 to “Votes for life” fell: nobody had seconded it when the motion was put.")
    assert said[fell + 1].startswith("Result: CARRIED")


def test_a_withdrawal_says_who_withdrew_and_how() -> None:
    assert "“Thanks” was withdrawn by the mover, Member p003." in debate().draft()
    run = agm()
    mo = moved(run)
    run(motions.withdraw, MotionWithdraw(motion_id=mo), MEMBERS[0])
    run(motions.allow_withdrawal, MotionAllowWithdrawal(motion_id=mo), CHAIR)
    said = paragraphs(run.draft())
    asked = said.index("The mover, Member p000, asked the meeting's consent to withdraw “Votes for life”.")
    assert said[asked + 1] == (
        "“Votes for life” was withdrawn with the meeting's consent, declared by the chair, Member m001."
    )


def test_a_procedural_motion_comes_before_the_result_it_interrupted() -> None:
    run = agm()
    mo = moved(run)
    nb = MotionProcedural(procedure=Procedure.NEXT_BUSINESS, target_id=mo)
    next_business = run(motions.procedural, nb, MEMBERS[2]).data["motion_id"]
    run(motions.second, MotionSecond(motion_id=next_business), MEMBERS[3])
    put(run, VoteSubject(kind="procedural", motion_id=next_business), {"for": 5, "against": 2})
    said = paragraphs(run.draft())
    assert said[said.index("### Procedural motion: That the meeting proceed to next business") :][2:4] == [
        "Result: CARRIED by show of hands (for 5, against 2, abstain 0). Simple majority of votes cast:"
        " carried if more for than against; abstentions not counted. The vote opened quorate"
        " (8 present, 5 needed).",
        "The meeting moved to next business: “Votes for life” was not put.",
    ]


def test_an_adjournment_carried_closes_the_meeting_in_the_minutes() -> None:
    run = agm()
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    adjourn = run(motions.procedural, MotionProcedural(procedure=Procedure.ADJOURN), MEMBERS[0]).data[
        "motion_id"
    ]
    run(motions.second, MotionSecond(motion_id=adjourn), MEMBERS[1])
    put(run, VoteSubject(kind="procedural", motion_id=adjourn), {"for": 5})
    text = run.draft()
    assert "## Other motions" in text and "The meeting was adjourned." in text
    assert text.rstrip().endswith("The meeting was adjourned at 12:05.")


def test_members_who_share_a_name_are_told_apart_everywhere() -> None:
    twin = Actor(member_id="p100", name="Member p000", role=Role.MEMBER, session="s100")
    run = agm()
    joined = meetings.join(run.meeting, twin, NOON)
    assert joined is not None
    run.meeting = joined.meeting
    run(lifecycle.set_status, MeetingSetStatus(status=MeetingStatus.OPEN), CHAIR)
    run(attendance.check_in, AttendanceCheckIn(), twin)
    run(agenda.select, AgendaSelect(item_id="a3"), CHAIR)
    mo = run(motions.submit, MotionSubmit(title="Votes for life", text=TEXT), MEMBERS[0]).data["motion_id"]
    run(motions.second, MotionSecond(motion_id=mo), twin)
    text = run.draft()
    assert "Member p000 (member p000), Member p000 (member p100), Member p001," in text
    assert "Moved by Member p000 (member p000), seconded by Member p000 (member p100)." in text
    assert "Member p001 (member" not in text


def test_apologies_are_listed_as_sent_with_their_notes() -> None:
    m = meeting(
        apologies={
            "m009": Apology(name="Zoe", at=NOON, note="On a night shift;\nsorry *all*"),
            "m008": Apology(name="Abe", at=NOON + timedelta(minutes=5)),
        }
    )
    assert "Apologies: Zoe (“On a night shift; sorry \\*all\\*”), Abe." in draft(m, [])


def test_without_a_log_of_the_quorum_the_minutes_say_nothing_of_it() -> None:
    """Logs written before events recorded the quorum still draft."""
    at = NOON.isoformat()
    events = [
        {
            "type": "meeting.status_changed",
            "actor": "m001",
            "data": {"from": "scheduled", "to": "open"},
            "at": at,
        }
    ]
    assert "The meeting opened at 12:00.\n" in draft(meeting(), events)


# The published minutes: the PDF says all that the page says, approval included.

SECRETARY_TEXT = (
    "# Minutes\n\nSee [the item below](#motions) and [the rules](https://example.org/rules).\n\n"
    "#### Notes\n\n1. one\n   - two\n\n> quoted *words*\n\n    code\n\nEnd \\\nof text."
)


def approved(text: str, note: str) -> Meeting:
    record = Minutes(
        text=text,
        status="approved",
        drafted_at=NOON,
        approved_at=NOON,
        approved_by="Ann <Chair>",
        approval_note=note,
    )
    return meeting(minutes=record)


def pdf_text(m: Meeting) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(minutes_pdf(m))).pages)


def test_the_pdf_says_all_that_the_page_says() -> None:
    # Drafts are whole blocks, so one document holds them all (a PDF takes a while to make).
    samples = "\n\n".join(draft(*adversarial(e, e, e.replace("\n", " ")[:120], e[:500])) for e in EVIL)
    for text in [SECRETARY_TEXT, debate().draft() + "\n\n" + samples]:
        m = approved(text, "Approved at the branch meeting of *10 April*.")
        printed = "".join(pdf_text(m).split())
        page = Text(published(m))
        missing = [piece for piece in page.text if "".join(piece.split()) not in printed]
        assert not missing, (text[:80], missing)
        for said in (
            "Approved at the branch meeting of *10 April*.",
            "Approval recorded by Ann <Chair> on 13 March",
        ):
            assert said in page.words and "".join(said.split()) in printed


def test_the_pdf_shows_chinese_japanese_and_korean_beside_accented_latin() -> None:
    # Names as members write them: Chinese, Japanese (kanji and kana), Korean (Hangul), and accents.
    names = ["\u738b\u79c0\u82f1", "\u5c71\u7530\u3072\u308d\u3057", "\uae40\ubbfc\uc900"]
    words = ["Jos\u00e9 N\u00fa\u00f1ez", "Zo\u00eb Br\u00f8nsted", *names]
    text = "# Minutes\n\nPresent: " + ", ".join(words) + ".\n\n**" + names[0] + "** moved the motion."
    printed = "".join(pdf_text(approved(text, "")).split())
    for said in words:
        assert "".join(said.split()) in printed, said


def test_a_ruling_on_a_point_of_order_and_the_challenge_to_it() -> None:
    run = agm()
    moved(run)
    run(speakers.point_of_order, SpeakerPointOfOrder(rule="SO *4*", point="Out of <order>"), MEMBERS[2])
    point = run(speakers.call, SpeakerCall(), CHAIR).data["entry_id"]
    run(speakers.rule_on_point, PointRule(point_id=point, upheld=False, ruling="In [order]."), CHAIR)
    challenge = MotionProcedural(procedure=Procedure.CHALLENGE_CHAIR, target_id=point)
    run(motions.procedural, challenge, MEMBERS[3])
    said = paragraphs(run.draft())
    assert "Speakers: Member p002 (point of order: SO \\*4\\*, “Out of \\<order\\>”)." in said
    ruled = said.index(
        "The chair did not uphold the point of order raised by Member p002 (SO \\*4\\*). “In \\[order\\].”"
    )
    assert said[ruled + 1] == "### Procedural motion: That the chair's ruling be challenged"
    assert said[ruled + 2].startswith(
        "On the chair's ruling on the point of order raised by Member p002 (SO \\*4\\*)."
    )
