// A series of meetings in the officers' console: how often, how many and from when; the hub proposes a
// time for each meeting that passes the night between regions (/api/officers/series/plan, hub/slots.py
// `plan`), the officer changes any of them and sees each region's share of the night again, and the
// console then creates the series from these times (NewMeeting in officers.tsx).
import { useState } from "preact/hooks";
import { api, refusal } from "./consoleapi";
import { utcOf, weekday, weekdayOf } from "./consoletime";
import { HeatCell } from "./heatmap";
import type { Burdens } from "./heatmap";
import { locale, t } from "./i18n";
import { formatStart } from "./time";

interface PlanMeeting extends Burdens {
  number: number;
  starts_at: string;
  utc: string;
  weekday: number;
}
interface RegionShare {
  members: number;
  night_meetings: number;
  edge_meetings: number;
  night_share: number;
}
export interface Plan {
  time_zone: string;
  invited: number;
  proposed: boolean;
  meetings: PlanMeeting[];
  regions: Record<string, RegionShare>;
}
type Every = "week" | "fortnight" | "month";

// Next Monday, as a date picker writes it: a series is proposed from next week on.
function nextMonday(): string {
  const day = new Date();
  day.setDate(day.getDate() + ((8 - day.getDay()) % 7 || 7));
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
}

export function SeriesPlanner({
  invitees,
  zone,
  own,
  starts,
  setStarts,
}: {
  invitees: () => object;
  zone: string;
  own: string;
  starts: string[];
  setStarts: (starts: string[]) => void;
}) {
  const [first, setFirst] = useState(nextMonday());
  const [every, setEvery] = useState<Every>("month");
  const [count, setCount] = useState(12);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [failure, setFailure] = useState("");
  const [busy, setBusy] = useState(false);
  const ask = async (own: string[] | null) => {
    setBusy(true);
    const body = { ...invitees(), first, every, meetings: own ? own.length : count, ...(own ? { starts: own } : {}) };
    const reply = await api<Plan>("/api/officers/series/plan", body);
    setBusy(false);
    if (!reply.ok) {
      setFailure(refusal(reply));
      return;
    }
    setFailure("");
    setPlan(reply.data);
    setStarts(reply.data.meetings.map((m) => m.starts_at));
  };
  const percent = new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 });
  const regions = plan ? Object.keys(plan.regions) : [];
  const changed = plan !== null && plan.meetings.some((m, i) => m.starts_at !== starts[i]);
  return (
    <fieldset class="series-planner" id="series-planner">
      <legend>{t("officers.series_times")}</legend>
      <label for="series-first">{t("officers.series_first")}</label>
      <input id="series-first" type="date" required value={first} onInput={(e) => setFirst((e.target as HTMLInputElement).value)} />
      <label for="series-every">{t("officers.series_every")}</label>
      <select id="series-every" value={every} onChange={(e) => setEvery((e.target as HTMLSelectElement).value as Every)}>
        {(["week", "fortnight", "month"] as Every[]).map((e) => (
          <option value={e} key={e}>
            {t(`officers.every_${e}`)}
          </option>
        ))}
      </select>
      <label for="series-count">{t("officers.series_count")}</label>
      <input id="series-count" type="number" min={2} max={52} required value={count} onInput={(e) => setCount(Number((e.target as HTMLInputElement).value))} />
      <button type="button" id="series-propose" disabled={busy} onClick={() => ask(null)}>
        {t("officers.series_propose")}
      </button>
      {failure ? (
        <p class="error" role="alert">
          {failure}
        </p>
      ) : null}
      {plan ? (
        <div id="series-plan">
          <p role="status" id="series-said">
            {plan.proposed ? t("officers.series_proposed", { count: plan.invited }) : t("officers.series_scored", { count: plan.invited })}
          </p>
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="series-shares-caption">
            <table class="officers-table" id="series-shares">
              <caption id="series-shares-caption">{t("officers.series_shares_caption", { count: plan.meetings.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("officers.series_region")}</th>
                  <th scope="col">{t("officers.series_members")}</th>
                  <th scope="col">{t("officers.series_night_meetings")}</th>
                  <th scope="col">{t("officers.series_edge_meetings")}</th>
                  <th scope="col">{t("officers.series_share")}</th>
                </tr>
              </thead>
              <tbody>
                {regions.map((r) => {
                  const share = plan.regions[r];
                  return (
                    <tr key={r} data-region={r}>
                      <th scope="row">{r}</th>
                      <td>{share.members}</td>
                      <td>{t("officers.series_of", { count: share.night_meetings, total: plan.meetings.length })}</td>
                      <td>{t("officers.series_of", { count: share.edge_meetings, total: plan.meetings.length })}</td>
                      <td>{percent.format(share.night_share)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p class="by" id="series-legend">
            {t("officers.heat_legend")}
          </p>
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="series-caption">
            <table class="officers-table heat-table" id="series-meetings" aria-describedby="series-legend">
              <caption id="series-caption">{t("officers.series_caption", { zone })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("officers.series_number")}</th>
                  <th scope="col">{t("officers.series_when", { zone })}</th>
                  {regions.map((r) => (
                    <th scope="col" key={r}>
                      {r}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {plan.meetings.map((m, i) => {
                  const at = starts[i] ?? m.starts_at;
                  const utc = utcOf(at, zone);
                  return (
                    <tr key={m.number} data-number={m.number}>
                      <th scope="row">{m.number}</th>
                      <td class="series-when">
                        <input
                          type="datetime-local"
                          aria-label={t("officers.series_meeting", { n: m.number, zone })}
                          value={at}
                          required
                          onInput={(e) => setStarts(starts.map((s, j) => (j === i ? (e.target as HTMLInputElement).value : s)))}
                        />
                        <span class="by">
                          {at ? weekday(weekdayOf(at)) : ""}
                          {utc ? ` · ${t("officers.your_time", { time: formatStart(utc, own).home })}` : ""}
                        </span>
                      </td>
                      {regions.map((r) => (
                        <HeatCell key={r} night={m.by_region[r]?.night ?? 0} edge={m.by_region[r]?.edge ?? 0} members={plan.regions[r].members} />
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {changed ? (
            <p class="by" id="series-changed">
              {t("officers.series_changed")}
            </p>
          ) : null}
          <button type="button" id="series-rescore" disabled={busy || !changed} onClick={() => ask(starts)}>
            {t("officers.series_rescore")}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}
