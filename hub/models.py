"""The shapes of the domain: branches, members, roles, meetings and their participants.

Times are always timezone-aware UTC; a meeting also carries its home time zone (an IANA name).
"""

from __future__ import annotations

import enum
import math
import unicodedata
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, model_validator

from hub import stv

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=20_000)]
Seconds = Annotated[int, Field(ge=0, le=24 * 3600)]


def _valid_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time must carry its UTC offset")
    return value.astimezone(UTC)


TimeZone = Annotated[str, AfterValidator(_valid_zone)]
UtcTime = Annotated[datetime, AfterValidator(_utc)]
# The languages the hub writes to members in (the web client's catalogues, the letters).
Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")


class Role(enum.StrEnum):
    ADMIN = "admin"
    CHAIR = "chair"
    SECRETARY = "secretary"
    # Branch officers who do not run meetings: in a meeting they take part as members do.
    TREASURER = "treasurer"
    OFFICER = "officer"
    MEMBER = "member"
    OBSERVER = "observer"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # A command's largest msgpack-encoded payload, when it differs from the hub's default limit.
    MAX_BYTES: ClassVar[int | None] = None


class Member(Model):
    id: Id
    name: Name
    email: Annotated[str, Field(max_length=254)] = ""
    time_zone: TimeZone = "UTC"
    # Self-described; used only by balance rules (speaker alternation, delegations).
    gender: Annotated[str, Field(max_length=40)] | None = None
    # The local branch the member belongs to, if any (most belong to none); shown to them on joining.
    # What they may do in a meeting still comes from its branch's roles.
    branch: Id | None = None
    # A deactivated member keeps their record but cannot sign in, join or be invited.
    active: bool = True
    # Administers the whole constituency in the officers' console (hub/officers.py); what they may do
    # in a meeting still comes from its branch's roles and appointments.
    admin: bool = False
    # The language of every letter the hub sends them (invitations, reminders, sign-in links).
    language: Language = "en"
    # Whether they want reminders before their meetings (a link in each letter turns them off).
    reminders: bool = True


class Branch(Model):
    id: Id
    name: Name
    home_time_zone: TimeZone = "UTC"
    # Membership is a role in the branch.
    roles: dict[str, Role] = Field(default_factory=dict)
    # Whether anyone, not only members, may watch this branch's AGMs streamed.
    public_livestream: bool = False
    # What the branch's new meetings start from.
    standing_orders: StandingOrders = Field(default_factory=lambda: StandingOrders())


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    # Called off before it opened (by an officer, hub/officers.py): it never opens.
    CANCELLED = "cancelled"


# Where a meeting may go from each status (hub/lifecycle.py `set_status`), in the order the chair is
# offered them; clients read the current status's from the view (`Meeting.next_statuses`).
TRANSITIONS: dict[MeetingStatus, tuple[MeetingStatus, ...]] = {
    MeetingStatus.SCHEDULED: (MeetingStatus.OPEN, MeetingStatus.CLOSED),
    MeetingStatus.OPEN: (MeetingStatus.IN_SESSION, MeetingStatus.SCHEDULED, MeetingStatus.CLOSED),
    MeetingStatus.IN_SESSION: (MeetingStatus.CLOSED, MeetingStatus.OPEN),
    # Reopened by the chair (the minutes record it).
    MeetingStatus.CLOSED: (MeetingStatus.OPEN,),
    MeetingStatus.CANCELLED: (),
}


# Roles that count towards quorum and may vote.
VOTING_ROLES = frozenset({Role.ADMIN, Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.OFFICER, Role.MEMBER})
# Roles that run the meeting: agenda, queue, timer.
OFFICER_ROLES = frozenset({Role.ADMIN, Role.CHAIR, Role.SECRETARY})


# How a connection takes part in the audio and video: in the relay, full sends microphone and camera,
# audio the microphone only, listen sends nothing; follow holds no peer at all and watches the livestream
# instead, joining the relay when its member is called to speak (hub/media.py).
RelayMode = Literal["full", "audio", "listen"]
MediaMode = RelayMode | Literal["follow"]
# The modes from most to least that a member sends, for the one a member with several connections shows.
MEDIA_MODES: tuple[MediaMode, ...] = ("full", "audio", "listen", "follow")


class MediaUse(Model):
    """One connection's audio and video, as its browser joined them and set its microphone."""

    mode: MediaMode
    microphone: bool


