/**
 * chinwag real-time protocol 0.2.0: the event types of @chinwag/client.
 *
 * Generated from asyncapi.yaml by `python -m codegen` (the same renderer as
 * docs/chinwag-events.d.ts); do not edit by hand.
 */

/**
 * Authenticate with a JWT.
 */
export interface AuthenticatePayload {
  /**
   * An HS256 JWT.
   * Constraints: min 1 chars; max 4096 chars.
   */
  token: string;
}

/**
 * Join a conversation room.
 */
export interface ChatJoinPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
}

/**
 * Leave a conversation room.
 */
export interface ChatLeavePayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
}

/**
 * Send a message. Needs non-blank `text` or at least one attachment. `tempId` identifies the optimistic copy; `clientNonce` is the idempotency key (per sender).
 */
export interface ChatSendPayload {
  /**
   * A client-made string (tempId, clientNonce), 1 to 128 characters.
   * Constraints: min 1 chars; max 128 chars.
   */
  tempId: ClientToken;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
  /**
   * Message text, at most 10,000 characters.
   * Constraints: max 10000 chars.
   */
  text?: MessageText;
  /**
   * At most 10 attachments.
   * Constraints: max 10 items.
   */
  attachments?: AttachmentList;
  /**
   * A client-made string (tempId, clientNonce), 1 to 128 characters.
   * Constraints: min 1 chars; max 128 chars.
   */
  clientNonce: ClientToken;
}

/**
 * Mark the listed messages read.
 */
export interface ChatReadByIds {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
  /**
   * Ids of messages to mark read (unknown ids are ignored).
   * Constraints: max 500 items; items: format uuid; items: exactly 36 chars; items: pattern ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.
   */
  messageIds: Uuid[];
}

/**
 * Mark read every message with seq ≤ that of `upToMessageId`.
 */
export interface ChatReadUpTo {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  upToMessageId: Uuid;
}

/**
 * Mark messages read; exactly one of `messageIds` or `upToMessageId`.
 */
export type ChatReadRequestPayload =
  | (ChatReadByIds & { upToMessageId?: never })
  | (ChatReadUpTo & { messageIds?: never });

/**
 * Join a campaign work room.
 */
export interface WorkJoinPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  campaignId: Uuid;
}

/**
 * Leave a campaign work room.
 */
export interface WorkLeavePayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  campaignId: Uuid;
}

/**
 * Ask for the messages after `afterSeq` (0 for all), at most `limit` (default and maximum 200).
 * chinwag extension.
 */
export interface ChatSyncPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
  /**
   * The last seq the client has (0 for none).
   * Constraints: ≥ 0; ≤ 9007199254740991.
   */
  afterSeq: number;
  /**
   * Page size, 1 to 200 (default 200).
   * Constraints: ≥ 1; ≤ 200.
   */
  limit?: number;
}

/**
 * Answer the prompt of automated message `messageId`: `actionId` names a button (required when the prompt has buttons), `values` fills its inputs by input id (numbers as JSON numbers or numeric strings). `clientNonce` is the idempotency key (per sender).
 * chinwag extension.
 */
export interface ChatActionPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  messageId: Uuid;
  /**
   * The prompt's `action_data.prompt_id`.
   * Constraints: min 1 chars; max 128 chars.
   */
  promptId: string;
  /**
   * The chosen button's id.
   * Constraints: min 1 chars; max 64 chars.
   */
  actionId?: string;
  /**
   * Input values by input id.
   */
  values?: { [key: string]: string | number };
  /**
   * A client-made string (tempId, clientNonce), 1 to 128 characters.
   * Constraints: min 1 chars; max 128 chars.
   */
  clientNonce: ClientToken;
}

/**
 * The socket is authenticated as `userId`.
 */
export interface AuthenticatedPayload {
  /**
   * A user id, the JWT `sub` claim of that user's tokens.
   * Constraints: min 1 chars; max 128 chars.
   */
  userId: UserId;
}

/**
 * Authentication failed. The socket stays connected and may try again, except after `too_many_sockets` (it is then disconnected). `retryAfter` (ms) comes with `rate_limited`.
 */
