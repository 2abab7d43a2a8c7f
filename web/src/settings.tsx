// The officers' settings for the meeting: its standing orders and the delegates members carry in card
// votes. Each part shows only to the roles the
// hub's permission matrix lets send it (store.may), and a refusal shows in #notice like any other.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { act } from "./actions";
import { t } from "./i18n";
import { Roster } from "./roster";
import type { Meeting, MeetingStore, Participant, StandingOrders } from "./store";

type Flag = "right_of_reply" | "amendments_need_seconder" | "alternate_by_stance" | "alternate_by_gender" | "vote_changes_allowed";
const FLAGS: Flag[] = ["right_of_reply", "amendments_need_seconder", "alternate_by_stance", "alternate_by_gender", "vote_changes_allowed"];

// A form that keeps what is typed until it is saved, and starts again from the meeting's state whenever
// that changes (a save, or another officer's).
function useDraft<T>(saved: T): [T, (draft: T) => void] {
  const [draft, setDraft] = useState(saved);
  const key = JSON.stringify(saved);
  useEffect(() => setDraft(saved), [key]);
  return [draft, setDraft];
}

// The handler for a form this component sends itself.
function submitter(send: () => void) {
  return (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    send();
  };
}

const value = (event: JSX.TargetedEvent<HTMLInputElement | HTMLSelectElement>): string => event.currentTarget.value;

function StandingOrdersForm({ m }: { m: Meeting }) {
  const [draft, setDraft] = useDraft<StandingOrders>(m.standing_orders);
  const set = (change: Partial<StandingOrders>) => setDraft({ ...draft, ...change });
  const fraction = draft.quorum.kind === "fraction";
  const fixed = m.votes.length > 0;
  const save = () => void act("meeting.set_standing_orders", { standing_orders: draft });
  return (
    <form id="standing-orders" class="stack-form settings-form" onSubmit={submitter(save)} aria-labelledby="standing-orders-h">
      <h3 id="standing-orders-h">{t("settings.standing_orders")}</h3>
      {fixed && (
        <p id="standing-orders-fixed" class="hint">
          {t("settings.fixed")}
        </p>
      )}
      <fieldset disabled={fixed}>
        <legend>{t("settings.quorum_legend")}</legend>
        <label>
          {t("settings.quorum_kind")}{" "}
          <select name="quorum_kind" value={draft.quorum.kind} onChange={(e) => set({ quorum: { kind: value(e) as StandingOrders["quorum"]["kind"], value: draft.quorum.value } })}>
            <option value="number">{t("settings.quorum_number")}</option>
            <option value="fraction">{t("settings.quorum_fraction")}</option>
          </select>
        </label>
        <label>
          {t("settings.quorum")}{" "}
          <input
            name="quorum_value"
            type="number"
            required
            min="0"
            max={fraction ? "1" : undefined}
            step={fraction ? "0.01" : "1"}
            value={draft.quorum.value}
            onInput={(e) => set({ quorum: { kind: draft.quorum.kind, value: Number(value(e)) } })}
            aria-describedby="quorum-hint"
          />
        </label>
        <p id="quorum-hint" class="hint">
          {t(fraction ? "settings.quorum_fraction_hint" : "settings.quorum_number_hint")}
        </p>
      </fieldset>
      <fieldset disabled={fixed}>
        <legend>{t("settings.debate_legend")}</legend>
        <label>
          {t("settings.speech_seconds")}{" "}
          <input name="speech_seconds" type="number" required min="10" max="3600" value={draft.speech_seconds} onInput={(e) => set({ speech_seconds: Number(value(e)) })} />
        </label>
        <label>
          {t("settings.mover_seconds")}{" "}
          <input name="mover_seconds" type="number" required min="10" max="3600" value={draft.mover_seconds} onInput={(e) => set({ mover_seconds: Number(value(e)) })} />
        </label>
        <label>
          {t("settings.reply_seconds")}{" "}
          <input name="reply_seconds" type="number" required min="10" max="3600" value={draft.reply_seconds} onInput={(e) => set({ reply_seconds: Number(value(e)) })} />
        </label>
        {FLAGS.map((flag) => (
          <label key={flag} class="check">
            <input type="checkbox" name={flag} checked={draft[flag]} onChange={(e) => set({ [flag]: e.currentTarget.checked })} /> {t(`settings.${flag}`)}
          </label>
        ))}
        <label>
          {t("settings.chair_challenge_majority")}{" "}
          <select
            name="chair_challenge_majority"
            value={draft.chair_challenge_majority}
            onChange={(e) => set({ chair_challenge_majority: value(e) as StandingOrders["chair_challenge_majority"] })}
          >
            <option value="two_thirds_present">{t("settings.two_thirds_present")}</option>
            <option value="simple">{t("settings.simple")}</option>
          </select>
        </label>
      </fieldset>
      <p class="controls">
        <button type="submit" disabled={fixed}>{t("settings.save_standing_orders")}</button>
      </p>
    </form>
  );
}

// Delegates each present member carries in card votes (one unless set). Members who are not here keep
// what they had; a count of one is left out, since that is what a member not listed carries.
// In a big room the view holds only the officers, so members are found through the roster instead.
function CardWeightsForm({ m, crowd }: { m: Meeting; crowd: boolean }) {
  const [draft, setDraft] = useDraft<Record<string, number>>(m.card_weights);
  const present = Object.values(m.participants)
    .filter((p) => p.present)
    .sort((a, b) => a.name.localeCompare(b.name));
  const weight = (p: Participant) => (
    <label key={p.member_id} class="weight" data-member={p.member_id}>
      {p.name}{" "}
      <input
        name={`weight-${p.member_id}`}
        type="number"
        required
        min="0"
        max="100000"
        value={draft[p.member_id] ?? 1}
        onInput={(e) => setDraft({ ...draft, [p.member_id]: Number(value(e)) })}
        aria-describedby="card-weights-hint"
      />
    </label>
  );
  const save = () => {
    const weights = Object.fromEntries(Object.entries(draft).filter(([, count]) => count !== 1));
    void act("meeting.set_card_weights", { weights });
  };
  return (
    <form id="card-weights" class="stack-form settings-form" onSubmit={submitter(save)} aria-labelledby="card-weights-h">
      <h3 id="card-weights-h">{t("settings.card_weights")}</h3>
      <p id="card-weights-hint" class="hint">
        {t("settings.card_weights_hint")}
      </p>
      <fieldset>
        <legend>{t("settings.card_weights_legend")}</legend>
        {crowd ? (
          <Roster m={m} row={(p) => <li key={p.member_id}>{weight(p)}</li>} name="weights-roster" find={t("settings.find_delegate")} label={t("settings.card_weights")} />
        ) : (
          present.map(weight)
        )}
      </fieldset>
      <p class="controls">
        <button type="submit">{t("settings.save_card_weights")}</button>
      </p>
    </form>
  );
}

export function Settings({ m, store }: { m: Meeting; store: MeetingStore }) {
  const orders = store.may("meeting.set_standing_orders");
  const weights = store.may("meeting.set_card_weights");
  if (!orders && !weights) return null;
  return (
    <section aria-labelledby="settings-h" id="settings" class="settings">
      <h2 id="settings-h">{t("settings.title")}</h2>
      {orders && <StandingOrdersForm m={m} />}
      {weights && <CardWeightsForm m={m} crowd={store.crowd} />}
    </section>
  );
}
