/**
 * ChinwagClient: a thin typed client over socket.io-client.
 *
 * The rules it implements are the guide's "Reconnect and catch-up" section: the token comes from a
 * provider on every (re)connect; a connect the server refused is retried by hand (socket.io-client
 * does not); after a reconnect or a fresh token it re-joins its rooms and fills the gap with
 * `chat:sync`; an operation whose reply was lost to a disconnect is sent again (same payload, so
 * the same `clientNonce`); `rate_limited` is honoured by waiting `retryAfter`.
 */
import { io, type Socket } from "socket.io-client";

import { ChatError } from "./errors.js";
import type {
  ChatActionPayload,
  ChatReadRequestPayload,
  ChatSendPayload,
  ClientToServerEvents,
  Message,
  ServerShutdownPayload,
  ServerToClientEvents,
} from "./events.js";
import {
  delay,
  randomId,
  type ListenerOf,
  type Operation,
  type PayloadOf,
  type ReplyOf,
  type ServerEvent,
} from "./operations.js";
import { emitOnce } from "./exchange.js";
import { ReadyGate } from "./gate.js";
import { SeqTracker } from "./tracker.js";

/** The typed socket.io-client socket underneath. */
export type ChinwagSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Gives a token for every (re)connect and re-authentication: return a fresh one when yours expires. */
export type TokenProvider = () => string | Promise<string>;

/** Where the connection stands. */
export type ConnectionState = "connecting" | "ready" | "offline" | "refused" | "closed";

/** Options of {@link connect}. */
export interface ClientOptions {
  /** How long one emit waits for its acknowledgement (ms, default 10,000). */
  timeoutMs?: number;
  /** How long an operation keeps waiting for the socket to be ready again (ms, default 60,000). */
  resendWindowMs?: number;
  /** How many `rate_limited` answers an operation waits out before failing (default 50). */
  rateLimitRetries?: number;
  /** Delay before reconnecting after the server refused or closed the connection (ms, default 1,000). */
  reconnectDelayMs?: number;
  /** socket.io-client transports (default: polling, then upgrade). */
  transports?: Array<"polling" | "websocket">;
}

/** What the client itself reports (besides the server's events, see {@link ChinwagClient.on}). */
export interface ClientEvents {
  /** A message of a followed conversation, once each, in seq order (others as they come). */
  message: (message: Message) => void;
  /** The connection state changed. */
  state: (state: ConnectionState, error?: ChatError) => void;
  /** The server announced a graceful shutdown; the client reconnects by itself. */
  shutdown: (payload: ServerShutdownPayload) => void;
  /** A background catch-up or re-join failed (shown, then retried on the next reconnect). */
  error: (error: unknown) => void;
}