export interface AuthErrorPayload {
  /**
   * Human-readable reason.
   * Constraints: max 1000 chars.
   */
  message: string;
  /**
   * Stable machine-readable error code. `unauthenticated`: no valid session yet. `invalid_token`: the token is malformed, badly signed or has wrong claims. `token_expired`: the token's exp has passed. `forbidden`: the role may not do this. `not_found`: unknown id or no access (existence is not revealed). `invalid_payload`: the payload breaks the contract (see `details`). `too_large`: a string or a list is over a contract limit (its maxLength or maxItems: text, attachments, ids, names, any other). `not_real_time`: `chat:send` on an automated conversation. `idempotency_conflict`: a clientNonce reused with another conversation or content. `rate_limited`: slow down, retry after `retryAfter` ms. `too_many_sockets`: the user has too many open sockets. `prompt_stale`, `prompt_answered`: an answer to a prompt that is no longer current or was answered already. `unknown_event`: an event name the contract does not declare. `unavailable`: the server took no action (an extension) because it is shutting down or because the database cannot be reached (then with `retryAfter`); `chat:error` or `auth_error` on the socket, connect_error `data.code` on a handshake, HTTP 503 on REST; retry (after `retryAfter` when given; on another process when shutting down), a send with the same clientNonce. `internal`: a server fault (never for bad input).
   * chinwag extension.
   */
  code: ErrorCode;
  /**
   * Milliseconds to wait before retrying: with `rate_limited`, and with `unavailable` when the database cannot be reached.
   * Constraints: ≥ 0; ≤ 3600000.
   * chinwag extension.
   */
  retryAfter?: RetryAfter;
}

/**
 * The socket joined the conversation room.
 */
export interface ChatJoinedPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
}

/**
 * The socket left the conversation room.
 * chinwag extension.
 */
export interface ChatLeftPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
}

/**
 * A chat:*\/work: request failed. `event` names the request; `tempId` is echoed whenever the request had one; `details` lists field errors; `retryAfter` (ms) comes with `rate_limited`, and with `unavailable` when the database cannot be reached.
 */
export interface ChatErrorPayload {
  /**
   * Human-readable reason.
   * Constraints: max 1000 chars.
   */
  message: string;
  /**
   * A client-made string (tempId, clientNonce), 1 to 128 characters.
   * Constraints: min 1 chars; max 128 chars.
   */
  tempId?: ClientToken;
  /**
   * Stable machine-readable error code. `unauthenticated`: no valid session yet. `invalid_token`: the token is malformed, badly signed or has wrong claims. `token_expired`: the token's exp has passed. `forbidden`: the role may not do this. `not_found`: unknown id or no access (existence is not revealed). `invalid_payload`: the payload breaks the contract (see `details`). `too_large`: a string or a list is over a contract limit (its maxLength or maxItems: text, attachments, ids, names, any other). `not_real_time`: `chat:send` on an automated conversation. `idempotency_conflict`: a clientNonce reused with another conversation or content. `rate_limited`: slow down, retry after `retryAfter` ms. `too_many_sockets`: the user has too many open sockets. `prompt_stale`, `prompt_answered`: an answer to a prompt that is no longer current or was answered already. `unknown_event`: an event name the contract does not declare. `unavailable`: the server took no action (an extension) because it is shutting down or because the database cannot be reached (then with `retryAfter`); `chat:error` or `auth_error` on the socket, connect_error `data.code` on a handshake, HTTP 503 on REST; retry (after `retryAfter` when given; on another process when shutting down), a send with the same clientNonce. `internal`: a server fault (never for bad input).
   * chinwag extension.
   */
  code: ErrorCode;
  /**
   * The event name of the failed request.
   * Constraints: min 1 chars; max 256 chars.
   * chinwag extension.
   */
  event: string;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   * chinwag extension.
   */
  conversationId?: Uuid;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   * chinwag extension.
   */
  campaignId?: Uuid;
  /**
   * Field-level errors.
   * Constraints: max 100 items.
   * chinwag extension.
   */
  details?: FieldErrorList;
  /**
   * Milliseconds to wait before retrying: with `rate_limited`, and with `unavailable` when the database cannot be reached.
   * Constraints: ≥ 0; ≤ 3600000.
   * chinwag extension.
   */
  retryAfter?: RetryAfter;
}

/**
 * The message is stored; `tempId` is the request's (a retry's own tempId on a retry).
 */
export interface ChatAckPayload {
  /**
   * A client-made string (tempId, clientNonce), 1 to 128 characters.
   * Constraints: min 1 chars; max 128 chars.
   */
  tempId: ClientToken;
  /**
   * A stored chat message.
   */
  message: Message;
}

