"""Plain typed domain objects and rules; no I/O."""

from chinwag.domain.conversation import (
    CHAT_STATUSES,
    Campaign,
    ChatStatus,
    Conversation,
)
from chinwag.domain.message import (
    ActionData,
    Attachment,
    Button,
    InputField,
    InputOption,
    Message,
    MessageKind,
    NewMessage,
)
from chinwag.domain.principal import ROLES, Principal, Role

__all__ = [
    "CHAT_STATUSES",
    "ROLES",
    "ActionData",
    "Attachment",
    "Button",
    "Campaign",
    "ChatStatus",
    "Conversation",
    "InputField",
    "InputOption",
    "Message",
    "MessageKind",
    "NewMessage",
    "Principal",
    "Role",
]
