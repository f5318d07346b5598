// Scenario (b): messages into one room of N sockets, triggered over HTTP (chinwag's automated-message
// route, the baseline's plain room emit). `inflight` messages are kept going so the server never idles.
import { closeAndExit, commands, connect, join, makeToken, nowMs, out, percentiles, pool, waitFor } from "./common.mjs";

export async function runFanout(config) {
  const connected = await pool(config.users, config.connectConcurrency, async (user) => {
    const socket = await connect(config.url, makeToken(config.secret, user), config.connectTimeoutMs);
    await join(socket, config.conversationId, config.connectTimeoutMs);
    return socket;
  });
  const failures = connected.filter((r) => !r.ok).map((r) => r.error);
  const sockets = connected.filter((r) => r.ok).map((r) => r.value);
  const roomSize = sockets.length;

  let run = null;
  let batch = 0;
  const totals = { deliveries: 0, strays: 0, postErrors: 0, triggered: 0 };
  const postErrorSamples = [];
  for (const socket of sockets) {
    socket.on("chat:automated", (payload) => {
      const t = nowMs();
      totals.deliveries++;
      const m = run?.byText.get(payload?.message?.text);
      if (!m) {
        totals.strays++;
        return;
      }
      m.first ??= t;
      m.last = t;
      m.n++;
      if (m.n === roomSize) {
        run.completed++;
        run.lastDelivery = t;
        if (run.next < run.count) trigger();
      }
    });
  }

  function trigger() {
    const i = run.next++;
    const text = `fan ${batch} ${i}`;
    const m = { t0: nowMs(), first: null, last: null, n: 0 };
    run.byText.set(text, m);
    run.messages.push(m);
    totals.triggered++;
    fetch(config.triggerUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${config.serviceToken}` },
      body: JSON.stringify({ text, reason: "benchmark" }),
    }).then(async (response) => {
      await response.arrayBuffer();
      if (!response.ok) {
        totals.postErrors++;
        if (postErrorSamples.length < 5) postErrorSamples.push(response.status);
      }
    }, (error) => {
      totals.postErrors++;
      if (postErrorSamples.length < 5) postErrorSamples.push(String(error));
    });
  }

  out("ready", { connected: roomSize, failed: failures.length, failures: failures.slice(0, 5) });
  commands(async (command) => {
    if (command.cmd === "run") {
      batch++;
      const cpu0 = process.cpuUsage();
      run = { count: command.count, next: 0, completed: 0, messages: [], byText: new Map(), lastDelivery: null };
      const t0 = nowMs();
      for (let k = 0; k < Math.min(config.inflight, command.count); k++) trigger();
      const complete = await waitFor(() => run.completed === run.count, config.runTimeoutMs);
      await new Promise((r) => setTimeout(r, 100));
      const cpu1 = process.cpuUsage(cpu0);
      const done = run.messages.filter((m) => m.n > 0);
      const deliveries = run.messages.reduce((sum, m) => sum + m.n, 0);
      const seconds = ((run.lastDelivery ?? nowMs()) - t0) / 1000;
      out("result", {
        seconds,
        messages: run.count,
        completed: run.completed,
        complete,
        roomSize,
        deliveries,
        expectedDeliveries: run.count * roomSize,
        loadgen_cpu_pct: seconds > 0 ? ((cpu1.user + cpu1.system) / 1e4) / seconds : null,
        spread: percentiles(done.map((m) => m.last - m.first)),
        triggerToLast: percentiles(done.map((m) => m.last - m.t0)),
        totals: { ...totals },
        postErrorSamples,
      });
    } else if (command.cmd === "exit") {
      closeAndExit(sockets);
    }
  });
}
