// The seed's "Frontend Integration" snippets, run as written against a live chinwag server with the
// official socket.io-client: authenticate → join → optimistic send → ack/new → automated → read receipts.
//
// Input: the CHINWAG_NODE_SCENE environment variable, JSON {url, transports, conversationId,
// aliceToken, bobToken, serviceToken}. Output: one JSON line on stdout with every event each socket
// received (for contract validation in Python) and each UI's final message list. Exit 1 on failure.
"use strict";

const { io } = require("socket.io-client");

const scene = JSON.parse(process.env.CHINWAG_NODE_SCENE);
const STEP_TIMEOUT_MS = 10000;

function fail(message) {
  process.stderr.write(`frontend_integration: ${message}\n`);
  process.exit(1);
}

let tempCounter = 0;
function generateTempId() {
  tempCounter += 1;
  return `tmp-${Date.now()}-${tempCounter}`;
}

// One "frontend": a socket plus the state a React component would keep with setMessages.
function makeFrontend(name, token) {
  const options = scene.transports ? { transports: scene.transports } : {};
  const socket = io(scene.url, { ...options, reconnection: false });
  const ui = { name, socket, token, userId: null, messages: [], reads: [], events: [] };
  ui.setMessages = (update) => {
    ui.messages = update(ui.messages);
  };
  socket.onAny((event, ...args) => ui.events.push({ event, args }));
  socket.on("connect_error", (err) => fail(`${name}: connect_error ${err.message}`));
  return ui;
}

function waitFor(ui, predicate, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const value = predicate();
      if (value) {
        clearInterval(timer);
        resolve(value);
      } else if (Date.now() - started > STEP_TIMEOUT_MS) {
        clearInterval(timer);
        reject(new Error(`${ui.name}: timed out waiting for ${what}; events ${JSON.stringify(ui.events)}`));
      }
    }, 5);
  });
}

// ### 1. Authentication
function authenticate(ui) {
  const socket = ui.socket;
  const userJWT = ui.token;
  return new Promise((resolve) => {
    socket.emit("authenticate", { token: userJWT });
    socket.on("authenticated", ({ userId }) => {
      // Store userId, proceed with joining rooms
      ui.userId = userId;
      resolve(userId);
    });
    socket.on("auth_error", ({ message }) => fail(`${ui.name}: auth_error ${message}`));
  });
}

// ### 2. Join Conversation
function join(ui, conversationId) {
  const socket = ui.socket;
  return new Promise((resolve) => {
    socket.emit("chat:join", { conversationId });
    socket.on("chat:joined", ({ conversationId: joined }) => {
      // Ready to send/receive messages
      if (joined === conversationId) resolve();
    });
  });
}

// ### 4. Receive Messages, ### 5. Read Receipts (listeners)
function listen(ui) {
  const socket = ui.socket;
  const setMessages = ui.setMessages;
  // Normal messages
  socket.on("chat:new", ({ message }) => {
    setMessages((prev) => [...prev, message]);
  });
  // Automated messages
  socket.on("chat:automated", ({ message, reason }) => {
    setMessages((prev) => [...prev, message]);
    // Handle action buttons/inputs based on message.action_data
  });
  // Receive read updates
  socket.on("chat:read", ({ messageIds, readerId, readAt }) => {
    // Update message read status in UI
    ui.reads.push({ messageIds, readerId, readAt });
  });
  socket.on("chat:error", (error) => fail(`${ui.name}: chat:error ${JSON.stringify(error)}`));
}

// ### 3. Send Message (Optimistic)
function sendOptimistic(ui, conversationId, text) {
  const socket = ui.socket;
  const setMessages = ui.setMessages;
  const clientNonce = `nonce-${generateTempId()}`;
  const tempId = generateTempId();
  const message = { tempId, conversationId, text, clientNonce };

  // Render optimistically
  setMessages((prev) => [...prev, { ...message, temp: true, id: tempId }]);

  // Send via socket
  socket.emit("chat:send", message);

  // Replace with server message on ack
  socket.on("chat:ack", ({ tempId, message }) => {
    setMessages((prev) => prev.map((m) => (m.tempId === tempId ? message : m)));
  });
  return tempId;
}

async function postAutomated(conversationId) {
  const response = await fetch(`${scene.url}/api/conversations/${conversationId}/automated-messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${scene.serviceToken}` },
    body: JSON.stringify({
      text: "Would you like to talk to a person?",
      reason: "welcome",
      action_data: {
        prompt_id: "welcome",
        buttons: [{ id: "yes", label: "Yes", value: "handoff" }],
        inputs: [],
      },
    }),
  });
  if (response.status !== 201) fail(`automated message: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function main() {
  const conversationId = scene.conversationId;
  const alice = makeFrontend("alice", scene.aliceToken);
  const bob = makeFrontend("bob", scene.bobToken);

  await Promise.all([authenticate(alice), authenticate(bob)]);
  await Promise.all([join(alice, conversationId), join(bob, conversationId)]);
  listen(alice);
  listen(bob);

  const tempId = sendOptimistic(alice, conversationId, "Hello from the browser!");
  if (!alice.messages.some((m) => m.temp && m.tempId === tempId)) fail("no optimistic message");
  await waitFor(alice, () => alice.messages.length === 1 && !alice.messages[0].temp, "chat:ack");
  await waitFor(bob, () => bob.messages.length === 1, "chat:new");

  const automated = await postAutomated(conversationId);
  await waitFor(alice, () => alice.messages.length === 2, "chat:automated");
  await waitFor(bob, () => bob.messages.length === 2, "chat:automated");

  // Mark as read
  const lastMessageId = bob.messages[bob.messages.length - 1].id;
  bob.socket.emit("chat:read", { conversationId, upToMessageId: lastMessageId });
  await waitFor(alice, () => alice.reads.length === 1, "chat:read receipt");
  await waitFor(bob, () => bob.reads.length === 1, "own chat:read receipt");

  const result = {};
  for (const ui of [alice, bob]) {
    result[ui.name] = {
      userId: ui.userId,
      transport: ui.socket.io.engine.transport.name,
      messages: ui.messages,
      reads: ui.reads,
      events: ui.events,
    };
    ui.socket.disconnect();
  }
  result.automated = automated;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => fail(err.stack || String(err)));
