/**
 * The open conversation: history paged over REST, live messages in seq order from
 * @chinwag/client, optimistic sends replaced by their ack, read receipts, prompts, the composer
 * following `chat_status`.
 */
import { ChatError, randomId, type ChinwagClient, type Message } from "../../typescript/src/index.js";
import { renderPrompt, type Answer } from "./prompt.js";
import { conversation, history } from "./rest.js";

interface Pending {
  tempId: string;
  clientNonce: string;
  text: string;
  failed: string | null;
}

const PROMPT_PROBLEMS: { [code: string]: string } = {
  prompt_answered: "This question was already answered.",
  prompt_stale: "This question is no longer open.",
  not_real_time: "The assistant is not waiting for this answer.",
};

/** One open conversation view. */
export class ChatView {
  private readonly messages = new Map<string, Message>();
  private readonly pending = new Map<string, Pending>();
  private readonly readBy = new Map<string, Set<string>>();
  private status: "real_time" | "automated" = "real_time";
  private readSent = 0;
  private oldestLoaded: number | null = null;
  private hasOlder = false;

  constructor(
    readonly id: string,
    private readonly client: ChinwagClient,
    private readonly me: string,
    private readonly token: () => Promise<string>,
    private readonly onRead: () => void,
  ) {}

  /** Load the newest page, join (the client then delivers everything after it), read. */
  async open(title: string): Promise<void> {
    document.querySelector("#conversation-title")!.textContent = title;
    const [page, info] = await Promise.all([history(this.id, await this.token()), conversation(this.id, await this.token())]);
    page.forEach((m) => this.messages.set(m.id, m));
    this.oldestLoaded = page[0]?.seq ?? null;
    this.hasOlder = (page[0]?.seq ?? 1) > 1;
    this.setStatus(info.chat_status);
    this.render();
    await this.client.join(this.id, page.at(-1)?.seq ?? 0);
    this.markRead();
  }

  /** The previous page over REST. */
  async loadOlder(): Promise<void> {
    if (this.oldestLoaded === null) return;
    const page = await history(this.id, await this.token(), this.oldestLoaded);
    page.forEach((m) => this.messages.set(m.id, m));
    this.oldestLoaded = page[0]?.seq ?? this.oldestLoaded;
    this.hasOlder = page.length > 0 && (page[0]?.seq ?? 1) > 1;
    this.render();
  }

  /** A message of this conversation from the client (live, caught up, or our own ack). */
  receive(message: Message): void {
    this.messages.set(message.id, message);
    if (message.sender_id === this.me && message.client_nonce !== null) this.pending.delete(message.client_nonce);
    this.render();
    if (message.sender_id !== this.me) this.markRead();
  }

  /** A read receipt: our messages it lists were read by `readerId`. */
  receipt(messageIds: string[], readerId: string): void {
    if (readerId === this.me) return;
    for (const id of messageIds) {
      const readers = this.readBy.get(id) ?? new Set<string>();
      readers.add(readerId);
      this.readBy.set(id, readers);
    }
    this.render();
  }

  /** Status changed live (chat:status) or after a reconnect. */
  setStatus(status: "real_time" | "automated"): void {
    this.status = status;
    const badge = document.querySelector<HTMLElement>("#chat-status")!;
    badge.hidden = false;
    badge.dataset.status = status;
    badge.textContent = status === "automated" ? "assistant" : "live chat";
    const automated = status === "automated";
    document.querySelector<HTMLTextAreaElement>("#composer-input")!.disabled = automated;
    document.querySelector<HTMLButtonElement>("#send")!.disabled = automated;
    document.querySelector<HTMLElement>("#composer-hint")!.hidden = !automated;
    document.querySelector<HTMLElement>("#composer")!.hidden = false;
    this.render();
  }

  /** After a reconnect: what we cannot catch up from messages (the status) is fetched again. */
  async refresh(): Promise<void> {
    this.setStatus((await conversation(this.id, await this.token())).chat_status);
  }

  /** Optimistic send: shown at once, replaced by the stored message on ack. */
  send(text: string, retry?: Pending): void {
    const item = retry ?? { tempId: randomId(), clientNonce: randomId(), text, failed: null };
    item.failed = null;
    this.pending.set(item.clientNonce, item);
    this.render();
    this.client
      .send({ conversationId: this.id, text: item.text, tempId: item.tempId, clientNonce: item.clientNonce })
      .then(({ message }) => this.receive(message))
      .catch((error: unknown) => {
        item.failed = error instanceof ChatError ? error.code : String(error);
        this.render();
      });
  }

