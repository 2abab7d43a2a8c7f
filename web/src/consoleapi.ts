// Calls from the officers' console to /api/officers/...: JSON in and out, the session cookie saying
// who (signalling/officers.py checks again on the server who may do what). Signed out: to sign in.
import { explain } from "./errors";
import { t } from "./i18n";

export type Reply<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

export async function api<T>(path: string, body?: object): Promise<Reply<T>> {
  let response: Response;
  try {
    response = await fetch(path, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    return { ok: false, error: { code: "unreachable", message: t("home.unreachable") } };
  }
  if (response.status === 401) {
    location.assign("/signin");
  }
  return response.json();
}

// A refusal in the officer's language, with the fields a form got wrong.
export function refusal(reply: Reply<unknown>): string {
  if (reply.ok) return "";
  const problems = (reply.error.details?.problems ?? []) as Array<{ field: string; problem: string }>;
  const fields = problems.map((p) => `${p.field}: ${p.problem}`).join("; ");
  return explain({ ...reply.error, details: reply.error.details ?? {} }) + (fields ? ` (${fields})` : "");
}
