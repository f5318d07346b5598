/**
 * A small typed chinwag client: authenticate, join a conversation, send with an optimistic copy,
 * replace it on chat:ack, receive chat:new, mark messages read.
 *
 * Every event name and payload is checked against docs/chinwag-events.d.ts, which is generated
 * from asyncapi.yaml. `npm run typecheck` (and tests/test_docs_typescript.py) compiles this file;
 * the `@ts-expect-error` lines at the end prove the declarations reject wrong usage.
 */
import { io, Socket } from "socket.io-client";
import type {
  ChatErrorPayload,
  ClientToServerEvents,
  ErrorBody,
  Message,
  ServerToClientEvents,
} from "../chinwag-events";

export type ChinwagSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A message shown before the server stored it. */
export interface PendingMessage {
  tempId: string;
  text: string;
  pending: true;
}

/** Connects and authenticates; `onReady` runs once the server answered `authenticated`. */
export function connect(url: string, token: string, onReady: (userId: string) => void): ChinwagSocket {
  const socket: ChinwagSocket = io(url, { transports: ["websocket"] });
  socket.on("connect", () => {
    socket.emit("authenticate", { token });
  });
  socket.on("authenticated", ({ userId }) => onReady(userId));
  socket.on("auth_error", ({ message, code }) => {
    console.error(`authentication failed (${code ?? "no code"}): ${message}`);
  });
  return socket;
}

function isError<T extends object>(response: T | ErrorBody): response is ErrorBody {
  return "error" in response;
}

/** One open conversation: its messages, optimistic sends and read receipts. */
export class ConversationView {
  readonly messages: Array<Message | PendingMessage> = [];
  readonly readBy = new Map<string, Set<string>>();
  private counter = 0;

  constructor(
    private readonly socket: ChinwagSocket,
    readonly conversationId: string,
  ) {
    socket.on("chat:new", ({ message }) => {
      if (message.conversation_id === conversationId) this.messages.push(message);
    });
    socket.on("chat:automated", ({ message, reason }) => {
      if (message.conversation_id !== conversationId) return;
      this.messages.push(message);
      const buttons = message.action_data?.buttons ?? [];
      console.info(`flow step ${reason}: ${buttons.map((b) => b.label).join(", ")}`);
    });
    socket.on("chat:ack", ({ tempId, message }) => {
      const index = this.messages.findIndex((m) => "pending" in m && m.tempId === tempId);
      if (index >= 0) this.messages[index] = message;
    });
    socket.on("chat:read", ({ messageIds, readerId, readAt, conversationId: readIn }) => {
      if (readIn !== conversationId) return;
      for (const id of messageIds) {
        const readers = this.readBy.get(id) ?? new Set<string>();
        readers.add(`${readerId}@${readAt}`);
        this.readBy.set(id, readers);
      }
    });
    socket.on("chat:error", (error: ChatErrorPayload) => this.onError(error));
  }

  /** Joins the conversation room; the ack callback gets chat:joined's payload or an ErrorBody. */
  join(): void {
    this.socket.emit("chat:join", { conversationId: this.conversationId }, (response) => {
      if (isError(response)) console.error(response.error.code, response.error.message);
      else console.info(`joined ${response.conversationId}`);
    });
  }

  /** Sends text optimistically; returns the tempId that chat:ack will echo. */
  send(text: string): string {
    this.counter += 1;
    const tempId = `tmp-${this.counter}`;
    this.messages.push({ tempId, text, pending: true });
    this.socket.emit("chat:send", {
      tempId,
      conversationId: this.conversationId,
      text,
      clientNonce: `${tempId}-${Date.now()}`,
    });
    return tempId;
  }

  /** Marks everything up to `messageId` read. */
  markReadUpTo(messageId: string): void {
    this.socket.emit("chat:read", { conversationId: this.conversationId, upToMessageId: messageId });
  }

  /** Catches up after a reconnect, page by page. */
  async sync(afterSeq: number): Promise<Message[]> {
    const page = await this.socket.emitWithAck("chat:sync", {
      conversationId: this.conversationId,
      afterSeq,
    });
    if (isError(page)) throw new Error(page.error.message);
    const last = page.messages[page.messages.length - 1];
    return page.hasMore && last ? [...page.messages, ...(await this.sync(last.seq))] : page.messages;
  }

  private onError(error: ChatErrorPayload): void {
    if (error.code === "rate_limited" && error.retryAfter !== undefined) {
      console.warn(`${error.event} rate limited; retry in ${error.retryAfter} ms`);
    } else {
      console.error(`${error.event} failed: ${error.code} ${error.message}`);
    }
  }
}

/** Compile-time proof that the declarations reject what the contract rejects. */
export function mistakes(socket: ChinwagSocket): void {
  // @ts-expect-error: "chat:typing" is not an event of the contract.
  socket.emit("chat:typing", { conversationId: "c" });
  // @ts-expect-error: chat:send needs a clientNonce.
  socket.emit("chat:send", { tempId: "tmp-1", conversationId: "c", text: "hi" });
  // @ts-expect-error: afterSeq is a number, not a string.
  socket.emit("chat:sync", { conversationId: "c", afterSeq: "0" });
  // @ts-expect-error: chat:read takes messageIds or upToMessageId, never both.
  socket.emit("chat:read", { conversationId: "c", messageIds: [], upToMessageId: "m" });
  socket.on("chat:new", ({ message }) => {
    // @ts-expect-error: kind is "user" | "automated".
    const kind: "system" = message.kind;
    console.info(kind);
  });
}
