// Moments nobody may miss, shown where a member is looking whatever they have scrolled to: being given
// the floor, having it taken away, and a vote opening (with what it decides, and the ballot). Each stays
// until it is dealt with or hidden; the page title says so too, and a short tone sounds unless the
// member has switched it off. Screen readers hear the same moments from announce.ts.
import { useEffect, useRef, useState } from "preact/hooks";
import { handsInHall } from "./hall";
import { t } from "./i18n";
import { Change } from "./motions";
import { closingTime, motionText, optionLabel, question } from "./phrases";
import { type Meeting, type MeetingStore, type Vote, openVotes } from "./store";
import { Action } from "./ui";

const SOUND_KEY = "hub:sound";

// A short, quiet tone; a browser that will not play it yet (no gesture on the page) stays silent.
function tone(): void {
  try {
    const audio = new AudioContext();
    const note = audio.createOscillator();
    const gain = audio.createGain();
    note.frequency.value = 880;
    gain.gain.value = 0.08;
    note.connect(gain).connect(audio.destination);
    note.start();
    note.stop(audio.currentTime + 0.15);
    note.onended = () => void audio.close();
  } catch {
    // No audio on this device: the banner and the title still say it.
  }
}

// A question's options are marked on its ballot in the Vote tab, which takes more room than this sheet
// should: the sheet names them and takes the member there, to the ballot of that vote (several may be open).
export function goToBallot(voteId: string): void {
  document.getElementById("tab-vote")?.click();
  // Once the tab shows (Preact renders after this task), focus lands on the ballot's first control.
  const ballot = `.vote[data-vote="${voteId}"] .ballot`;
  setTimeout(() => document.querySelector<HTMLElement>(`${ballot} input, ${ballot} button`)?.focus());
}

function VoteSheet({ vote, m, hide }: { vote: Vote; m: Meeting; hide: () => void }) {
  const motion = m.motions.find((mo) => mo.id === vote.subject.motion_id);
  const amendment = motion?.amendments.find((a) => a.id === vote.subject.amendment_id);
  const reads = amendment && motion ? motion.would_read[amendment.id] : undefined;
  return (
    <>
      <p class="moment-title">{t("moments.vote_open", { question: question(vote, m) })}</p>
      {vote.closes_at && (
        <p>
          {t("poll.advance_closes")} <time dateTime={vote.closes_at}>{closingTime(vote, m)}</time>
        </p>
      )}
      {amendment ? (
        <>
          <p>
            <Change a={amendment} />
          </p>
          {reads !== undefined && (
            <p>
              {t("motions.would_read")} <q>{reads}</q>
            </p>
          )}
        </>
      ) : (
        motion && <p class="moment-text">{motionText(motion)}</p>
      )}
      {vote.method === "yes_no" ? (
        <p class="ballot" role="group" aria-label={t("motions.your_vote")}>
          {vote.options.map(({ id }) => (
            <Action key={id} action="vote.cast" args={{ vote_id: vote.id, choice: id }} class="choice">
              {optionLabel(vote, id)}
            </Action>
          ))}
        </p>
      ) : (
        <>
          <p>{vote.subject.kind === "election" ? t("moments.election") : t(`moments.poll_${vote.method}`, { count: vote.choose })}</p>
          <ul class="moment-options">
            {vote.options.map((o) => (
              <li key={o.id}>{o.label}</li>
            ))}
          </ul>
          <p>
            <button
              type="button"
              class="primary"
              onClick={() => {
                hide();
                goToBallot(vote.id);
              }}
            >
              {t("moments.to_ballot")}
            </button>
          </p>
        </>
      )}
    </>
  );
}

// Why the member given the floor would not be heard, from what the hub publishes of them (the chair
// was warned of the same: hub/media.py `unheard`); unknown in a big room, where the media panel says it.
function unheard(m: Meeting, memberId: string): string | null {
  const me = m.participants[memberId];
  if (m.muted.includes(memberId)) return "muted";
  if (!me) return null;
  // A follower's page joins the call as they are given the floor.
  if (me.media === "follow") return null;
  if (!me.media) return "not_connected";
  if (me.media === "listen") return "listening";
  return me.microphone ? null : "microphone_off";
}

export function Moments({ m, store }: { m: Meeting; store: MeetingStore }) {
  const you = store.you;
  const [sound, setSound] = useState(() => localStorage.getItem(SOUND_KEY) !== "off");
  const [hidden, setHidden] = useState<string | null>(null);
  // The votes whose sheet the member hid: a vote is one moment however long it stays open, and several
  // may be open at once (advance polls beside the meeting's own), each shown once in turn.
  const [hiddenVotes, setHiddenVotes] = useState<ReadonlySet<string>>(new Set());
  const [ended, setEnded] = useState(false);
  const floor = !!you && m.speech?.member_id === you.member_id;
  const silent = floor ? unheard(m, you.member_id) : null;
  // A member checked in in the hall has their hand counted there (motions.tsx says so in the Vote tab).
  const inHall = (vote: Vote) => !!you && !!m.participants[you.member_id]?.hall && handsInHall(vote);
  const voting = store.may("vote.cast")
    ? openVotes(m).find((vote) => !inHall(vote) && !store.myBallot(vote.id) && !hiddenVotes.has(vote.id))
    : undefined;
  // The moment shown, most pressing first, named so that hiding it lasts until the next one.
  const key = floor ? `floor:${m.speech?.item_id}` : voting ? `vote:${voting.id}` : ended ? "ended" : null;
  const shown = key !== null && key !== hidden;

  const hadFloor = useRef(floor);
  useEffect(() => {
    if (hadFloor.current && !floor) setEnded(true);
    if (floor) setEnded(false);
    hadFloor.current = floor;
  }, [floor]);
  const last = useRef<string | null>(null);
  useEffect(() => {
    if (key !== last.current) {
      if (key && key !== "ended" && sound) tone();
      // A moment hidden stays hidden while it lasts: the next one, even of the same kind, shows.
      setHidden((was) => (was === key ? was : null));
    }
    last.current = key;
    const title = m.title;
    document.title = shown ? `● ${t(`moments.title_${key?.split(":")[0]}`)} – ${title}` : title;
  }, [key, shown, sound, m.title]);

  if (!shown) return null;
  const hide = () => (voting && !floor ? setHiddenVotes(new Set([...hiddenVotes, voting.id])) : setHidden(key));
  const switchSound = () => {
    localStorage.setItem(SOUND_KEY, sound ? "off" : "on");
    setSound(!sound);
  };
  return (
    <section id="moments" class={`moments moment-${key?.split(":")[0]}`} aria-label={t("moments.label")}>
      {floor ? (
        <>
          <p class="moment-title">{t("moments.floor")}</p>
          {silent && (
            <p class="moment-unheard">
              {t(`moments.unheard_${silent}`)}{" "}
              {/* The media panel's prompt has the button that puts it right. */}
              {silent !== "muted" && <a href="#media-prompt">{t("moments.unheard_fix")}</a>}
            </p>
          )}
        </>
      ) : voting ? (
        <VoteSheet vote={voting} m={m} hide={hide} />
      ) : (
        <p class="moment-title">{t("moments.ended")}</p>
      )}
      <p class="controls">
        <button type="button" onClick={() => (key === "ended" ? setEnded(false) : hide())}>
          {t(key === "ended" ? "moments.ok" : "moments.hide")}
        </button>
        <button type="button" aria-pressed={sound} onClick={switchSound}>
          {t("moments.sound")}
        </button>
      </p>
    </section>
  );
}
