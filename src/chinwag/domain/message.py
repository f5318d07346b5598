"""Messages and the values they carry (attachments, flow prompts)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

MessageKind = Literal["user", "automated"]
InputType = Literal["text", "number", "email", "select"]

PAGE_MAX = 200
"""Most messages one page carries (REST history, ``chat:sync``)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """Metadata of a file stored elsewhere; chinwag keeps only this."""

    url: str
    name: str
    mime_type: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class Button:
    """One button of a flow prompt."""

    id: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class InputOption:
    """One choice of a ``select`` input."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class InputField:
    """One input of a flow prompt."""

    id: str
    type: InputType
    label: str
    required: bool = False
    options: tuple[InputOption, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class ActionData:
    """A flow prompt attached to an automated message."""

    prompt_id: str
    buttons: tuple[Button, ...] = ()
    inputs: tuple[InputField, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    """A stored message; ``seq`` is gap-free per conversation, shared by every kind."""

    id: str
    conversation_id: str
    seq: int
    sender_id: str | None
    kind: MessageKind
    text: str | None
    attachments: tuple[Attachment, ...]
    action_data: ActionData | None
    client_nonce: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to store: everything but the id, seq and time the database assigns.

    ``require_real_time`` makes the store refuse it (``not_real_time``) unless the
    conversation's chat_status is ``real_time`` at the moment it is written;
    ``require_access`` makes it refuse (``not_found``) a sender who is neither a
    participant nor a campaign member, checked in the same transaction.
    """

    conversation_id: str
    sender_id: str | None
    kind: MessageKind
    text: str | None
    attachments: tuple[Attachment, ...] = ()
    action_data: ActionData | None = None
    client_nonce: str | None = None
    require_real_time: bool = False
    require_access: bool = False
    fingerprint: str | None = None
    """What makes a retry "the same request" when the text is derived (a flow answer)."""

    @property
    def content_hash(self) -> str:
        """Hash of what makes a retry "the same message": conversation, text, attachments."""
        if self.fingerprint is not None:
            return self.fingerprint
        return content_hash(self.conversation_id, self.text, self.attachments)


def content_hash(
    conversation_id: str, text: str | None, attachments: tuple[Attachment, ...]
) -> str:
    """SHA-256 over a canonical JSON of (conversation_id, text, attachments)."""
    canonical = json.dumps(
        [conversation_id, text, [asdict(a) for a in attachments]],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def attachment_to_dict(attachment: Attachment) -> dict[str, Any]:
    """Plain dict of an attachment (for JSON storage)."""
    return asdict(attachment)


def attachment_from_dict(data: dict[str, Any]) -> Attachment:
    """Rebuild an attachment from its plain dict."""
    return Attachment(
        url=str(data["url"]),
        name=str(data["name"]),
        mime_type=str(data["mime_type"]),
        size_bytes=int(data["size_bytes"]),
    )


def action_data_to_dict(action: ActionData) -> dict[str, Any]:
    """Plain dict of a prompt (for JSON storage); absent optional input fields are omitted."""
    inputs = []
    for field in action.inputs:
        item = {k: v for k, v in asdict(field).items() if v is not None}
        inputs.append(item)
    return {
        "prompt_id": action.prompt_id,
        "buttons": [asdict(b) for b in action.buttons],
        "inputs": inputs,
    }


def action_data_from_dict(data: dict[str, Any]) -> ActionData:
    """Rebuild a prompt from its plain dict."""
    inputs = []
    for item in data.get("inputs", []):
        options = item.get("options")
        inputs.append(
            InputField(
                id=item["id"],
                type=item["type"],
                label=item["label"],
                required=bool(item.get("required", False)),
                options=tuple(InputOption(o["value"], o["label"]) for o in options)
                if options is not None
                else None,
                min=item.get("min"),
                max=item.get("max"),
                pattern=item.get("pattern"),
            )
        )
    return ActionData(
        prompt_id=data["prompt_id"],
        buttons=tuple(Button(b["id"], b["label"], b["value"]) for b in data.get("buttons", [])),
        inputs=tuple(inputs),
    )