/**
 * The answer as stored (a kind `user` message); the original one on a retry.
 * chinwag extension.
 */
export interface ChatActionAckPayload {
  /**
   * A client-made string (tempId, clientNonce), 1 to 128 characters.
   * Constraints: min 1 chars; max 128 chars.
   */
  clientNonce: ClientToken;
  /**
   * A stored chat message.
   */
  message: Message;
}

/**
 * A new user message.
 */
export interface ChatNewPayload {
  /**
   * A stored chat message.
   */
  message: Message;
}

/**
 * A flow-engine message; `reason` names the step or trigger.
 */
export interface ChatAutomatedPayload {
  /**
   * A stored chat message.
   */
  message: Message;
  /**
   * The flow step or trigger that produced the message.
   * Constraints: min 1 chars; max 200 chars.
   */
  reason: string;
}

/**
 * Messages newly read by `readerId` (no id is listed twice across receipts).
 */
export interface ChatReadReceiptPayload {
  /**
   * Ids newly marked read (may be empty in the reply to the reader).
   * Constraints: max 10000 items; items: format uuid; items: exactly 36 chars; items: pattern ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.
   */
  messageIds: Uuid[];
  /**
   * A user id, the JWT `sub` claim of that user's tokens.
   * Constraints: min 1 chars; max 128 chars.
   */
  readerId: UserId;
  /**
   * ISO 8601 instant in UTC with milliseconds and `Z`.
   * Constraints: format date-time; exactly 24 chars.
   */
  readAt: Timestamp;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   * chinwag extension.
   */
  conversationId: Uuid;
}

/**
 * The socket joined the campaign work room.
 * chinwag extension.
 */
export interface WorkJoinedPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  campaignId: Uuid;
}

/**
 * The socket left the campaign work room.
 * chinwag extension.
 */
export interface WorkLeftPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  campaignId: Uuid;
}

/**
 * A page of messages in seq order (at most 200, and about 512 KiB); ask again after the last one while `hasMore`.
 * chinwag extension.
 */
export interface ChatSyncedPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
  /**
   * Constraints: max 200 items.
   */
  messages: Message[];
  /**
   * More messages follow this page.
   */
  hasMore: boolean;
}

/**
 * The conversation's new chat_status.
 * chinwag extension.
 */
export interface ChatStatusPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversationId: Uuid;
  /**
   * `real_time`: people type and `chat:send` is accepted. `automated`: a flow engine talks through `chat:automated` messages with action buttons; `chat:send` is refused with `not_real_time`.
   */
  chat_status: ChatStatus;
}

/**
 * A conversation changed. `message` is its latest message (or null). `removed` goes to a participant taken off the conversation.
 */
export interface ConversationListUpdatedPayload {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversation_id: Uuid;
  /**
   * The conversation's latest message, or null.
   */
  message: Message | null;
  /**
   * What changed.
   */
  action: "created" | "new_message" | "status_changed" | "participants_changed" | "removed";
}

/**
 * The server is going away; reconnect and `chat:sync`.
 * chinwag extension.
 */
export interface ServerShutdownPayload {
  /**
   * Why (`shutdown` on SIGTERM).
   * Constraints: min 1 chars; max 200 chars.
   */
  reason: string;
}

/**
 * A refused handshake as the Socket.IO client sees it (`connect_error`): `message` and `data`.
 * chinwag extension.
 */
export interface ConnectErrorPayload {
  /**
   * Human-readable reason.
   * Constraints: max 1000 chars.
   */
  message: string;
  /**
   * The machine-readable part of a refused handshake.
   */
  data: ConnectErrorData;
}

/**
 * The machine-readable part of a refused handshake.
 * chinwag extension.
 */
export interface ConnectErrorData {
  /**
   * Why the handshake was refused (a subset of ErrorCode).
   */
  code: "invalid_token" | "token_expired" | "too_many_sockets" | "unavailable";
}

/**
 * The body of every REST error, and the argument given to a Socket.IO acknowledgement callback when the request failed.
 */
export interface ErrorBody {
  /**
   * A structured error.
   */
  error: Error;
}

/**
 * A server-made identifier (UUID, lower-case, hyphenated).
 * Constraints: format uuid; exactly 36 chars; pattern ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.
 */
export type Uuid = string;

/**
 * A user id, the JWT `sub` claim of that user's tokens.
 * Constraints: min 1 chars; max 128 chars.
 */