def media_fields(uses: dict[str, MediaUse]) -> dict[str, Any]:
    """A participant's media fields from their connections' (a `model_copy` update): the mode of the
    connection that sends most, and whether any that sends audio has its microphone on."""
    modes = {use.mode for use in uses.values()}
    return {
        "media_sessions": uses,
        "media": next((mode for mode in MEDIA_MODES if mode in modes), None),
        "microphone": any(use.microphone and use.mode != "listen" for use in uses.values()),
    }


class Participant(Model):
    # Rules replace a participant (model_copy) and never change one: its dumps are made once (_dumps).
    model_config = ConfigDict(frozen=True)

    member_id: Id
    name: Name
    role: Role
    # Connected, or dropped less than the hub's grace period ago (`away_since`): counted as here.
    present: bool
    # Checked in ("I'm here", attendance.check_in) while the meeting sat: the minutes' attendance. It
    # stays once they leave; they count for quorum again if they come back.
    attended: bool = False
    # When their last connection dropped, while they keep their place for the grace period.
    away_since: UtcTime | None = None
    # Checked in by an officer as at the meeting in person, in the hall, without a device
    # (hub/hall.py): counted for quorum like a member checked in online, whatever their connections do
    # (the grace period never removes them), until checked out of the hall. They vote by show of hands,
    # counted by the tellers, not in the online ballot box.
    hall: bool = False
    # Connected but held in the lobby until the chair admits them: not present, not counted.
    waiting: bool = False
    first_joined_at: UtcTime
    last_seen_at: UtcTime
    # Their audio and video, for the others to see (hub/media.py `used`): the most a connection of theirs
    # sends (None: no connection is in the media), and whether any of those connections has its
    # microphone on. The chair's mute is apart (`Meeting.muted`).
    media: MediaMode | None = None
    microphone: bool = False
    # Server-side only (see PRIVATE): live socket ids, self-described gender for balance rules, and each
    # connection's media by socket id.
    sessions: list[str] = Field(default_factory=list)
    gender: str | None = None
    media_sessions: dict[str, MediaUse] = Field(default_factory=dict)


# A quorum of more members than any network has; larger numbers are typing mistakes or attacks.
MAX_QUORUM = 1_000_000


class Quorum(Model):
    kind: Literal["number", "fraction"] = "number"
    # Bounded and finite: `required` is computed from it and must fit the store's 64-bit integers.
    value: Annotated[float, Field(ge=0, le=MAX_QUORUM, allow_inf_nan=False)] = 5

    @model_validator(mode="after")
    def _fraction_at_most_one(self) -> Quorum:
        if self.kind == "fraction" and self.value > 1:
            raise ValueError("a fraction quorum is at most 1")
        return self


class StandingOrders(Model):
    """A branch's procedural rules; defaults follow the UK Labour model procedural rules."""

    quorum: Quorum = Field(default_factory=Quorum)
    speech_seconds: Annotated[int, Field(ge=10, le=3600)] = 180
    # The mover opening the debate on their motion, and replying at its end.
    mover_seconds: Annotated[int, Field(ge=10, le=3600)] = 300
    reply_seconds: Annotated[int, Field(ge=10, le=3600)] = 180
    right_of_reply: bool = True
    amendments_need_seconder: bool = True
    alternate_by_gender: bool = False
    # Speakers for and against in turn (before the balance by gender, when both are on).
    alternate_by_stance: bool = False
    chair_challenge_majority: Literal["simple", "two_thirds_present"] = "two_thirds_present"
    vote_changes_allowed: bool = True
    # A nomination for a post stands only once another member seconds it.
    nominations_need_seconder: bool = False


class AgendaKind(enum.StrEnum):
    MINUTES = "minutes"
    REPORT = "report"
    MOTION = "motion"
    ELECTION = "election"
    OTHER = "other"


class QueueEntry(Model):
    id: Id
    member_id: Id
    name: Name
    kind: Literal["speech", "point_of_order"] = "speech"
    stance: Literal["for", "against"] | None = None
    # The standing order a point of order relies on, and what the point is.
    rule: Annotated[str, Field(max_length=200)] | None = None
    point: Annotated[str, Field(max_length=500)] | None = None
    requested_at: UtcTime
    # Why the entry stands where it does: point_of_order, first_time, spoken_before, alternation,
    # moved_by_chair.
    reason: str
    # Server-side only: the balance group from self-described gender ("woman" or "other").
    balance: str | None = None