/** Connect to `url` and resolve once authenticated; rejects with ChatError when refused. */
export async function connect(
  url: string,
  tokenProvider: TokenProvider,
  options: ClientOptions = {},
): Promise<ChinwagClient> {
  const client = new ChinwagClient(url, tokenProvider, options);
  try {
    await client.ready(options.timeoutMs ?? 10_000);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/** One authenticated connection; every operation is a method returning its success reply. */
export class ChinwagClient {
  readonly socket: ChinwagSocket;
  /** The authenticated user (null until the first `authenticated`). */
  userId: string | null = null;
  /** Operations sent again after their reply was lost to a disconnect (for tests and metrics). */
  resends = 0;
  private currentState: ConnectionState = "connecting";
  private everReady = false;
  /** Token refusals in a row; a provider that keeps giving a dead token is given up on. */
  private tokenFailures = 0;
  private rejoinNeeded = false;
  private readonly rooms = { conversations: new Set<string>(), campaigns: new Set<string>() };
  private readonly listeners: { [K in keyof ClientEvents]: Set<ClientEvents[K]> } = {
    message: new Set(),
    state: new Set(),
    shutdown: new Set(),
    error: new Set(),
  };
  private readonly gate = new ReadyGate();
  private readonly tracker: SeqTracker;
  /** After a `rate_limited`, every operation holds back until then (no burst of retries). */
  private pausedUntil = 0;
  private readonly timeoutMs: number;
  private readonly resendWindowMs: number;
  private readonly rateLimitRetries: number;
  private readonly reconnectDelayMs: number;

  constructor(url: string, private readonly tokenProvider: TokenProvider, options: ClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.resendWindowMs = options.resendWindowMs ?? 60_000;
    this.rateLimitRetries = options.rateLimitRetries ?? 50;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 1_000;
    this.tracker = new SeqTracker(
      (conversationId, afterSeq) => this.sync(conversationId, afterSeq),
      (message) => this.fire("message", message),
      (error) => this.fire("error", error),
    );
    // `auth` as a function: every reconnect asks the provider, so it carries a fresh token.
    this.socket = io(url, {
      ...(options.transports ? { transports: options.transports } : {}),
      auth: (cb) => {
        Promise.resolve(this.tokenProvider()).then(
          (token) => cb({ token }),
          () => cb({}),
        );
      },
    });
    this.wire();
  }

  // -- connection --------------------------------------------------------------------------------

  /** The current connection state. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Resolves when the socket is connected and authenticated (rejects after `timeoutMs`). */
  ready(timeoutMs = this.timeoutMs): Promise<void> {
    return this.gate.wait(timeoutMs);
  }

  /** Authenticate again now with a fresh token from the provider; rooms are kept. */
  async refreshToken(): Promise<void> {
    const reply = await emitOnce(this.socket, "authenticate", { token: await this.tokenProvider() }, this.timeoutMs);
    if (reply.kind === "error") throw reply.error;
    if (reply.kind === "lost") throw new ChatError("disconnected", "connection lost while authenticating");
  }

  /** Close the socket for good. */
  close(): void {
    this.setState("closed");
    this.socket.disconnect();
    this.gate.fail(new ChatError("disconnected", "client closed"));
  }

  // -- operations --------------------------------------------------------------------------------

  /** `chat:join`; with `afterSeq` (what you already show) the client follows the conversation in seq order and catches up at once. */
  async join(conversationId: string, afterSeq?: number): Promise<ReplyOf<"chat:join">> {
    const reply = await this.request("chat:join", { conversationId });
    this.rooms.conversations.add(conversationId);
    if (afterSeq !== undefined) {
      this.tracker.follow(conversationId, afterSeq);
      await this.tracker.catchUp(conversationId);
    }
    return reply;
  }

  /** `chat:leave`; the client stops following the conversation. */
  async leave(conversationId: string): Promise<ReplyOf<"chat:leave">> {
    this.rooms.conversations.delete(conversationId);
    this.tracker.unfollow(conversationId);
    return this.request("chat:leave", { conversationId });
  }

  /** `chat:send`; `tempId` and `clientNonce` are made when missing. Resends keep the same nonce. */
  async send(
    payload: Omit<ChatSendPayload, "tempId" | "clientNonce"> & { tempId?: string; clientNonce?: string },
  ): Promise<ReplyOf<"chat:send">> {
    const full = { ...payload, tempId: payload.tempId ?? randomId(), clientNonce: payload.clientNonce ?? randomId() };
    const reply = await this.request("chat:send", full as ChatSendPayload);
    this.tracker.receive(reply.message);
    return reply;
  }

  /** `chat:read` (exactly one of `messageIds` or `upToMessageId`). */
  read(payload: ChatReadRequestPayload): Promise<ReplyOf<"chat:read">> {
    return this.request("chat:read", payload);
  }

  /** `chat:sync`: one page of messages after `afterSeq`. */
  sync(conversationId: string, afterSeq: number, limit?: number): Promise<ReplyOf<"chat:sync">> {
    return this.request("chat:sync", { conversationId, afterSeq, ...(limit === undefined ? {} : { limit }) });
  }

  /** `chat:action`: answer a flow prompt; `clientNonce` is made when missing. */
  async action(
    payload: Omit<ChatActionPayload, "clientNonce"> & { clientNonce?: string },
  ): Promise<ReplyOf<"chat:action">> {
    const full = { ...payload, clientNonce: payload.clientNonce ?? randomId() };
    const reply = await this.request("chat:action", full as ChatActionPayload);
    this.tracker.receive(reply.message);
    return reply;
  }

  /** `work:join`: follow a campaign's conversation list (staff). Re-joined after reconnects. */
  async workJoin(campaignId: string): Promise<ReplyOf<"work:join">> {
    const reply = await this.request("work:join", { campaignId });
    this.rooms.campaigns.add(campaignId);
    return reply;
  }

  /** `work:leave`. */
  async workLeave(campaignId: string): Promise<ReplyOf<"work:leave">> {
    this.rooms.campaigns.delete(campaignId);
    return this.request("work:leave", { campaignId });
  }

  /**
   * Any operation by wire name: waits until ready, resolves with the success reply, rejects with
   * ChatError; waits out `rate_limited` and sends again after a reply lost to a disconnect.
   */
  async request<E extends Operation>(event: E, payload: PayloadOf<E>): Promise<ReplyOf<E>> {
    const deadline = Date.now() + this.resendWindowMs;
    let rateLimited = 0;
    let unauthenticated = 0;
    for (;;) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await delay(pause);
      // Offline, an operation waits for the reconnect for the rest of its resend window.
      await this.ready(Math.max(1, deadline - Date.now()));
      const outcome = await emitOnce(this.socket, event, payload, this.timeoutMs);
      if (outcome.kind === "ok") return outcome.value as ReplyOf<E>;
      if (outcome.kind === "lost") {
        // `ready` must not resolve again before the reconnect (no busy loop on a dead socket).
        if (!this.socket.connected && this.currentState === "ready") this.setState("offline");
        if (Date.now() >= deadline) throw new ChatError("timeout", `no reply to ${event} in time`);
        this.resends += 1;
        continue;
      }
      const { error } = outcome;
      if (error.code === "rate_limited" && rateLimited < this.rateLimitRetries) {
        rateLimited += 1;
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + (error.retryAfter ?? 1_000));
        continue;
      }
      // The token expired between our check and the server's: wait for the re-authentication.
      if (error.code === "unauthenticated" && unauthenticated < 2 && this.everReady) {
        unauthenticated += 1;
        this.reauthenticate();
        continue;
      }
      throw error;
    }
  }

  // -- events ------------------------------------------------------------------------------------

  /** Listen to a server → client event; returns the unsubscribe function. */
  on<E extends ServerEvent>(event: E, listener: ListenerOf<E>): () => void {
    // socket.io-client's typed `on` cannot take a generic event name; the map guarantees the match.
    const socket = this.socket as unknown as { on(e: string, l: unknown): void; off(e: string, l: unknown): void };
    socket.on(event, listener);
    return () => socket.off(event, listener);
  }

  /** Listen to what the client reports (`message`, `state`, `shutdown`, `error`). */
  onClient<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Shorthand for `onClient("message", listener)`. */
  onMessage(listener: (message: Message) => void): () => void {
    return this.onClient("message", listener);
  }

  /** The highest seq shown for a followed conversation. */
  lastSeq(conversationId: string): number | undefined {
    return this.tracker.lastSeq(conversationId);
  }

  // -- internals ---------------------------------------------------------------------------------

  private wire(): void {
    const s = this.socket;
    s.on("authenticated", ({ userId }) => {
      this.userId = userId;
      const rejoin = this.rejoinNeeded && this.everReady;
      this.everReady = true;
      this.tokenFailures = 0;
      this.rejoinNeeded = false;
      this.setState("ready");
      if (rejoin) void this.rejoin();
    });
    s.on("auth_error", ({ code, message }) => {
      if (code !== "token_expired" && code !== "invalid_token") return;
      // The server took this socket out of its rooms: authenticate again, then re-join.
      if (this.tokenFailures++ < 2) return this.reauthenticate();
      this.refuse(new ChatError(code, message));
    });
    s.on("disconnect", (reason) => {
      if (this.currentState === "closed") return;
      this.rejoinNeeded = true;
      this.setState("offline");
      // A disconnect the server chose (shutdown, socket limit) is not retried by socket.io-client.
      if (reason === "io server disconnect") this.reconnectLater();
    });
    s.on("connect_error", (err: Error & { data?: { code?: string } }) => {
      if (s.active || this.currentState === "closed") return; // a transport failure: socket.io-client retries
      const code = (err.data?.code ?? "internal") as ChatError["code"];
      const tokenProblem = code === "token_expired" || code === "invalid_token";
      const retry = ["unavailable", "internal", "rate_limited"].includes(code) ||
        (this.everReady && tokenProblem && this.tokenFailures++ < 2);
      if (retry) {
        this.setState("offline");
        this.reconnectLater();
        return;
      }
      this.refuse(new ChatError(code, err.message));
    });
    s.on("server:shutdown", (payload) => this.fire("shutdown", payload));
    s.on("chat:new", ({ message }) => this.tracker.receive(message));
    s.on("chat:automated", ({ message }) => this.tracker.receive(message));
  }

  private refuse(error: ChatError): void {
    this.setState("refused", error);
    this.gate.fail(error);
  }

  private reauthenticate(): void {
    this.rejoinNeeded = true;
    this.setState("connecting");
    void Promise.resolve(this.tokenProvider()).then(
      (token) => this.socket.emit("authenticate", { token }),
      (error: unknown) => this.fire("error", error),
    );
  }

  private reconnectLater(): void {
    setTimeout(() => {
      if (this.currentState !== "closed" && !this.socket.connected) this.socket.connect();
    }, this.reconnectDelayMs);
  }

  private async rejoin(): Promise<void> {
    try {
      await Promise.all([...this.rooms.campaigns].map((id) => this.request("work:join", { campaignId: id })));
      await Promise.all(
        [...this.rooms.conversations].map(async (id) => {
          await this.request("chat:join", { conversationId: id });
          await this.tracker.catchUp(id);
        }),
      );
    } catch (error) {
      this.fire("error", error);
    }
  }

  private setState(state: ConnectionState, error?: ChatError): void {
    if (this.currentState === "closed" || this.currentState === state) return;
    this.currentState = state;
    if (state === "ready") this.gate.open();
    else if (state !== "refused") this.gate.shut();
    this.listeners.state.forEach((l) => l(state, error));
  }

  private fire<K extends keyof ClientEvents>(event: K, ...args: Parameters<ClientEvents[K]>): void {
    for (const listener of this.listeners[event]) (listener as (...a: unknown[]) => void)(...args);
  }
}
