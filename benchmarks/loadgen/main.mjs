// Entry point: `node main.mjs CONFIG.json`; CONFIG.mode picks the scenario. Talks JSON lines:
// commands on stdin, events on stdout (see benchmarks/loadgen.py).
import { readFileSync } from "node:fs";
import { out } from "./common.mjs";
import { runFanout } from "./fanout.mjs";
import { runFlood } from "./flood.mjs";
import { runIdle } from "./idle.mjs";
import { runSend } from "./send.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const modes = { send: runSend, fanout: runFanout, idle: runIdle, flood: runFlood };
const run = modes[config.mode];
if (!run) {
  out("fatal", { message: `unknown mode ${config.mode}` });
  process.exit(2);
}
// The driver is the only way out: a hung run is bounded by its timeouts, not by ours.
const lifetime = setTimeout(() => {
  out("fatal", { message: "load generator lifetime exceeded" });
  process.exit(3);
}, config.lifetimeMs ?? 600000);
lifetime.unref();
run(config).catch((error) => {
  out("fatal", { message: String(error?.stack ?? error) });
  process.exit(2);
});
