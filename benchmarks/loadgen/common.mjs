// Shared pieces of the load generator: tokens, connecting, the stdin/stdout protocol, statistics.
//
// Why Node socket.io-client and not Python clients: it is the client browsers run, one Node process
// on one core drives hundreds of sockets at tens of thousands of packets per second (a Python client
// spends more CPU per packet than the server under test, so it would need several processes and
// cores we do not have), and it keeps the load generator's cost out of the server's figures.
import { createHmac } from "node:crypto";
import readline from "node:readline";
import { io } from "socket.io-client";

/** Write one JSON event line for the Python driver. */
export function out(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
}

/** Monotonic milliseconds. */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** An HS256 JWT like chinwag's TokenService issues (sub, role, iat, exp). */
export function makeToken(secret, sub, role = "user", ttlS = 6 * 3600) {
  const iat = Math.floor(Date.now() / 1000);
  const enc = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");
  const head = enc({ alg: "HS256", typ: "JWT" });
  const body = enc({ sub, role, iat, exp: iat + ttlS });
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

/** Connect one websocket-only socket with handshake auth; resolve once `authenticated` arrives.
 * `localAddress` picks the source address (127.0.0.x) when one address runs out of ports. */
export function connect(url, token, timeoutMs, localAddress = undefined) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ["websocket"],
      auth: { token },
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
      ...(localAddress ? { localAddress } : {}),
    });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no authenticated within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("authenticated", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      socket.close();
      reject(new Error(`connect_error: ${err.message} ${JSON.stringify(err.data ?? null)}`));
    });
  });
}

/** Emit `chat:join` and resolve on `chat:joined` (reject on `chat:error` or timeout). */
export function join(socket, conversationId, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no chat:joined")), timeoutMs);
    const onJoined = (payload) => {
      if (payload?.conversationId !== conversationId) return;
      clearTimeout(timer);
      socket.off("chat:joined", onJoined);
      resolve();
    };
    socket.on("chat:joined", onJoined);
    socket.once("chat:error", (err) => {
      clearTimeout(timer);
      reject(new Error(`chat:join refused: ${JSON.stringify(err)}`));
    });
    socket.emit("chat:join", { conversationId });
  });
}

/** Run `fn` over `items` with at most `limit` in flight; collect {ok, value|error} per item. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const k = next++;
      try {
        results[k] = { ok: true, value: await fn(items[k], k) };
      } catch (error) {
        results[k] = { ok: false, error: String(error?.message ?? error) };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** p50/p99/max of a list of milliseconds (null when empty). */
export function percentiles(samples) {
  if (samples.length === 0) return { p50_ms: null, p99_ms: null, max_ms: null, samples: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50_ms: at(0.5), p99_ms: at(0.99), max_ms: sorted[sorted.length - 1], samples: sorted.length };
}

/** Resolve when `predicate()` holds, polling every 5 ms; false after `timeoutMs`. */
export async function waitFor(predicate, timeoutMs) {
  const deadline = nowMs() + timeoutMs;
  while (!predicate()) {
    if (nowMs() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** Feed stdin command lines ({"cmd": ...}) to `handler`, one at a time. */
export function commands(handler) {
  const rl = readline.createInterface({ input: process.stdin });
  let chain = Promise.resolve();
  rl.on("line", (line) => {
    if (!line.trim()) return;
    const command = JSON.parse(line);
    chain = chain.then(() => handler(command)).catch((error) => {
      out("fatal", { message: String(error?.stack ?? error) });
      process.exit(2);
    });
  });
  rl.on("close", () => chain.then(() => process.exit(0)));
}

/** Close every socket (best effort). */
export function closeAll(sockets) {
  for (const socket of sockets) socket?.close();
}

/** Close every socket, give the close frames time to leave, then exit. */
export function closeAndExit(sockets) {
  closeAll(sockets);
  setTimeout(() => process.exit(0), 300);
}