class AgendaItem(Model):
    id: Id
    title: Title
    kind: AgendaKind = AgendaKind.OTHER
    minutes_budget: Annotated[int, Field(ge=0, le=24 * 60)] | None = None
    documents: list[Text] = Field(default_factory=list)
    # Time spent on the item before it was last made current; the live part is now - opened_at.
    seconds_used: Seconds = 0
    opened_at: UtcTime | None = None
    queue: list[QueueEntry] = Field(default_factory=list)
    queue_open: bool = True
    # How often each member has spoken on this item.
    spoken: dict[str, int] = Field(default_factory=dict)
    # Server-side only: the balance group and the stance of the last speaker called, for alternation.
    last_balance: str | None = None
    last_stance: str | None = None


class Post(Model):
    """A post an election item fills: its seats, who may stand, and its balance rule."""

    id: Id
    item_id: Id
    title: Title
    seats: Annotated[int, Field(ge=1, le=50)] = 1
    # At least this many seats to candidates who describe themselves as women (0: no rule). Only for
    # such a post is a candidate's balance group shown.
    women_at_least: Annotated[int, Field(ge=0, le=50)] = 0
    # Roles that may stand (any role that may vote in the meeting, by default), and whether only those
    # who describe themselves as women may (a women's officer).
    stand: list[Role] = Field(default_factory=lambda: sorted(VOTING_ROLES))
    women_only: bool = False
    # Roles that may vote for it (every voting role, by default).
    voters: list[Role] = Field(default_factory=lambda: sorted(VOTING_ROLES))
    # When nominations close (none: when the ballot opens).
    closes_at: UtcTime | None = None
    # The post's ballot, once opened: nominations are then closed and none can be withdrawn.
    vote_id: Id | None = None


class Nomination(Model):
    id: Id
    post_id: Id
    member_id: Id
    name: Name
    nominated_by: Id
    nominator_name: Name
    seconded_by: Id | None = None
    seconder_name: Name | None = None
    # The nominee agrees to stand (a member who nominates themselves has).
    accepted: bool = False
    statement: Annotated[str, Field(max_length=2000)] = ""
    withdrawn: bool = False
    # "woman" or "other", shown only for a post with a balance rule (from self-described gender).
    group: str | None = None
    at: UtcTime


class PointOfOrder(Model):
    """A point of order once the chair has called it, and the chair's ruling on it."""

    # The queue entry it was raised as.
    id: Id
    item_id: Id
    member_id: Id
    name: Name
    rule: Annotated[str, Field(max_length=200)]
    point: Annotated[str, Field(max_length=500)]
    heard_at: UtcTime
    upheld: bool | None = None
    ruling: Annotated[str, Field(max_length=2000)] | None = None
    ruled_at: UtcTime | None = None
    # The meeting carried a challenge to the ruling.
    overturned: bool = False


class Speech(Model):
    item_id: Id
    member_id: Id
    name: Name
    kind: Literal["speech", "point_of_order"]
    limit_seconds: Seconds
    # Running since started_at, plus what ran before a pause; None while paused or not yet started.
    started_at: UtcTime | None = None
    elapsed_seconds: float = 0


class AmendmentKind(enum.StrEnum):
    INSERT = "insert"
    DELETE = "delete"
    REPLACE = "replace"


class Procedure(enum.StrEnum):
    """Procedural motions: they interrupt debate and are decided first."""

    NEXT_BUSINESS = "next_business"
    QUESTION_BE_NOW_PUT = "question_be_now_put"
    REFER_BACK = "refer_back"
    ADJOURN = "adjourn"
    CHALLENGE_CHAIR = "challenge_chair"


class Amendment(Model):
    id: Id
    mover_id: Id
    mover_name: Name
    seconder_id: Id | None = None
    seconder_name: Name | None = None
    kind: AmendmentKind
    # insert: the text after which `text` goes; delete and replace: the text taken out.
    target: Annotated[str, Field(max_length=5_000)]
    text: Annotated[str, Field(max_length=5_000)] = ""
    # proposed (awaiting a seconder), seconded, carried, lost, withdrawn, fallen (its target is gone)
    status: str = "proposed"


class TextChange(Model):
    amendment_id: Id
    before: Text
    after: Text
    at: UtcTime


