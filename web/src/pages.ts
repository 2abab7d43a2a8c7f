// The views of each page, loaded after the first module (main.ts), which has already opened the
// meeting's connection: on a slow link its handshake goes on while these arrive.
import { onAction, type Reply } from "./actions";
import { explain } from "./errors";
import { Announcer } from "./announce";
import type { Connection, ConnectionCallbacks, HubError } from "./connection";
import { MediaSession } from "./media";
import { RefusalBanner } from "./refusal";
import { loadPanels, renderRefusal, renderRoom } from "./room";
import type { MeetingStore, NamedBallot } from "./store";
import { startI18n, t, withText } from "./i18n";

await startI18n();

const app = document.getElementById("app")!;
const banner = document.getElementById("banner")!;

export function showHomePage(token: string | null): void {
  app.replaceChildren();
  // Home and sign-in are loaded on their own: a join link, often on a slow link, needs neither.
  void Promise.all([import("./home"), withText("home"), withText("panels")]).then(([{ showHome }]) => showHome(app, token));
}

export function showNoLink(): void {
  const title = document.createElement("h1");
  const hint = document.createElement("p");
  title.textContent = t("page.no_link_title");
  hint.textContent = t("page.no_link");
  const signIn = document.createElement("p");
  const link = document.createElement("a");
  link.href = "/signin";
  link.textContent = t("page.signin_link");
  signIn.append(link);
  app.replaceChildren(title, hint, signIn);
}

// The meeting page for a join link, over a connection already opened (and perhaps already joined):
// returns what the connection reports from now on.
export function showSignInPage(token: string | null): void {
  void Promise.all([import("./signin"), withText("home")]).then(([{ showSignIn }]) => showSignIn(app, token));
}

