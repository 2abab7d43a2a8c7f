// A refusal in the member's language: the catalogues explain every code the hub documents
// (docs/protocol/errors.md), with the refusal's details; the hub's own words stand in for a code this
// client does not know.
import type { HubError } from "./connection";
import { t } from "./i18n";

export function explain(error: HubError): string {
  return t(`errors.${error.code}`, { ...(error.details ?? {}), defaultValue: error.message ?? String(error) });
}

// What went wrong, whether the hub refused (explained by its code) or the browser failed (in its own words).
export function problem(error: unknown): string {
  if ((error as HubError)?.code) return explain(error as HubError);
  return (error as Error)?.message ?? String(error);
}
