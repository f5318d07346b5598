/** @chinwag/client against a real chinwag server (started by tests/test_typescript_client.py). */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, test } from "node:test";

import { ChatError, ChinwagClient, connect, type ClientOptions, type Message } from "../src/index.js";
import { URL_, newUser, scene, startFlow, stored, token, waitFor } from "./support.js";

const clients: ChinwagClient[] = [];

async function open(
  user: string,
  provider: () => string = () => token(user),
  options: ClientOptions = {},
): Promise<ChinwagClient> {
  const client = await connect(URL_, provider, { transports: ["websocket"], timeoutMs: 5_000, ...options });
  clients.push(client);
  return client;
}

after(() => clients.forEach((c) => c.close()));

test("send resolves with the stored message and the other user receives it in order", async () => {
  const [alice, bob] = [newUser("alice"), newUser("bob")];
  const conversation = await scene([alice, bob]);
  const a = await open(alice);
  const b = await open(bob);
  const got: Message[] = [];
  b.onMessage((m) => got.push(m));
  await b.join(conversation.id, 0);

  const first = await a.send({ conversationId: conversation.id, text: "hello" });
  const second = await a.send({ conversationId: conversation.id, text: "again" });

  assert.equal(a.userId, alice);
  assert.deepEqual([first.message.seq, second.message.seq], [1, 2]);
  await waitFor(got, (items) => items.length === 2);
  assert.deepEqual(got, await stored(conversation.id));
});

test("a failed operation rejects with a typed ChatError", async () => {
  const client = await open(newUser("carol"));
  await assert.rejects(client.join(randomUUID()), (error: unknown) => {
    assert.ok(error instanceof ChatError);
    assert.equal(error.code, "not_found");
    assert.ok(error.message.length > 0);
    return true;
  });
  const conversation = await scene([client.userId ?? ""]);
  await assert.rejects(
    client.send({ conversationId: conversation.id, text: "x".repeat(10_001) }),
    (error: unknown) => error instanceof ChatError && error.code === "too_large",
  );
});

test("a refused handshake rejects connect with the server's code", async () => {
  await assert.rejects(
    connect(URL_, () => "not-a-jwt", { transports: ["websocket"], timeoutMs: 5_000 }),
    (error: unknown) => error instanceof ChatError && error.code === "invalid_token",
  );
});

test("rate_limited answers are waited out and every send is acked once", async () => {
  // The server runs with CHINWAG_RATE_LIMIT_SOCKET=5 (burst 10): 25 sends at once trip it.
  const alice = newUser("alice");
  const conversation = await scene([alice]);
  const client = await open(alice);
  const sends = Array.from({ length: 25 }, (_, i) => client.send({ conversationId: conversation.id, text: `m${i}` }));
  const acks = await Promise.all(sends);
  assert.equal(new Set(acks.map((a) => a.message.id)).size, 25);
  assert.equal((await stored(conversation.id)).length, 25);
});

test("an operation times out with code timeout when the socket never gets ready", async () => {
  const alice = newUser("alice");
  const client = await open(alice, () => token(alice), { resendWindowMs: 1_500 });
  const conversation = await scene([alice]);
  client.socket.io.reconnection(false);
  client.socket.io.engine.close();
  await assert.rejects(
    client.request("chat:join", { conversationId: conversation.id }),
    (error: unknown) => error instanceof ChatError && error.code === "timeout",
  );
});

test("a send whose reply was lost to a disconnect is resent with the same clientNonce", async () => {
  const alice = newUser("alice");
  const conversation = await scene([alice]);
  const client = await open(alice);
  // Drop the connection the moment the send goes out: its ack can no longer arrive on it.
  const drop = (event: string): void => {
    if (event !== "chat:send") return;
    client.socket.offAnyOutgoing(drop);
    client.socket.io.engine.close();
  };
  client.socket.onAnyOutgoing(drop);
  const pending = client.send({ conversationId: conversation.id, text: "survives", clientNonce: "nonce-1" });
  const ack = await pending;
  assert.ok(client.resends >= 1);
  assert.equal(ack.message.text, "survives");
  const messages = await stored(conversation.id);
  assert.deepEqual(messages.map((m) => m.id), [ack.message.id]);
});

