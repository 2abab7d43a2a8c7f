"""Minutes drafted from a meeting's event log and final state: when it opened (and whether it was
quorate) and closed, who was in the chair, attendance and apologies as sent, then each item taken up,
under its number in the agenda, in the order things happened there: speakers, motions with mover and
seconder, amendments, withdrawals and how, procedural motions before the results they interrupted, every
result with its counts, the rule applied and the quorum, and what fell and why. Members who share a name
are told apart by their member number. Under an item's heading, a link to the time it was taken up in
the livestream's recording, when a finished one holds it. Pure: the caller hands over the log and the time.

The draft is Markdown the secretary goes on to edit. Everything in it that members typed (titles,
motion texts, amendment words, names, notes, rules cited) goes through `escape` or `quote`, so it reads
as itself: it cannot forge a heading or a result line, nor add a link or an image to the minutes."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub import stagetable, stv
from hub.chapters import Part, recording_time
from hub.commands import MinutesApprove, MinutesDraft, MinutesEdit
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import (
    VOTING_ROLES,
    Amendment,
    Meeting,
    Minutes,
    Motion,
    PollMethod,
    Procedure,
    Role,
    Vote,
)

CHOICES = ("for", "against", "abstain")

# Characters that open or close inline markup wherever they stand (CommonMark's emphasis, code, links,
# images, autolinks, raw HTML and entities; a heading's closing hashes; GFM's tables and strikethrough).
_MARKUP = re.compile(r"([\\`*_\[\]!<>&#|~])")
# What still starts a block at the start of a line once those are escaped: a bullet, a thematic break
# or setext underline, an ordered list's number.
_BLOCK_START = re.compile(r"^(\s*\d*)([-+=.)])")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _escape_line(text: str) -> str:
    escaped = _MARKUP.sub(r"\\\1", text)
    return _BLOCK_START.sub(r"\1\\\2", escaped)


def escape(text: str) -> str:
    """Member text as Markdown that prints as itself, on the line it is put on: its line breaks become
    spaces, so it can start no block, and every character that could make markup is escaped."""
    return _escape_line(_NEWLINE.sub(" ", text))


def quote(text: str) -> list[str]:
    """Member text as a block quote that keeps its lines and paragraphs: every line is escaped and
    quoted on its own, a line break stays a line break, and nothing in it can leave the quote."""
    lines = [_escape_line(line.strip()) for line in _NEWLINE.split(text.strip())]
    quoted = []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        quoted.append(f"> {line}\\" if line and after else f"> {line}" if line else ">")
    return quoted


WHEN = "%H:%M"
# An adjournment's stated time, which may be another day.
UNTIL = "%H:%M on %A %d %B"
# Events only those in the chair may cause (admin or chair, hub/events.py): whoever causes them has the
# chair. A withdrawal is the chair's only when it declares the meeting's consent.
CHAIR_BUSINESS = frozenset(
    {
        "meeting.status_changed",
        "agenda.selected",
        "speaker.called",
        "speaker.moved",
        "speaker.removed",
        "speaker.list_closed",
        "speaker.list_reopened",
        "speech.started",
        "speech.paused",
        "speech.extended",
        "speech.ended",
        "motion.reply_started",
        "vote.opened",
        "vote.closed",
    }
)
OTHER = ""  # the section of motions filed under no item taken up


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


class Names:
    """Members as the minutes name them: two members who share a name are told apart by their member
    number, wherever either appears."""

    def __init__(self, meeting: Meeting, events: list[dict[str, Any]]) -> None:
        known: dict[str, str] = {m: p.name for m, p in meeting.participants.items()}
        known |= {m: a.name for m, a in meeting.apologies.items()}
        for event in events:
            data = event.get("data") or {}
            for id_key, name_key in (
                ("member_id", "name"),
                ("mover_id", "mover_name"),
                ("seconder_id", "seconder_name"),
            ):
                if isinstance(data.get(id_key), str) and isinstance(data.get(name_key), str):
                    known.setdefault(data[id_key], data[name_key])
        holders: dict[str, set[str]] = defaultdict(set)
        for member_id, name in known.items():
            holders[_fold(name)].add(member_id)
        self.known = known
        self.shared = {folded for folded, ids in holders.items() if len(ids) > 1}

    def __call__(self, member_id: str | None, name: str | None = None) -> str:
        """The member's name as Markdown, with their number when another member has the same name."""
        name = name if name is not None else self.known.get(member_id or "", member_id or "")
        said = escape(name)
        return f"{said} (member {escape(member_id)})" if member_id and _fold(name) in self.shared else said


