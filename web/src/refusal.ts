// A refusal of something the member just did, shown where they are looking: a banner fixed to the foot
// of the viewport, whatever they have scrolled to, with the hub's reason in their language. It stays
// until they dismiss it (or the next refusal takes its place), and screen readers hear it at once.
import { t } from "./i18n";

export class RefusalBanner {
  constructor(
    private root: HTMLElement,
    private say: (text: string) => void,
  ) {}

  // `heading`: another title, for a command done with a warning rather than refused.
  show(reason: string, code: string, heading = t("refusal.title")): void {
    const title = document.createElement("p");
    title.className = "refusal-title";
    title.textContent = heading;
    // The reason may quote member text (a motion's title): set as text, never as markup.
    const why = document.createElement("p");
    why.className = "refusal-reason";
    why.textContent = reason;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = t("refusal.dismiss");
    dismiss.addEventListener("click", () => this.clear());
    this.root.replaceChildren(title, why, dismiss);
    this.root.setAttribute("aria-label", heading);
    this.root.dataset.code = code;
    this.root.hidden = false;
    this.say(`${heading}: ${reason}`);
  }

  clear(): void {
    this.root.hidden = true;
    this.root.replaceChildren();
    this.root.dataset.code = "";
  }
}
