// Small formatting helpers shared by the views.
export function escape(text: string): string {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

// A control that main.ts sends as `action` with `args` when clicked.
export function button(label: string, action: string, args: object = {}, extra = ""): string {
  return `<button type="button" data-action="${action}" data-args='${escape(JSON.stringify(args))}' ${extra}>${escape(label)}</button>`;
}

export function clock(seconds: number): string {
  const sign = seconds < 0 ? "−" : "";
  const whole = Math.abs(Math.round(seconds));
  return `${sign}${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}
