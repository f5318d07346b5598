/**
 * The try-it console (/docs/console/): connect with a token, emit any client → server operation
 * from a form prefilled with the contract's example, and see the acknowledgement and every event
 * the socket receives, each validated against the contract in the browser.
 */
import { io, type Socket } from "socket.io-client";

import { Contract, type Operation, type Problems } from "./contract.js";

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

let socket: Socket | null = null;
let contract: Contract | null = null;

function setState(state: "idle" | "connected" | "error", text: string): void {
  const el = $("#state");
  el.dataset.state = state;
  el.textContent = text;
}

/** One log entry: direction, event name, payload, and the contract's verdict. */
function log(direction: "sent" | "received" | "ack" | "connect_error", name: string, payload: unknown, problems: Problems): void {
  const li = document.createElement("li");
  li.className = `entry${direction === "sent" ? " out" : ""}${problems ? " invalid" : ""}`;
  li.dataset.event = name;
  li.dataset.direction = direction;
  li.dataset.valid = String(problems === null);
  const head = document.createElement("div");
  head.className = "head";
  head.append(
    Object.assign(document.createElement("span"), { className: "dir", textContent: direction }),
    Object.assign(document.createElement("span"), { className: "name", textContent: name }),
    Object.assign(document.createElement("span"), {
      className: "verdict",
      textContent: problems === null ? "✓ valid against the contract" : "✗ violates the contract",
    }),
  );
  const pre = Object.assign(document.createElement("pre"), { textContent: JSON.stringify(payload, null, 2) });
  li.append(head, pre);
  if (problems !== null) {
    const list = document.createElement("ul");
    list.append(...problems.map((p) => Object.assign(document.createElement("li"), { textContent: p })));
    li.append(list);
  }
  $("#log").prepend(li);
}

function connectSocket(url: string, token: string): void {
  socket?.disconnect();
  const s = io(url, { auth: token ? { token } : {}, reconnection: true });
  socket = s;
  setState("idle", "connecting…");
  s.on("connect", () => {
    setState("connected", `connected (${s.id ?? ""})`);
    $<HTMLButtonElement>("#disconnect").disabled = false;
  });
  s.on("disconnect", (reason) => {
    setState("idle", `disconnected (${reason})`);
    $<HTMLButtonElement>("#disconnect").disabled = true;
  });
  s.on("connect_error", (err: Error & { data?: unknown }) => {
    setState("error", `refused: ${err.message}`);
    log("connect_error", "connect_error", { message: err.message, data: err.data ?? null }, null);
  });
  s.onAny((event: string, ...args: unknown[]) => {
    const payload = args.length === 1 ? args[0] : args;
    log("received", event, payload, contract!.checkIncoming(event, payload));
  });
}

/** The contract's prose with `code` spans as <code> (text only: nothing is parsed as HTML). */
function inlineCode(text: string): Array<string | HTMLElement> {
  return text.split("`").map((part, i) => (i % 2 === 1 ? Object.assign(document.createElement("code"), { textContent: part }) : part));
}

function operationForm(op: Operation): HTMLDetailsElement {
  const details = document.createElement("details");
  details.dataset.event = op.event;
  const summary = document.createElement("summary");
  summary.append(Object.assign(document.createElement("code"), { textContent: op.event }), ` ${op.title}`);
  const form = document.createElement("form");
  const id = `payload-${op.key}`;
  const label = Object.assign(document.createElement("label"), { htmlFor: id });
  label.append(...inlineCode(op.summary), " Payload (JSON):");
  const textarea = Object.assign(document.createElement("textarea"), {
    id,
    className: "json",
    rows: Math.min(12, JSON.stringify(op.example, null, 2).split("\n").length + 1),
    spellcheck: false,
    value: JSON.stringify(op.example, null, 2),
  });
  const replies = Object.assign(document.createElement("p"), {
    className: "replies",
    textContent: `Replies: ${op.replies.join(", ") || "none"}`,
  });
  const button = Object.assign(document.createElement("button"), { type: "submit", textContent: `Emit ${op.event}` });
  form.append(label, textarea, replies, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let payload: unknown;
    try {
      payload = JSON.parse(textarea.value);
    } catch (error) {
      log("sent", op.event, textarea.value, [`not JSON: ${String(error)}`]);
      return;
    }
    if (socket === null) {
      log("sent", op.event, payload, ["not connected: connect first"]);
      return;
    }
    log("sent", op.event, payload, contract!.checkOutgoing(op.event, payload));
    socket.emit(op.event, payload, (response: unknown) => {
      log("ack", `${op.event} (acknowledgement)`, response, contract!.checkAck(op.event, response));
    });
  });
  details.append(summary, form);
  return details;
}

async function main(): Promise<void> {
  $<HTMLInputElement>("#url").value = location.origin;
  const response = await fetch("/asyncapi.json");
  contract = new Contract((await response.json()) as { [key: string]: unknown });
  $("#operations").replaceChildren(...contract.operations.map(operationForm));
  $("#connect-form").addEventListener("submit", (event) => {
    event.preventDefault();
    connectSocket($<HTMLInputElement>("#url").value, $<HTMLTextAreaElement>("#token").value.trim());
  });
  $("#disconnect").addEventListener("click", () => socket?.disconnect());
  $("#clear").addEventListener("click", () => $("#log").replaceChildren());
}

void main();