def _adjourned(meeting: Meeting, procedural: Motion) -> str:
    if procedural.until is None:
        return "The meeting was adjourned."
    return (
        f"The meeting was adjourned until {procedural.until.astimezone(ZoneInfo(meeting.time_zone)):{UNTIL}}."
    )


def _stamp(event: dict[str, Any], zone: ZoneInfo) -> str:
    return datetime.fromisoformat(event["at"]).astimezone(zone).strftime(WHEN)


def _quorum(data: dict[str, Any]) -> str:
    """ "quorate (12 present, 10 needed)", from an event that recorded the quorum ("" before they did)."""
    quorum = data.get("quorum")
    if not isinstance(quorum, dict):
        return ""
    state = "quorate" if quorum.get("quorate") else "not quorate"
    return f"{state} ({quorum.get('present')} present, {quorum.get('required')} needed)"


def _how(vote: Vote) -> str:
    if vote.secret:
        return "secret ballot"
    return "card vote" if vote.weights else "show of hands"


def _counts(vote: Vote, quorum: str = "") -> str:
    assert vote.result is not None
    result = vote.result
    if vote.method == PollMethod.YES_NO:
        names = {c: c for c in CHOICES}
    else:
        names = {o.id: f"“{escape(o.label)}”" for o in vote.options}

    def listed(counts: dict[str, int]) -> str:
        return ", ".join(f"{names[o]} {counts.get(o, 0)}" for o in names)

    counts = listed(result.counts)
    if vote.method == PollMethod.RANKED:
        counts = f"first preferences: {counts}"
    if result.hall is not None and result.online is not None:
        # A hybrid meeting's count: the online ballots and the hands counted in the hall, apart.
        teller = f", counted by {escape(vote.hall_count.by)}" if vote.hall_count is not None else ""
        counts = f"in all {counts}: online {listed(result.online)}; in the hall {listed(result.hall)}{teller}"
    casting = ""
    if result.casting_vote:
        casting = f"; the chair's casting vote {names.get(result.casting_vote, result.casting_vote)}"
    # A tie the chair left undecided is not a defeat: say so (the question is simply not carried).
    outcome = "TIED" if result.tied and result.casting_vote is None else result.outcome.upper()
    if result.outcome == "chosen":
        chosen = ", ".join(names[o] for o in result.chosen)
        outcome = f"{'ELECTED' if vote.method == PollMethod.RANKED else 'CHOSEN'} {chosen}"
    said = f"{outcome} by {_how(vote)} ({counts}{casting}). {result.rule}"
    if outcome == "TIED" and vote.method in (PollMethod.YES_NO, PollMethod.ONE_OF):
        undecided = (
            "the question was not carried" if vote.method == PollMethod.YES_NO else "nothing was chosen"
        )
        said += f" The chair gave no casting vote, so {undecided}."
    return said + (f" The vote opened {quorum}." if quorum else "")


def _stage_table(count: stv.Count) -> list[str]:
    """The count as the plain-text stage table (hub/stagetable.py), as a Markdown code block whose
    fence no name can close."""
    table = stagetable.render(count)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", table)), default=0))
    return [fence, *table.split("\n"), fence]


def _amendment_words(amendment: Amendment) -> str:
    text, where = escape(amendment.text), escape(amendment.target)
    return {
        "insert": f"to insert “{text}”" + (f" after “{where}”" if amendment.target else " at the end"),
        "delete": f"to delete “{where}”",
        "replace": f"to replace “{where}” with “{text}”",
    }[amendment.kind.value]


