// Scenario (f): a handshake flood. On "flood", `count` sockets connect at once WITHOUT a token
// and never authenticate; the driver learns how many the server closed, and how long after their
// connect. A socket still open `holdMs` after its connect is closed by us.
import { io } from "socket.io-client";
import { commands, nowMs, out, percentiles } from "./common.mjs";

export async function runFlood(config) {
  out("ready", {});
  commands(async (command) => {
    if (command.cmd === "flood") {
      out("flooded", await flood(config, command.count, command.holdMs));
    } else if (command.cmd === "exit") {
      process.exit(0);
    }
  });
}

function flood(config, count, holdMs) {
  return new Promise((resolve) => {
    const t0 = nowMs();
    const stats = { connected: 0, connectErrors: 0, closedByServer: 0, closedByUs: 0 };
    const lifetimes = [];
    let settled = 0;
    const settle = () => {
      settled += 1;
      if (settled === count) finish();
    };
    for (let k = 0; k < count; k++) {
      const socket = io(config.url, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        // Thousands of handshakes at once queue up: connecting may take long, holding may not.
        timeout: config.connectTimeoutMs ?? 60000,
        ...(config.localAddresses ? { localAddress: config.localAddresses[k % config.localAddresses.length] } : {}),
      });
      let connectedAt = null;
      let hold = null;
      socket.once("connect", () => {
        connectedAt = nowMs();
        stats.connected += 1;
        // Still open `holdMs` after its own connect: the server did not close it; we do.
        hold = setTimeout(() => {
          stats.closedByUs += 1;
          socket.close();
          settle();
        }, holdMs);
      });
      socket.once("connect_error", () => {
        stats.connectErrors += 1;
        settle();
      });
      socket.once("disconnect", (reason) => {
        if (reason === "io client disconnect") return; // ours, counted by the hold timer
        clearTimeout(hold);
        stats.closedByServer += 1;
        if (connectedAt !== null) lifetimes.push(nowMs() - connectedAt);
        settle();
      });
    }
    function finish() {
      const life = percentiles(lifetimes);
      resolve({
        ...stats,
        count,
        seconds: (nowMs() - t0) / 1000,
        lifetimeMinMs: lifetimes.length ? Math.min(...lifetimes) : null,
        lifetimeP50Ms: life.p50_ms,
        lifetimeMaxMs: life.max_ms,
      });
    }
  });
}
