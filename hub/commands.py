"""Client commands: one pydantic model per Socket.IO event, named after it (`meeting.join` -> MeetingJoin).

Each is declared with its event, roles and rule in hub/events.py. Every model forbids unknown fields and
bounds every size, so a malformed payload never reaches a rule.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from hub.models import (
    AgendaKind,
    AmendmentKind,
    Audience,
    FormalMode,
    Id,
    Language,
    MeetingStatus,
    Model,
    PollMethod,
    Procedure,
    PushUrl,
    Quality,
    ReactionKind,
    RelayMode,
    Role,
    Secrecy,
    StandingOrders,
    Text,
    Title,
    UtcTime,
    VoteSubject,
)

Version = Annotated[int, Field(ge=0, le=2**53)]
Position = Annotated[int, Field(ge=0, le=10_000)]
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]
Documents = Annotated[list[Text], Field(max_length=10)]


class MeetingJoin(Model):
    # The version the client already holds (after a reconnect); it receives what it missed.
    since: Version | None = None


class MeetingLeave(Model):
    pass


class MeetingSync(Model):
    since: Version


class MeetingSetStatus(Model):
    status: MeetingStatus


class MeetingResume(Model):
    pass


class MeetingSetStandingOrders(Model):
    standing_orders: StandingOrders


class MeetingSetCardWeights(Model):
    # Delegates each member carries in card votes; members not listed carry one.
    weights: Annotated[dict[Id, Annotated[int, Field(ge=0, le=100_000)]], Field(max_length=5_000)]


class AgendaAdd(Model):
    title: Title
    kind: AgendaKind = AgendaKind.OTHER
    minutes_budget: Minutes | None = None
    documents: Documents = Field(default_factory=list)
    # Where to insert; the end when absent.
    position: Position | None = None


class AgendaUpdate(Model):
    # Only the fields sent are changed.
    item_id: Id
    title: Title | None = None
    kind: AgendaKind | None = None
    minutes_budget: Minutes | None = None
    documents: Documents | None = None


class AgendaMove(Model):
    item_id: Id
    position: Position


class AgendaRemove(Model):
    item_id: Id


class AgendaSelect(Model):
    # None: no item is under discussion.
    item_id: Id | None


class SpeakerRequest(Model):
    stance: Literal["for", "against"] | None = None


def _cites_something(text: str) -> str:
    if not any(c.isalnum() for c in text):
        raise ValueError("cite the standing order or rule the point relies on")
    return text.strip()


def _says_something(text: str) -> str:
    if not any(c.isalnum() for c in text):
        raise ValueError("say it in words")
    return text.strip()


class SpeakerPointOfOrder(Model):
    # The standing order the point relies on: a point of order must cite one (not blanks or dashes).
    rule: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_cites_something)]
    # What the point is, in a sentence.
    point: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_says_something)]


class PointRule(Model):
    """The chair's ruling on a point of order it has heard."""

    point_id: Id
    upheld: bool
    # The ruling in the chair's words, for the minutes (and for a challenge to it).
    ruling: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_says_something)]


class SpeakerWithdraw(Model):
    # The member's own entry; their request to speak when absent.
    entry_id: Id | None = None


class SpeakerCall(Model):
    # A specific entry, or the head of the queue when absent.
    entry_id: Id | None = None


class SpeakerMove(Model):
    entry_id: Id
    position: Position


class SpeakerRemove(Model):
    entry_id: Id


class SpeakerCloseList(Model):
    pass


class SpeakerReopenList(Model):
    pass


class SpeechStart(Model):
    pass


class SpeechPause(Model):
    pass


class SpeechExtend(Model):
    seconds: Annotated[int, Field(ge=1, le=3600)]


class SpeechEnd(Model):
    pass


class AttendanceApologise(Model):
    note: Annotated[str, Field(max_length=500)] = ""


class AttendanceCheckIn(Model):
    pass


