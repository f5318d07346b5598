/** One emit and its acknowledgement, with a timeout and an eye on the connection. */
import type { Socket } from "socket.io-client";

import { ChatError, fromAck, isErrorAck } from "./errors.js";

/** How one emit ended: its success reply, its error, or `lost` (the connection went first). */
export type Outcome = { kind: "ok"; value: unknown } | { kind: "error"; error: ChatError } | { kind: "lost" };

/** Emit `event` with an acknowledgement; never lets socket.io-client buffer it while offline. */
export function emitOnce(socket: Socket, event: string, payload: unknown, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    // Buffered emits would go out again after a reconnect: the caller's resend loop owns retries.
    if (!socket.connected) return resolve({ kind: "lost" });
    let done = false;
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off("disconnect", onDisconnect);
      resolve(outcome);
    };
    const onDisconnect = (): void => finish({ kind: "lost" });
    const timer = setTimeout(
      () => finish({ kind: "error", error: new ChatError("timeout", `no reply to ${event} within ${timeoutMs} ms`) }),
      timeoutMs,
    );
    socket.on("disconnect", onDisconnect);
    socket.emit(event, payload, (response: unknown) =>
      finish(isErrorAck(response) ? { kind: "error", error: fromAck(response) } : { kind: "ok", value: response }),
    );
  });
}
