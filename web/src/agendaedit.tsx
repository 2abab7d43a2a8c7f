// Editing an agenda item in place (officers): its title, kind, time budget and documents.
import type { JSX } from "preact";
import { act } from "./actions";
import { t } from "./i18n";
import type { Payloads } from "./protocol.gen";
import type { AgendaItem } from "./store";
import { useOpener } from "./ui";

const KINDS = ["minutes", "report", "motion", "election", "other"];

// The item as agenda.update takes it from the form: every field is sent, so what the form shows is
// what the item becomes (an empty time budget removes the budget).
function fields(form: HTMLFormElement, item: AgendaItem): Payloads["agenda.update"] {
  const data = new FormData(form);
  const minutes = String(data.get("minutes_budget") ?? "").trim();
  const documents = String(data.get("documents") ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return {
    item_id: item.id,
    title: String(data.get("title")),
    kind: String(data.get("kind")) as AgendaItem["kind"],
    minutes_budget: minutes ? Number(minutes) : null,
    documents,
  };
}

export function EditItem({ item }: { item: AgendaItem }) {
  // Focus moves to the title on opening and back to Edit on saving, Cancel or Escape.
  const { open, toggle, focus } = useOpener<HTMLButtonElement & HTMLInputElement>();
  if (!open) {
    return (
      <button type="button" class="edit-item" ref={focus} aria-label={t("agenda.edit_name", { name: item.title })} onClick={() => toggle(true)}>
        {t("agenda.edit")}
      </button>
    );
  }
  const save = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reply = await act("agenda.update", fields(event.currentTarget, item));
    if (reply.ok) toggle(false);
  };
  const escape = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      toggle(false);
    }
  };
  return (
    <form class="stack-form edit-item-form" data-edit={item.id} aria-label={t("agenda.edit_name", { name: item.title })} onSubmit={save} onKeyDown={escape}>
      <label>
        {t("agenda.title")} <input ref={focus} name="title" required maxLength={200} defaultValue={item.title} />
      </label>
      <label>
        {t("agenda.kind")}{" "}
        <select name="kind">
          {KINDS.map((kind) => (
            <option key={kind} value={kind} selected={kind === item.kind}>
              {t(`agenda.kind_${kind}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("agenda.minutes_budget")} <input name="minutes_budget" type="number" min="0" max="1440" defaultValue={item.minutes_budget === null ? "" : String(item.minutes_budget)} />
      </label>
      <label>
        {t("agenda.documents")} <textarea name="documents" rows={3} maxLength={20000} defaultValue={item.documents.join("\n")}></textarea>
      </label>
      <p class="controls">
        <button type="submit">{t("agenda.save")}</button>
        <button type="button" onClick={() => toggle(false)}>{t("agenda.cancel")}</button>
      </p>
    </form>
  );
}
