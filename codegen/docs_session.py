"""The typical session the docs draw as a sequence diagram.

It is told here, once, as data: the Markdown renderer prints it as Mermaid text and the HTML
renderer draws it as SVG. :func:`codegen.docs_model.build_model` checks every event it names
against the contract, so the story cannot drift from the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SESSION_PARTICIPANTS", "SESSION_STEPS", "Step"]


@dataclass(frozen=True)
class Step:
    """One arrow of the session flow, or a note when ``source == target`` (no ``event_key``)."""

    source: str
    target: str
    label: str
    event_key: str = ""


#: Participants of the session sequence diagram: (id, label).
SESSION_PARTICIPANTS = (
    ("alice", "Alice (client)"),
    ("server", "chinwag server"),
    ("bob", "Bob (client in the room)"),
    ("lists", "Work room + user rooms"),
)

#: The typical session; every ``event_key`` is checked against the contract by :func:`build_model`.
SESSION_STEPS = (
    Step("alice", "server", "authenticate {token}", "authenticate"),
    Step("server", "alice", "authenticated {userId}", "authenticated"),
    Step("alice", "server", "chat:join {conversationId}", "chatJoin"),
    Step("server", "alice", "chat:joined {conversationId}", "chatJoined"),
    Step(
        "alice",
        "server",
        "chat:send {tempId, conversationId, text, clientNonce}",
        "chatSend",
    ),
    Step("server", "server", "commit the message (next seq), then emit"),
    Step("server", "alice", "chat:ack {tempId, message}", "chatAck"),
    Step("server", "bob", "chat:new {message}", "chatNew"),
    Step(
        "server",
        "lists",
        "conversation_list_updated {action: new_message}",
        "conversationListUpdated",
    ),
    Step("bob", "server", "chat:read {conversationId, upToMessageId}", "chatReadRequest"),
    Step("server", "bob", "chat:read {messageIds, readerId, readAt}", "chatReadReceipt"),
    Step("server", "alice", "chat:read {messageIds, readerId, readAt}", "chatReadReceipt"),
    Step("server", "server", "a flow takes over: chat_status becomes automated"),
    # chat:status goes to the room: every socket in it, not only Alice's.
    Step("server", "alice", "chat:status {chat_status: automated}", "chatStatus"),
    Step("server", "bob", "chat:status {chat_status: automated}", "chatStatus"),
    Step("server", "alice", "chat:automated {message, reason}", "chatAutomated"),
    Step("server", "bob", "chat:automated {message, reason}", "chatAutomated"),
    Step(
        "server",
        "lists",
        "conversation_list_updated {action: new_message}",
        "conversationListUpdated",
    ),
)