export type UserId = string;

/**
 * A client-made string (tempId, clientNonce), 1 to 128 characters.
 * Constraints: min 1 chars; max 128 chars.
 */
export type ClientToken = string;

/**
 * ISO 8601 instant in UTC with milliseconds and `Z`.
 * Constraints: format date-time; exactly 24 chars; pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$.
 */
export type Timestamp = string;

/**
 * `real_time`: people type and `chat:send` is accepted. `automated`: a flow engine talks through `chat:automated` messages with action buttons; `chat:send` is refused with `not_real_time`.
 */
export type ChatStatus = "real_time" | "automated";

/**
 * `user` for messages people send, `automated` for flow-engine messages.
 */
export type MessageKind = "user" | "automated";

/**
 * Message text, at most 10,000 characters.
 * Constraints: max 10000 chars.
 */
export type MessageText = string;

/**
 * Attachment metadata. chinwag stores no files, only this description of one.
 */
export interface Attachment {
  /**
   * Where the file lives: an https URI of RFC 3986 characters (no `format: uri`: the pattern is the whole rule, so the models and the JSON Schema give the same verdict).
   * Constraints: min 9 chars; max 2048 chars; pattern ^https://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+$.
   */
  url: string;
  /**
   * File name shown to people.
   * Constraints: min 1 chars; max 255 chars.
   */
  name: string;
  /**
   * Media type, e.g. `image/png`.
   * Constraints: min 1 chars; max 127 chars.
   */
  mime_type: string;
  /**
   * File size in bytes.
   * Constraints: ≥ 0; ≤ 9007199254740991.
   */
  size_bytes: number;
}

/**
 * At most 10 attachments.
 * Constraints: max 10 items.
 */
export type AttachmentList = Attachment[];

/**
 * An action button of an automated prompt.
 */
export interface Button {
  /**
   * Button id, unique within its prompt.
   * Constraints: min 1 chars; max 64 chars.
   */
  id: string;
  /**
   * Text on the button.
   * Constraints: min 1 chars; max 200 chars.
   */
  label: string;
  /**
   * Value recorded when the button is chosen.
   * Constraints: max 1000 chars.
   */
  value: string;
}

/**
 * One choice of a `select` input.
 */
export interface InputOption {
  /**
   * Value recorded when this option is chosen.
   * Constraints: max 1000 chars.
   */
  value: string;
  /**
   * Text shown for this option.
   * Constraints: min 1 chars; max 200 chars.
   */
  label: string;
}

/**
 * An input of an automated prompt.
 */
export interface InputField {
  /**
   * Input id, unique within its prompt.
   * Constraints: min 1 chars; max 64 chars.
   */
  id: string;
  /**
   * Kind of input.
   */
  type: "text" | "number" | "email" | "select";
  /**
   * Label shown next to the input.
   * Constraints: min 1 chars; max 200 chars.
   */
  label: string;
  /**
   * Whether an answer must give a value.
   */
  required: boolean;
  /**
   * Choices of a `select` input.
   * Constraints: max 50 items.
   */
  options?: InputOption[];
  /**
   * Lower bound (number) or minimum length (text).
   */
  min?: number;
  /**
   * Upper bound (number) or maximum length (text).
   */
  max?: number;
  /**
   * Regular expression a text answer must match.
   * Constraints: max 500 chars.
   */
  pattern?: string;
}

/**
 * The buttons and inputs of an automated prompt.
 */
export interface ActionData {
  /**
   * Identifies the prompt an answer refers to.
   * Constraints: min 1 chars; max 128 chars.
   */
  prompt_id: string;
  /**
   * Constraints: max 20 items.
   */
  buttons: Button[];
  /**
   * Constraints: max 20 items.
   */
  inputs: InputField[];
}

/**
 * A stored chat message.
 */
