"""Minutes drafted from a meeting's event log and final state: attendance and apologies, each item taken
up with its speakers, motions with mover and seconder, amendments, procedural motions, every result
with its counts and the rule applied, and anyone the chair removed. Pure: the caller hands over the log
and the time.

The draft is Markdown the secretary goes on to edit. Everything in it that members typed (titles,
motion texts, amendment words, names, notes, rules cited) goes through `escape` or `quote`, so it reads
as itself: it cannot forge a heading or a result line, nor add a link or an image to the minutes."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.commands import MinutesApprove, MinutesDraft, MinutesEdit
from hub.errors import HubError
from hub.meetings import Actor, Change
from hub.models import VOTING_ROLES, Meeting, Minutes, Motion, Vote

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


def _counts(vote: Vote) -> str:
    assert vote.result is not None
    counts = ", ".join(f"{c} {vote.result.counts.get(c, 0)}" for c in CHOICES)
    casting = f"; the chair's casting vote {vote.result.casting_vote}" if vote.result.casting_vote else ""
    how = {"hands": "show of hands", "secret": "secret ballot", "card": "card vote"}[vote.method.value]
    return f"{vote.result.outcome.upper()} by {how} ({counts}{casting}). {vote.result.rule}"


def _votes_on(meeting: Meeting, motion_id: str, amendment_id: str | None = None) -> list[Vote]:
    return [
        v
        for v in meeting.votes
        if v.status == "closed"
        and v.subject.motion_id == motion_id
        and v.subject.amendment_id == amendment_id
    ]


def _motion(meeting: Meeting, motion: Motion) -> list[str]:
    seconder = f", seconded by {escape(motion.seconder_name)}" if motion.seconder_name else ", not seconded"
    kind = "Emergency motion" if motion.emergency else "Procedural motion" if motion.procedure else "Motion"
    lines = [f"### {kind}: {escape(motion.title)}", "", f"Moved by {escape(motion.mover_name)}{seconder}."]
    if motion.target_id is not None:
        target = next((m.title for m in meeting.motions if m.id == motion.target_id), motion.target_id)
        lines[-1] = f"On “{escape(target)}”. " + lines[-1]
    if motion.procedure is None:
        lines += ["", *quote(motion.original_text)]
    for amendment in motion.amendments:
        text, where = escape(amendment.text), escape(amendment.target)
        words = {
            "insert": f"to insert “{text}”" + (f" after “{where}”" if amendment.target else " at the end"),
            "delete": f"to delete “{where}”",
            "replace": f"to replace “{where}” with “{text}”",
        }[amendment.kind.value]
        by = f"moved by {escape(amendment.mover_name)}" + (
            f", seconded by {escape(amendment.seconder_name)}" if amendment.seconder_name else ""
        )
        outcome = (
            "; ".join(_counts(v) for v in _votes_on(meeting, motion.id, amendment.id)) or amendment.status
        )
        lines += ["", f"- Amendment {by}, {words}: {outcome}"]
    for vote in _votes_on(meeting, motion.id):
        label = "Admission" if vote.subject.kind == "admission" else "Result"
        lines += ["", f"{label}: {_counts(vote)}"]
    if motion.status in {"withdrawn", "referred_back", "dropped"}:
        lines += [
            "",
            {
                "withdrawn": "Withdrawn by the mover.",
                "referred_back": "Referred back.",
                "dropped": "Not put: the meeting moved to next business.",
            }[motion.status],
        ]
    if motion.history:
        lines += ["", "As amended, the motion read:", "", *quote(motion.text)]
    return [*lines, ""]


def draft(meeting: Meeting, events: list[dict[str, Any]]) -> str:
    zone = ZoneInfo(meeting.time_zone)
    when = meeting.starts_at.astimezone(zone).strftime("%A %d %B %Y, %H:%M")
    attended = [p for p in meeting.participants.values() if p.attended]
    voters = [escape(n) for n in sorted(p.name for p in attended if p.role in VOTING_ROLES)]
    observers = [escape(n) for n in sorted(p.name for p in attended if p.role not in VOTING_ROLES)]
    apologies = [
        escape(a.name) + (f" ({escape(a.note)})" if a.note else "")
        for member_id, a in sorted(meeting.apologies.items(), key=lambda kv: (kv[1].name, kv[1].note))
        if not (member_id in meeting.participants and meeting.participants[member_id].attended)
    ]
    lines = [
        f"# Minutes: {escape(meeting.title)}",
        "",
        f"{when} ({meeting.time_zone}).",
        "",
        "## Attendance",
        "",
        f"Present ({len(voters)}): {', '.join(voters) or 'none'}.",
    ]
    if observers:
        lines += ["", f"Observers: {', '.join(observers)}."]
    lines += ["", f"Apologies: {', '.join(apologies) or 'none'}.", ""]

    speakers: dict[str, list[str]] = defaultdict(list)
    taken: list[str] = []
    for event in events:
        data = event.get("data", {})
        if event["type"] == "agenda.selected" and data.get("item_id") and data["item_id"] not in taken:
            taken.append(data["item_id"])
        elif event["type"] == "speaker.called":
            rule = escape(str(data.get("rule", "")))
            what = f" (point of order: {rule})" if data.get("kind") == "point_of_order" else ""
            stance = f" ({escape(str(data['stance']))})" if data.get("stance") else ""
            speakers[data["item_id"]].append(f"{escape(data['name'])}{what or stance}")
        elif event["type"] == "motion.reply_started":
            speakers[data["item_id"]].append(f"{escape(data['name'])} (right of reply)")
    for number, item in enumerate((i for i in meeting.agenda if i.id in taken), start=1):
        lines += [f"## {number}. {escape(item.title)}", ""]
        if speakers[item.id]:
            lines += [f"Speakers: {'; '.join(speakers[item.id])}.", ""]
        for motion in meeting.motions:
            if motion.item_id == item.id:
                lines += _motion(meeting, motion)
    unfiled = [m for m in meeting.motions if m.item_id is None or m.item_id not in taken]
    if unfiled:
        lines += ["## Other motions", ""]
        for motion in unfiled:
            lines += _motion(meeting, motion)
    removals = [escape(e["data"]["name"]) for e in events if e["type"] == "participant.removed"]
    if removals:
        lines += [f"Removed from the meeting by the chair: {', '.join(dict.fromkeys(removals))}.", ""]
    closings = 0
    for event in events:
        data = event.get("data", {})
        if event["type"] != "meeting.status_changed" or "closed" not in (data.get("to"), data.get("from")):
            continue
        stamp = datetime.fromisoformat(event["at"]).astimezone(zone).strftime("%H:%M")
        if data.get("to") == "closed":
            closings += 1
            lines += [f"The meeting closed at {stamp}.", ""]
        else:
            lines += [f"The chair reopened the meeting at {stamp}.", ""]
    if not closings and meeting.status.value == "closed":
        lines += ["The meeting closed.", ""]
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
