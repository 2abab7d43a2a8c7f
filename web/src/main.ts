import "./style.css";
import { Connection, type HubError } from "./connection";
import { escape } from "./format";
import { renderRoom, tick } from "./room";
import { MeetingStore } from "./store";

const app = document.getElementById("app")!;
const banner = document.getElementById("banner")!;
const notice = document.getElementById("notice")!;

function showError(error: HubError): void {
  app.innerHTML = `<div class="error" role="alert" data-code="${escape(error.code)}">
    <h1>Cannot join this meeting</h1><p>${escape(error.message)}</p></div>`;
}

function tell(message: string, code = ""): void {
  notice.textContent = message;
  notice.dataset.code = code;
  notice.hidden = !message;
}

const match = /^\/join\/([^/]+)$/.exec(location.pathname);
if (!match) {
  app.innerHTML = `<h1>Meeting hub</h1><p>Open the join link you were sent to take part in a meeting.</p>`;
} else {
  const store = new MeetingStore();
  store.subscribe(() => renderRoom(app, store));
  const connection = new Connection(decodeURIComponent(match[1]), store, {
    onOnline(online) {
      banner.hidden = online;
      banner.textContent = online ? "" : "Connection lost: reconnecting…";
    },
    onRefused: showError,
  });
  setInterval(() => tick(app, store), 250);

  async function send(action: string, payload: object): Promise<void> {
    try {
      tell("");
      await connection.send(action, payload);
    } catch (error) {
      const e = error as HubError;
      tell(e.message ?? String(error), e.code ?? "");
    }
  }

  app.addEventListener("click", (event) => {
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
    if (!target) return;
    void send(target.dataset.action!, JSON.parse(target.dataset.args ?? "{}"));
  });

  app.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    if (form.id === "agenda-add") {
      const minutes = String(data.get("minutes") ?? "");
      void send("agenda.add", { title: String(data.get("title")), ...(minutes ? { minutes_budget: Number(minutes) } : {}) });
    } else if (form.id === "point-of-order") {
      void send("speaker.point_of_order", { rule: String(data.get("rule")) });
    }
    form.reset();
  });
}
