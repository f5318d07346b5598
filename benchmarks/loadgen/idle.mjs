// Scenario (c): N authenticated sockets that then sit idle while the driver reads the server's RSS.
import { closeAll, closeAndExit, commands, connect, makeToken, nowMs, out, pool } from "./common.mjs";

export async function runIdle(config) {
  let sockets = [];
  out("ready", {});
  commands(async (command) => {
    if (command.cmd === "connect") {
      const t0 = nowMs();
      const users = Array.from({ length: command.count }, (_, i) => `${command.prefix}-${i}`);
      // Sockets take turns over the source addresses: ephemeral ports are per address.
      const addresses = config.localAddresses ?? [undefined];
      const results = await pool(users, config.connectConcurrency, (user, k) =>
        connect(config.url, makeToken(config.secret, user), config.connectTimeoutMs,
          addresses[k % addresses.length]));
      const opened = results.filter((r) => r.ok).map((r) => r.value);
      sockets = sockets.concat(opened);
      const failures = results.filter((r) => !r.ok).map((r) => r.error);
      out("connected", {
        connected: opened.length,
        failed: failures.length,
        failures: failures.slice(0, 5),
        seconds: (nowMs() - t0) / 1000,
      });
    } else if (command.cmd === "close") {
      closeAll(sockets);
      sockets = [];
      out("closed");
    } else if (command.cmd === "exit") {
      closeAndExit(sockets);
    }
  });
}
