/** Typed failures of @chinwag/client. */
import type { ErrorCode } from "./events.js";

/**
 * Every code a ChatError can carry: the contract's codes, plus `timeout` (no reply within the
 * client's timeout) and `disconnected` (the socket closed for good before a reply came).
 */
export type ChatErrorCode = ErrorCode | "timeout" | "disconnected";

/** One field error of an `invalid_payload` (see the contract's FieldError). */
export interface ChatErrorDetail {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** An operation failed: the server's `{code, message}` or the client's own `timeout`. */
export class ChatError extends Error {
  readonly code: ChatErrorCode;
  /** Milliseconds to wait before retrying (with `rate_limited`). */
  readonly retryAfter: number | undefined;
  /** Field errors (with `invalid_payload`). */
  readonly details: ChatErrorDetail[] | undefined;

  constructor(
    code: ChatErrorCode,
    message: string,
    extra: { retryAfter?: number | undefined; details?: ChatErrorDetail[] | undefined } = {},
  ) {
    super(message);
    this.name = "ChatError";
    this.code = code;
    this.retryAfter = extra.retryAfter;
    this.details = extra.details;
  }
}

/** The shape of an error acknowledgement: `{ error: { code, message, ... } }`. */
export interface ErrorAck {
  error: { code: ErrorCode; message: string; retryAfter?: number; details?: ChatErrorDetail[] };
}

/** True when an acknowledgement is an error body rather than the success payload. */
export function isErrorAck(value: unknown): value is ErrorAck {
  return typeof value === "object" && value !== null && "error" in value;
}

/** A ChatError from an error acknowledgement. */
export function fromAck(ack: ErrorAck): ChatError {
  const { code, message, retryAfter, details } = ack.error;
  return new ChatError(code, message, { retryAfter, details });
}
