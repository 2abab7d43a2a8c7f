// Text into HTML, for the views that still build markup as strings.
export function escape(text: string): string {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}