class Motion(Model):
    id: Id
    item_id: Id | None
    title: Title
    text: Text
    original_text: Text
    mover_id: Id
    mover_name: Name
    seconder_id: Id | None = None
    seconder_name: Name | None = None
    emergency: bool = False
    # For a procedural motion: which one, and the motion it acts on (None for adjourn, challenge).
    procedure: Procedure | None = None
    target_id: Id | None = None
    # For an adjournment: when the meeting resumes (None: adjourned sine die, it closes).
    until: UtcTime | None = None
    # awaiting_admission (emergency), proposed, seconded, withdrawal_requested, withdrawn,
    # carried, lost, referred_back, dropped (next business)
    status: str = "proposed"
    amendments: list[Amendment] = Field(default_factory=list)
    history: list[TextChange] = Field(default_factory=list)
    reply_given: bool = False
    submitted_at: UtcTime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def would_read(self) -> dict[str, str]:
        """The motion's text as each undecided amendment would leave it if carried, by amendment id."""
        from hub.errors import HubError
        from hub.motions import amend_text

        read = {}
        for amendment in self.amendments:
            if amendment.status in ("proposed", "seconded"):
                try:
                    read[amendment.id] = amend_text(self.text, amendment)
                except HubError:
                    continue  # its words are no longer in the motion: it falls when the motion is put
        return read


class PollMethod(enum.StrEnum):
    # For, against or abstain: a motion, an amendment, a procedural motion, an admission.
    YES_NO = "yes_no"
    # One option of several.
    ONE_OF = "one_of"
    # Up to `choose` options of several.
    UP_TO = "up_to"
    # Options ranked in order of preference, for `choose` seats (hub/stv.py counts them).
    RANKED = "ranked"


class Secrecy(enum.StrEnum):
    # Names are kept beside ballots (`vote.ballots`), and live counts are shown.
    OPEN = "open"
    # The ballot box knows a voter only by a tag (signalling/ballots.py); receipts prove inclusion.
    SECRET = "secret"


class Majority(enum.StrEnum):
    SIMPLE = "simple"
    TWO_THIRDS_CAST = "two_thirds_cast"
    TWO_THIRDS_PRESENT = "two_thirds_present"


class VoteSubject(Model):
    # motion, amendment, procedural, admission (of an emergency motion), a question the chair puts
    # (`vote.ask`), which concerns no motion, or the ballot of an election's post.
    kind: Literal["motion", "amendment", "procedural", "admission", "question", "election"]
    motion_id: Id | None = None
    amendment_id: Id | None = None
    post_id: Id | None = None

    @model_validator(mode="after")
    def _named(self) -> VoteSubject:
        if (self.kind in ("question", "election")) != (self.motion_id is None):
            raise ValueError("a question or election names no motion; every other subject names its motion")
        if (self.kind == "election") != (self.post_id is not None):
            raise ValueError("an election's ballot names its post, and only it")
        return self


class PollOption(Model):
    # A ballot names options by id; these never hold "+" or ">", which join a ballot's marks
    # (hub/polls.py `ballot_key`).
    id: Id
    label: Annotated[str, Field(min_length=1, max_length=200)]


YES_NO_OPTIONS = (
    PollOption(id="for", label="For"),
    PollOption(id="against", label="Against"),
    PollOption(id="abstain", label="Abstain"),
)


class HallCount(Model):
    """The hands the tellers counted in the hall for an open vote (hub/hall.py `count`); the last one
    entered stands, with who entered it."""

    counts: dict[str, Annotated[int, Field(ge=0)]]
    by: Name
    by_id: Id
    at: UtcTime


class VoteResult(Model):
    # The total per option: the online ballots plus the hands counted in the hall, when there were
    # any. Up to k of N: the marks each option got; ranked: first preferences.
    counts: dict[str, int]
    # With a hall count: the two parts of the total apart.
    online: dict[str, int] | None = None
    hall: dict[str, int] | None = None
    # A yes/no poll is carried or lost; any other poll chooses its options, or is tied.
    outcome: Literal["carried", "lost", "chosen", "tied"]
    # The options chosen (ranked: elected, in order of election).
    chosen: list[str] = Field(default_factory=list)
    # The chair's casting vote, when the count was tied: "for" or "against" in a yes/no poll, else one
    # of the tied options.
    casting_vote: str | None = None
    tied: bool = False
    rule: str
    # Ranked polls: the count stage by stage, candidates named by their options' labels.
    count: stv.Count | None = None