export function showMeeting(token: string, store: MeetingStore, connection: Connection, projector = false): ConnectionCallbacks {
  // The views take over #app from the page's static placeholder.
  app.replaceChildren();
  const announcer = new Announcer(document.getElementById("announce-polite")!, document.getElementById("announce-urgent")!);
  const refusals = new RefusalBanner(document.getElementById("notice")!, (text) => announcer.sayNow(text));
  const tell = (error: HubError): void => refusals.show(explain(error), error.code ?? "");
  const media = new MediaSession(connection);
  // A hall screen's view, fetched with its text when first shown.
  let projectorView: Promise<typeof import("./projector")> | null = null;
  const render = (): void => {
    if (projector || store.projector) {
      // A hall screen: the procedure only, no controls, no media.
      projectorView ??= Promise.all([import("./projector"), withText("panels")]).then(([view]) => view);
      // One that failed to arrive is asked for again at the next change.
      projectorView.then(
        ({ renderProjector }) => renderProjector(app, store),
        () => {
          projectorView = null;
        },
      );
      return;
    }
    renderRoom(app, store, token, media);
    // Once the join screen shows, the rest of the room follows.
    if (store.meeting) loadPanels(() => store.notify());
    announcer.update(store.meeting, store.you?.member_id ?? null, store.may("lobby.admit"));
  };
  store.subscribe(render);
  // What arrived before the views did.
  render();
  media.subscribe(render);
  // For the browser console and tests: the store, the connection and the media (its peer connection
  // is media.pc) of this page.
  (window as unknown as { hub: object }).hub = { store, connection, media };

  // Whether the hub accepted it, with its answer; a refusal is shown to the member until dismissed.
  async function send(action: string, payload: object, quiet = false): Promise<Reply> {
    try {
      const reply = await connection.send<Record<string, unknown>>(action, payload);
      if (action === "vote.cast") {
        // A secret ballot already in the box (a retry, another device) comes back with its receipt and
        // no choice: the box does not know it, so keep the one this browser recorded, if any.
        const voteId = String(reply.vote_id);
        const kept = store.myBallot(voteId);
        const marked = reply.already
          ? { choice: kept?.choice ?? null, choices: kept?.choices ?? null }
          : { choice: (reply.choice as string | null) ?? null, choices: (reply.choices as string[] | null) ?? null };
        store.recordBallot(voteId, { ...marked, receipt: (reply.receipt as string) ?? null });
      }
      // Done, with something in its way the sender should see (speaker.call: the member will not be heard).
      const warning = reply?.warning as HubError | undefined;
      if (warning) refusals.show(explain(warning), warning.code, t("media.call_warning"));
      return { ok: true, data: reply };
    } catch (error) {
      if (!quiet) tell(error as HubError);
      return { ok: false };
    }
  }

  onAction(send);

  app.addEventListener("click", async (event) => {
    const tellers = (event.target as HTMLElement).closest<HTMLElement>("[data-local='vote.ballots']");
    if (tellers) {
      try {
        const reply = await connection.send<{ vote_id: string; ballots: NamedBallot[] }>("vote.ballots", { vote_id: tellers.dataset.vote });
        store.ballotNames.set(reply.vote_id, reply.ballots);
        store.notify();
      } catch (error) {
        tell(error as HubError);
      }
    }
  });

  app.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    if (form.id === "agenda-add") {
      const minutes = String(data.get("minutes") ?? "");
      void send("agenda.add", { title: String(data.get("title")), ...(minutes ? { minutes_budget: Number(minutes) } : {}) });
    } else if (form.id === "motion-submit") {
      const item = String(data.get("item_id") ?? "");
      void send("motion.submit", { title: String(data.get("title")), text: String(data.get("text")), emergency: data.get("emergency") === "on", ...(item ? { item_id: item } : {}) });
    } else if (form.id === "motion-procedural") {
      const target = String(data.get("target_id") ?? "");
      const procedure = String(data.get("procedure"));
      // An adjournment's time, typed in the member's own zone, goes to the hub in UTC.
      const until = procedure === "adjourn" ? String(data.get("until") ?? "") : "";
      void send("motion.procedural", {
        procedure,
        ...(target ? { target_id: target } : {}),
        ...(until ? { until: new Date(until).toISOString() } : {}),
      });
    } else if (form.id === "apologise") {
      // Sending apologies also leaves, so the member is not counted as here; sync shows the departure.
      void send("attendance.apologise", { note: String(data.get("note") ?? "") })
        .then(() => connection.send("meeting.leave"))
        .then(() => connection.sync());
    } else if (form.id === "chat-form") {
      // Kept if refused (the chat closed meanwhile), so nothing typed is lost.
      void send("chat.send", { text: String(data.get("text") ?? "") }).then((sent) => sent.ok && form.reset());
      return;
    } else if (form.id === "media-settings-form") {
      void send("media.set_settings", { last_n: Number(data.get("last_n")), formal_above: Number(data.get("formal_above")) });
      return;
    } else if (form.id === "minutes-approve") {
      void send("minutes.approve", { note: String(data.get("note") ?? "") });
    } else if (form.classList.contains("amend-form")) {
      void send("amendment.move", { motion_id: form.dataset.motion, kind: String(data.get("kind")), target: String(data.get("target") ?? ""), text: String(data.get("text") ?? "") });
    } else {
      // A form that sends itself (its component's onSubmit) keeps what it shows.
      return;
    }
    form.reset();
  });
  // A refusal is final (the client does not try again): no banner then promises a reconnection.
  let refused = false;
  return {
    onOnline(online) {
      if (refused) return;
      banner.hidden = online;
      banner.textContent = online ? "" : t("page.reconnecting");
    },
    onRefused(error: HubError) {
      refused = true;
      banner.hidden = true;
      renderRefusal(app, error.code, explain(error));
    },
  };
}

// The officers' console (/officers), loaded only when opened.
export function showOfficersPage(): void {
  void Promise.all([import("./officers"), withText("home")]).then(([{ showOfficers }]) => showOfficers(app));
}

// A livestream's viewer page (/watch/MEETING), loaded only when opened: it polls the hub over HTTP and
// plays the stream, with no meeting connection and no media of its own.
export function showViewerPage(meetingId: string, token: string | null): void {
  app.replaceChildren();
  void Promise.all([import("./viewer"), withText("home")]).then(([{ showViewer }]) => showViewer(app, meetingId, token));
}
