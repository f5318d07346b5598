/** Type-level views of the generated event maps: an operation's payload and success reply. */
import type { ClientToServerEvents, ErrorBody, ServerToClientEvents } from "./events.js";

/** A client → server event name. */
export type Operation = keyof ClientToServerEvents;

/** The payload an operation takes. */
export type PayloadOf<E extends Operation> = Parameters<ClientToServerEvents[E]>[0];

/** The success reply an operation's acknowledgement carries (its error body excluded). */
export type ReplyOf<E extends Operation> = Exclude<
  Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0],
  ErrorBody
>;

/** A server → client event name. */
export type ServerEvent = keyof ServerToClientEvents;

/** The listener of a server → client event. */
export type ListenerOf<E extends ServerEvent> = ServerToClientEvents[E];

/** A random client-made id (tempId, clientNonce): crypto.randomUUID where the page allows it. */
export function randomId(): string {
  const c = globalThis.crypto;
  if (c !== undefined && typeof c.randomUUID === "function") return c.randomUUID();
  // randomUUID needs a secure context; getRandomValues does not.
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