class Vote(Model):
    """A poll: a question, its options, how they are marked (method), whether names are kept beside
    ballots (secrecy) and whether a member's ballot carries their delegates (weights: a card vote)."""

    id: Id
    subject: VoteSubject
    question: Text
    method: PollMethod = PollMethod.YES_NO
    secrecy: Secrecy = Secrecy.OPEN
    weights: bool = False
    options: list[PollOption] = Field(default_factory=lambda: list(YES_NO_OPTIONS))
    # Up to k of N: the most options a ballot may mark; ranked: the seats to fill; else 1.
    choose: Annotated[int, Field(ge=1)] = 1
    # An election's balance rule, candidates named by their options' labels (hub/stv.py).
    balance: stv.BalanceRule | None = None
    # The roles that may vote in it, when fewer than every voting role (an election's post).
    voters: list[Role] | None = None
    majority: Majority
    status: Literal["open", "closed"] = "open"
    opened_at: UtcTime
    # An advance poll closes at this time by itself (signalling/closing.py): it may open before the
    # meeting, its electorate is everyone invited with a vote, present or not, and members cast from
    # their home page as well as in the room.
    closes_at: UtcTime | None = None
    closed_at: UtcTime | None = None
    # Weighted size of the online electorate when the vote opened (the ballot box's), and how many were
    # present (online and in the hall).
    eligible: int
    present: int
    # Weighted size of the hall's electorate when the vote opened: the most hands the tellers may count
    # (none in a poll the hall does not vote in by hands: see `hall_votes`).
    hall: Annotated[int, Field(ge=0)] = 0
    hall_count: HallCount | None = None
    result: VoteResult | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_before_polls(cls, data: Any) -> Any:
        """A vote stored before polls had a `method` of hands, secret or card: a yes/no poll, open or
        secret, weighted for a card vote."""
        if isinstance(data, dict) and data.get("method") in ("hands", "secret", "card"):
            old = data["method"]
            data = {
                **data,
                "method": PollMethod.YES_NO.value,
                "secrecy": Secrecy.SECRET.value if old == "secret" else Secrecy.OPEN.value,
                "weights": old == "card",
            }
        return data

    @property
    def secret(self) -> bool:
        return self.secrecy == Secrecy.SECRET

    @property
    def hall_votes(self) -> bool:
        """Whether members in the hall vote by show of hands, counted by the tellers: in an open poll
        with one mark per ballot. In any other they vote online like everyone else."""
        return not self.secret and self.method in (PollMethod.YES_NO, PollMethod.ONE_OF)

    def option_ids(self) -> list[str]:
        return [option.id for option in self.options]


class Minutes(Model):
    # Markdown, drafted from the event log and then edited by the secretary.
    text: Annotated[str, Field(max_length=200_000)]
    status: Literal["draft", "approved"] = "draft"
    drafted_at: UtcTime
    edited_by: str | None = None
    approved_at: UtcTime | None = None
    approved_by: str | None = None
    # Where and how they were approved, e.g. "Approved at the branch meeting of 10 April".
    approval_note: str = ""


# The reactions a member may send (`reaction.send`): transient, never in the meeting's state. The last
# two are requests to the chair, who sees a rolling count of them.
ReactionKind = Literal["applause", "agree", "disagree", "cant_hear", "slower"]
REQUESTS: tuple[ReactionKind, ...] = ("cant_hear", "slower")


class Apology(Model):
    name: Name
    at: UtcTime
    note: Annotated[str, Field(max_length=500)] = ""


class ChatMessage(Model):
    id: Id
    member_id: Id
    name: Name
    text: Annotated[str, Field(max_length=1000)]
    at: UtcTime
    # Hidden by an officer: the text is gone from the meeting's state, the fact stays visible.
    hidden_by: str | None = None


FormalMode = Literal["auto", "on", "off"]


class MediaSettings(Model):
    """How the relay forwards audio and video in this meeting (hub/media.py applies them)."""

    # Formal mode: only officers and the member with the floor are heard. "auto" turns it on when
    # more than `formal_above` participants are present.
    formal: FormalMode = "auto"
    formal_above: Annotated[int, Field(ge=0, le=100_000)] = 12
    # Cameras forwarded besides the one on stage (the current speaker's), chosen by recent activity.
    last_n: Annotated[int, Field(ge=0, le=100)] = 4


class QuorumState(Model):
    required: int
    present: int
    quorate: bool


