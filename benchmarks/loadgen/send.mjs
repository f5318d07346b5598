// Scenarios (a) and (d): closed-loop chat:send → chat:ack per connection (the next send leaves when
// the previous one is acked), counting chat:new and conversation_list_updated deliveries against
// what each ack implies.
import {
  closeAndExit, commands, connect, join, makeToken, nowMs, out, percentiles, pool, waitFor,
} from "./common.mjs";

export async function runSend(config) {
  const runId = `${process.pid}-${Date.now()}`;
  const connected = await pool(config.connections, config.connectConcurrency, async (conn) => {
    const socket = await connect(conn.url, makeToken(config.secret, conn.user), config.connectTimeoutMs);
    await join(socket, conn.conversationId, config.connectTimeoutMs);
    return socket;
  });
  const failures = connected.filter((r) => !r.ok).map((r) => r.error);
  const sockets = connected.map((r) => (r.ok ? r.value : null));

  // What one ack implies: chat:new to the other sockets in the room, conversation_list_updated to
  // every socket of every participant (the sender's own socket included).
  const joinedUsers = new Map();
  config.connections.forEach((conn, i) => {
    if (!sockets[i]) return;
    const users = joinedUsers.get(conn.conversationId) ?? [];
    users.push(conn.user);
    joinedUsers.set(conn.conversationId, users);
  });
  const participants = new Map(config.conversations.map((c) => [c.id, new Set(c.participants)]));
  const newPerAck = new Map();
  const listPerAck = new Map();
  for (const [conversationId, users] of joinedUsers) {
    newPerAck.set(conversationId, users.length - 1);
    listPerAck.set(conversationId, users.filter((u) => participants.get(conversationId)?.has(u)).length);
  }

  const stats = { acks: 0, news: 0, lists: 0, errors: 0, retries: 0, unexpectedAcks: 0 };
  const expected = { news: 0, lists: 0 };
  const acksPerConversation = {};
  const errorSamples = [];
  let latencies = [];
  let newLatencies = [];
  const sentAt = new Map();
  let running = false;
  let nonce = 0;

  const senders = [];
  const settle = (sender) => {
    sender.awaiting -= 1;
    if (sender.awaiting === 0) sender.next();
  };
  config.connections.forEach((conn, i) => {
    const socket = sockets[i];
    if (!socket) return;
    socket.on("chat:new", (payload) => {
      stats.news++;
      const nonce = payload?.message?.client_nonce;
      const sent = sentAt.get(nonce);
      if (sent !== undefined) {
        newLatencies.push(nowMs() - sent.t0);
        sentAt.delete(nonce);
        if (config.gateOnDelivery) settle(sent.sender);
      }
    });
    socket.on("conversation_list_updated", () => stats.lists++);
    if (!conn.sends) return;
    // `awaiting`: what must arrive before the next send (the ack; with gateOnDelivery, also the
    // peer's chat:new, so a backlog between processes slows the senders instead of growing).
    const sender = { socket, conn, pending: null, t0: 0, awaiting: 0 };
    sender.next = () => {
      if (!running) {
        sender.pending = null;
        return;
      }
      const n = ++nonce;
      sender.pending = {
        tempId: `t-${i}-${n}`,
        conversationId: conn.conversationId,
        text: `${config.text} ${n}`,
        clientNonce: `${runId}-${i}-${n}`,
      };
      sender.t0 = nowMs();
      // Only conversations with a listener produce chat:new; one entry per expected delivery.
      const listened = newPerAck.get(conn.conversationId) === 1;
      if (listened) sentAt.set(sender.pending.clientNonce, { t0: sender.t0, sender });
      sender.awaiting = config.gateOnDelivery && listened ? 2 : 1;
      socket.emit("chat:send", sender.pending);
    };
    socket.on("chat:ack", (ack) => {
      if (!sender.pending || ack?.tempId !== sender.pending.tempId) {
        stats.unexpectedAcks++;
        return;
      }
      latencies.push(nowMs() - sender.t0);
      stats.acks++;
      acksPerConversation[conn.conversationId] = (acksPerConversation[conn.conversationId] ?? 0) + 1;
      expected.news += newPerAck.get(conn.conversationId);
      expected.lists += listPerAck.get(conn.conversationId);
      sender.pending = null;
      settle(sender);
    });
    socket.on("chat:error", (err) => {
      const mine = sender.pending && err?.tempId === sender.pending.tempId;
      if (mine && err.code === "rate_limited") {
        // Honour the limit as every client must: wait retryAfter, resend the same payload.
        stats.retries++;
        const payload = sender.pending;
        setTimeout(() => socket.emit("chat:send", payload), err.retryAfter ?? 100);
        return;
      }
      stats.errors++;
      if (errorSamples.length < 5) errorSamples.push(err);
      if (mine) {
        sentAt.delete(sender.pending.clientNonce);
        sender.pending = null;
        sender.awaiting = 0;
        sender.next();
      }
    });
    senders.push(sender);
  });

  let mark = null;
  out("ready", { connected: sockets.filter(Boolean).length, failures: failures.slice(0, 5), failed: failures.length });

  const snapshot = () => ({ t: nowMs(), cpu: process.cpuUsage(), ...stats });
  commands(async (command) => {
    if (command.cmd === "start") {
      running = true;
      for (const sender of senders) sender.next();
      out("started");
    } else if (command.cmd === "mark") {
      latencies = [];
      newLatencies = [];
      mark = snapshot();
      out("marked");
    } else if (command.cmd === "sample") {
      // The window since the last mark or sample, without stopping: (f) compares two windows.
      const end = snapshot();
      const start = mark ?? end;
      out("sample", {
        seconds: (end.t - start.t) / 1000,
        acks: end.acks - start.acks,
        errors: end.errors - start.errors,
        latency: percentiles(latencies),
      });
      latencies = [];
      newLatencies = [];
      mark = end;
    } else if (command.cmd === "stop") {
      const end = snapshot();
      const windowLatencies = latencies;
      const windowNewLatencies = newLatencies;
      running = false;
      const drained = await waitFor(() => senders.every((s) => s.pending === null), config.drainTimeoutMs);
      const delivered = await waitFor(
        () => stats.news >= expected.news && stats.lists >= expected.lists, config.drainTimeoutMs,
      );
      // A short grace so duplicate deliveries show up as a surplus.
      await new Promise((r) => setTimeout(r, 200));
      const start = mark ?? end;
      const seconds = (end.t - start.t) / 1000;
      const cpuUs = end.cpu.user + end.cpu.system - start.cpu.user - start.cpu.system;
      out("result", {
        window: {
          seconds,
          acks: end.acks - start.acks,
          news: end.news - start.news,
          lists: end.lists - start.lists,
          loadgen_cpu_pct: seconds > 0 ? (cpuUs / 1e4) / seconds : null,
          latency: percentiles(windowLatencies),
          newLatency: percentiles(windowNewLatencies),
        },
        totals: { ...stats },
        expected: { ...expected },
        acksPerConversation,
        drained,
        delivered,
        connected: sockets.filter(Boolean).length,
        failed: failures.length,
        errorSamples,
      });
    } else if (command.cmd === "exit") {
      closeAndExit(sockets);
    }
  });
}