def _motion_opening(meeting: Meeting, motion: Motion, who: Names) -> list[str]:
    """What the minutes say where a motion was moved: its heading, mover, seconder and words."""
    seconder = (
        f", seconded by {who(motion.seconder_id, motion.seconder_name)}"
        if motion.seconder_name
        else ", not seconded"
    )
    kind = "Emergency motion" if motion.emergency else "Procedural motion" if motion.procedure else "Motion"
    moved = f"Moved by {who(motion.mover_id, motion.mover_name)}{seconder}."
    if motion.procedure == Procedure.CHALLENGE_CHAIR:
        # A challenge names the ruling on a point of order it is about, when the mover chose one.
        point = next((p for p in meeting.points if p.id == motion.target_id), None)
        if point is not None:
            raised = f"{who(point.member_id, point.name)} ({escape(point.rule)})"
            moved = f"On the chair's ruling on the point of order raised by {raised}. {moved}"
    elif motion.target_id is not None:
        target = next((m.title for m in meeting.motions if m.id == motion.target_id), motion.target_id)
        moved = f"On “{escape(target)}”. {moved}"
    lines = [f"### {kind}: {escape(motion.title)}", "", moved]
    if motion.procedure is None:
        lines += ["", *quote(motion.original_text)]
    elif motion.original_text != motion.title:
        lines += ["", "The mover's reason:", "", *quote(motion.original_text)]
    return lines


class _Record:
    """The minutes of each section (an item taken up, or OTHER) as paragraphs in the order things
    happened; speakers called one after another share one paragraph."""

    def __init__(self) -> None:
        self.paragraphs: dict[str, list[tuple[bool, list[str]]]] = defaultdict(list)

    def add(self, section: str, *lines: str) -> None:
        self.paragraphs[section].append((False, list(lines)))

    def speaker(self, section: str, said: str) -> None:
        paragraphs = self.paragraphs[section]
        if paragraphs and paragraphs[-1][0]:
            paragraphs[-1][1].append(said)
        else:
            paragraphs.append((True, [said]))

    def lines(self, section: str) -> list[str]:
        out: list[str] = []
        for speakers, lines in self.paragraphs[section]:
            out += [f"Speakers: {'; '.join(lines)}.", ""] if speakers else [*lines, ""]
        return out


