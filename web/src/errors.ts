// A refusal in the member's language: the hub explains in English; the catalogue may say it in another
// language by its code (with the refusal's details), and the hub's own words stand in otherwise.
import type { HubError } from "./connection";
import { t } from "./i18n";

export function explain(error: HubError): string {
  return t(`errors.${error.code}`, { ...(error.details ?? {}), defaultValue: error.message ?? String(error) });
}
