"""Every client event, declared once: its payload model, who may send it, whether the sender must be
present, its rule (or, for the few that need more than the meeting document, the edge handler of the
same name in signalling/), the events it emits, the errors it may answer, what the reply carries and its
documentation. The gateway, the permission matrix, the protocol pages and the tests that walk every
event all read `EVENTS`.

A rule is `(meeting, command, actor, now) -> Change | None`, and returns what must happen beyond the
meeting as effects (hub/meetings.py `Effect`). Presence (join, leave, sync) also manages Socket.IO rooms,
casting and closing votes use ballot boxes, drafting minutes reads the event log and media needs the
relay: those events have no rule here and the edge handles them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hub import (
    agenda,
    attendance,
    chat,
    elections,
    hall,
    lifecycle,
    livestream,
    media,
    meetings,
    minutes,
    motions,
    speakers,
    votes,
)
from hub.commands import (
    AgendaAdd,
    AgendaMove,
    AgendaRemove,
    AgendaSelect,
    AgendaUpdate,
    AmendmentMove,
    AmendmentSecond,
    AmendmentWithdraw,
    AttendanceApologise,
    AttendanceCheckIn,
    ChatHide,
    ChatSend,
    ChatSetOpen,
    ElectionAccept,
    ElectionAddPost,
    ElectionNominate,
    ElectionOpenBallot,
    ElectionRemovePost,
    ElectionSecond,
    ElectionWithdraw,
    HallCheckIn,
    HallCheckOut,
    HallRoll,
    LivestreamPush,
    LivestreamSet,
    LivestreamStart,
    LivestreamStatus,
    LivestreamStop,
    LobbyAdmit,
    LobbySet,
    MediaAnswer,
    MediaFollow,
    MediaJoin,
    MediaLeave,
    MediaMicrophone,
    MediaMute,
    MediaMuteAll,
    MediaSetSettings,
    MediaShare,
    MediaUnmute,
    MeetingJoin,
    MeetingLeave,
    MeetingResume,
    MeetingSetCardWeights,
    MeetingSetStandingOrders,
    MeetingSetStatus,
    MeetingSync,
    MinutesApprove,
    MinutesDraft,
    MinutesEdit,
    MinutesGet,
    MotionAllowWithdrawal,
    MotionProcedural,
    MotionReply,
    MotionSecond,
    MotionSubmit,
    MotionWithdraw,
    ParticipantReadmit,
    ParticipantRemove,
    PointRule,
    ReactionSend,
    RosterPage,
    SpeakerCall,
    SpeakerCloseList,
    SpeakerMove,
    SpeakerPointOfOrder,
    SpeakerRemove,
    SpeakerReopenList,
    SpeakerRequest,
    SpeakerWithdraw,
    SpeechEnd,
    SpeechExtend,
    SpeechPause,
    SpeechStart,
    VoteAsk,
    VoteBallots,
    VoteCast,
    VoteClose,
    VoteHallCount,
    VoteOpen,
    VoteVerify,
)
from hub.meetings import Actor, Change
from hub.models import Meeting, Model, Role
from hub.roles import CHAIRS, EVERYONE, OFFICERS, VOTERS

Rule = Callable[[Meeting, Any, Actor, datetime], Change | None]

# The meeting's business, by family or by name: what a closed (or adjourned) meeting refuses.
BUSINESS = frozenset(
    {
        "agenda",
        "speaker",
        "speech",
        "point",
        "motion",
        "amendment",
        "vote.open",
        "vote.ask",
        "election",
        "vote.hall_count",
        "attendance.apologise",
        "attendance.check_in",
        "hall",
    }
)
VERSION_REPLY = '`{"version": N}` (the version after the change), or `null` when nothing changed.'
NO_ITEM = "agenda.no_current_item"


@dataclass(frozen=True)
class ClientEvent:
    name: str
    payload: type[Model]
    # Who may send it: the permission matrix's row.
    roles: frozenset[Role]
    # What it does, for its protocol page.
    effect: str
    emits: tuple[str, ...] = ()
    # The codes its own checks may answer (the common ones and presence are added on its page).
    errors: tuple[str, ...] = ()
    reply: str = VERSION_REPLY
    # None: the edge handles it (a handler of the same name in signalling/).
    rule: Rule | None = None
    # The sender must have joined the meeting (and not left): business is done by those present.
    present: bool = True
    # Keys of the event's data that the reply carries beside the version: what the command created.
    creates: tuple[str, ...] = ()
    # A well-formed payload, for the tests that send every event.
    example: Mapping[str, Any] = field(default_factory=dict)

    def may(self, role: Role) -> bool:
        return role in self.roles

    @property
    def business(self) -> bool:
        """Refused once the meeting has closed, and while it is adjourned (hub/lifecycle.py)."""
        return self.name.split(".")[0] in BUSINESS or self.name in BUSINESS

    @property
    def reply_text(self) -> str:
        if self.reply != VERSION_REPLY or not self.creates:
            return self.reply
        fields = ", ".join(f'"{key}"' for key in ("version", *self.creates))
        return (
            f"`{{{fields}}}`: the version after the change and the id of what it created "
            f"(`{'`, `'.join(self.creates)}`)."
        )


def _declare(*events: ClientEvent) -> dict[str, ClientEvent]:
    declared = {e.name: e for e in events}
    assert len(declared) == len(events), "an event is declared twice"
    return declared


EVENTS: dict[str, ClientEvent] = _declare(
    ClientEvent(
        "meeting.join",
        MeetingJoin,
        EVERYONE,
        effect=(
            "Enter the meeting's room (or wait in the lobby, when the chair has turned it on: the event is"
            " then `lobby.waiting`). Joining checks nobody in: see"
            " [attendance.check_in](attendance.check_in.md). A member coming back within the grace period"
            " keeps their place; one who had gone after checking in is back (the event's data says"
            ' `"returned": true`, for the register). Repeating it on the same connection changes nothing.'
            " With "
            "`since`, the reply carries the events after that version (or a snapshot if more than the replay "
            "limit are missing) so a reconnecting client catches up. In a big room (more participants than"
            " the hub's `--crowd-above`) the snapshot is the crowd view: its `participants` hold only"
            " officers, those waiting in the lobby and those removed, `presence` and `quorum` count everyone,"
            ' and the reply says `"crowd": true`; the rest are read with [roster.page](roster.page.md). Such'
            " a room is sent each event as its crowd patch, with `prior`, the version a client must hold to"
            " apply it (events that change only who is here are not sent); and the counts as"
            ' `meeting.presence` `{"version", "presence", "quorum"}` at most once a second. A client still'
            " holding the whole roster that gets an event with `prior`, or `meeting.presence`, syncs: the"
            " room has become big."
        ),
        emits=("participant.joined", "lobby.waiting", "participants.joined"),
        reply=(
            '`{"version", "meeting" | "events", "crowd"?, "you": {"member_id", "name", "branch", "role", '
            '"may", "business", "home", "projector"}, "server_time"}`; `branch` names the member\'s own '
            "branch (`null` for most, who belong to none), for their join screen; `may` lists the events "
            "this member's role may send, and `business` those of them a closed meeting refuses "
            "(`meeting.closed`), as does an adjourned one until it resumes (`meeting.adjourned`); `home` is "
            "the path of the member's home page (their meetings, calendar and minutes), valid as long as the "
            "join link; `projector`, for those in the chair (`null` for others), is the path of the "
            "meeting's projector view for a hall screen, valid as long as the join link and until the "
            "meeting closes. Its link needs no role: a connection made with it may send only `meeting.join` "
            "(answered with "
            '`"you": null` and `"projector": true`, and nobody joins) and `meeting.sync`; anything else is '
            "`forbidden`."
        ),
        present=False,
    ),
    ClientEvent(
        "meeting.leave",
        MeetingLeave,
        EVERYONE,
        effect=(
            "Leave the room. When it is the member's last connection they have gone at once (the event's"
            ' data says `"departed": true`). A connection that drops instead keeps the member present, and'
            " counted for quorum, for the hub's grace period (`--grace-seconds`, 60 by default; the data"
            ' says `"away": true` and the participant\'s `away_since` when it dropped); if they are not back'
            " by then, `attendance.departed` says they have gone. The member stays in the attendance record."
        ),
        emits=("participant.left",),
        reply="`null`.",
        present=False,
    ),
    ClientEvent(
        "meeting.sync",
        MeetingSync,
        EVERYONE,
        effect=(
            "Ask for what was missed since a version: the events, or a fresh snapshot if too many are missing"
            " or the version is unknown. Changes nothing."
        ),
        reply=(
            '`{"version", "events": [...]}` or `{"version", "meeting": {...}, "crowd"?}` (always a snapshot'
            " in a big room)."
        ),
        present=False,
        example={"since": 0},
    ),
    ClientEvent(
        "roster.page",
        RosterPage,
        EVERYONE,
        effect=(
            "Read one page of the meeting's participants, by name, optionally only those whose name holds"
            " `query`. A big room's view holds only its officers, those waiting in the lobby and those"
            " removed, with counts (see [meeting.join](meeting.join.md)); this is how everyone else is"
            " listed. Changes nothing."
        ),
        reply=(
            '`{"version", "participants": [...], "total", "next"}`: up to `limit` participants as in the'
            " meeting's view, how many match, and the cursor to pass as `after` for the next page (`null`"
            " on the last)."
        ),
        example={"query": "an", "limit": 20},
    ),
    ClientEvent(
        "meeting.set_status",
        MeetingSetStatus,
        CHAIRS,
        effect=(
            "Move the meeting through scheduled → open → in session → closed. Open may go back to scheduled, "
            "in session back to open (a break), a scheduled meeting may be closed (cancelled), and a closed "
            "meeting may be reopened (open). Closing is refused while a vote is open; it ends any speech and "
            "leaves the item under discussion, with its time kept. A closed meeting does no business "
            "(agenda, speakers, speeches, points of order, motions, amendments, opening votes, apologies) "
            "until it is reopened. Closing an adjourned meeting ends the adjournment: it no longer resumes."
        ),
        emits=("meeting.status_changed",),
        errors=("meeting.bad_transition", "meeting.vote_open"),
        rule=lifecycle.set_status,
        example={"status": "open"},
    ),
    ClientEvent(
        "meeting.resume",
        MeetingResume,
        CHAIRS,
        effect=(
            "Resume an adjourned meeting now, before the time it was adjourned to (the meeting's "
            "`adjourned_until`). At that time the hub resumes it by itself, once, with the same event "
            "(`actor` `hub`). It resumes where it was: the same status, agenda, current item (its clock "
            "running again), speaker lists and motions; a speech paused by the adjournment waits for the "
            "chair (`speech.start`). The event's data: `adjourned_until`, and `early`, true when resumed "
            "before that time. Resuming a meeting that is not adjourned changes nothing."
        ),
        emits=("meeting.resumed",),
        rule=lifecycle.resume,
    ),
    ClientEvent(
        "meeting.set_standing_orders",
        MeetingSetStandingOrders,
        CHAIRS,
        effect=(
            "Set this meeting's standing orders (quorum, speech length, majorities, seconders, vote changes)."
            " Allowed until the first vote opens, so every result is explained by the rules it was taken "
            "under."
        ),
        emits=("meeting.standing_orders_set",),
        errors=("meeting.standing_orders_fixed",),
        rule=meetings.set_standing_orders,
        example={"standing_orders": {"speech_seconds": 120}},
    ),
    ClientEvent(
        "meeting.set_card_weights",
        MeetingSetCardWeights,
        OFFICERS,
        effect=(
            "Set how many delegates each member carries in card votes (members not listed carry one). A vote "
            "already open keeps the weights it opened with."
        ),
        emits=("meeting.card_weights_set",),
        rule=meetings.set_card_weights,
        example={"weights": {"m002": 3}},
    ),
    ClientEvent(
        "agenda.add",
        AgendaAdd,
        OFFICERS,
        effect="Add an agenda item, at the end or at `position`.",
        emits=("agenda.added",),
        rule=agenda.add,
        example={"title": "Added"},
        creates=("item_id",),
    ),
    ClientEvent(
        "agenda.update",
        AgendaUpdate,
        OFFICERS,
        effect="Change the fields sent (title, kind, time budget, documents) of an item.",
        emits=("agenda.updated",),
        errors=("agenda.not_found",),
        rule=agenda.update,
        example={"item_id": "a1", "minutes_budget": 7},
    ),
    ClientEvent(
        "agenda.move",
        AgendaMove,
        OFFICERS,
        effect="Move an item to `position` (0 is first).",
        emits=("agenda.moved",),
        errors=("agenda.not_found",),
        rule=agenda.move,
        example={"item_id": "a1", "position": 1},
    ),
    ClientEvent(
        "agenda.remove",
        AgendaRemove,
        OFFICERS,
        effect="Remove an item that is not under discussion.",
        emits=("agenda.removed",),
        errors=("agenda.not_found", "agenda.item_in_use"),
        rule=agenda.remove,
        example={"item_id": "a9"},
    ),
    ClientEvent(
        "agenda.select",
        AgendaSelect,
        CHAIRS,
        effect=(
            "Take up an item (or `null` for none). Time spent on the item being left is banked; everyone sees"
            " the current item and its time used against its budget."
        ),
        emits=("agenda.selected",),
        errors=("agenda.not_found", "speech.in_progress"),
        rule=agenda.select,
        example={"item_id": "a2"},
    ),
    ClientEvent(
        "speaker.request",
        SpeakerRequest,
        VOTERS,
        effect=(
            "Ask to speak on the current item, optionally for or against. Members who have not yet spoken on "
            "the item are placed before those who have; each entry says why it stands where it does."
        ),
        emits=("speaker.queued",),
        errors=(NO_ITEM, "speaker.list_closed", "speaker.already_queued"),
        rule=speakers.request,
        example={"stance": "for"},
        creates=("entry_id",),
    ),
    ClientEvent(
        "speaker.point_of_order",
        SpeakerPointOfOrder,
        VOTERS,
        effect=(
            "Raise a point of order, citing the standing order it relies on (`rule`) and saying what the "
            "point is (`point`; blanks or punctuation alone are `invalid_payload`). It goes before all other "
            "speakers, and may be raised even when the list is closed; the member may withdraw it "
            "(`speaker.withdraw` with its `entry_id`) until called. Once called it is in the meeting's "
            "`points`, for the chair's ruling (`point.rule`)."
        ),
        emits=("speaker.queued",),
        errors=(NO_ITEM, "speaker.already_queued"),
        rule=speakers.point_of_order,
        example={"rule": "SO 1", "point": "The speaker is not speaking to the motion."},
        creates=("entry_id",),
    ),
    ClientEvent(
        "speaker.withdraw",
        SpeakerWithdraw,
        VOTERS,
        effect="Withdraw one's own request to speak (or a given entry of one's own).",
        emits=("speaker.withdrawn",),
        errors=(NO_ITEM, "speaker.not_in_queue", "forbidden"),
        rule=speakers.withdraw,
    ),
    ClientEvent(
        "speaker.call",
        SpeakerCall,
        CHAIRS,
        effect=(
            "Give the floor to the head of the queue, or to a given entry. The speech timer starts at once "
            "with the limit from the standing orders; a speech still running is ended first. When the member"
            " called would not be heard as things stand (muted by the chair, not in the audio, listening "
            "only, or their microphone off), the call still stands and the event's data and the reply carry "
            "a `warning`; the member's browser prompts them."
        ),
        emits=("speaker.called",),
        errors=(NO_ITEM, "speaker.queue_empty", "speaker.not_in_queue"),
        reply=(
            '`{"version": N}`, with `"warning": {"code", "message", "details": {"member_id", "name"}}` when '
            "the member called would not be heard: `media.muted`, `media.not_connected`, `media.listening` or"
            " `media.microphone_off` (see [warnings](errors.md#warnings))."
        ),
        rule=media.call,
    ),
    ClientEvent(
        "speaker.move",
        SpeakerMove,
        CHAIRS,
        effect="Move an entry to `position`; its reason becomes “placed here by the chair”.",
        emits=("speaker.moved",),
        errors=(NO_ITEM, "speaker.not_in_queue"),
        rule=speakers.move,
        example={"entry_id": "q1", "position": 0},
    ),
    ClientEvent(
        "speaker.remove",
        SpeakerRemove,
        CHAIRS,
        effect="Take an entry off the queue.",
        emits=("speaker.removed",),
        errors=(NO_ITEM, "speaker.not_in_queue"),
        rule=speakers.remove,
        example={"entry_id": "q1"},
    ),
    ClientEvent(
        "speaker.close_list",
        SpeakerCloseList,
        CHAIRS,
        effect="Close the list of speakers on the current item (points of order are still taken).",
        emits=("speaker.list_closed",),
        errors=(NO_ITEM,),
        rule=speakers.close_list,
    ),
    ClientEvent(
        "speaker.reopen_list",
        SpeakerReopenList,
        CHAIRS,
        effect="Reopen the list of speakers.",
        emits=("speaker.list_reopened",),
        errors=(NO_ITEM,),
        rule=speakers.reopen_list,
    ),
    ClientEvent(
        "speech.start",
        SpeechStart,
        CHAIRS,
        effect="Start (or resume) the current speech's timer.",
        emits=("speech.started",),
        errors=("speech.none",),
        rule=speakers.start,
    ),
    ClientEvent(
        "speech.pause",
        SpeechPause,
        CHAIRS,
        effect="Pause the current speech's timer.",
        emits=("speech.paused",),
        errors=("speech.none",),
        rule=speakers.pause,
    ),
    ClientEvent(
        "speech.extend",
        SpeechExtend,
        CHAIRS,
        effect="Give the current speaker more time.",
        emits=("speech.extended",),
        errors=("speech.none",),
        rule=speakers.extend,
        example={"seconds": 30},
    ),
    ClientEvent(
        "speech.end",
        SpeechEnd,
        CHAIRS,
        effect="End the current speech.",
        emits=("speech.ended",),
        errors=("speech.none",),
        rule=speakers.end,
    ),
    ClientEvent(
        "point.rule",
        PointRule,
        CHAIRS,
        effect=(
            "Rule on a point of order the chair has called (`point_id`: its entry's id, in the meeting's "
            "`points`): upheld or not, and the ruling in the chair's words. Once per point; the minutes "
            "record it."
        ),
        emits=("point.ruled",),
        errors=("point.not_found", "point.ruled"),
        rule=speakers.rule_on_point,
        example={"point_id": "q1", "upheld": False, "ruling": "The speaker is in order."},
    ),
    ClientEvent(
        "attendance.check_in",
        AttendanceCheckIn,
        EVERYONE,
        effect=(
            '"I\'m here": check in once the chair has opened the meeting. Quorum counts the members checked'
            " in who are present (or within the grace period after a dropped connection), and the minutes'"
            " attendance lists those who checked in. Checking in withdraws the member's apologies. Repeating"
            " it changes nothing; it stays after a departure, so a member who comes back counts again."
        ),
        emits=("attendance.checked_in",),
        errors=("attendance.not_sitting",),
        rule=attendance.check_in,
    ),
    ClientEvent(
        "attendance.apologise",
        AttendanceApologise,
        # Sent by those who will not be there, so it needs no presence.
        VOTERS,
        effect=(
            "Send apologies for absence, with an optional note (sending again replaces the note), any time"
            " until the member checks in."
        ),
        emits=("attendance.apologised",),
        errors=("attendance.checked_in",),
        rule=attendance.apologise,
        present=False,
        example={"note": "Travelling"},
    ),
    ClientEvent(
        "hall.check_in",
        HallCheckIn,
        # The secretary keeps the register; those in the chair may do it for them.
        OFFICERS,
        effect=(
            "Check in a member who is at the meeting in person, in the hall, without a device (a hybrid "
            "meeting), once the chair has opened it. They count for quorum as a member checked in online "
            "does, whatever their connections do (the grace period never removes them), until checked out "
            "of the hall; the participant's `hall` is true, the register marks them as in the hall and the "
            "minutes' attendance names them. A member in the hall who also joins online is one person, "
            "counted once; they vote by show of hands in the hall (see "
            "[vote.hall_count](vote.hall_count.md)), not online, except in a secret ballot, which is cast "
            "online only. A member connected to the meeting checks in for themselves (`hall.online`). "
            "Checking in withdraws the member's apologies. Repeating it changes nothing."
        ),
        emits=("hall.checked_in",),
        errors=(
            "member.not_found",
            "hall.not_invited",
            "attendance.not_sitting",
            "hall.removed",
            "hall.online",
        ),
        example={"member_id": "m003"},
    ),
    ClientEvent(
        "hall.check_out",
        HallCheckOut,
        OFFICERS,
        effect=(
            "Check a member out of the hall: connected online, they stay as a member here online; otherwise"
            ' they have gone (the event\'s data says `"departed": true`, and the register records when). '
            "Checking out someone not in the hall changes nothing."
        ),
        emits=("hall.checked_out",),
        errors=("participant.not_found",),
        rule=hall.check_out,
        example={"member_id": "m003"},
    ),
    ClientEvent(
        "hall.roll",
        HallRoll,
        OFFICERS,
        effect=(
            "Read one page of the meeting's roll (every member with a role in it: an appointment for the "
            "meeting or a role in its branch), by name, optionally only those whose name holds `query`: "
            "how the secretary finds a member in the hall who has not joined. Changes nothing."
        ),
        reply=(
            '`{"members": [{"member_id", "name", "role", "here", "checked_in", "removed"}], "total", '
            '"next"}`: up to `limit` members, where each is now (`here`: `"hall"`, `"online"` or `null`), '
            "whether they have checked in at this meeting and whether the chair removed them; how many "
            "match, and the cursor to pass as `after` for the next page (`null` on the last)."
        ),
        example={"query": "a", "limit": 20},
    ),
    ClientEvent(
        "motion.submit",
        MotionSubmit,
        VOTERS,
        effect=(
            "Submit a motion in writing, under the current item unless `item_id` says otherwise. An emergency"
            " motion must be admitted by a vote before it is debated. A member may submit a motion on an item"
            " before the meeting opens (while it is scheduled, from their join link), and another member may"
            " second it then: it waits on its item, moved and seconded, and is put to the vote only once the"
            " chair takes that item up. The mover and seconder are always the members who sent the commands."
        ),
        emits=("motion.submitted",),
        errors=("agenda.not_found",),
        rule=motions.submit,
        example={"title": "T", "text": "Text."},
        creates=("motion_id",),
    ),
    ClientEvent(
        "motion.second",
        MotionSecond,
        VOTERS,
        effect="Second a motion (not one's own). A seconded motion is before the meeting.",
        emits=("motion.seconded",),
        errors=("motion.not_found", "motion.own_motion", "motion.already_seconded", "motion.not_open"),
        rule=motions.second,
        example={"motion_id": "mo1"},
    ),
    ClientEvent(
        "motion.withdraw",
        MotionWithdraw,
        VOTERS,
        effect=(
            "The mover withdraws their motion: at once if nobody has seconded it, otherwise the request waits"
            " for the meeting's consent (motion.allow_withdrawal)."
        ),
        emits=("motion.withdrawn", "motion.withdrawal_requested"),
        errors=("motion.not_found", "motion.not_open", "forbidden"),
        rule=motions.withdraw,
        example={"motion_id": "mo1"},
    ),
    ClientEvent(
        "motion.allow_withdrawal",
        MotionAllowWithdrawal,
        CHAIRS,
        effect="The chair declares that the meeting consents to the mover's request to withdraw.",
        emits=("motion.withdrawn",),
        errors=("motion.not_found", "motion.no_withdrawal_request"),
        rule=motions.allow_withdrawal,
        example={"motion_id": "mo1"},
    ),
    ClientEvent(
        "motion.reply",
        MotionReply,
        CHAIRS,
        effect="Give the mover the floor for the right of reply, once, before the vote.",
        emits=("motion.reply_started",),
        errors=(
            "motion.not_found",
            "motion.no_right_of_reply",
            "motion.not_open",
            "motion.reply_given",
            NO_ITEM,
        ),
        rule=motions.reply,
        example={"motion_id": "mo1"},
    ),
    ClientEvent(
        "motion.procedural",
        MotionProcedural,
        VOTERS,
        effect=(
            "Move a procedural motion: next business, that the question be now put, refer back (each on a "
            "motion before the meeting), adjourn, or challenge the chair's ruling (`target_id` may name the "
            "point of order ruled on; carried, the meeting's `points` mark that ruling `overturned`). Once "
            "seconded it must be decided before any other vote; a challenge needs the majority set in the "
            "standing orders. An adjournment may say when the meeting resumes: `until`, a time with its UTC "
            "offset, later than now and at most 14 days ahead (`until` with any other procedure is "
            "`invalid_payload`). Carried without it, the meeting closes (adjourned sine die). Carried with "
            "it, the meeting is adjourned: its `adjourned_until` is set, a running speech is paused and the "
            "item's clock stops, and every piece of business is refused with `meeting.adjourned` (its "
            "`details.until` says until when) until it resumes (see [meeting.resume](meeting.resume.md)); "
            "its agenda, current item, speaker lists and motions are kept."
        ),
        emits=("motion.procedural_moved",),
        errors=(
            "motion.adjourn_time",
            "motion.target_required",
            "motion.not_found",
            "motion.not_open",
            "motion.procedural_pending",
            "point.not_found",
        ),
        rule=motions.procedural,
        example={"procedure": "adjourn"},
        creates=("motion_id",),
    ),
    ClientEvent(
        "amendment.move",
        AmendmentMove,
        VOTERS,
        effect=(
            "Move an amendment to a seconded motion: insert `text` after `target` (at the end when `target` "
            "is empty), delete `target`, or replace `target` with `text`. The words must be in the motion. "
            "Words are joined as a reader expects (one space where words meet, none before a comma). It "
            "needs a seconder unless the standing orders say otherwise. While it is undecided the motion's "
            "`would_read` holds the text as it would read if the amendment were carried."
        ),
        emits=("amendment.moved",),
        errors=("motion.not_found", "amendment.not_allowed", "motion.not_open", "amendment.target_not_found"),
        rule=motions.move_amendment,
        example={"motion_id": "mo1", "kind": "delete", "target": "x"},
        creates=("amendment_id",),
    ),
    ClientEvent(
        "amendment.second",
        AmendmentSecond,
        VOTERS,
        effect="Second an amendment (not one's own).",
        emits=("amendment.seconded",),
        errors=("motion.not_found", "amendment.not_found", "motion.own_motion", "amendment.not_open"),
        rule=motions.second_amendment,
        example={"motion_id": "mo1", "amendment_id": "am1"},
    ),
    ClientEvent(
        "amendment.withdraw",
        AmendmentWithdraw,
        VOTERS,
        effect="The mover withdraws an undecided amendment.",
        emits=("amendment.withdrawn",),
        errors=("motion.not_found", "amendment.not_found", "amendment.not_open", "forbidden"),
        rule=motions.withdraw_amendment,
        example={"motion_id": "mo1", "amendment_id": "am1"},
    ),
    ClientEvent(
        "vote.open",
        VoteOpen,
        CHAIRS,
        effect=(
            "Put a motion, an amendment, a procedural motion, or the admission of an emergency motion to the "
            "vote: a yes/no poll (for, against, abstain). `secrecy` is `open` (a show of hands: names are "
            "kept beside ballots and live counts shown) or `secret` (a secret ballot); `weights: true` makes "
            "it a card vote, each ballot carrying the member's delegates (a card vote cannot be secret: a "
            "delegate's weight would show). Refused below quorum, while another vote is open, while a "
            "procedural motion waits, for a motion whose amendments are undecided, and for a motion (or its "
            "amendment) on an agenda item that is not the current one: it is taken up with its item. The "
            "electorate is the members present with a voting role when the vote opens. With `closes_at`, an "
            "advance poll: it may open before the meeting or outside its order of business (no quorum, "
            "another vote may be open), its electorate is every member invited with a vote, present or "
            "not, who may cast in the room or from their home page (one ballot each, wherever cast), and "
            "it closes by itself at that time (its box refuses ballots from then on)."
        ),
        emits=("vote.opened",),
        errors=(
            "vote.secret_card",
            "vote.not_quorate",
            "vote.already_open",
            "motion.procedural_pending",
            "motion.amendments_pending",
            "motion.not_found",
            "motion.not_open",
            "amendment.not_found",
            "amendment.not_open",
            "amendment.target_not_found",
            "motion.not_current_item",
        ),
        rule=votes.open,
        creates=("vote_id",),
        example={"subject": {"kind": "motion", "motion_id": "mo1"}},
    ),
    ClientEvent(
        "vote.ask",
        VoteAsk,
        CHAIRS,
        effect=(
            "Put a question that concerns no motion to the vote, for example one of a consultation's "
            "questions: a poll over `options` (their labels, 2 to 50, no two alike; the hub numbers them "
            "`o1`, `o2`, ...). `method` is `one_of` (one option), `up_to` (at most `choose` options), "
            "`ranked` (options ranked in order of preference, for `choose` seats, counted by the single "
            "transferable vote, or the alternative vote for one seat) or `yes_no` (no options: for, against,"
            " abstain). `secrecy`, `weights` and `closes_at` (an advance poll) as for `vote.open`. The "
            "same refusals as `vote.open` for "
            "quorum, an open vote and a waiting procedural motion. A question that cannot be put is refused "
            "with `invalid_payload`, whose `problems` name the field and the problem: `too_few`, `alike`, "
            "`empty` or `yes_no_takes_none` for `options`; `one_of_chooses_one` "
            "or `not_fewer` (fewer than the options) for `choose`."
        ),
        emits=("vote.opened",),
        errors=("vote.secret_card", "vote.not_quorate", "vote.already_open", "motion.procedural_pending"),
        rule=votes.ask,
        creates=("vote_id",),
        example={"question": "Where shall we meet in spring?", "options": ["Lisbon", "Online"]},
    ),
    ClientEvent(
        "election.add_post",
        ElectionAddPost,
        OFFICERS,
        effect=(
            "Add a post to an election item (an agenda item of kind `election`): its `title`, `seats`, "
            "`women_at_least` (a balance rule: at least that many seats to candidates who describe "
            "themselves as women; 0 for none), the roles that may `stand` (every voting role by default), "
            "whether only those who describe themselves as women may (`women_only`, a women's officer), "
            "the roles that may vote for it (`voters`; every voting role by default), "
            "and when nominations close (`closes_at`; none: when the ballot opens). The meeting's `posts` "
            "holds it."
        ),
        emits=("election.post_added",),
        errors=("agenda.not_found", "election.not_an_election"),
        rule=elections.add_post,
        creates=("post_id",),
        example={"item_id": "a1", "title": "Chair"},
    ),
    ClientEvent(
        "election.remove_post",
        ElectionRemovePost,
        OFFICERS,
        effect="Remove a post whose ballot has not opened, with its nominations.",
        emits=("election.post_removed",),
        errors=("election.post_not_found", "election.ballot_opened"),
        rule=elections.remove_post,
        example={"post_id": "post1"},
    ),
    ClientEvent(
        "election.nominate",
        ElectionNominate,
        VOTERS,
        effect=(
            "Nominate a member for a post: oneself (which accepts the nomination at once) or another "
            "member invited to the meeting in a role that may stand. Refused once nominations have "
            "closed (at the post's `closes_at`, or when its ballot opens), and for a member already "
            "nominated for it. For a post with a balance rule, the nomination carries the nominee's "
            "balance `group` (`woman` or `other`) from their self-described gender; for any other post "
            "nothing of it is shown. The meeting's `nominations` holds it."
        ),
        emits=("election.nominated",),
        errors=(
            "member.not_found",
            "election.not_invited",
            "election.post_not_found",
            "election.nominations_closed",
            "election.may_not_stand",
            "election.already_nominated",
        ),
        creates=("nomination_id",),
        example={"post_id": "post1", "member_id": "m002"},
    ),
    ClientEvent(
        "election.second",
        ElectionSecond,
        VOTERS,
        effect=(
            "Second a nomination (not one's own, nor one naming oneself). Where the standing orders say "
            "nominations need a seconder (`nominations_need_seconder`), a nomination stands only once "
            "seconded. Seconding again changes nothing."
        ),
        emits=("election.seconded",),
        errors=(
            "election.nomination_not_found",
            "election.withdrawn",
            "election.nominations_closed",
            "election.own_nomination",
        ),
        rule=elections.second,
        example={"nomination_id": "n1"},
    ),
    ClientEvent(
        "election.accept",
        ElectionAccept,
        VOTERS,
        effect=(
            "The nominee agrees to stand, with a short `statement` (up to 2,000 characters) shown to "
            "members; sent again, it replaces the statement. Only accepted nominations stand."
        ),
        emits=("election.accepted",),
        errors=(
            "election.nomination_not_found",
            "election.withdrawn",
            "election.nominations_closed",
            "forbidden",
        ),
        rule=elections.accept,
        example={"nomination_id": "n1", "statement": "I will keep the books open."},
    ),
    ClientEvent(
        "election.withdraw",
        ElectionWithdraw,
        VOTERS,
        effect="The nominee withdraws, until nominations close.",
        emits=("election.withdrawn",),
        errors=(
            "election.nomination_not_found",
            "election.withdrawn",
            "election.nominations_closed",
            "forbidden",
        ),
        rule=elections.withdraw,
        example={"nomination_id": "n1"},
    ),
    ClientEvent(
        "election.open_ballot",
        ElectionOpenBallot,
        CHAIRS,
        effect=(
            "Open a post's ballot: a ranked secret poll (see [vote.cast](vote.cast.md)) over its "
            "candidates (nominations accepted, not withdrawn, and seconded where required; options are "
            "named by the nominations' ids and labelled by the candidates' names, with their member id "
            "where two share one), for its seats, with its balance rule. Nominations for the post close. "
            "The count (at `vote.close`) elects by the alternative vote for one seat and the single "
            "transferable vote for several, applying the balance rule (docs/elections.md). Refused with "
            "fewer candidates than seats, and when fewer women stand than the rule reserves seats for; and"
            " as `vote.open` is, below quorum, while another vote is open, or while its agenda item is not "
            "the current one. With `closes_at`, an advance "
            "ballot, as for `vote.open`: members vote from their home page too, before the meeting."
        ),
        emits=("vote.opened",),
        errors=(
            "election.post_not_found",
            "election.ballot_opened",
            "election.not_current_item",
            "election.too_few_candidates",
            "election.balance_impossible",
            "vote.not_quorate",
            "vote.already_open",
            "motion.procedural_pending",
        ),
        rule=elections.open_ballot,
        creates=("vote_id",),
        example={"post_id": "post1"},
    ),
    ClientEvent(
        "vote.cast",
        VoteCast,
        VOTERS,
        effect=(
            "Cast a ballot: `choice`, one option (for, against or abstain in a yes/no poll), or `choices`, "
            "several: at most the poll's `choose` in an up-to-k poll, or a ranking, first preference first, "
            "of as many options as the member wishes. A ballot that does not fit the poll is refused with "
            "`vote.invalid_ballot`, saying why. Exactly one ballot per member per vote, however often it"
            " is retried; in an open vote a member may change their vote while it is open if the standing "
            "orders allow. A secret ballot cannot be changed. Its box knows the voter only by a tag the hub "
            "derives from its signing secret and keeps no choice per ballot (only the counts), and the reply "
            "carries a receipt: `XXXX-XXXX-XXXX-XXXX` in Crockford's base32, the same for this member and "
            "vote however often they ask. A secret ballot already in the box (a retry after a lost reply, or "
            "another device) is answered `ok` with `already: true`, the same receipt and `choice` and "
            "`choices` `null`: the "
            "hub does not know the choice. Live counts go to the room as `vote.tally` (counts only for open "
            "votes), a few times a second at most."
        ),
        errors=(
            "vote.not_found",
            "vote.closed",
            "vote.not_eligible",
            "vote.already_voted",
            "vote.invalid_ballot",
        ),
        reply=(
            '`{"vote_id", "choice", "choices", "receipt", "cast", "already"}` (`receipt` is `null` except '
            "for secret ballots; `cast` is the number of ballots in the box once this one is in, so the next "
            "`vote.tally` with at least that many includes it; `already` is `true` only for a secret ballot "
            "that was already in the box, and then `choice` and `choices` are `null`). "
            "`vote.already_voted` comes only from open votes whose standing orders do not allow changes."
        ),
        present=False,
        example={"vote_id": "v1", "choice": "for"},
    ),
    ClientEvent(
        "vote.hall_count",
        VoteHallCount,
        # Tellers: the secretary counts the hall (a teller is appointed for the meeting as its secretary).
        OFFICERS,
        effect=(
            "Enter the hands counted in the hall for an open poll with one mark a ballot (yes/no or one of N)"
            ": `counts` per option (for, against and abstain in a yes/no poll; an option left out counted "
            "none). They are added to the online ballots"
            " when the vote closes, and the result keeps them apart (its `online` and `hall`, beside the "
            "total `counts`), as do the minutes. Entering a count again replaces the last one; the vote's "
            "`hall_count` says who entered the one that stands, and each event who entered it and the count "
            "it replaced. No more hands than members could vote in the hall when the vote opened (the "
            "vote's `hall`, weighted by delegates in a card vote). Refused for a secret ballot (hands are "
            "not secret) and for polls with several marks a ballot: members in the hall vote in those "
            "online. Tellers appointed for the "
            "meeting hold its secretary's role."
        ),
        emits=("vote.hall_counted",),
        errors=("vote.not_found", "vote.closed", "vote.hall_secret", "vote.hall_too_many"),
        rule=hall.count,
        example={"vote_id": "v1", "counts": {"for": 1, "against": 0}},
    ),
    ClientEvent(
        "vote.close",
        VoteClose,
        CHAIRS,
        effect=(
            "Close the vote and declare the result. A yes/no poll is `carried` or `lost` under its majority "
            "rule; on a tie the chair's `casting_vote` (`for` or `against`) decides, and without one the "
            "question is not carried. One of N chooses the option with the most votes (a tie at the top: "
            "the chair's `casting_vote` names one of the tied options, or the result is `tied`); up to k of N"
            " the k with the most marks (`tied` when options are level for the last place); a ranked poll "
            "elects by the single transferable vote (docs/elections.md), and the vote's `result.count` in the"
            " meeting holds the count stage by stage (the event and the reply leave it out, to send it once)."
            " The result's effect follows: a carried amendment changes the motion's "
            "text, a carried procedural motion acts on its motion or the meeting."
        ),
        emits=("vote.closed",),
        errors=("vote.not_found", "vote.closed"),
        reply=(
            '`{"version", "result": {"counts", "online", "hall", "outcome", "chosen", "casting_vote", "tied",'
            ' "rule"}}`.'
        ),
        example={"vote_id": "v1"},
    ),
    ClientEvent(
        "vote.ballots",
        VoteBallots,
        # Tellers: the secretary counts and checks with the chair.
        OFFICERS,
        effect="Who voted how, for the chair and tellers. Never available for a secret ballot.",
        errors=("vote.not_found", "vote.secret"),
        reply=(
            '`{"vote_id", "ballots": [{"member_id", "name", "choice"}]}` (`choices` instead of `choice` in '
            "polls with several marks a ballot)."
        ),
        present=False,
        example={"vote_id": "v1"},
    ),
    ClientEvent(
        "vote.verify",
        VoteVerify,
        VOTERS,
        effect=(
            "Check a secret ballot's receipt: is the ballot behind it in the box. The reply never says what "
            "the ballot was, so a receipt cannot prove a vote to anyone else. While the vote is open only the"
            " voter's own receipt is found (the hub recomputes it for the member asking); when the vote "
            "closes every receipt is posted to the box, and any voter may check any receipt. Case, spaces and"
            " hyphens do not matter, and O, I and L are read as 0, 1 and 1. Changes nothing."
        ),
        reply='`{"vote_id", "counted"}`.',
        present=False,
        example={"vote_id": "v1", "receipt": "r"},
    ),
    ClientEvent(
        "minutes.draft",
        MinutesDraft,
        OFFICERS,
        effect=(
            "Draft (or redraft) the minutes from the meeting's event log: attendance and apologies, each item"
            " taken up with its speakers, motions with mover and seconder, amendments, and every result with "
            "its counts and the rule applied. Replaces any edits; refused once the minutes are approved."
        ),
        emits=("minutes.drafted",),
        errors=("minutes.approved",),
    ),
    ClientEvent(
        "minutes.edit",
        MinutesEdit,
        OFFICERS,
        effect="Replace the minutes' text (Markdown) with the secretary's edit. Up to 256 KiB.",
        emits=("minutes.edited",),
        errors=("minutes.none", "minutes.approved"),
        rule=minutes.edit,
        example={"text": "Edited."},
    ),
    ClientEvent(
        "minutes.approve",
        MinutesApprove,
        CHAIRS,
        effect=(
            "Record that the minutes were approved (at the next meeting), with a note saying where; approved "
            "minutes are published to the branch's members as HTML and PDF at `/minutes/ID.html` and "
            "`/minutes/ID.pdf`, opened with any of the member's join links for the branch (`?token=`)."
        ),
        emits=("minutes.approved",),
        errors=("minutes.none", "minutes.approved"),
        rule=minutes.approve,
        example={"note": "Approved."},
    ),
    ClientEvent(
        "minutes.get",
        MinutesGet,
        # Everyone may ask; only officers see a draft (signalling/minutes.py).
        EVERYONE,
        effect=(
            "Read the minutes: officers at any time, everyone else once they are approved. Changes nothing."
        ),
        errors=("minutes.none", "minutes.not_published"),
        reply=(
            '`{"text", "status", "drafted_at", "edited_by", "approved_at", "approved_by", "approval_note"}`.'
        ),
        present=False,
    ),
    ClientEvent(
        "media.join",
        MediaJoin,
        # Observers may listen (hub/media.py refuses them other modes); only members share screens.
        EVERYONE,
        effect=(
            "Join the meeting's audio and video on this connection: `full` sends microphone and camera, "
            "`audio` the microphone only, `listen` sends nothing; `audio` and `listen` receive audio only "
            "(no camera or screen: the relay sends them no video). Observers may only "
            "listen. The relay then sends [`media.offer`](media.offer.md), to be answered with "
            "`media.answer`, and offers again whenever the streams change. Sending it again with another mode"
            " changes the mode; with the same mode it changes nothing. `microphone` (true by default) says "
            "whether the member's own microphone switch is on. Everyone then sees the participant's `media` "
            "(the mode; with several connections, the one that sends most) and `microphone` in the "
            "meeting's state; leaving the media, or the relay ending it, sets `media` back to `null`."
        ),
        emits=("participant.media",),
        errors=("media.mode_not_allowed", "media.not_joined", "media.unavailable"),
        reply=(
            '`{"mode", "stream_id", "ice_servers", "ice_transport_policy", "active_speaker"}`: `stream_id` '
            "is the stream the others receive this connection's microphone and camera in; `ice_servers` are "
            "the STUN and TURN servers for the browser's RTCPeerConnection (RTCIceServer objects, TURN "
            'credentials valid for a day) and `ice_transport_policy` its `iceTransportPolicy`, `"all"`, or '
            '`"relay"` where the relay is reached only through TURN; `active_speaker` is the member id of '
            "the [active speaker](media.active_speaker.md), or `null`."
        ),
        example={"mode": "listen"},
    ),
    ClientEvent(
        "media.answer",
        MediaAnswer,
        EVERYONE,
        effect=(
            "Answer the relay's latest [`media.offer`](media.offer.md) with the browser's SDP, once its ICE "
            "gathering is complete. Every media section keeps its place and mid and is answered `sendonly` or"
            " `inactive` where the relay offered `recvonly` (the browser's own sources, listed under "
            "`publish`), `recvonly` or `inactive` where it offered `sendonly`, and `inactive` where it "
            "offered `inactive`. An answer that does not fit is refused and the offer still waits, up to 20 "
            "seconds; after that the relay ends the connection's media with [`media.ended`](media.ended.md). "
            "Up to 512 KiB."
        ),
        errors=("media.not_joined", "media.no_offer", "media.bad_answer", "media.unavailable"),
        reply="`null`.",
        example={"sdp": "v=0"},
    ),
    ClientEvent(
        "media.share",
        MediaShare,
        VOTERS,
        effect=(
            "Start or stop sharing the screen. Starting makes a new offer with a `screen` entry under "
            "`publish`; stopping ends the forwarding at once and makes a new offer without it. In formal mode"
            " only the officers' screens and the screen of the member on stage reach the others."
        ),
        errors=("media.not_joined", "media.listen_only", "media.unavailable"),
        reply='`{"sharing": true}` or `{"sharing": false}`.',
        example={"on": False},
    ),
    ClientEvent(
        "media.leave",
        MediaLeave,
        EVERYONE,
        effect=(
            "Leave the audio and video: the relay closes this connection's peer connection and stops "
            "forwarding its streams, and the others get new offers without them. Leaving the meeting or "
            "disconnecting does the same. Without media joined it changes nothing."
        ),
        emits=("participant.media",),
        reply="`null`.",
        present=False,
    ),
    ClientEvent(
        "media.follow",
        MediaFollow,
        # Whoever is in the meeting may watch its livestream, by their join link (docs/livestream.md).
        EVERYONE,
        effect=(
            "Follow the meeting's livestream on this connection instead of its audio and video, as members "
            "of a large meeting do: the connection sends nothing and holds no peer connection (one in the "
            "relay leaves it first, as with `media.leave`), and everyone sees the participant's `media` as "
            "`follow`. Only while the livestream is on; the page plays its playlist (`/live/ID/index.m3u8`). "
            "Calling a follower to speak warns the chair of nothing on that account: their browser sends "
            "`media.join` when they are called, which replaces this, and `media.follow` again after the "
            "speech."
        ),
        emits=("participant.media",),
        errors=("media.not_streamed",),
        reply="`null`.",
    ),
    ClientEvent(
        "media.microphone",
        MediaMicrophone,
        VOTERS,
        effect=(
            "Say that the member switched their own microphone on or off on this connection (the browser "
            "stops sending sound; nothing is renegotiated). Everyone sees it as the participant's "
            "`microphone`, and the chair is warned when calling a member whose microphone is off. The "
            "chair's mute is apart (`media.mute`): it holds whatever this says."
        ),
        emits=("participant.media",),
        errors=("media.not_joined", "media.listen_only"),
        rule=media.microphone,
        example={"on": False},
    ),
    ClientEvent(
        "media.mute",
        MediaMute,
        CHAIRS,
        effect=(
            "Mute a member: the relay forwards none of their audio until the chair unmutes them, in every "
            "mode and even while they have the floor. The mute lasts if they leave and come back. Those in "
            "the chair (admin, chair) cannot be muted. Video is not affected."
        ),
        emits=("participant.muted",),
        errors=("participant.not_found", "media.cannot_mute_chair"),
        rule=media.mute,
        example={"member_id": "m002"},
    ),
    ClientEvent(
        "media.unmute",
        MediaUnmute,
        CHAIRS,
        effect="Lift a member's mute.",
        emits=("participant.unmuted",),
        errors=("participant.not_found",),
        rule=media.unmute,
        example={"member_id": "m002"},
    ),
    ClientEvent(
        "media.mute_all",
        MediaMuteAll,
        CHAIRS,
        effect="Mute everyone present except those in the chair (admin, chair).",
        emits=("participants.muted",),
        rule=media.mute_all,
    ),
    ClientEvent(
        "media.set_settings",
        MediaSetSettings,
        CHAIRS,
        effect=(
            "Set how the relay forwards media; only the fields sent change. `formal`: `on`, `off`, or `auto` "
            "(on when more than `formal_above` are present). In formal mode only officers (admin, chair, "
            "secretary) and the member whose speech is running are heard: the floor opens when the chair "
            "calls the speaker, closes while the speech is paused and 10 seconds after the time allowed, and "
            "ends with the speech; screens follow the same rule. `last_n`: how many cameras are forwarded "
            "besides the current speaker's, chosen by who spoke last; when there are no more than that, "
            "everyone's."
        ),
        emits=("media.settings_set",),
        rule=media.set_settings,
        example={"last_n": 3},
    ),
    ClientEvent(
        "participant.remove",
        ParticipantRemove,
        CHAIRS,
        effect=(
            "Remove a participant from the meeting: they stop being present (and counted), their requests to "
            "speak and any speech of theirs end, the connections that joined are closed, they can cast no "
            "further ballot in an open vote, and connecting, joining or syncing again is refused with "
            "`auth.removed` until the chair readmits them. Those in the chair cannot be removed. Removing "
            "someone already removed changes nothing."
        ),
        emits=("participant.removed",),
        errors=("participant.not_found", "participant.cannot_remove_chair"),
        rule=attendance.remove,
        example={"member_id": "m999"},
    ),
    ClientEvent(
        "participant.readmit",
        ParticipantReadmit,
        CHAIRS,
        effect=(
            "Let a removed participant back: their join link works again. Readmitting someone not removed "
            "changes nothing."
        ),
        emits=("participant.readmitted",),
        rule=attendance.readmit,
        example={"member_id": "m999"},
    ),
    ClientEvent(
        "lobby.set",
        LobbySet,
        CHAIRS,
        effect=(
            "Turn the lobby on or off. While it is on, a member (not an officer) who joins waits in the "
            "lobby: connected and seeing the meeting, but not present, not counted for quorum, and unable to "
            "do business, until the chair admits them. Once admitted they come and go freely; those present "
            "when the lobby is turned on count as admitted. Turning the lobby off admits everyone waiting."
        ),
        emits=("lobby.turned_on", "lobby.turned_off"),
        rule=attendance.set_lobby,
        example={"on": False},
    ),
    ClientEvent(
        "lobby.admit",
        LobbyAdmit,
        CHAIRS,
        effect=(
            "Admit a member waiting in the lobby: they become present at once. Admitting someone who is not "
            "waiting changes nothing. To turn someone away, remove them (`participant.remove`)."
        ),
        emits=("lobby.admitted",),
        errors=("participant.not_found",),
        rule=attendance.admit,
        example={"member_id": "m999"},
    ),
    ClientEvent(
        "chat.send",
        ChatSend,
        # Observers may follow the chat but not write in it; officers moderate.
        VOTERS,
        effect=(
            "Write in the meeting's chat (up to 1,000 characters; surrounding space is trimmed). Everyone in "
            "the meeting sees it in the state's `chat`, which keeps the latest 200 messages. While the chat "
            "is closed only officers may write."
        ),
        emits=("chat.sent",),
        errors=("chat.closed", "chat.empty"),
        rule=chat.send,
        example={"text": "Hello"},
        creates=("message_id",),
    ),
    ClientEvent(
        "chat.hide",
        ChatHide,
        OFFICERS,
        effect=(
            "Hide a chat message: its text is removed from the meeting's state and the message shows who hid "
            "it. Hiding a hidden message changes nothing."
        ),
        emits=("chat.hidden",),
        errors=("chat.not_found",),
        rule=chat.hide,
        example={"message_id": "c1"},
    ),
    ClientEvent(
        "chat.set_open",
        ChatSetOpen,
        OFFICERS,
        effect="Close the chat to members (officers may still write), or reopen it.",
        emits=("chat.opened", "chat.closed"),
        rule=chat.set_open,
        example={"open": False},
    ),
    ClientEvent(
        "livestream.start",
        LivestreamStart,
        OFFICERS,
        effect=(
            "Start the meeting's livestream: the programme feed (the member with the floor, or the chair, "
            "with a caption of who is speaking and their time left, the current item, and an open vote's "
            "question and then its result; the floor's sound) for those who may watch. `quality` is "
            '`"360p"` or `"720p"`; `audience` is `"branch"` (as the branch says), `"members"` or '
            '`"public"`; `record` records it for the minutes; `language` (`"en"` or `"es"`) is that of its '
            'captions. Each left out stays as it was (at first `"720p"`, `"branch"`, `true`, `"en"`). '
            "Starting it when it is on changes nothing."
        ),
        emits=("livestream.started",),
        errors=("livestream.meeting_over",),
        rule=livestream.start,
        example={"quality": "360p"},
    ),
    ClientEvent(
        "livestream.set",
        LivestreamSet,
        OFFICERS,
        effect=(
            "Change how the livestream is sent and who may watch it (`quality`, `audience`, `record`, "
            "`language`, as for `livestream.start`), on or off; at once if it is on."
        ),
        emits=("livestream.set",),
        rule=livestream.set_settings,
        example={"audience": "members"},
    ),
    ClientEvent(
        "livestream.push",
        LivestreamPush,
        OFFICERS,
        effect=(
            "Push the programme to a video platform while the livestream is on: `url` is the RTMP address "
            "the platform gives, with its stream key (`rtmp://` or `rtmps://`), or `null` to stop pushing. "
            "The address is kept secret: the meeting shows its host only (`livestream.push_to`), and the "
            "console's `livestream.status` how the push is going."
        ),
        emits=("livestream.push_set",),
        rule=livestream.push,
        example={"url": "rtmp://a.rtmp.example.com/live2/stream-key"},
    ),
    ClientEvent(
        "livestream.status",
        LivestreamStatus,
        OFFICERS,
        effect=(
            "Read how the livestream is going, for the console: polled every few seconds while it is on. "
            "Changes nothing."
        ),
        reply=(
            '`{"version", "on", "report", "viewers"}`. `report` is `null` while the livestream is off or '
            'its feed has not reported yet, else `{"feed": {"state", "restarts", "error", "failed", '
            '"quality"}, "recording": {"seconds"} | null, "recording_refused", "push": {"state", "to", '
            '"bitrate", "sent", "dropped", "error", "retry_at", "attempts", "since"} | null, "preview", '
            '"at"}`: the feed\'s state (`"starting"`, `"live"`, `"restarting"`), the recording\'s length '
            "or why it was refused (too little disk), the push's health, a small JPEG of the programme as "
            "a `data:` address, and when the report was written (every 2 s). `viewers` counts the viewer "
            "pages watching in the last minute or two."
        ),
    ),
    ClientEvent(
        "livestream.stop",
        LivestreamStop,
        OFFICERS,
        effect="Stop the livestream: viewers see it ended. Stopping it when it is off changes nothing.",
        emits=("livestream.stopped",),
        rule=livestream.stop,
    ),
    ClientEvent(
        "reaction.send",
        ReactionSend,
        EVERYONE,
        effect=(
            "React: `applause`, `agree`, `disagree`, `cant_hear` or `slower` (the last two are requests to "
            "the chair). Everyone in the meeting is shown it briefly; it is never kept in the meeting's "
            "state, its log or the minutes. Reactions are gathered and sent to the room as "
            "[`reaction.burst`](reaction.burst.md), at most two a second (one a second in a big room), "
            "however many react. Besides the common limit, a member may send bursts of up to 10 reactions, "
            "then 10 a minute (`rate_limited`)."
        ),
        reply="`null`.",
        example={"kind": "applause"},
    ),
)

# Derived views, for the few places that want one column.
COMMANDS: dict[str, type[Model]] = {name: e.payload for name, e in EVENTS.items()}
MATRIX: dict[str, frozenset[Role]] = {name: e.roles for name, e in EVENTS.items()}
RULES: dict[str, Rule] = {name: e.rule for name, e in EVENTS.items() if e.rule is not None}
# Events the edge handles itself; the gateway checks its handlers against this set.
EDGE: frozenset[str] = frozenset(EVENTS.keys() - RULES.keys())