class Presence(Model):
    """Counts of the participants, kept as entries change (`counted`) so that nothing that happens
    at every join has to walk the whole room: quorum, formal mode, and a big room's view read these."""

    # Connected and in the meeting (not in the lobby).
    present: Annotated[int, Field(ge=0)] = 0
    # Present, checked in, and with a role that counts towards quorum: the quorum's `present`.
    voting: Annotated[int, Field(ge=0)] = 0
    # Checked in at some time while the meeting sat (the minutes' attendance).
    attended: Annotated[int, Field(ge=0)] = 0
    # Checked in in the hall, without a device (hub/hall.py).
    hall: Annotated[int, Field(ge=0)] = 0
    # Connected but held in the lobby.
    waiting: Annotated[int, Field(ge=0)] = 0
    # Everyone who has ever joined.
    joined: Annotated[int, Field(ge=0)] = 0

    def counted(self, before: Participant | None, after: Participant) -> Presence:
        """These counts once one participant entry went from `before` to `after`."""
        counts = self.model_dump()
        for entry, sign in ((before, -1), (after, 1)):
            if entry is not None:
                for name, holds in _COUNTED.items():
                    counts[name] += sign * holds(entry)
        return Presence(**counts)

    @classmethod
    def of(cls, participants: dict[str, Participant]) -> Presence:
        return cls(**{name: sum(holds(p) for p in participants.values()) for name, holds in _COUNTED.items()})


_COUNTED: dict[str, Callable[[Participant], bool]] = {
    "present": lambda p: p.present,
    # Those in the hall count as those here online do, and once: one entry per member.
    "voting": lambda p: (p.present or p.hall) and p.attended and p.role in VOTING_ROLES,
    "attended": lambda p: p.attended,
    "hall": lambda p: p.hall,
    "waiting": lambda p: p.waiting,
    "joined": lambda p: True,
}


# The chair's "what next" (hub/nextsteps.py).
StepKind = Literal[
    "open",
    "closed",
    "start",
    "not_quorate",
    "vote_open",
    "take_up",
    "speaking",
    "call",
    "call_poo",
    "procedural",
    "admission",
    "needs_seconder",
    "withdrawal",
    "amendment",
    "reply",
    "put",
    "nothing",
    "rule",
    "adjourned",
]


class Step(Model):
    step: StepKind
    # Who or what the step is about, when it names one.
    name: Name | None = None
    rule: str | None = None
    motion_id: Id | None = None
    vote_id: Id | None = None
    point_id: Id | None = None
    # Unseconded amendments that fall when the motion is put.
    falling: int = 0
    # Why the rules block this step for now, so the chair is never surprised by a refusal.
    blocked: Literal["not_quorate"] | None = None
    # A condition to fix rather than a step to take.
    warning: bool = False


MeetingKind = Literal["branch", "committee", "agm"]
# The most meetings one series holds: weekly for a year.
SERIES_MOST = 52


class SeriesPlace(Model):
    """Where a meeting stands in a series the officers' console created (hub/series.py)."""

    id: Id
    number: Annotated[int, Field(ge=1, le=SERIES_MOST)]
    of: Annotated[int, Field(ge=2, le=SERIES_MOST)]


Quality = Literal["360p", "720p"]


# A push address: FFmpeg knows its protocols by their names in lower case only.
PUSH_SCHEMES = ("rtmp://", "rtmps://")
PUSH_URL_MOST = 1_000


