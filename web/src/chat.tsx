// The meeting's chat: members write while it is open; officers hide messages and close or reopen it.
// The hub enforces all of it (hub/chat.py); this only shows what the member may do.
import { useEffect, useRef } from "preact/hooks";
import { locale, t } from "./i18n";
import type { Meeting, MeetingStore } from "./store";
import { Action } from "./ui";

function at(utc: string): string {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(new Date(utc));
}

export function Chat({ m, store }: { m: Meeting; store: MeetingStore }) {
  const officer = store.may("chat.hide");
  const canWrite = store.may("chat.send") && (m.chat_open || officer);
  const log = useRef<HTMLOListElement>(null);
  // Follow the newest message, as chats do (the count stops growing once old ones drop off).
  const newest = m.chat.at(-1)?.id;
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [newest]);
  return (
    <section aria-labelledby="chat-h" class="chat">
      <h2 id="chat-h">{t("chat.title")}</h2>
      {!m.chat_open && <p id="chat-closed">{t("chat.closed")}</p>}
      {m.chat.length ? (
        <ol id="chat-log" class="chat-log" ref={log} tabIndex={0} aria-label={t("chat.log")}>
          {m.chat.map((message) => (
            <li key={message.id} data-message={message.id}>
              <strong>{message.name}</strong> <time dateTime={message.at}>{at(message.at)}</time>{" "}
              {message.hidden_by ? <em class="hidden-message">{t("chat.hidden", { name: message.hidden_by })}</em> : message.text}
              {officer && !message.hidden_by && (
                <Action action="chat.hide" args={{ message_id: message.id }} aria-label={t("chat.hide_from", { name: message.name })} class="small">
                  {t("chat.hide")}
                </Action>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p>{t("chat.empty")}</p>
      )}
      {canWrite && (
        <form id="chat-form" class="inline-form">
          <label>
            {t("chat.message")} <input name="text" maxLength={1000} required autoComplete="off" />
          </label>
          <button type="submit">{t("chat.send")}</button>
        </form>
      )}
      {officer && (
        <p class="controls">
          {m.chat_open ? (
            <Action action="chat.set_open" args={{ open: false }}>{t("chat.close")}</Action>
          ) : (
            <Action action="chat.set_open" args={{ open: true }}>{t("chat.reopen")}</Action>
          )}
        </p>
      )}
    </section>
  );
}
