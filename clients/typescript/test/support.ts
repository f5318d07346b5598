/**
 * What the package's tests need from a real chinwag server: its URL and JWT secret come from the
 * environment (CHINWAG_URL, CHINWAG_JWT_SECRET), set by tests/test_typescript_client.py, which
 * starts the server. Tokens are HS256 JWTs signed here; scenes are made over REST.
 */
import { createHmac, randomUUID } from "node:crypto";

import type { Conversation, Message } from "../src/index.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through tests/test_typescript_client.py`);
  return value;
}

export const URL_ = required("CHINWAG_URL");
const SECRET = required("CHINWAG_JWT_SECRET");

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** An HS256 JWT for `sub` (role user unless told), expiring in `ttlS` seconds. */
export function token(sub: string, role: "user" | "service" = "user", ttlS = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify({ sub, role, iat: now, exp: now + ttlS }));
  const sig = createHmac("sha256", SECRET).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

/** A user id no other test uses. */
export function newUser(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

async function rest<T>(method: string, path: string, body?: unknown, as = token("svc-ts", "service")): Promise<T> {
  const response = await fetch(`${URL_}${path}`, {
    method,
    headers: { authorization: `Bearer ${as}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

/** A new campaign with one conversation between `participants`. */
export async function scene(
  participants: string[],
  chatStatus: "real_time" | "automated" = "real_time",
): Promise<Conversation> {
  const campaign = await rest<{ id: string }>("POST", "/api/campaigns", { name: "ts", member_ids: [] });
  return rest<Conversation>("POST", "/api/conversations", {
    campaign_id: campaign.id,
    participant_ids: participants,
    chat_status: chatStatus,
  });
}

/** Every stored message of a conversation (service view). */
export async function stored(conversationId: string): Promise<Message[]> {
  const page = await rest<{ items: Message[] }>("GET", `/api/conversations/${conversationId}/messages?limit=200`);
  return page.items;
}

/** Start the shipped demo flow on a conversation. */
export async function startFlow(conversationId: string): Promise<void> {
  await rest("POST", `/api/conversations/${conversationId}/flow`, { flow_id: "demo" });
}

/** Resolves with the first value `predicate` accepts among the collected `items` (polled on push). */
export function waitFor<T>(items: T[], predicate: (items: T[]) => boolean, timeoutMs = 10_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (predicate(items)) return resolve(items);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out; got ${JSON.stringify(items)}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}