def push_host(url: str) -> str:
    """The host (and port, if given) of a push address, the part fit to show; ValueError, with the reason,
    for anything but an rtmp:// or rtmps:// address with a host and without a user name or password."""
    if len(url) > PUSH_URL_MOST:
        raise ValueError(f"the address is longer than {PUSH_URL_MOST} characters")
    # Control and format characters (a right-to-left override) would disguise the address where shown.
    if any(c.isspace() or unicodedata.category(c).startswith("C") for c in url):
        raise ValueError("the address has spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"the address is not a valid URL ({exc})") from None
    if not url.startswith(PUSH_SCHEMES):
        raise ValueError("the address must begin with rtmp:// or rtmps://")
    if "@" in parts.netloc:
        raise ValueError(
            "the address must not hold a user name or password (the stream key goes in its path)"
        )
    if not parts.hostname:
        raise ValueError("the address has no host")
    if port == 0:
        raise ValueError("the address has port 0")
    return parts.netloc


def _push_url(url: str) -> str:
    push_host(url)
    return url


PushUrl = Annotated[str, AfterValidator(_push_url)]
# Who may watch: as the branch says (`Branch.public_livestream`), its members only, or anyone.
Audience = Literal["branch", "members", "public"]


# The most recordings one meeting keeps a record of (a recording per start of its livestream).
RECORDINGS_MOST = 100
# The most parts one recording has (a part per run of the feed: a restart begins a new one).
RECORDING_PARTS_MOST = 1000


class RecordingPart(Model):
    """A run of the feed within a recording: the wall time of its first frame and its length."""

    t0: UtcTime
    seconds: Annotated[float, Field(ge=0)]


class Recording(Model):
    """A livestream's recording, once finished (signalling/live/recordings.py): one MP4 with its
    chapters, and a WebVTT chapters track beside it, or `failed` when it could not be made."""

    id: Id
    started_at: UtcTime
    ended_at: UtcTime
    seconds: Annotated[float, Field(ge=0)] = 0.0
    status: Literal["ready", "failed"] = "ready"
    # Where each part falls in the meeting (the minutes link an item to its time in the recording).
    parts: list[RecordingPart] = Field(default_factory=list, max_length=RECORDING_PARTS_MOST)


class Livestream(Model):
    """The meeting's livestream: the programme feed (hub/programme.py, docs/livestream.md), whether it
    is on, at what size, who may watch it and whether it is recorded. Where its files are is not here:
    that is a capability, kept in the store."""

    on: bool = False
    started_at: UtcTime | None = None
    ended_at: UtcTime | None = None
    quality: Quality = "720p"
    audience: Audience = "branch"
    record: bool = True
    # The language of the programme's captions and labels (its viewers may not share the room's).
    language: Language = "en"
    # Its recordings, oldest first (the hub adds each once finished: `recording.finished`).
    recordings: list[Recording] = Field(default_factory=list, max_length=RECORDINGS_MOST)
    # Where the programme is pushed while it is on (a video platform's RTMP address with its stream
    # key): a secret, kept with the meeting but never in its view or an event (`_HIDDEN`); `push_to`,
    # its host, is what the console shows.
    push_url: PushUrl | None = None
    push_to: str | None = None


class Meeting(Model):
    """The whole state of one meeting; every change to it is a versioned event."""

    id: Id
    branch_id: Id
    title: Name
    starts_at: UtcTime
    time_zone: TimeZone
    status: MeetingStatus = MeetingStatus.SCHEDULED
    # What kind of meeting it was made as (hub/officers.py TEMPLATES).
    kind: MeetingKind = "branch"
    # One of a series of meetings (its title carries its number too), or None.
    series: SeriesPlace | None = None
    # Per-meeting appointments override the branch role (a guest chair, a teller).
    roles: dict[str, Role] = Field(default_factory=dict)
    # Who else is invited besides the branch's members: the members of these branches, or every
    # active member (an AGM of the whole constituency). See hub/permissions.py `effective_role`.
    invited_branches: list[Id] = Field(default_factory=list, max_length=100)
    everyone: bool = False
    # Shown to members before they join.
    code_of_conduct: Annotated[str, Field(max_length=5_000)] = ""
    standing_orders: StandingOrders = Field(default_factory=StandingOrders)
    # Members entitled to attend and vote, counted when the meeting was created (for fraction quorums).
    electorate: Annotated[int, Field(ge=0)] = 0
    # Kept in a structure of their own in the store, an entry per member (see hub/store.py).
    participants: dict[str, Participant] = Field(default_factory=dict)
    presence: Presence = Field(default_factory=Presence)
    apologies: dict[str, Apology] = Field(default_factory=dict)
    agenda: list[AgendaItem] = Field(default_factory=list)
    # The posts election items fill, and the nominations for them.
    posts: list[Post] = Field(default_factory=list)
    nominations: list[Nomination] = Field(default_factory=list)
    current_item: str | None = None
    speech: Speech | None = None
    # Adjourned to a stated time: no business until then (hub/lifecycle.py), when it resumes where it was.
    adjourned_until: UtcTime | None = None
    # Points of order the chair has called, with the rulings given.
    points: list[PointOfOrder] = Field(default_factory=list)
    motions: list[Motion] = Field(default_factory=list)
    votes: list[Vote] = Field(default_factory=list)
    minutes: Minutes | None = None
    # Delegate counts for card votes; a member not listed carries one.
    card_weights: dict[str, Annotated[int, Field(ge=0, le=100_000)]] = Field(default_factory=dict)
    media: MediaSettings = Field(default_factory=MediaSettings)
    # Members the chair has muted: the relay forwards none of their audio, whatever else applies.
    muted: list[Id] = Field(default_factory=list)
    # Members the chair has removed: refused at connect and join until readmitted.
    removed: list[Id] = Field(default_factory=list)
    # With the lobby on, members (not officers) wait on joining until the chair admits them; once
    # admitted they come and go freely.
    lobby: bool = False
    admitted: list[Id] = Field(default_factory=list)
    # The meeting's chat, newest last; only the latest CHAT_KEPT messages are kept.
    chat: list[ChatMessage] = Field(default_factory=list)
    chat_open: bool = True
    livestream: Livestream = Field(default_factory=Livestream)
    # Source of ids for agenda items, queue entries, motions: rules stay pure and replayable.
    serial: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def next_steps(self) -> list[Step]:
        """What the standing orders allow or require of the chair now (hub/nextsteps.py)."""
        from hub.nextsteps import next_steps

        return next_steps(self)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def next_statuses(self) -> list[MeetingStatus]:
        """Where the meeting may go from here (`meeting.set_status`), in the order the chair is offered."""
        return list(TRANSITIONS[self.status])

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quorum(self) -> QuorumState:
        rule = self.standing_orders.quorum
        required = int(rule.value) if rule.kind == "number" else math.ceil(rule.value * self.electorate)
        present = self.presence.voting
        return QuorumState(required=required, present=present, quorate=present >= required)

    def public_view(self) -> dict[str, Any]:
        """What every client may see: no connection ids, no gender, and minutes only by their status
        (the text is fetched with minutes.get, by officers while it is a draft)."""
        view = self.model_dump(mode="json", exclude={"participants": True, **_HIDDEN})
        view["participants"] = {m: public(p) for m, p in self.participants.items()}
        return view

    def view_of(self, part: str) -> Any:
        """One top-level part of `public_view`, built alone: a change is sent as the parts it touched."""
        if part == "participants":
            return {m: public(p) for m, p in self.participants.items()}
        hidden = {part: _HIDDEN[part]} if part in _HIDDEN else None
        return self.model_dump(mode="json", include={part}, exclude=hidden)[part]

    def core(self) -> dict[str, Any]:
        """The stored meeting without its participants, which the store keeps an entry per member."""
        return self.model_dump(mode="json", exclude_computed_fields=True, exclude={"participants"})


# What the public view leaves out of the meeting's parts.
_HIDDEN: dict[str, Any] = {
    "agenda": {"__all__": {"last_balance": True, "last_stance": True, "queue": {"__all__": {"balance"}}}},
    "minutes": {"text"},
    "livestream": {"push_url"},
}
# Parts of the view computed from others, with the parts they are computed from.
DERIVED: dict[str, frozenset[str]] = {
    "quorum": frozenset({"standing_orders", "electorate", "presence"}),
    "next_statuses": frozenset({"status"}),
    "next_steps": frozenset(
        {
            "status",
            "adjourned_until",
            "standing_orders",
            "electorate",
            "presence",
            "votes",
            "agenda",
            "current_item",
            "speech",
            "motions",
            "points",
        }
    ),
}
# The view's parts in the order `public_view` lists them.
VIEW_PARTS: tuple[str, ...] = (
    *(name for name in Meeting.model_fields if name != "participants"),
    *Meeting.model_computed_fields,
    "participants",
)


class View(dict[str, Any]):
    """A meeting's public view as built for one version, which the replies to everyone joining at that
    version send: the edge packs it once (signalling/frames.py `Packet`). Never changed once built."""

    packed: bytes | None = None


def stored(participant: Participant) -> dict[str, Any]:
    """A participant as the store keeps it."""
    return _dumps(participant)[0]


def public(participant: Participant) -> dict[str, Any]:
    """A participant as every client may see them."""
    return _dumps(participant)[1]


PRIVATE = {"sessions", "gender", "media_sessions"}

# Each participant object's (stored, public) dicts, until the object is gone. A change to a meeting
# replaces one participant of possibly thousands; dumping every one of them again for each change made
# a crowd's joins quadratic. Callers must not change the dicts they get.
_DUMPED: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _dumps(participant: Participant) -> tuple[dict[str, Any], dict[str, Any]]:
    key = id(participant)
    found = _DUMPED.get(key)
    if found is None:
        stored = participant.model_dump(mode="json")
        found = _DUMPED[key] = (stored, {k: v for k, v in stored.items() if k not in PRIVATE})
        # Runs as the object is freed, before its id can be reused.
        weakref.finalize(participant, _DUMPED.pop, key, None)
    return found


class Event(Model):
    """One fact in a meeting's log. `version` is the meeting's version after the event."""

    version: int
    type: str
    actor: str | None
    at: UtcTime
    data: dict[str, Any] = Field(default_factory=dict)
    # RFC 6902 patch from the previous public view to this one: clients apply it blindly.
    patch: list[dict[str, Any]] = Field(default_factory=list)
