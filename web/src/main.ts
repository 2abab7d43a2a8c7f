import "./style.css";
import { Connection, type HubError } from "./connection";
import { MeetingStore, type Meeting } from "./store";
import { formatStart } from "./time";

const app = document.getElementById("app")!;
const banner = document.getElementById("banner")!;

function escape(text: string): string {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

const STATUS: Record<string, string> = {
  scheduled: "Scheduled",
  open: "Open: members are arriving",
  in_session: "In session",
  closed: "Closed",
};

function render(meeting: Meeting): void {
  const present = Object.values(meeting.participants)
    .filter((p) => p.present)
    .sort((a, b) => a.name.localeCompare(b.name));
  const when = formatStart(meeting.starts_at, meeting.time_zone);
  app.innerHTML = `
    <h1 id="title">${escape(meeting.title)}</h1>
    <p class="status" id="status">${escape(STATUS[meeting.status] ?? meeting.status)}</p>
    <dl class="when">
      <dt>Your time</dt>
      <dd><time id="starts" datetime="${escape(meeting.starts_at)}">${escape(when.local)}</time></dd>
      <dt>Meeting time (${escape(meeting.time_zone)})</dt>
      <dd class="home">${escape(when.home)}</dd>
    </dl>
    <h2>Here now (<span id="present-count">${present.length}</span>)</h2>
    <ul class="participants" id="participants">
      ${present
        .map(
          (p) => `<li data-member="${escape(p.member_id)}"><span class="name">${escape(p.name)}</span>
                  <span class="role">${escape(p.role)}</span></li>`,
        )
        .join("")}
    </ul>`;
}

function showError(error: HubError): void {
  app.innerHTML = `<div class="error" role="alert" data-code="${escape(error.code)}">
    <h1>Cannot join this meeting</h1><p>${escape(error.message)}</p></div>`;
}

const match = /^\/join\/([^/]+)$/.exec(location.pathname);
if (!match) {
  app.innerHTML = `<h1>Meeting hub</h1><p>Open the join link you were sent to take part in a meeting.</p>`;
} else {
  const store = new MeetingStore();
  store.subscribe(() => store.meeting && render(store.meeting));
  new Connection(decodeURIComponent(match[1]), store, {
    onOnline(online) {
      banner.hidden = online;
      banner.textContent = online ? "" : "Connection lost: reconnecting…";
    },
    onRefused: showError,
  });
}