class MotionSubmit(Model):
    title: Title
    text: Annotated[str, Field(min_length=1, max_length=20_000)]
    # The agenda item it belongs to; the current item when absent.
    item_id: Id | None = None
    # An emergency motion is debated only if the meeting admits it by a vote.
    emergency: bool = False


class MotionSecond(Model):
    motion_id: Id


class MotionWithdraw(Model):
    motion_id: Id


class MotionAllowWithdrawal(Model):
    motion_id: Id


class MotionReply(Model):
    motion_id: Id


class MotionProcedural(Model):
    procedure: Procedure
    # The motion it acts on (next business, question be now put, refer back); for a challenge to the
    # chair, the point of order whose ruling is challenged (optional: a chair rules on more than points).
    target_id: Id | None = None
    reason: Annotated[str, Field(max_length=2_000)] = ""
    # For an adjournment: when the meeting resumes (with its UTC offset). Without it, it closes.
    until: UtcTime | None = None

    @model_validator(mode="after")
    def _until_adjourns(self) -> MotionProcedural:
        if self.until is not None and self.procedure != Procedure.ADJOURN:
            raise ValueError("only an adjournment states when the meeting resumes")
        return self


class AmendmentMove(Model):
    motion_id: Id
    kind: AmendmentKind
    target: Annotated[str, Field(max_length=5_000)] = ""
    text: Annotated[str, Field(max_length=5_000)] = ""


class AmendmentSecond(Model):
    motion_id: Id
    amendment_id: Id


class AmendmentWithdraw(Model):
    motion_id: Id
    amendment_id: Id


class VoteOpen(Model):
    subject: VoteSubject
    secrecy: Secrecy = Secrecy.OPEN
    # A card vote: each member's ballot carries their delegates (`meeting.card_weights`).
    weights: bool = False
    # An advance poll: it closes by itself at this time (hub/models.py `Vote.closes_at`).
    closes_at: UtcTime | None = None


# The most options a question may offer (a ranked ballot over them stays a few hundred bytes).
MAX_OPTIONS = 50


class VoteAsk(Model):
    """A question the chair puts that concerns no motion: a choice among options."""

    question: Annotated[str, Field(min_length=1, max_length=500)]
    method: PollMethod = PollMethod.ONE_OF
    # The options' labels, in the order shown; a yes/no question takes none (for, against, abstain).
    options: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=MAX_OPTIONS)
    ] = Field(default_factory=list)
    # Up to k of N: the most a ballot may mark; ranked: the seats to fill.
    choose: Annotated[int, Field(ge=1, le=MAX_OPTIONS)] = 1
    secrecy: Secrecy = Secrecy.OPEN
    weights: bool = False
    closes_at: UtcTime | None = None


Choice = Literal["for", "against", "abstain"]