export interface Message {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  id: Uuid;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  conversation_id: Uuid;
  /**
   * Position in the conversation, 1, 2, 3, … gap-free; shared by user and automated messages.
   * Constraints: ≥ 1; ≤ 9007199254740991.
   */
  seq: number;
  /**
   * The sender's user id; null for automated messages.
   * Constraints: min 1 chars; max 128 chars.
   */
  sender_id: string | null;
  /**
   * `user` for messages people send, `automated` for flow-engine messages.
   */
  kind: MessageKind;
  /**
   * Message text (at most 10,000 characters), or null.
   * Constraints: max 10000 chars.
   */
  text: string | null;
  /**
   * At most 10 attachments.
   * Constraints: max 10 items.
   */
  attachments: AttachmentList;
  /**
   * Buttons and inputs of an automated prompt, or null.
   */
  action_data: ActionData | null;
  /**
   * The sender's idempotency key, or null (automated messages).
   * Constraints: min 1 chars; max 128 chars.
   */
  client_nonce: string | null;
  /**
   * ISO 8601 instant in UTC with milliseconds and `Z`.
   * Constraints: format date-time; exactly 24 chars.
   */
  created_at: Timestamp;
}

/**
 * A conversation of a campaign.
 */
export interface Conversation {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  id: Uuid;
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  campaign_id: Uuid;
  /**
   * `real_time`: people type and `chat:send` is accepted. `automated`: a flow engine talks through `chat:automated` messages with action buttons; `chat:send` is refused with `not_real_time`.
   */
  chat_status: ChatStatus;
  /**
   * The conversation's participants.
   * Constraints: max 1000 items; unique items; items: min 1 chars; items: max 128 chars.
   */
  participant_ids: UserId[];
  /**
   * ISO 8601 instant in UTC with milliseconds and `Z`.
   * Constraints: format date-time; exactly 24 chars.
   */
  created_at: Timestamp;
  /**
   * ISO 8601 instant in UTC with milliseconds and `Z`.
   * Constraints: format date-time; exactly 24 chars.
   */
  updated_at: Timestamp;
  /**
   * The latest message, or null when there is none.
   */
  last_message: Message | null;
  /**
   * Messages the caller has not read. Always present in `GET /api/conversations` items (`ConversationListItem`), absent elsewhere.
   * Constraints: ≥ 0; ≤ 9007199254740991.
   * chinwag extension.
   */
  unread_count?: number;
}

/**
 * A campaign; its members are its staff.
 */
export interface Campaign {
  /**
   * A server-made identifier (UUID, lower-case, hyphenated).
   * Constraints: format uuid; exactly 36 chars.
   */
  id: Uuid;
  /**
   * Campaign name.
   * Constraints: min 1 chars; max 200 chars.
   */
  name: string;
  /**
   * The campaign's members (staff).
   * Constraints: max 1000 items; unique items; items: min 1 chars; items: max 128 chars.
   */
  member_ids: UserId[];
  /**
   * ISO 8601 instant in UTC with milliseconds and `Z`.
   * Constraints: format date-time; exactly 24 chars.
   */
  created_at: Timestamp;
}

/**
 * Stable machine-readable error code. `unauthenticated`: no valid session yet. `invalid_token`: the token is malformed, badly signed or has wrong claims. `token_expired`: the token's exp has passed. `forbidden`: the role may not do this. `not_found`: unknown id or no access (existence is not revealed). `invalid_payload`: the payload breaks the contract (see `details`). `too_large`: a string or a list is over a contract limit (its maxLength or maxItems: text, attachments, ids, names, any other). `not_real_time`: `chat:send` on an automated conversation. `idempotency_conflict`: a clientNonce reused with another conversation or content. `rate_limited`: slow down, retry after `retryAfter` ms. `too_many_sockets`: the user has too many open sockets. `prompt_stale`, `prompt_answered`: an answer to a prompt that is no longer current or was answered already. `unknown_event`: an event name the contract does not declare. `unavailable`: the server took no action (an extension) because it is shutting down or because the database cannot be reached (then with `retryAfter`); `chat:error` or `auth_error` on the socket, connect_error `data.code` on a handshake, HTTP 503 on REST; retry (after `retryAfter` when given; on another process when shutting down), a send with the same clientNonce. `internal`: a server fault (never for bad input).
 */
export type ErrorCode = "unauthenticated" | "invalid_token" | "token_expired" | "forbidden" | "not_found" | "invalid_payload" | "too_large" | "not_real_time" | "idempotency_conflict" | "rate_limited" | "too_many_sockets" | "prompt_stale" | "prompt_answered" | "unknown_event" | "unavailable" | "internal";

/**
 * One field-level validation error.
 */
export interface FieldError {
  /**
   * Path to the offending field.
   * Constraints: max 32 items.
   */
  loc: (string | number)[];
  /**
   * What is wrong, for people.
   * Constraints: max 1000 chars.
   */
  msg: string;
  /**
   * Stable machine type of the error (pydantic's error type).
   * Constraints: max 100 chars.
   */
  type: string;
}

