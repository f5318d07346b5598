// Scenario (f): a handshake flood. On "flood", `count` sockets connect at once WITHOUT a token
// and never authenticate; the driver learns how many the server closed, and how long after their
// connect. Sockets still open at `holdMs` are closed by us (the bare server never closes them).
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
    const sockets = [];
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
        timeout: holdMs,
        ...(config.localAddresses ? { localAddress: config.localAddresses[k % config.localAddresses.length] } : {}),
      });
      sockets.push(socket);
      let connectedAt = null;
      socket.once("connect", () => {
        connectedAt = nowMs();
        stats.connected += 1;
      });
      socket.once("connect_error", () => {
        stats.connectErrors += 1;
        settle();
      });
      socket.once("disconnect", (reason) => {
        if (reason === "io client disconnect") return; // ours, counted at the hold deadline
        stats.closedByServer += 1;
        if (connectedAt !== null) lifetimes.push(nowMs() - connectedAt);
        settle();
      });
    }
    const hold = setTimeout(() => {
      for (const socket of sockets) {
        if (socket.connected) {
          stats.closedByUs += 1;
          socket.close();
          settle();
        } else if (!socket.disconnected) {
          socket.close();
        }
      }
      finish();
    }, holdMs);
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(hold);
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