class VoteCast(Model):
    vote_id: Id
    # One option: a yes/no poll (for, against, abstain) or one of N.
    choice: Id | None = None
    # Several: up to k of N (any order), or a ranking, first preference first.
    choices: Annotated[list[Id], Field(max_length=MAX_OPTIONS)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> VoteCast:
        if (self.choice is None) == (self.choices is None):
            raise ValueError("give either choice (one option) or choices (several, or a ranking)")
        return self


# Hands counted in a hall: more than any hall holds is a typing mistake.
Hands = Annotated[int, Field(ge=0, le=100_000)]


class VoteHallCount(Model):
    vote_id: Id
    # Hands counted in the hall for each option; an option left out counted none.
    counts: Annotated[dict[Id, Hands], Field(min_length=1, max_length=MAX_OPTIONS)]


class VoteClose(Model):
    vote_id: Id
    # Used only when the count is tied: "for" or "against" in a yes/no poll, else one of the tied options.
    casting_vote: Id | None = None


class VoteBallots(Model):
    vote_id: Id


class VoteVerify(Model):
    vote_id: Id
    receipt: Annotated[str, Field(min_length=1, max_length=64)]


class MinutesDraft(Model):
    pass


class MinutesEdit(Model):
    MAX_BYTES = 256 * 1024
    text: Annotated[str, Field(min_length=1, max_length=200_000)]


class MinutesGet(Model):
    pass


class RosterPage(Model):
    # Part of a name, in any case; empty for everyone.
    query: Annotated[str, Field(max_length=120)] = ""
    # The `next` of the page before, to read on from there.
    after: Annotated[str, Field(max_length=300)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class HallCheckIn(Model):
    member_id: Id


class HallCheckOut(Model):
    member_id: Id


class HallRoll(Model):
    # Part of a name, in any case; empty for everyone on the roll.
    query: Annotated[str, Field(max_length=120)] = ""
    # The `next` of the page before, to read on from there.
    after: Annotated[str, Field(max_length=300)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class ReactionSend(Model):
    kind: ReactionKind


class MinutesApprove(Model):
    note: Annotated[str, Field(max_length=500)] = ""


class MediaJoin(Model):
    # full: send camera and microphone; audio: send the microphone only; listen: send nothing. Only full
    # receives video (cameras and screens): the other two receive audio only.
    mode: RelayMode = "full"
    # Whether the member's own microphone switch is on (the others see it; the chair's mute is apart).
    microphone: bool = True


class MediaMicrophone(Model):
    on: bool


class MediaAnswer(Model):
    # An SDP answer grows with every stream in the meeting (several hundred bytes each).
    MAX_BYTES = 512 * 1024
    sdp: Annotated[str, Field(min_length=1, max_length=500_000)]


class MediaShare(Model):
    on: bool


class MediaLeave(Model):
    pass


class MediaFollow(Model):
    pass


class MediaMute(Model):
    member_id: Id


class MediaUnmute(Model):
    member_id: Id


class MediaMuteAll(Model):
    pass


class MediaSetSettings(Model):
    # Only the fields sent are changed.
    formal: FormalMode | None = None
    formal_above: Annotated[int, Field(ge=0, le=100_000)] | None = None
    last_n: Annotated[int, Field(ge=0, le=100)] | None = None


class ParticipantRemove(Model):
    member_id: Id


class ParticipantReadmit(Model):
    member_id: Id


class LobbySet(Model):
    on: bool


class LobbyAdmit(Model):
    member_id: Id


class ChatSend(Model):
    text: Annotated[str, Field(min_length=1, max_length=1000)]


class ChatHide(Model):
    message_id: Id


class LivestreamSettings(Model):
    # Each left out stays as it is.
    quality: Quality | None = None
    audience: Audience | None = None
    record: bool | None = None
    language: Language | None = None


class LivestreamStart(LivestreamSettings):
    pass


class LivestreamSet(LivestreamSettings):
    pass


class LivestreamStop(Model):
    pass


class LivestreamStatus(Model):
    pass


class LivestreamPush(Model):
    # Where to push the programme (with the platform's stream key), or None to push nowhere.
    url: PushUrl | None


class ChatSetOpen(Model):
    open: bool


class ElectionAddPost(Model):
    # An election item.
    item_id: Id
    title: Title
    seats: Annotated[int, Field(ge=1, le=50)] = 1
    women_at_least: Annotated[int, Field(ge=0, le=50)] = 0
    stand: Annotated[list[Role], Field(min_length=1, max_length=10)] | None = None
    women_only: bool = False
    voters: Annotated[list[Role], Field(min_length=1, max_length=10)] | None = None
    closes_at: UtcTime | None = None


class ElectionRemovePost(Model):
    post_id: Id


class ElectionNominate(Model):
    post_id: Id
    # Oneself or another member invited to the meeting.
    member_id: Id


class ElectionSecond(Model):
    nomination_id: Id


class ElectionAccept(Model):
    nomination_id: Id
    statement: Annotated[str, Field(max_length=2000)] = ""


class ElectionWithdraw(Model):
    nomination_id: Id


class ElectionOpenBallot(Model):
    post_id: Id
    closes_at: UtcTime | None = None
