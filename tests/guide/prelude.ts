/**
 * What every guide code block runs with (tests/test_guide.py): a real server's URL, an
 * authenticated typed socket, ids of a prepared scene, and the app functions the guide leaves to
 * the reader as stand-ins that record their calls, so the test can await them.
 */
import { io, type Socket } from "socket.io-client";

import type { ClientToServerEvents, Message, ServerToClientEvents } from "./chinwag-events";

export type ChinwagSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stub = (...args: any[]) => void;

/** The scene tests/test_guide.py prepared (CHINWAG_GUIDE_SCENE, JSON). */
export interface Scene {
  baseUrl: string;
  token: string;
  conversationId: string;
  campaignId: string;
  lastSeq: number;
  lastVisibleMessageId: string;
  prompt: Message;
}

export const STUBS = [
  "showUser", "showError", "showJoined", "showPending", "replacePending", "markFailed", "showSynced",
  "showBanner", "setComposer", "showAnswered", "showFieldErrors", "disablePrompt", "markRead",
  "addIfMissing", "updateRow", "render",
] as const;
export type StubName = (typeof STUBS)[number];

/** Everything a block may name. */
export type Context = Omit<Scene, "token"> & { [K in StubName]: Stub } & {
  socket: ChinwagSocket;
  text: string;
  fetchToken: () => Promise<string>;
  sleep: (ms: number) => Promise<void>;
};

/** Calls of the stand-ins, by name, and a way to await one. */
export class Calls {
  readonly seen = new Map<string, unknown[][]>();
  private waiters: Array<{ name: string; resolve: () => void }> = [];

  record(name: string, args: unknown[]): void {
    this.seen.set(name, [...(this.seen.get(name) ?? []), args]);
    this.waiters.filter((w) => w.name === name).forEach((w) => w.resolve());
    this.waiters = this.waiters.filter((w) => w.name !== name);
  }

  wait(name: string, timeoutMs: number): Promise<void> {
    if (this.seen.has(name)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}() was never called`)), timeoutMs);
      this.waiters.push({ name, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** An authenticated socket (or, for `refused`, one whose handshake the server refuses). */
export function openSocket(scene: Scene, mode: "ready" | "refused"): Promise<ChinwagSocket> {
  const token = mode === "refused" ? "not-a-token" : scene.token;
  const socket: ChinwagSocket = io(scene.baseUrl, { auth: { token }, transports: ["websocket"] });
  if (mode === "refused") return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    socket.once("authenticated", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** The context of one block. */
export function context(scene: Scene, socket: ChinwagSocket, calls: Calls): Context {
  const stubs = Object.fromEntries(
    STUBS.map((name) => [name, (...args: unknown[]) => calls.record(name, args)]),
  ) as { [K in StubName]: Stub };
  const { token, ...rest } = scene;
  return {
    ...rest,
    ...stubs,
    socket,
    text: "hello from the guide",
    fetchToken: async () => token,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