class _Business:
    """Reads the event log in order and writes each item's record: motions where they were moved,
    amendments, withdrawals, speakers, procedural motions and results where they happened."""

    def __init__(self, meeting: Meeting, who: Names, taken: set[str]) -> None:
        self.meeting, self.who, self.taken = meeting, who, taken
        self.motions = {m.id: m for m in meeting.motions}
        self.votes = {v.id: v for v in meeting.votes}
        self.quorum: dict[str, str] = {}
        # Questions the chair put (no motion): the item each was put on.
        self.questions: dict[str, str | None] = {}
        self.shown_amended: set[str] = set()
        self.record = _Record()

    def section(self, motion: Motion) -> str:
        return motion.item_id if motion.item_id in self.taken and motion.item_id is not None else OTHER

    def amendment(self, motion: Motion, amendment_id: str) -> tuple[int, Amendment] | None:
        found = [(n, a) for n, a in enumerate(motion.amendments, start=1) if a.id == amendment_id]
        return found[0] if found else None

    def read(self, event: dict[str, Any]) -> None:
        kind, data = event["type"], event.get("data") or {}
        if kind == "speaker.called" and data.get("item_id") in self.taken:
            if data.get("kind") == "point_of_order":
                point = f", “{escape(str(data['point']))}”" if data.get("point") else ""
                what = f" (point of order: {escape(str(data.get('rule') or ''))}{point})"
            else:
                what = f" ({escape(str(data['stance']))})" if data.get("stance") else ""
            self.record.speaker(data["item_id"], f"{self.who(data.get('member_id'), data['name'])}{what}")
            return
        if kind == "motion.reply_started" and data.get("item_id") in self.taken:
            self.record.speaker(
                data["item_id"], f"{self.who(data.get('member_id'), data['name'])} (right of reply)"
            )
            return
        if kind == "point.ruled" and data.get("item_id") in self.taken:
            raised = (
                f"{self.who(data.get('member_id'), data.get('name'))} ({escape(str(data.get('rule') or ''))})"
            )
            upheld = "upheld" if data.get("upheld") else "did not uphold"
            ruling = f" “{escape(str(data['ruling']))}”" if data.get("ruling") else ""
            self.record.add(
                data["item_id"], f"The chair {upheld} the point of order raised by {raised}.{ruling}"
            )
            return
        if kind == "vote.opened" and data.get("kind") in ("question", "election"):
            self.quorum[str(data.get("vote_id"))] = _quorum(data)
            self.questions[str(data.get("vote_id"))] = data.get("item_id")
            return
        if kind == "vote.closed" and data.get("kind") in ("question", "election"):
            self.question(data)
            return
        motion = self.motions.get(str(data.get("motion_id")))
        if motion is None:
            return
        where, title = self.section(motion), f"“{escape(motion.title)}”"
        if kind in {"motion.submitted", "motion.procedural_moved"}:
            self.record.add(where, *_motion_opening(self.meeting, motion, self.who))
        elif kind == "amendment.moved":
            numbered = self.amendment(motion, str(data.get("amendment_id")))
            if numbered is not None:
                n, amendment = numbered
                by = f"moved by {self.who(amendment.mover_id, amendment.mover_name)}"
                if amendment.seconder_name:
                    by += f", seconded by {self.who(amendment.seconder_id, amendment.seconder_name)}"
                self.record.add(where, f"- Amendment {n} to {title}, {by}, {_amendment_words(amendment)}.")
        elif kind == "amendment.withdrawn":
            numbered = self.amendment(motion, str(data.get("amendment_id")))
            if numbered is not None:
                n, amendment = numbered
                mover = self.who(amendment.mover_id, amendment.mover_name)
                self.record.add(where, f"Amendment {n} to {title} was withdrawn by its mover, {mover}.")
        elif kind == "motion.withdrawal_requested":
            mover = self.who(motion.mover_id, motion.mover_name)
            self.record.add(where, f"The mover, {mover}, asked the meeting's consent to withdraw {title}.")
        elif kind == "motion.withdrawn":
            mover = self.who(motion.mover_id, motion.mover_name)
            if data.get("consent"):
                chair = self.who(event.get("actor"))
                said = f"{title} was withdrawn with the meeting's consent, declared by the chair, {chair}."
            else:
                said = f"{title} was withdrawn by the mover, {mover}."
            self.record.add(where, said)
        elif kind == "vote.opened":
            self.quorum[str(data.get("vote_id"))] = _quorum(data)
            for amendment_id in data.get("lapsed") or []:
                numbered = self.amendment(motion, str(amendment_id))
                if numbered is not None:
                    said = f"Amendment {numbered[0]} to {title} fell: nobody had seconded it"
                    self.record.add(where, f"{said} when the motion was put.")
        elif kind == "vote.closed":
            self.closed(where, motion, data)

    def question(self, data: dict[str, Any]) -> None:
        """A question the chair put, under the item it was put on."""
        vote = self.votes.get(str(data.get("vote_id")))
        if vote is None or vote.result is None:
            return
        item = self.questions.get(vote.id)
        where = item if item in self.taken and item is not None else OTHER
        if vote.subject.kind == "election":
            self.record.add(where, f"Election: {escape(vote.question)}, by ranked secret ballot.")
            self.record.add(where, f"Candidates: {self.candidates(vote)}.")
            if vote.balance is not None:
                women = vote.balance.minimums.get("woman", 0)
                self.record.add(where, f"Balance rule: at least {women} of the seats to women.")
        else:
            self.record.add(where, f"The chair put the question “{escape(vote.question)}”.")
        if vote.method != PollMethod.YES_NO and vote.subject.kind != "election":
            marks = "one option" if vote.method == PollMethod.ONE_OF else f"up to {vote.choose}"
            if vote.method == PollMethod.RANKED:
                seats = "one seat" if vote.choose == 1 else f"{vote.choose} seats"
                marks = f"options ranked in order of preference, for {seats}"
            labels = "; ".join(f"“{escape(o.label)}”" for o in vote.options)
            self.record.add(where, f"Options ({marks}): {labels}.")
        self.record.add(where, f"Result: {_counts(vote, self.quorum.get(vote.id, ''))}")
        if vote.result.count is not None:
            self.record.add(where, "The count, stage by stage:", "", *_stage_table(vote.result.count))

    def candidates(self, vote: Vote) -> str:
        """Each candidate with who nominated and seconded them."""
        nominations = {n.id: n for n in self.meeting.nominations}
        said = []
        for option in vote.options:
            nomination = nominations.get(option.id)
            if nomination is None:
                said.append(escape(option.label))
                continue
            by = f"nominated by {self.who(nomination.nominated_by, nomination.nominator_name)}"
            if nomination.seconded_by:
                by += f", seconded by {self.who(nomination.seconded_by, nomination.seconder_name)}"
            said.append(f"{self.who(nomination.member_id, nomination.name)} ({by})")
        return "; ".join(said)

    def closed(self, where: str, motion: Motion, data: dict[str, Any]) -> None:
        vote = self.votes.get(str(data.get("vote_id")))
        if vote is None or vote.result is None:
            return
        title, counts = f"“{escape(motion.title)}”", _counts(vote, self.quorum.get(vote.id, ""))
        kind = vote.subject.kind
        if kind == "amendment":
            numbered = self.amendment(motion, vote.subject.amendment_id or "")
            n = numbered[0] if numbered else "?"
            self.record.add(where, f"Result on amendment {n} to {title}: {counts}")
            for amendment_id in data.get("fallen") or []:
                fell = self.amendment(motion, str(amendment_id))
                if fell is not None:
                    words = escape(fell[1].target)
                    self.record.add(
                        where,
                        f"Amendment {fell[0]} to {title} fell: amendment {n} took out the words it"
                        f" refers to (“{words}”).",
                    )
            return
        if kind == "admission":
            self.record.add(where, f"Admission of {title}: {counts}")
            return
        if kind == "motion" and motion.history:
            self.shown_amended.add(motion.id)
            self.record.add(where, "As amended, the motion read:", "", *quote(motion.text))
        self.record.add(where, f"Result: {counts}")
        if vote.result.outcome == "carried" and motion.procedure is not None:
            said = self.effect(motion)
            if said:
                self.record.add(where, said)
        elif motion.procedure == Procedure.CHALLENGE_CHAIR:
            self.record.add(where, "The chair's ruling stands.")

    def effect(self, procedural: Motion) -> str:
        target = self.motions.get(procedural.target_id or "")
        title = f"“{escape(target.title)}”" if target is not None else "the motion"
        return {
            Procedure.NEXT_BUSINESS: f"The meeting moved to next business: {title} was not put.",
            Procedure.QUESTION_BE_NOW_PUT: f"Debate on {title} closed; the question was put.",
            Procedure.REFER_BACK: f"{title} was referred back.",
            Procedure.ADJOURN: _adjourned(self.meeting, procedural),
            Procedure.CHALLENGE_CHAIR: "The chair's ruling was overturned.",
        }.get(procedural.procedure or Procedure.ADJOURN, "")

    def finish(self, section: str, motions: list[Motion]) -> list[str]:
        """The section's record, and the amended text of any of its motions never put."""
        for motion in motions:
            if motion.history and motion.id not in self.shown_amended:
                self.record.add(section, "As amended, the motion read:", "", *quote(motion.text))
        return self.record.lines(section)


