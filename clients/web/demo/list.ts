/** The conversation list: rows with unread counts, kept live by `conversation_list_updated`. */
import type { ConversationListUpdatedPayload, Message } from "../../typescript/src/index.js";
import { conversations, type ConversationItem } from "./rest.js";

/** Rows by conversation id, rendered into `#conversations`. */
export class ConversationList {
  private rows = new Map<string, ConversationItem>();
  openId: string | null = null;

  constructor(
    private readonly me: string,
    private readonly token: () => Promise<string>,
    private readonly onOpen: (id: string) => void,
  ) {}

  /** Fetch the list again (at start, after a reconnect, on rows we cannot update locally). */
  async reload(): Promise<void> {
    const items = await conversations(await this.token());
    for (const item of items) {
      // A message delivered while the request was under way is newer than the answer.
      const known = this.rows.get(item.id)?.last_message;
      if (known && (item.last_message === null || known.seq > item.last_message.seq)) item.last_message = known;
    }
    this.rows = new Map(items.map((item) => [item.id, item]));
    if (this.openId !== null) this.markRead(this.openId);
    this.render();
  }

  /** The row of `id`, if listed. */
  get(id: string): ConversationItem | undefined {
    return this.rows.get(id);
  }

  /** Apply one `conversation_list_updated`. */
  update({ conversation_id: id, message, action }: ConversationListUpdatedPayload): void {
    const row = this.rows.get(id);
    if (action === "removed") {
      this.rows.delete(id);
      this.render();
      return;
    }
    if (row === undefined || action === "created" || action === "participants_changed" || action === "status_changed") {
      void this.reload();
      return;
    }
    if (message !== null) this.latest(message);
  }

  /** A message arrived for row `message.conversation_id`: preview it, count it when unseen. */
  latest(message: Message): void {
    const row = this.rows.get(message.conversation_id);
    if (row === undefined) return;
    if (row.last_message !== null && row.last_message.seq >= message.seq) return;
    row.last_message = message;
    const seen = message.sender_id === this.me || (this.openId === message.conversation_id && document.visibilityState === "visible");
    if (!seen) row.unread_count += 1;
    this.render();
  }

  /** The open conversation was read up to its end. */
  markRead(id: string): void {
    const row = this.rows.get(id);
    if (row !== undefined && row.unread_count !== 0) {
      row.unread_count = 0;
      this.render();
    }
  }

  /** A title for a conversation: the other participants, or what it is. */
  title(id: string): string {
    const row = this.rows.get(id);
    if (row === undefined) return "Conversation";
    const others = row.participant_ids.filter((p) => p !== this.me);
    if (others.length > 0) return `with ${others.join(", ")}`;
    return "Assistant"; // a customer alone with the flow (and, after a hand-off, the staff)
  }

  render(): void {
    const list = document.querySelector<HTMLUListElement>("#conversations")!;
    const sorted = [...this.rows.values()].sort((a, b) =>
      (b.last_message?.created_at ?? b.updated_at).localeCompare(a.last_message?.created_at ?? a.updated_at),
    );
    list.replaceChildren(
      ...sorted.map((row) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.conversationId = row.id;
        if (row.id === this.openId) button.setAttribute("aria-current", "true");
        const title = Object.assign(document.createElement("span"), { className: "title", textContent: this.title(row.id) });
        const unread = Object.assign(document.createElement("span"), {
          className: "unread",
          textContent: String(row.unread_count),
        });
        unread.dataset.count = String(row.unread_count);
        unread.setAttribute("aria-label", `${row.unread_count} unread`);
        const preview = Object.assign(document.createElement("span"), {
          className: "preview",
          textContent: row.last_message?.text ?? (row.chat_status === "automated" ? "Assistant" : "No messages yet"),
        });
        button.append(title, unread, preview);
        button.addEventListener("click", () => this.onOpen(row.id));
        item.append(button);
        return item;
      }),
    );
  }
}