test("a seq gap is filled with chat:sync before later messages are delivered", async () => {
  const [alice, bob] = [newUser("alice"), newUser("bob")];
  const conversation = await scene([alice, bob]);
  const a = await open(alice);
  const b = await open(bob);
  const got: Message[] = [];
  a.onMessage((m) => got.push(m));
  await a.join(conversation.id, 0);
  // Leave the room behind the client's back, so it misses two messages.
  await a.request("chat:leave", { conversationId: conversation.id });
  await b.send({ conversationId: conversation.id, text: "one" });
  await b.send({ conversationId: conversation.id, text: "two" });
  await a.request("chat:join", { conversationId: conversation.id });
  await b.send({ conversationId: conversation.id, text: "three" });
  await waitFor(got, (items) => items.length === 3);
  assert.deepEqual(got.map((m) => [m.seq, m.text]), [[1, "one"], [2, "two"], [3, "three"]]);
});

test("after a reconnect the client re-joins and catches up", async () => {
  const [alice, bob] = [newUser("alice"), newUser("bob")];
  const conversation = await scene([alice, bob]);
  const a = await open(alice);
  const b = await open(bob);
  const got: Message[] = [];
  a.onMessage((m) => got.push(m));
  await a.join(conversation.id, 0);
  a.socket.io.reconnection(false);
  a.socket.io.engine.close();
  await b.send({ conversationId: conversation.id, text: "while away" });
  a.socket.io.reconnection(true);
  a.socket.connect();
  await waitFor(got, (items) => items.length === 1);
  await b.send({ conversationId: conversation.id, text: "live again" });
  await waitFor(got, (items) => items.length === 2);
  assert.deepEqual(got.map((m) => m.text), ["while away", "live again"]);
});

test("token expiry: a fresh token from the provider, rooms re-joined, messages keep coming", async () => {
  const [alice, bob] = [newUser("alice"), newUser("bob")];
  const conversation = await scene([alice, bob]);
  let issued = 0;
  // The first token expires in 2 s; later ones last an hour.
  const a = await open(alice, () => token(alice, "user", issued++ === 0 ? 2 : 3600));
  const b = await open(bob);
  const got: Message[] = [];
  const states: string[] = [];
  a.onMessage((m) => got.push(m));
  a.onClient("state", (s) => states.push(s));
  await a.join(conversation.id, 0);
  await waitFor(states, (items) => items.includes("connecting") && items.at(-1) === "ready", 10_000);
  await b.send({ conversationId: conversation.id, text: "after expiry" });
  await waitFor(got, (items) => items.length === 1);
  assert.ok(issued >= 2);
});

test("a flow prompt is answered with chat:action; the hand-off switches chat_status", async () => {
  const alice = newUser("alice");
  const conversation = await scene([alice], "automated");
  const a = await open(alice);
  const got: Message[] = [];
  const statuses: string[] = [];
  a.onMessage((m) => got.push(m));
  a.on("chat:status", ({ chat_status }) => statuses.push(chat_status));
  await a.join(conversation.id, 0);
  await startFlow(conversation.id);
  await waitFor(got, (items) => items.some((m) => m.action_data?.prompt_id !== undefined));
  const prompt = got.find((m) => m.action_data)!;
  await a.action({
    conversationId: conversation.id,
    messageId: prompt.id,
    promptId: prompt.action_data!.prompt_id,
    actionId: "support",
  });
  await waitFor(got, (items) => items.some((m) => (m.action_data?.inputs ?? []).length > 0));
  const form = got.filter((m) => m.action_data).at(-1)!;
  await a.action({
    conversationId: conversation.id,
    messageId: form.id,
    promptId: form.action_data!.prompt_id,
    values: { summary: "it broke" },
  });
  await waitFor(statuses, (items) => items.includes("real_time"));
  await assert.rejects(
    a.action({ conversationId: conversation.id, messageId: form.id, promptId: form.action_data!.prompt_id, values: { summary: "again" } }),
    (error: unknown) => error instanceof ChatError && ["prompt_answered", "prompt_stale"].includes(error.code),
  );
  const seqs = got.map((m) => m.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
});

test("a provider that keeps giving an expired token ends in state refused, not a loop", async () => {
  const alice = newUser("alice");
  const stale = token(alice, "user", 2);
  const a = await open(alice, () => stale);
  const states: string[] = [];
  a.onClient("state", (s) => states.push(s));
  await waitFor(states, (items) => items.includes("refused"), 10_000);
  await assert.rejects(a.ready(100), (error: unknown) => error instanceof ChatError);
});
