/**
 * The /demo page: sign in (a demo user when the server runs with --demo, or a pasted token),
 * then the conversation list and one open conversation, all through @chinwag/client.
 */
import { ChatError, connect, type ChinwagClient, type ConnectionState } from "../../typescript/src/index.js";
import { ChatView } from "./chat.js";
import { ConversationList } from "./list.js";

interface DemoConfig {
  demo: boolean;
  users: Array<{ userId: string; token: string }>;
}

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

const STATE_TEXT: { [K in ConnectionState]: string } = {
  connecting: "connecting…",
  ready: "connected",
  offline: "offline: reconnecting…",
  refused: "refused",
  closed: "closed",
};

function banner(text: string | null): void {
  const el = $<HTMLParagraphElement>("#banner");
  el.hidden = text === null;
  el.textContent = text ?? "";
}

async function demoConfig(): Promise<DemoConfig> {
  const response = await fetch("/demo/config.json", { cache: "no-store" });
  return (await response.json()) as DemoConfig;
}

/** A provider that asks the server for the demo user's current token (demo mode only). */
function demoToken(userId: string): () => Promise<string> {
  return async () => {
    const user = (await demoConfig()).users.find((u) => u.userId === userId);
    if (user === undefined) throw new Error("the server no longer offers this demo user");
    return user.token;
  };
}

async function start(provider: () => Promise<string>, pasted: boolean): Promise<void> {
  banner(null);
  setState("connecting");
  let client: ChinwagClient;
  try {
    client = await connect(location.origin, provider);
  } catch (error) {
    setState("refused");
    banner(error instanceof ChatError ? `Could not connect (${error.code}): ${error.message}` : String(error));
    return;
  }
  const me = client.userId!;
  setState(client.state);
  $("#login").hidden = true;
  $("#app").hidden = false;
  const who = $("#who");
  who.hidden = false;
  who.textContent = `signed in as ${me}`;
  document.title = `chinwag demo: ${me}`;

  let view: ChatView | null = null;
  const list = new ConversationList(me, provider, (id) => void open(id));

  async function open(id: string): Promise<void> {
    if (view?.id === id) return;
    if (view !== null) await client.leave(view.id).catch(() => undefined);
    list.openId = id;
    list.markRead(id);
    list.render();
    const next = new ChatView(id, client, me, provider, () => list.markRead(id));
    view = next;
    await next.open(list.title(id));
    $<HTMLTextAreaElement>("#composer-input").focus();
  }

  client.onMessage((message) => {
    list.latest(message);
    if (view?.id === message.conversation_id) view.receive(message);
  });
  client.on("conversation_list_updated", (payload) => list.update(payload));
  client.on("chat:read", ({ conversationId, messageIds, readerId }) => {
    if (view?.id === conversationId) view.receipt(messageIds, readerId);
  });
  client.on("chat:status", ({ conversationId, chat_status }) => {
    if (view?.id === conversationId) view.setStatus(chat_status);
  });
  client.on("auth_error", ({ code }) => {
    if (code === "token_expired" && pasted) banner("Your token expired: reload the page and paste a fresh one.");
  });
  client.onClient("shutdown", ({ reason }) => banner(`The server is shutting down (${reason}); reconnecting when it is back…`));
  client.onClient("error", (error) => banner(`Catch-up failed: ${String(error)}`));
  let wasOffline = false;
  client.onClient("state", (state, error) => {
    setState(state);
    if (state === "offline") wasOffline = true;
    if (state === "refused") banner(`Connection refused (${error?.code ?? "unknown"}): ${error?.message ?? ""}`);
    if (state === "ready" && wasOffline) {
      // Messages are caught up by the client; unread counts and statuses changed while offline
      // are not replayed, so fetch them again.
      wasOffline = false;
      banner(null);
      void list.reload();
      void view?.refresh();
    }
  });

  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $<HTMLTextAreaElement>("#composer-input");
    const text = input.value.trim();
    if (text === "" || view === null) return;
    input.value = "";
    view.send(text);
  });
  $("#composer-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $<HTMLFormElement>("#composer").requestSubmit();
    }
  });
  $("#older").addEventListener("click", () => void view?.loadOlder());
  document.addEventListener("visibilitychange", () => view?.markRead());
  await list.reload();
}

function setState(state: ConnectionState | "idle"): void {
  const el = $("#state");
  el.dataset.state = state;
  el.textContent = state === "idle" ? "not connected" : STATE_TEXT[state];
}

async function main(): Promise<void> {
  const config = await demoConfig().catch(() => ({ demo: false, users: [] }) as DemoConfig);
  if (config.demo) {
    $("#demo-users").hidden = false;
    const buttons = $("#demo-user-buttons");
    for (const user of config.users) {
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: user.userId });
      button.dataset.userId = user.userId;
      button.addEventListener("click", () => void start(demoToken(user.userId), false));
      buttons.append(button);
    }
  }
  $("#token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $<HTMLTextAreaElement>("#token-input").value.trim();
    void start(async () => token, true);
  });
}

void main();
