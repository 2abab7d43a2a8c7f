// The fair-time heat map in the officers' console: for one day of the week, each hour a meeting could
// start (in the branch's zone) against each region, with how many of the region's members it asks to
// meet at night and at the edge of their day (hub/slots.py). A real table: every cell says its numbers
// in words to a screen reader, and the colour only repeats them.
import { t } from "./i18n";
import { weekday } from "./consoletime";

export interface Burdens {
  night: number;
  edge: number;
  by_region: Record<string, { night: number; edge: number }>;
}
export interface HourScore extends Burdens {
  weekday: number;
  start: string;
  next: string;
  varies: boolean;
}
export interface Heat {
  weekday: number;
  // Members in each region.
  regions: Record<string, number>;
  hours: HourScore[];
}

// How heavy a cell is: nobody asked, only at the edge of their day, some at night, half or more at night.
function level(night: number, edge: number, members: number): number {
  if (night * 2 >= members && night > 0) return 3;
  if (night > 0) return 2;
  return edge > 0 ? 1 : 0;
}

export function HeatCell({ night, edge, members }: { night: number; edge: number; members: number }) {
  const said = night || edge ? t("officers.heat_cell", { night, edge }) : t("officers.heat_none");
  return (
    <td class={`heat heat-${level(night, edge, members)}`}>
      <span aria-hidden="true">{night || edge ? `${night} / ${edge}` : "–"}</span>
      <span class="visually-hidden">{said}</span>
    </td>
  );
}

export function HeatMap({ heat, zone, picked, chooseDay, use }: { heat: Heat; zone: string; picked: string | null; chooseDay: (day: number) => void; use: (next: string) => void }) {
  const regions = Object.keys(heat.regions);
  return (
    <div class="heat-map" id="heat-map">
      <label for="heat-day">{t("officers.heat_day")}</label>{" "}
      <select id="heat-day" value={heat.weekday} onChange={(e) => chooseDay(Number((e.target as HTMLSelectElement).value))}>
        {[0, 1, 2, 3, 4, 5, 6].map((d) => (
          <option value={d} key={d}>
            {weekday(d)}
          </option>
        ))}
      </select>
      <p class="by" id="heat-legend">
        {t("officers.heat_legend")}
      </p>
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="heat-caption">
        <table class="officers-table heat-table" id="heat-table" aria-describedby="heat-legend">
          <caption id="heat-caption">{t("officers.heat_caption", { day: weekday(heat.weekday), zone })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("officers.heat_start")}</th>
              {regions.map((r) => (
                <th scope="col" key={r}>
                  {r} <span class="count">({heat.regions[r]})</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {heat.hours.map((h) => (
              <tr key={h.start} class={picked === h.start ? "picked" : ""} data-start={h.start}>
                <th scope="row">
                  <button type="button" onClick={() => use(h.next)} aria-label={t("officers.fair_use", { slot: `${weekday(h.weekday)} ${h.start}` })}>
                    {h.start}
                  </button>
                </th>
                {regions.map((r) => (
                  <HeatCell key={r} night={h.by_region[r]?.night ?? 0} edge={h.by_region[r]?.edge ?? 0} members={heat.regions[r]} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