/**
 * Field-level errors.
 * Constraints: max 100 items.
 */
export type FieldErrorList = FieldError[];

/**
 * Milliseconds to wait before retrying: with `rate_limited`, and with `unavailable` when the database cannot be reached.
 * Constraints: ≥ 0; ≤ 3600000.
 */
export type RetryAfter = number;

/**
 * A structured error.
 */
export interface Error {
  /**
   * Stable machine-readable error code. `unauthenticated`: no valid session yet. `invalid_token`: the token is malformed, badly signed or has wrong claims. `token_expired`: the token's exp has passed. `forbidden`: the role may not do this. `not_found`: unknown id or no access (existence is not revealed). `invalid_payload`: the payload breaks the contract (see `details`). `too_large`: a string or a list is over a contract limit (its maxLength or maxItems: text, attachments, ids, names, any other). `not_real_time`: `chat:send` on an automated conversation. `idempotency_conflict`: a clientNonce reused with another conversation or content. `rate_limited`: slow down, retry after `retryAfter` ms. `too_many_sockets`: the user has too many open sockets. `prompt_stale`, `prompt_answered`: an answer to a prompt that is no longer current or was answered already. `unknown_event`: an event name the contract does not declare. `unavailable`: the server took no action (an extension) because it is shutting down or because the database cannot be reached (then with `retryAfter`); `chat:error` or `auth_error` on the socket, connect_error `data.code` on a handshake, HTTP 503 on REST; retry (after `retryAfter` when given; on another process when shutting down), a send with the same clientNonce. `internal`: a server fault (never for bad input).
   */
  code: ErrorCode;
  /**
   * Human-readable explanation.
   * Constraints: max 1000 chars.
   */
  message: string;
  /**
   * Field-level errors.
   * Constraints: max 100 items.
   */
  details?: FieldErrorList;
  /**
   * Milliseconds to wait before retrying: with `rate_limited`, and with `unavailable` when the database cannot be reached.
   * Constraints: ≥ 0; ≤ 3600000.
   */
  retryAfter?: RetryAfter;
}

/** The acknowledgement callback of a client → server event: the success payload, or
 * ErrorBody when the request failed (the reply event is emitted as well). */
export type Ack<T> = (response: T | ErrorBody) => void;

/** Every event the server emits, by wire name. */
export interface ServerToClientEvents {
  /**
   * Authentication succeeded.
   * Channel: /.
   */
  "authenticated": (payload: AuthenticatedPayload) => void;
  /**
   * Authentication failed.
   * Channel: /.
   * chinwag extension.
   */
  "auth_error": (payload: AuthErrorPayload) => void;
  /**
   * The socket joined the conversation room.
   * Channel: /.
   */
  "chat:joined": (payload: ChatJoinedPayload) => void;
  /**
   * The socket left the conversation room.
   * Channel: /.
   * chinwag extension.
   */
  "chat:left": (payload: ChatLeftPayload) => void;
  /**
   * A chat:*\/work:* request failed, or the event is unknown.
   * Channel: /.
   */
  "chat:error": (payload: ChatErrorPayload) => void;
  /**
   * The message is stored; replace the optimistic one.
   * Channel: /.
   */
  "chat:ack": (payload: ChatAckPayload) => void;
  /**
   * A new message in a conversation the socket joined.
   * Channel: room:{conversationId}.
   */
  "chat:new": (payload: ChatNewPayload) => void;
  /**
   * A message from the flow engine, possibly with action buttons and inputs.
   * Channel: room:{conversationId}.
   */
  "chat:automated": (payload: ChatAutomatedPayload) => void;
  /**
   * Messages newly read by a reader.
   * Channel: /, room:{conversationId}.
   */
  "chat:read": (payload: ChatReadReceiptPayload) => void;
  /**
   * The socket joined the campaign work room.
   * Channel: /.
   * chinwag extension.
   */
  "work:joined": (payload: WorkJoinedPayload) => void;
  /**
   * The socket left the campaign work room.
   * Channel: /.
   * chinwag extension.
   */
  "work:left": (payload: WorkLeftPayload) => void;
  /**
   * A page of messages after the requested seq.
   * Channel: /.
   * chinwag extension.
   */
  "chat:synced": (payload: ChatSyncedPayload) => void;
  /**
   * The answer is stored; the flow has moved on.
   * Channel: /.
   * chinwag extension.
   */
  "chat:action_ack": (payload: ChatActionAckPayload) => void;
  /**
   * The server is shutting down.
   * Channel: /.
   * chinwag extension.
   */
  "server:shutdown": (payload: ServerShutdownPayload) => void;
  /**
   * The conversation's chat_status changed.
   * Channel: room:{conversationId}.
   * chinwag extension.
   */
  "chat:status": (payload: ChatStatusPayload) => void;
  /**
   * A conversation in the recipient's lists changed.
   * Channel: room:work:{campaignId}, user:{userId}.
   */
  "conversation_list_updated": (payload: ConversationListUpdatedPayload) => void;
}