def _chairs(meeting: Meeting, events: list[dict[str, Any]], who: Names, zone: ZoneInfo) -> str:
    """Who was in the chair: whoever did the chair's business, with the time each took over; without
    any such business, the chairs present."""
    turns: list[tuple[str, str]] = []
    for event in events:
        actor = event.get("actor")
        if event["type"] in CHAIR_BUSINESS or (
            event["type"] == "motion.withdrawn" and (event.get("data") or {}).get("consent")
        ):
            if actor and (not turns or turns[-1][0] != actor):
                turns.append((actor, _stamp(event, zone)))
    if not turns:
        chairs = [
            who(m, p.name) for m, p in meeting.participants.items() if p.attended and p.role == Role.CHAIR
        ]
        return f"In the chair: {', '.join(chairs)}." if chairs else ""
    first, *then = turns
    changes = "".join(f"; {who(actor)} from {at}" for actor, at in then)
    return f"In the chair: {who(first[0])}{changes}."


def _sittings(events: list[dict[str, Any]], meeting: Meeting, zone: ZoneInfo) -> tuple[list[str], list[str]]:
    """When the meeting opened (and whether it was quorate), and each close and reopening."""
    opening: list[str] = []
    closing: list[str] = []
    procedural = {m.id: m for m in meeting.motions if m.procedure == Procedure.ADJOURN}
    for event in events:
        data = event.get("data") or {}
        if event["type"] == "vote.closed" and data.get("motion_id") in procedural:
            if (data.get("result") or {}).get("outcome") == "carried":
                until = procedural[data["motion_id"]].until
                to = "" if until is None else f" until {until.astimezone(zone).strftime(UNTIL)}"
                closing += [f"The meeting was adjourned at {_stamp(event, zone)}{to}.", ""]
            continue
        if event["type"] == "meeting.resumed":
            by = "The chair resumed the meeting" if data.get("early") else "The meeting resumed"
            closing += [f"{by} at {_stamp(event, zone)}.", ""]
            continue
        if event["type"] != "meeting.status_changed":
            continue
        before, after = data.get("from"), data.get("to")
        # Members check in once the meeting is open, so whether it was quorate is told as it goes into
        # session (the quorum an event records is the one that stood as it happened).
        quorum = _quorum(data) if after == "in_session" else ""
        if not opening and before == "scheduled" and after in {"open", "in_session"}:
            opening = [
                f"The meeting opened at {_stamp(event, zone)}" + (f", {quorum}." if quorum else "."),
                "",
            ]
        elif before == "open" and after == "in_session" and len(opening) == 2:
            opening[0] += f" It went into session at {_stamp(event, zone)}" + (
                f", {quorum}." if quorum else "."
            )
        elif after == "closed":
            closing += [f"The meeting closed at {_stamp(event, zone)}.", ""]
        elif before == "closed":
            closing += [f"The chair reopened the meeting at {_stamp(event, zone)}.", ""]
    if not closing and meeting.status.value == "closed":
        closing = ["The meeting closed.", ""]
    return opening, closing


