// The first module the page loads, kept small: on a join link it opens the meeting's connection at once,
// so that on a slow link the handshake with the hub goes on while the views (pages.ts) download.
import "./style.css";
import { catalogue, preferred } from "./catalogues";
import { Connection, type ConnectionCallbacks, type HubError } from "./connection";
import { MeetingStore } from "./store";

// What the connection reports before the views are there to show it, shown when they are.
class Early implements ConnectionCallbacks {
  private shown: ConnectionCallbacks | null = null;
  private online: boolean | null = null;
  private refused: HubError | null = null;

  onOnline(online: boolean): void {
    if (this.shown) this.shown.onOnline(online);
    else this.online = online;
  }

  onRefused(error: HubError): void {
    if (this.shown) this.shown.onRefused(error);
    else this.refused = error;
  }

  showWith(shown: ConnectionCallbacks): void {
    this.shown = shown;
    if (this.online !== null) shown.onOnline(this.online);
    if (this.refused) shown.onRefused(this.refused);
  }
}

// The member's text, fetched beside the views (i18n.ts waits for the same fetch).
void catalogue(preferred());

const join = /^\/join\/([^/]+)$/.exec(location.pathname);
const home = /^\/home\/([^/]+)$/.exec(location.pathname);
const signIn = /^\/signin(?:\/([^/]+))?$/.exec(location.pathname);
const watch = /^\/watch\/([^/]+)$/.exec(location.pathname);
if (join) {
  const token = decodeURIComponent(join[1]);
  const store = new MeetingStore();
  const early = new Early();
  const connection = new Connection(token, store, early);
  const { showMeeting } = await import("./pages");
  // ?view=projector: the hall screen's view of the same meeting (projector.tsx).
  const projector = new URLSearchParams(location.search).get("view") === "projector";
  early.showWith(showMeeting(token, store, connection, projector));
} else if (home) {
  (await import("./pages")).showHomePage(decodeURIComponent(home[1]));
} else if (location.pathname === "/home") {
  // The signed-in member's home: the session cookie says who.
  (await import("./pages")).showHomePage(null);
} else if (location.pathname === "/officers") {
  // The officers' console: the session cookie says who, and the hub what they may manage.
  (await import("./pages")).showOfficersPage();
} else if (watch) {
  // A livestream's viewer page: no connection to the meeting, no camera or microphone; the join token
  // (absent for a public livestream) says who may watch.
  (await import("./pages")).showViewerPage(decodeURIComponent(watch[1]), new URLSearchParams(location.search).get("token"));
} else if (signIn) {
  (await import("./pages")).showSignInPage(signIn[1] ? decodeURIComponent(signIn[1]) : null);
} else {
  (await import("./pages")).showNoLink();
}
