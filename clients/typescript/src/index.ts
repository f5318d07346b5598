/**
 * @chinwag/client: a thin typed client of the chinwag Socket.IO protocol.
 *
 *   import { connect } from "@chinwag/client";
 *   const client = await connect("http://127.0.0.1:8000", () => fetchToken());
 *   await client.join(conversationId, lastShownSeq);
 *   client.onMessage((message) => render(message));
 *   const { message } = await client.send({ conversationId, text: "hello" });
 */
export { ChinwagClient, connect } from "./client.js";
export type { ChinwagSocket, ClientEvents, ClientOptions, ConnectionState, TokenProvider } from "./client.js";
export { ChatError, isErrorAck } from "./errors.js";
export type { ChatErrorCode, ChatErrorDetail, ErrorAck } from "./errors.js";
export type { ListenerOf, Operation, PayloadOf, ReplyOf, ServerEvent } from "./operations.js";
export { randomId } from "./operations.js";
export { SeqTracker } from "./tracker.js";
export * from "./events.js";