  /** Mark everything shown as read (only when there is something new from others). */
  markRead(): void {
    const last = [...this.messages.values()].reduce<Message | null>((a, m) => (a === null || m.seq > a.seq ? m : a), null);
    if (last === null || last.seq <= this.readSent || document.visibilityState !== "visible") return;
    this.readSent = last.seq;
    this.onRead();
    this.client.read({ conversationId: this.id, upToMessageId: last.id }).catch(() => {
      this.readSent = 0; // retried with the next message
    });
  }

  private async answer(message: Message, answer: Answer): Promise<string | null> {
    try {
      await this.client.action({
        conversationId: this.id,
        messageId: message.id,
        promptId: message.action_data!.prompt_id,
        ...answer,
      });
      return null;
    } catch (error) {
      if (!(error instanceof ChatError)) return String(error);
      if (error.code === "invalid_payload") return `Check your answer: ${(error.details ?? []).map((d) => d.msg).join("; ") || error.message}`;
      return PROMPT_PROBLEMS[error.code] ?? `${error.code}: ${error.message}`;
    }
  }

  render(): void {
    const sorted = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    // Only the latest prompt can be answered, and only while the assistant talks.
    const lastPrompt = sorted.filter((m) => m.action_data !== null).at(-1);
    const answered = lastPrompt !== undefined && sorted.some((m) => m.seq > lastPrompt.seq && m.kind === "user");
    const items = sorted.map((m) => {
      const active = m === lastPrompt && !answered && this.status === "automated";
      return this.renderMessage(m, active);
    });
    for (const p of this.pending.values()) items.push(this.renderPending(p));
    if (items.length === 0) {
      items.push(Object.assign(document.createElement("li"), { className: "empty", textContent: "No messages yet. Say hello!" }));
    }
    const list = document.querySelector<HTMLOListElement>("#messages")!;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren(...items);
    if (atBottom) list.scrollTop = list.scrollHeight;
    document.querySelector<HTMLButtonElement>("#older")!.hidden = !this.hasOlder;
  }

  private renderMessage(m: Message, activePrompt: boolean): HTMLLIElement {
    const mine = m.sender_id === this.me;
    const li = bubble(mine, m.kind === "automated", m.sender_id ?? "assistant", m.text ?? "", m.created_at.slice(11, 16));
    li.dataset.seq = String(m.seq);
    li.dataset.messageId = m.id;
    if (mine) {
      const readers = this.readBy.get(m.id);
      const receipt = li.querySelector(".receipt")!;
      receipt.textContent = readers ? `✓ Read by ${[...readers].join(", ")}` : "✓ Sent";
      li.dataset.state = readers ? "read" : "sent";
    }
    if (m.action_data !== null) {
      li.append(renderPrompt(m.action_data, m.id, activePrompt, (answer) => this.answer(m, answer)));
    }
    return li;
  }

  private renderPending(p: Pending): HTMLLIElement {
    const li = bubble(true, false, this.me, p.text, "");
    li.classList.add(p.failed ? "failed" : "pending");
    li.dataset.state = p.failed ? "failed" : "pending";
    const receipt = li.querySelector(".receipt")!;
    receipt.textContent = p.failed ? `Not sent (${p.failed})` : "Sending…";
    if (p.failed) {
      const retry = Object.assign(document.createElement("button"), { type: "button", className: "secondary", textContent: "Retry" });
      retry.addEventListener("click", () => this.send(p.text, p));
      li.append(retry);
    }
    return li;
  }
}

function bubble(mine: boolean, automated: boolean, who: string, text: string, time: string): HTMLLIElement {
  const li = document.createElement("li");
  li.className = `message${mine ? " mine" : ""}${automated ? " automated" : ""}`;
  const meta = Object.assign(document.createElement("div"), { className: "meta" });
  meta.append(
    Object.assign(document.createElement("span"), { textContent: mine ? "You" : who }),
    Object.assign(document.createElement("span"), { textContent: time }),
  );
  const body = Object.assign(document.createElement("p"), { className: "text", textContent: text });
  const receipt = Object.assign(document.createElement("div"), { className: "meta receipt" });
  li.append(meta, body, receipt);
  return li;
}