def _recording_link(meeting: Meeting, at: datetime | str | None) -> str | None:
    """A link to the time an item was taken up in the livestream's recording, if one that is ready
    holds that time: "[Recording from 1:02:03](/recordings/M/R.mp4#t=3723)"."""
    if at is None:
        return None
    when = at if isinstance(at, datetime) else datetime.fromisoformat(at)
    for recording in meeting.livestream.recordings:
        parts = [Part(p.t0, p.seconds) for p in recording.parts]
        if recording.status != "ready" or not any(
            0 <= (when - p.t0).total_seconds() < p.seconds for p in parts
        ):
            continue
        seconds = int(recording_time(when, parts) or 0)
        clock = f"{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}"
        return f"[Recording from {clock}](/recordings/{meeting.id}/{recording.id}.mp4#t={seconds})"
    return None


def draft(meeting: Meeting, events: list[dict[str, Any]]) -> str:
    zone = ZoneInfo(meeting.time_zone)
    who = Names(meeting, events)
    when = meeting.starts_at.astimezone(zone).strftime("%A %d %B %Y, %H:%M")
    attended = sorted(
        ((m, p) for m, p in meeting.participants.items() if p.attended),
        key=lambda mp: (_fold(mp[1].name), mp[0]),
    )
    voters = [who(m, p.name) for m, p in attended if p.role in VOTING_ROLES]
    observers = [who(m, p.name) for m, p in attended if p.role not in VOTING_ROLES]
    # In the order they were sent, each with the member's note in their own words.
    apologies = [
        who(member_id, a.name) + (f" (“{escape(a.note)}”)" if a.note.strip() else "")
        for member_id, a in sorted(meeting.apologies.items(), key=lambda kv: (kv[1].at, kv[0]))
        if not (member_id in meeting.participants and meeting.participants[member_id].attended)
    ]
    opening, closing = _sittings(events, meeting, zone)
    chairs = _chairs(meeting, events, who, zone)
    lines = [f"# Minutes: {escape(meeting.title)}", "", f"{when} ({meeting.time_zone}).", "", *opening]
    if chairs:
        lines += [chairs, ""]
    lines += ["## Attendance", "", f"Present ({len(voters)}): {', '.join(voters) or 'none'}."]
    # Those an officer checked in in the hall (a hybrid meeting), among those present.
    hall = {e["data"]["member_id"] for e in events if e["type"] == "hall.checked_in"}
    in_hall = [who(m, p.name) for m, p in attended if m in hall]
    if in_hall:
        lines += ["", f"Attended in the hall ({len(in_hall)}): {', '.join(in_hall)}."]
    if observers:
        lines += ["", f"Observers: {', '.join(observers)}."]
    lines += ["", f"Apologies: {', '.join(apologies) or 'none'}.", ""]

    taken: list[str] = []
    # When each item was first taken up (where its recording starts).
    selected: dict[str, Any] = {}
    for event in events:
        item_id = (event.get("data") or {}).get("item_id")
        if event["type"] == "agenda.selected" and item_id and item_id not in taken:
            taken.append(item_id)
            selected[item_id] = event.get("at")
    places = {item.id: (n, item) for n, item in enumerate(meeting.agenda, start=1)}
    taken = [item_id for item_id in taken if item_id in places]
    business = _Business(meeting, who, set(taken))
    for event in events:
        business.read(event)
    # Items in the order they were taken up, each numbered by its place in the agenda.
    for item_id in taken:
        number, item = places[item_id]
        lines += [f"## {number}. {escape(item.title)}", ""]
        recorded = _recording_link(meeting, selected.get(item_id))
        if recorded is not None:
            lines += [recorded, ""]
        lines += business.finish(item_id, [m for m in meeting.motions if business.section(m) == item_id])
    unfiled = [m for m in meeting.motions if business.section(m) == OTHER]
    if unfiled:
        lines += ["## Other motions", "", *business.finish(OTHER, unfiled)]
    removals = [
        who(e["data"].get("member_id"), e["data"]["name"])
        for e in events
        if e["type"] == "participant.removed"
    ]
    if removals:
        lines += [f"Removed from the meeting by the chair: {', '.join(dict.fromkeys(removals))}.", ""]
    lines += closing
    return "\n".join(lines).rstrip() + "\n"


