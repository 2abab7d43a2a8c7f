"""The protocol reference, one page per client event, generated from the code that enforces it:
payloads from the command models, roles from the permission matrix, and the effect, events and error
codes written down here next to each other. `python -m hub.protocol_docs docs/protocol` rewrites the
pages; a test fails when they drift from the code."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.commands import COMMANDS
from hub.models import Role
from hub.permissions import MATRIX
from hub.rules import PRESENT_ONLY


@dataclass(frozen=True)
class Page:
    effect: str
    emits: tuple[str, ...]
    errors: tuple[str, ...]
    reply: str = '`{"version": N}` (the version after the change), or `null` when nothing changed.'


COMMON_ERRORS = (
    "invalid_payload",
    "payload_too_large",
    "rate_limited",
    "forbidden",
    "busy",
    "store.unavailable",
    "internal",
)
NO_ITEM = "agenda.no_current_item"

PAGES: dict[str, Page] = {
    "meeting.join": Page(
        "Enter the meeting's room and check in (or wait in the lobby, when the chair has turned it on: "
        "the event is then `lobby.waiting`). Repeating it on the same connection changes nothing. "
        "With `since`, the reply carries the events after that version (or a snapshot if more than the "
        "replay limit are missing) so a reconnecting client catches up.",
        ("participant.joined", "lobby.waiting"),
        (),
        '`{"version", "meeting" | "events", "you": {"member_id", "name", "branch", "role", "may"}, '
        '"server_time"}`; `branch` names the member\'s own branch (`null` for most, who belong to none), '
        "for their join screen; `may` lists the events this member's role may send.",
    ),
    "meeting.leave": Page(
        "Leave the room. The member stays in the attendance record; they are no longer present once "
        "their last connection leaves. Disconnecting does the same.",
        ("participant.left",),
        (),
        "`null`.",
    ),
    "meeting.sync": Page(
        "Ask for what was missed since a version: the events, or a fresh snapshot if too many are missing "
        "or the version is unknown. Changes nothing.",
        (),
        (),
        '`{"version", "events": [...]}` or `{"version", "meeting": {...}}`.',
    ),
    "meeting.set_status": Page(
        "Move the meeting through scheduled → open → in session → closed. Open may go back to scheduled, "
        "in session back to open (a break), and a scheduled meeting may be closed (cancelled).",
        ("meeting.status_changed",),
        ("meeting.bad_transition",),
    ),
    "meeting.set_standing_orders": Page(
        "Set this meeting's standing orders (quorum, speech length, majorities, seconders, vote changes). "
        "Allowed until the first vote opens, so every result is explained by the rules it was taken under.",
        ("meeting.standing_orders_set",),
        ("meeting.standing_orders_fixed",),
    ),
    "meeting.set_card_weights": Page(
        "Set how many delegates each member carries in card votes (members not listed carry one). A vote "
        "already open keeps the weights it opened with.",
        ("meeting.card_weights_set",),
        (),
    ),
    "agenda.add": Page("Add an agenda item, at the end or at `position`.", ("agenda.added",), ()),
    "agenda.update": Page(
        "Change the fields sent (title, kind, time budget, documents) of an item.",
        ("agenda.updated",),
        ("agenda.not_found",),
    ),
    "agenda.move": Page("Move an item to `position` (0 is first).", ("agenda.moved",), ("agenda.not_found",)),
    "agenda.remove": Page(
        "Remove an item that is not under discussion.",
        ("agenda.removed",),
        ("agenda.not_found", "agenda.item_in_use"),
    ),
    "agenda.select": Page(
        "Take up an item (or `null` for none). Time spent on the item being left is banked; everyone sees "
        "the current item and its time used against its budget.",
        ("agenda.selected",),
        ("agenda.not_found", "speech.in_progress"),
    ),
    "speaker.request": Page(
        "Ask to speak on the current item, optionally for or against. Members who have not yet spoken on the "
        "item are placed before those who have; each entry says why it stands where it does.",
        ("speaker.queued",),
        (NO_ITEM, "speaker.list_closed", "speaker.already_queued"),
    ),
    "speaker.point_of_order": Page(
        "Raise a point of order, citing the standing order it relies on. It goes before all other speakers, "
        "and may be raised even when the list is closed.",
        ("speaker.queued",),
        (NO_ITEM, "speaker.already_queued"),
    ),
    "speaker.withdraw": Page(
        "Withdraw one's own request to speak (or a given entry of one's own).",
        ("speaker.withdrawn",),
        (NO_ITEM, "speaker.not_in_queue", "forbidden"),
    ),
    "speaker.call": Page(
        "Give the floor to the head of the queue, or to a given entry. The speech timer starts at once with "
        "the limit from the standing orders; a speech still running is ended first.",
        ("speaker.called",),
        (NO_ITEM, "speaker.queue_empty", "speaker.not_in_queue"),
    ),
    "speaker.move": Page(
        "Move an entry to `position`; its reason becomes “placed here by the chair”.",
        ("speaker.moved",),
        (NO_ITEM, "speaker.not_in_queue"),
    ),
    "speaker.remove": Page(
        "Take an entry off the queue.", ("speaker.removed",), (NO_ITEM, "speaker.not_in_queue")
    ),
    "speaker.close_list": Page(
        "Close the list of speakers on the current item (points of order are still taken).",
        ("speaker.list_closed",),
        (NO_ITEM,),
    ),
    "speaker.reopen_list": Page("Reopen the list of speakers.", ("speaker.list_reopened",), (NO_ITEM,)),
    "speech.start": Page(
        "Start (or resume) the current speech's timer.", ("speech.started",), ("speech.none",)
    ),
    "speech.pause": Page("Pause the current speech's timer.", ("speech.paused",), ("speech.none",)),
    "speech.extend": Page("Give the current speaker more time.", ("speech.extended",), ("speech.none",)),
    "speech.end": Page("End the current speech.", ("speech.ended",), ("speech.none",)),
    "attendance.apologise": Page(
        "Send apologies for absence, with an optional note (sending again replaces the note).",
        ("attendance.apologised",),
        ("meeting.closed",),
    ),
    "motion.submit": Page(
        "Submit a motion in writing, under the current item unless `item_id` says otherwise. An emergency "
        "motion must be admitted by a vote before it is debated.",
        ("motion.submitted",),
        ("agenda.not_found",),
    ),
    "motion.second": Page(
        "Second a motion (not one's own). A seconded motion is before the meeting.",
        ("motion.seconded",),
        ("motion.not_found", "motion.own_motion", "motion.already_seconded", "motion.not_open"),
    ),
    "motion.withdraw": Page(
        "The mover withdraws their motion: at once if nobody has seconded it, otherwise the request waits "
        "for the meeting's consent (motion.allow_withdrawal).",
        ("motion.withdrawn", "motion.withdrawal_requested"),
        ("motion.not_found", "motion.not_open", "forbidden"),
    ),
    "motion.allow_withdrawal": Page(
        "The chair declares that the meeting consents to the mover's request to withdraw.",
        ("motion.withdrawn",),
        ("motion.not_found", "motion.no_withdrawal_request"),
    ),
    "motion.reply": Page(
        "Give the mover the floor for the right of reply, once, before the vote.",
        ("motion.reply_started",),
        ("motion.not_found", "motion.no_right_of_reply", "motion.not_open", "motion.reply_given", NO_ITEM),
    ),
    "motion.procedural": Page(
        "Move a procedural motion: next business, that the question be now put, refer back (each on a "
        "motion before the meeting), adjourn, or challenge the chair's ruling. Once seconded it must be "
        "decided before any other vote; a challenge needs the majority set in the standing orders.",
        ("motion.procedural_moved",),
        ("motion.target_required", "motion.not_found", "motion.not_open", "motion.procedural_pending"),
    ),
    "amendment.move": Page(
        "Move an amendment to a seconded motion: insert `text` after `target` (at the end when `target` is "
        "empty), delete `target`, or replace `target` with `text`. The words must be in the motion. It needs "
        "a seconder unless the standing orders say otherwise.",
        ("amendment.moved",),
        ("motion.not_found", "amendment.not_allowed", "motion.not_open", "amendment.target_not_found"),
    ),
    "amendment.second": Page(
        "Second an amendment (not one's own).",
        ("amendment.seconded",),
        ("motion.not_found", "amendment.not_found", "motion.own_motion", "amendment.not_open"),
    ),
    "amendment.withdraw": Page(
        "The mover withdraws an undecided amendment.",
        ("amendment.withdrawn",),
        ("motion.not_found", "amendment.not_found", "amendment.not_open", "forbidden"),
    ),
    "vote.open": Page(
        "Put a question to the vote: a motion, an amendment, a procedural motion, or the admission of an "
        "emergency motion; by show of hands, secret ballot or card vote. Refused below quorum, while another "
        "vote is open, while a procedural motion waits, and for a motion whose amendments are undecided. "
        "The electorate is the members present with a voting role when the vote opens (card votes weight "
        "them by delegates).",
        ("vote.opened",),
        (
            "vote.not_quorate",
            "vote.already_open",
            "motion.procedural_pending",
            "motion.amendments_pending",
            "motion.not_found",
            "motion.not_open",
            "amendment.not_found",
            "amendment.not_open",
            "amendment.target_not_found",
        ),
        '`{"version", "vote_id"}`.',
    ),
    "vote.cast": Page(
        "Cast a ballot: for, against or abstain. Exactly one ballot per member per vote, however often it is "
        "retried; in an open vote a member may change their vote while it is open if the standing orders "
        "allow. A secret ballot cannot be changed. Its box knows the voter only by a tag the hub derives "
        "from its signing secret and keeps no choice per ballot (only the counts), and the reply carries "
        "a receipt: `XXXX-XXXX-XXXX-XXXX` in Crockford's base32, the same for this member and vote "
        "however often they ask. A secret ballot already in the box (a retry after a lost reply, or "
        "another device) is answered `ok` with `already: true`, the same receipt and `choice: null`: "
        "the hub does not know the choice. Live counts go to the room as `vote.tally` (counts only for "
        "open votes), a few times a second at most.",
        (),
        ("vote.not_found", "vote.closed", "vote.not_eligible", "vote.already_voted"),
        '`{"vote_id", "choice", "receipt", "cast", "already"}` (`receipt` is `null` except for secret '
        "ballots; `cast` is the number of ballots in the box once this one is in, so the next `vote.tally` "
        "with at least that many includes it; `already` is `true` only for a secret ballot that was "
        "already in the box, and then `choice` is `null`). `vote.already_voted` comes only from open "
        "votes whose standing orders do not allow changes.",
    ),
    "vote.close": Page(
        "Close the vote and declare the result under its majority rule. On a tie the chair's "
        "`casting_vote` decides; without one the question is not carried. The result's effect follows: a "
        "carried amendment changes the motion's text, a carried procedural motion acts on its motion or the "
        "meeting.",
        ("vote.closed",),
        ("vote.not_found", "vote.closed"),
        '`{"version", "result": {"counts", "outcome", "casting_vote", "tied", "rule"}}`.',
    ),
    "vote.ballots": Page(
        "Who voted how, for the chair and tellers. Never available for a secret ballot.",
        (),
        ("vote.not_found", "vote.secret"),
        '`{"vote_id", "ballots": [{"member_id", "name", "choice"}]}`.',
    ),
    "vote.verify": Page(
        "Check a secret ballot's receipt: is the ballot behind it in the box. The reply never says what "
        "the ballot was, so a receipt cannot prove a vote to anyone else. While the vote is open only the "
        "voter's own receipt is found (the hub recomputes it for the member asking); when the vote closes "
        "every receipt is posted to the box, and any voter may check any receipt. Case, spaces and "
        "hyphens do not matter, and O, I and L are read as 0, 1 and 1. Changes nothing.",
        (),
        (),
        '`{"vote_id", "counted"}`.',
    ),
    "minutes.draft": Page(
        "Draft (or redraft) the minutes from the meeting's event log: attendance and apologies, each item "
        "taken up with its speakers, motions with mover and seconder, amendments, and every result with "
        "its counts and the rule applied. Replaces any edits; refused once the minutes are approved.",
        ("minutes.drafted",),
        ("minutes.approved",),
    ),
    "minutes.edit": Page(
        "Replace the minutes' text (Markdown) with the secretary's edit. Up to 256 KiB.",
        ("minutes.edited",),
        ("minutes.none", "minutes.approved"),
    ),
    "minutes.approve": Page(
        "Record that the minutes were approved (at the next meeting), with a note saying where; approved "
        "minutes are published to the branch's members as HTML and PDF at `/minutes/ID.html` and "
        "`/minutes/ID.pdf`, opened with any of the member's join links for the branch (`?token=`).",
        ("minutes.approved",),
        ("minutes.none", "minutes.approved"),
    ),
    "minutes.get": Page(
        "Read the minutes: officers at any time, everyone else once they are approved. Changes nothing.",
        (),
        ("minutes.none", "minutes.not_published"),
        '`{"text", "status", "drafted_at", "edited_by", "approved_at", "approved_by", "approval_note"}`.',
    ),
    "media.join": Page(
        "Join the meeting's audio and video on this connection: `full` sends microphone and camera, `audio` "
        "the microphone only, `listen` sends nothing and receives audio only. Observers may only listen. "
        "The relay then sends [`media.offer`](media.offer.md), to be answered with `media.answer`, and "
        "offers again whenever the streams change. Sending it again with another mode changes the mode; "
        "with the same mode it changes nothing.",
        (),
        ("media.mode_not_allowed", "media.not_joined"),
        '`{"mode", "stream_id", "ice_servers", "active_speaker"}`: `stream_id` is the stream the others '
        "receive this connection's microphone and camera in; `ice_servers` are the STUN and TURN servers "
        "for the browser's RTCPeerConnection (RTCIceServer objects); `active_speaker` is the member id of "
        "the [active speaker](media.active_speaker.md), or `null`.",
    ),
    "media.answer": Page(
        "Answer the relay's latest [`media.offer`](media.offer.md) with the browser's SDP, once its ICE "
        "gathering is complete. Every media section keeps its place and mid and is answered `sendonly` or "
        "`inactive` where the relay offered `recvonly` (the browser's own sources, listed under `publish`), "
        "`recvonly` or `inactive` where it offered `sendonly`, and `inactive` where it offered `inactive`. "
        "An answer that does not fit is refused and the offer still waits, up to 20 seconds; after that "
        "the relay ends the connection's media with [`media.ended`](media.ended.md). Up to 512 KiB.",
        (),
        ("media.not_joined", "media.no_offer", "media.bad_answer"),
        "`null`.",
    ),
    "media.share": Page(
        "Start or stop sharing the screen. Starting makes a new offer with a `screen` entry under `publish`; "
        "stopping ends the forwarding at once and makes a new offer without it. In formal mode only the "
        "officers' screens and the screen of the member on stage reach the others.",
        (),
        ("media.not_joined", "media.listen_only"),
        '`{"sharing": true}` or `{"sharing": false}`.',
    ),
    "media.leave": Page(
        "Leave the audio and video: the relay closes this connection's peer connection and stops forwarding "
        "its streams, and the others get new offers without them. Leaving the meeting or disconnecting does "
        "the same. Without media joined it changes nothing.",
        (),
        (),
        "`null`.",
    ),
    "media.mute": Page(
        "Mute a member: the relay forwards none of their audio until the chair unmutes them, in every mode "
        "and even while they have the floor. The mute lasts if they leave and come back. Those in the chair "
        "(admin, chair) cannot be muted. Video is not affected.",
        ("participant.muted",),
        ("participant.not_found", "media.cannot_mute_chair"),
    ),
    "media.unmute": Page(
        "Lift a member's mute.",
        ("participant.unmuted",),
        ("participant.not_found",),
    ),
    "media.mute_all": Page(
        "Mute everyone present except those in the chair (admin, chair).",
        ("participants.muted",),
        (),
    ),
    "media.set_settings": Page(
        "Set how the relay forwards media; only the fields sent change. `formal`: `on`, `off`, or `auto` "
        "(on when more than `formal_above` are present). In formal mode only officers (admin, chair, "
        "secretary) and the member whose speech is running are heard: the floor opens when the chair calls "
        "the speaker, closes while the speech is paused and 10 seconds after the time allowed, and ends with "
        "the speech; screens follow the same rule. `last_n`: how many cameras are forwarded besides the "
        "current speaker's, chosen by who spoke last; when there are no more than that, everyone's.",
        ("media.settings_set",),
        (),
    ),
    "participant.remove": Page(
        "Remove a participant from the meeting: they stop being present (and counted), their requests to "
        "speak and any speech of theirs end, the connections that joined are closed, they can cast no "
        "further ballot in an open vote, and connecting, joining or syncing again is refused with "
        "`auth.removed` until the chair readmits them. Those in the chair cannot be removed. Removing "
        "someone already removed changes nothing.",
        ("participant.removed",),
        ("participant.not_found", "participant.cannot_remove_chair"),
    ),
    "participant.readmit": Page(
        "Let a removed participant back: their join link works again. Readmitting someone not removed "
        "changes nothing.",
        ("participant.readmitted",),
        (),
    ),
    "lobby.set": Page(
        "Turn the lobby on or off. While it is on, a member (not an officer) who joins waits in the lobby: "
        "connected and seeing the meeting, but not present, not counted for quorum, and unable to do "
        "business, until the chair admits them. Once admitted they come and go freely; those present when "
        "the lobby is turned on count as admitted. Turning the lobby off admits everyone waiting.",
        ("lobby.turned_on", "lobby.turned_off"),
        (),
    ),
    "lobby.admit": Page(
        "Admit a member waiting in the lobby: they become present at once. Admitting someone who is not "
        "waiting changes nothing. To turn someone away, remove them (`participant.remove`).",
        ("lobby.admitted",),
        ("participant.not_found",),
    ),
    "chat.send": Page(
        "Write in the meeting's chat (up to 1,000 characters; surrounding space is trimmed). Everyone in the "
        "meeting sees it in the state's `chat`, which keeps the latest 200 messages. While the chat is "
        "closed only officers may write.",
        ("chat.sent",),
        ("chat.closed", "chat.empty"),
    ),
    "chat.hide": Page(
        "Hide a chat message: its text is removed from the meeting's state and the message shows who hid "
        "it. Hiding a hidden message changes nothing.",
        ("chat.hidden",),
        ("chat.not_found",),
    ),
    "chat.set_open": Page(
        "Close the chat to members (officers may still write), or reopen it.",
        ("chat.opened", "chat.closed"),
        (),
    ),
}


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s, defs) for s in schema["anyOf"])
    if "enum" in schema:
        return " / ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = str(schema.get("type", "object"))
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), defs)}"
    limits = [
        f"{label} {schema[key]}"
        for key, label in (
            ("minLength", "min length"),
            ("maxLength", "max length"),
            ("minimum", "≥"),
            ("maximum", "≤"),
            ("maxItems", "max items"),
        )
        if key in schema
    ]
    return kind + (f" ({', '.join(limits)})" if limits else "")


def _table(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = [
        f"| `{name}` | {_type(field, defs)} | {'yes' if name in required else 'no'} | "
        f"{json.dumps(field['default']) if 'default' in field else ''} |"
        for name, field in schema.get("properties", {}).items()
    ]
    return "\n| field | type | required | default |\n|---|---|---|---|\n" + "\n".join(rows)


def page(event: str) -> str:
    doc = PAGES[event]
    schema = COMMANDS[event].model_json_schema()
    defs = schema.get("$defs", {})
    payload = _table(schema, defs) if schema.get("properties") else "An empty object `{}`."
    for name, definition in defs.items():
        body = (
            "one of " + ", ".join(f"`{v}`" for v in definition["enum"])
            if "enum" in definition
            else _table(definition, defs)
        )
        payload += f"\n\n`{name}`: {body}"
    roles = ", ".join(r.value for r in Role if r in MATRIX[event])
    emits = ", ".join(f"`{e}`" for e in doc.emits) or "none"
    present = ("attendance.not_present",) if event in PRESENT_ONLY else ()
    errors = "\n".join(f"- `{code}`" for code in (*doc.errors, *present, *COMMON_ERRORS))
    return (
        f"# `{event}`\n\n{doc.effect}\n\n## Payload\n\n{payload}\n\nUnknown fields are refused.\n\n"
        f"## Who may\n\n{roles}\n\n## Reply\n\n{doc.reply}\n\n## Events\n\n{emits}\n\n"
        f"## Errors\n\n{errors}\n\nSee [errors](errors.md) for what each code means.\n"
    )


def matrix_page() -> str:
    """docs/protocol/permissions.md: every event against every role."""
    roles = list(Role)
    header = "| event | " + " | ".join(r.value for r in roles) + " |\n|---|" + "---|" * len(roles)
    rows = [
        f"| [`{event}`]({event}.md) | "
        + " | ".join("yes" if r in MATRIX[event] else "—" for r in roles)
        + " |"
        for event in COMMANDS
    ]
    return (
        "# Permissions\n\nWho may send each event. The server checks every event against this matrix "
        "(hub/permissions.py); a refused event gets `forbidden` and changes nothing. A member's role in "
        "a meeting is their appointment for that meeting, else their role in its branch.\n\n"
        + header
        + "\n"
        + "\n".join(rows)
        + "\n"
    )


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "permissions.md").write_text(matrix_page())
    written = [folder / "permissions.md"]
    for event in COMMANDS:
        path = folder / f"{event}.md"
        path.write_text(page(event))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/protocol")):
        print(path)
