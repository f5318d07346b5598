"""``docs/flows.md``: the flow loop (prompt, answer, next step, hand-off) as a sequence diagram.

Told once as data, like the session in :mod:`codegen.docs_session`: the page prints it as Mermaid
text and links ``docs/flows.svg``, which :mod:`codegen.docs_flows_svg` draws offline with the same
SVG renderer as the HTML docs. Every event the story names is checked against the contract.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from codegen.docs_model import DocModel, build_model
from codegen.docs_session import Step

__all__ = ["FLOW_PARTICIPANTS", "FLOW_STEPS", "flow_model", "render"]

FLOW_PARTICIPANTS = (
    ("backend", "Backend (service token)"),
    ("server", "chinwag server"),
    ("alice", "Alice (customer)"),
    ("bob", "Bob (agent in the room)"),
)

FLOW_STEPS = (
    Step("backend", "server", "POST /api/conversations {chat_status: automated, flow_id}"),
    Step("server", "server", "one transaction: conversation, flow state, first prompt"),
    Step("server", "alice", "chat:automated {message + action_data, reason}", "chatAutomated"),
    Step("alice", "server", "chat:send {…}", "chatSend"),
    Step("server", "alice", "chat:error {code: not_real_time}", "chatError"),
    Step(
        "alice", "server", "chat:action {messageId, promptId, actionId, clientNonce}", "chatAction"
    ),
    Step("server", "server", "one transaction: answer, state, next prompt (next seqs)"),
    Step("server", "alice", "chat:action_ack {clientNonce, message}", "chatActionAck"),
    Step("server", "bob", "chat:new {message} (the answer)", "chatNew"),
    Step("server", "alice", "chat:automated {message + inputs, reason}", "chatAutomated"),
    Step("alice", "server", "chat:action {values: {email: 'nope'}, …}", "chatAction"),
    Step("server", "alice", "chat:error {code: invalid_payload, details}", "chatError"),
    Step("alice", "server", "chat:action {values: {email, seats}, …}", "chatAction"),
    Step("server", "alice", "chat:action_ack {clientNonce, message}", "chatActionAck"),
    Step("server", "server", "hand-off step: chat_status becomes real_time"),
    Step("server", "alice", "chat:automated {message, reason: handoff}", "chatAutomated"),
    Step("server", "alice", "chat:status {chat_status: real_time}", "chatStatus"),
    Step("server", "bob", "chat:status {chat_status: real_time}", "chatStatus"),
    Step("alice", "server", "chat:send {…}", "chatSend"),
    Step("server", "alice", "chat:ack {tempId, message}", "chatAck"),
)

_INTRO = """\
# Automated flows

> Generated from `asyncapi.yaml` and `codegen/docs_flows.py` by `python -m codegen`; do not edit by
> hand. The diagram is also drawn offline as [`flows.svg`](flows.svg).

A conversation in `automated` mode is driven by a flow: a YAML file in `CHINWAG_FLOWS_DIR` (default:
the flows chinwag ships, `src/chinwag/flows/`), validated at start-up against `flows.schema.yaml`.
Each step sends one `chat:automated` message. A prompt step carries buttons and/or inputs in the
message's `action_data` and waits; the user answers with `chat:action`. The answer is stored as the
user's own message, the flow moves on, and everything it sends gets the next seqs, in one
transaction. A `handoff` step switches the conversation to `real_time`: every socket in the room
gets `chat:status`, the lists get `status_changed`, and `chat:send` works from then on.

- Start a flow: `POST /api/conversations` with `flow_id` (and `chat_status: automated`), or
  `POST /api/conversations/{id}/flow {flow_id}` on an existing conversation (service role).
  Restarting replaces the running flow.
- `PATCH /api/conversations/{id} {chat_status: real_time}` cancels a running flow.
- Errors of `chat:action`: `prompt_answered` (answered already), `prompt_stale` (the flow no longer
  waits for it), `not_found` (unknown prompt or no access), `invalid_payload` with one `details`
  entry per field (`loc` `["actionId"]` or `["values", inputId]`), `idempotency_conflict` (a
  clientNonce reused for another answer), `forbidden` (service role).
- A retry with the same `clientNonce` gets the original answer back; flow state survives restarts.
- External engines can still post messages with `POST /api/conversations/{id}/automated-messages`.
"""


def flow_model(doc: dict[str, Any]) -> DocModel:
    """The contract's doc model with the flow loop as its sequence (events checked)."""
    messages = doc.get("components", {}).get("messages", {})
    unknown = sorted({s.event_key for s in FLOW_STEPS if s.event_key} - set(messages))
    if unknown:
        raise ValueError(f"docs_flows: events not in the contract: {unknown}")
    return replace(build_model(doc), participants=FLOW_PARTICIPANTS, session=FLOW_STEPS)


def render(doc: dict[str, Any]) -> str:
    """The Markdown page: prose and the Mermaid sequence diagram."""
    model = flow_model(doc)
    lines = ["```mermaid", "sequenceDiagram"]
    lines += [f"    participant {pid} as {label}" for pid, label in model.participants]
    for step in model.session:
        if step.source == step.target:
            lines.append(f"    Note over {step.source}: {step.label}")
        else:
            lines.append(f"    {step.source}->>{step.target}: {step.label}")
    lines.append("```")
    return (
        _INTRO + "\n## The flow loop\n\n" + "\n".join(lines) + "\n\n![The flow loop](flows.svg)\n"
    )