def draft_minutes(
    meeting: Meeting, command: MinutesDraft, events: list[dict[str, Any]], actor: Actor, now: datetime
) -> Change:
    if meeting.minutes is not None and meeting.minutes.status == "approved":
        raise HubError("minutes.approved", "These minutes are approved and can no longer change.")
    minutes = Minutes(text=draft(meeting, events), drafted_at=now, edited_by=None)
    return Change(
        meeting.model_copy(update={"minutes": minutes}), "minutes.drafted", {"length": len(minutes.text)}
    )


def edit(meeting: Meeting, command: MinutesEdit, actor: Actor, now: datetime) -> Change | None:
    if meeting.minutes is None:
        raise HubError("minutes.none", "Draft the minutes first.")
    if meeting.minutes.status == "approved":
        raise HubError("minutes.approved", "These minutes are approved and can no longer change.")
    if command.text == meeting.minutes.text:
        return None
    minutes = meeting.minutes.model_copy(update={"text": command.text, "edited_by": actor.name})
    return Change(meeting.model_copy(update={"minutes": minutes}), "minutes.edited", {"by": actor.name})


def approve(meeting: Meeting, command: MinutesApprove, actor: Actor, now: datetime) -> Change:
    """Approval happens at the next meeting; the chair records it here and the minutes are published."""
    if meeting.minutes is None:
        raise HubError("minutes.none", "Draft the minutes first.")
    if meeting.minutes.status == "approved":
        raise HubError("minutes.approved", "These minutes are already approved.")
    minutes = meeting.minutes.model_copy(
        update={
            "status": "approved",
            "approved_at": now,
            "approved_by": actor.name,
            "approval_note": command.note,
        }
    )
    return Change(
        meeting.model_copy(update={"minutes": minutes}),
        "minutes.approved",
        {"by": actor.name, "note": command.note},
    )
