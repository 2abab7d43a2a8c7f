// Signing in without a stored link: ask for a one-time link by email (/signin), then open it
// (/signin/TOKEN) and press the button that spends it; the hub answers with a session cookie.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { explain } from "./errors";
import { language, t } from "./i18n";
import { LanguagePicker } from "./ui";

type Sent = { state: "idle" } | { state: "sending" } | { state: "sent" } | { state: "failed"; message: string };

async function post(path: string, body: object): Promise<{ ok: boolean; data?: { home: string }; error?: any }> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

function Shell({ children }: { children: preact.ComponentChildren }) {
  const [, setShown] = useState(language());
  return (
    <main class="signin">
      <header class="home-header">
        <h1>{t("signin.title")}</h1>
        <LanguagePicker onChange={() => setShown(language())} />
      </header>
      {children}
    </main>
  );
}

// The provider's name when single sign-on is set up, else null.
function useSingleSignOn(): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    fetch("/api/signin/options")
      .then((response) => response.json())
      .then((reply) => setName(reply.ok && reply.data.sso ? reply.data.sso.name : null))
      .catch(() => setName(null));
  }, []);
  return name;
}

// A refusal the hub sent the browser back with (/signin?error=CODE), from single sign-on.
function returnedWith(): string | null {
  const code = new URLSearchParams(location.search).get("error");
  return code ? explain({ code, message: code, details: {} }) : null;
}

function AskForLink() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState<Sent>(() => {
    const returned = returnedWith();
    return returned ? { state: "failed", message: returned } : { state: "idle" };
  });
  const sso = useSingleSignOn();
  const submit = async (event: Event) => {
    event.preventDefault();
    setSent({ state: "sending" });
    try {
      const reply = await post("/api/signin", { email, language: language() });
      setSent(reply.ok ? { state: "sent" } : { state: "failed", message: explain(reply.error) });
    } catch {
      setSent({ state: "failed", message: t("home.unreachable") });
    }
  };
  if (sent.state === "sent") {
    return (
      <Shell>
        <p role="status" id="signin-sent">
          {t("signin.sent", { email })}
        </p>
        <button type="button" onClick={() => setSent({ state: "idle" })}>
          {t("signin.again")}
        </button>
      </Shell>
    );
  }
  return (
    <Shell>
      <p>{t("signin.intro")}</p>
      <form onSubmit={submit} class="signin-form">
        <label for="signin-email">{t("signin.email")}</label>
        <input
          id="signin-email"
          type="email"
          autocomplete="email"
          required
          value={email}
          onInput={(event) => setEmail((event.target as HTMLInputElement).value)}
        />
        <button class="primary" type="submit" disabled={sent.state === "sending"}>
          {sent.state === "sending" ? t("signin.sending") : t("signin.send")}
        </button>
      </form>
      {sent.state === "failed" ? (
        <p class="error" role="alert">
          {sent.message}
        </p>
      ) : null}
      {sso ? (
        <p>
          <a class="button" href="/signin/sso" id="signin-sso">
            {t("signin.sso", { name: sso })}
          </a>
        </p>
      ) : null}
    </Shell>
  );
}

function Confirm({ token }: { token: string }) {
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      const reply = await post("/api/signin/confirm", { token });
      if (reply.ok && reply.data) {
        location.assign(reply.data.home);
        return;
      }
      setFailure(explain(reply.error));
    } catch {
      setFailure(t("home.unreachable"));
    }
    setBusy(false);
  };
  return (
    <Shell>
      <p>{t("signin.confirm_intro")}</p>
      <button class="primary" type="button" id="signin-confirm" onClick={confirm} disabled={busy}>
        {t("signin.confirm")}
      </button>
      {failure ? (
        <div class="error" role="alert">
          <p>{failure}</p>
          <a href="/signin">{t("signin.ask_again")}</a>
        </div>
      ) : null}
    </Shell>
  );
}

export function showSignIn(root: HTMLElement, token: string | null): void {
  root.replaceChildren();
  render(token ? <Confirm token={token} /> : <AskForLink />, root);
}