/** Every event the client emits, by wire name. */
export interface ClientToServerEvents {
  /**
   * Authenticate the socket with a JWT.
   * Channel: /.
   * Replies: authenticated, auth_error.
   */
  "authenticate": (payload: AuthenticatePayload, ack?: Ack<AuthenticatedPayload>) => void;
  /**
   * Join a conversation room.
   * Channel: /.
   * Replies: chat:joined, chat:error.
   */
  "chat:join": (payload: ChatJoinPayload, ack?: Ack<ChatJoinedPayload>) => void;
  /**
   * Leave a conversation room.
   * Channel: /.
   * Replies: chat:left, chat:error.
   */
  "chat:leave": (payload: ChatLeavePayload, ack?: Ack<ChatLeftPayload>) => void;
  /**
   * Send a message (only in real_time mode).
   * Channel: /.
   * Replies: chat:ack, chat:error.
   */
  "chat:send": (payload: ChatSendPayload, ack?: Ack<ChatAckPayload>) => void;
  /**
   * Mark messages as read.
   * Channel: /.
   * Replies: chat:read, chat:error.
   */
  "chat:read": (payload: ChatReadRequestPayload, ack?: Ack<ChatReadReceiptPayload>) => void;
  /**
   * Join a campaign work room.
   * Channel: /.
   * Replies: work:joined, chat:error.
   */
  "work:join": (payload: WorkJoinPayload, ack?: Ack<WorkJoinedPayload>) => void;
  /**
   * Leave a campaign work room.
   * Channel: /.
   * Replies: work:left, chat:error.
   */
  "work:leave": (payload: WorkLeavePayload, ack?: Ack<WorkLeftPayload>) => void;
  /**
   * Fetch messages after a seq (catch-up after a reconnect).
   * Channel: /.
   * Replies: chat:synced, chat:error.
   * chinwag extension.
   */
  "chat:sync": (payload: ChatSyncPayload, ack?: Ack<ChatSyncedPayload>) => void;
  /**
   * Answer a flow prompt (a button and/or input values).
   * Channel: /.
   * Replies: chat:action_ack, chat:error.
   * chinwag extension.
   */
  "chat:action": (payload: ChatActionPayload, ack?: Ack<ChatActionAckPayload>) => void;
}

export type ServerToClientEventName =
  | "auth_error"
  | "authenticated"
  | "chat:ack"
  | "chat:action_ack"
  | "chat:automated"
  | "chat:error"
  | "chat:joined"
  | "chat:left"
  | "chat:new"
  | "chat:read"
  | "chat:status"
  | "chat:synced"
  | "conversation_list_updated"
  | "server:shutdown"
  | "work:joined"
  | "work:left";

export type ClientToServerEventName =
  | "authenticate"
  | "chat:action"
  | "chat:join"
  | "chat:leave"
  | "chat:read"
  | "chat:send"
  | "chat:sync"
  | "work:join"
  | "work:leave";

/** Every ClientToServerEvent wire name, at run time. */
export const CLIENT_TO_SERVER_EVENTS: readonly ClientToServerEventName[] = ["authenticate", "chat:action", "chat:join", "chat:leave", "chat:read", "chat:send", "chat:sync", "work:join", "work:leave"];

/** Every ServerToClientEvent wire name, at run time. */
export const SERVER_TO_CLIENT_EVENTS: readonly ServerToClientEventName[] = ["auth_error", "authenticated", "chat:ack", "chat:action_ack", "chat:automated", "chat:error", "chat:joined", "chat:left", "chat:new", "chat:read", "chat:status", "chat:synced", "conversation_list_updated", "server:shutdown", "work:joined", "work:left"];
