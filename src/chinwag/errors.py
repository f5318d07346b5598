"""The exception tree: one ``ChinwagError`` base, one subclass per stable error code.

Transport maps these to ``chat:error`` / ``auth_error`` / HTTP bodies in one place.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ChinwagError(Exception):
    """Base of every error a client may see; ``code`` is stable and listed in the contract."""

    code: ClassVar[str] = "internal"
    default_message: ClassVar[str] = "Internal error"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.retry_after = retry_after
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class Unauthenticated(ChinwagError):
    """The socket has not authenticated yet."""

    code = "unauthenticated"
    default_message = "Not authenticated"


class InvalidToken(ChinwagError):
    """The token is malformed, badly signed or carries invalid claims."""

    code = "invalid_token"
    default_message = "Invalid token"


class TokenExpired(ChinwagError):
    """The token's ``exp`` has passed."""

    code = "token_expired"
    default_message = "Token expired"


class Forbidden(ChinwagError):
    """The principal's role may not do this."""

    code = "forbidden"
    default_message = "Forbidden"


class NotFound(ChinwagError):
    """Unknown id, or no access (existence is not revealed)."""

    code = "not_found"
    default_message = "Not found"


class InvalidPayload(ChinwagError):
    """The request does not match its schema or rules; ``details`` lists field errors."""

    code = "invalid_payload"
    default_message = "Invalid payload"


class TooLarge(ChinwagError):
    """A payload exceeds a contract limit."""

    code = "too_large"
    default_message = "Payload too large"


class NotRealTime(ChinwagError):
    """``chat:send`` on a conversation whose chat_status is not ``real_time``."""

    code = "not_real_time"
    default_message = "Conversation is not in real_time mode"


class IdempotencyConflict(ChinwagError):
    """The (sender, clientNonce) key was used before with another conversation or content."""

    code = "idempotency_conflict"
    default_message = "clientNonce already used for different content"


class RateLimited(ChinwagError):
    """Too many events; ``retry_after`` gives the wait in milliseconds."""

    code = "rate_limited"
    default_message = "Rate limited"


class TooManySockets(ChinwagError):
    """The user already holds the maximum number of authenticated sockets."""

    code = "too_many_sockets"
    default_message = "Too many sockets for this user"


class PromptStale(ChinwagError):
    """A flow action answers a prompt that is no longer the current one."""

    code = "prompt_stale"
    default_message = "Prompt is no longer current"


class PromptAnswered(ChinwagError):
    """A flow action answers a prompt that was already answered."""

    code = "prompt_answered"
    default_message = "Prompt already answered"


class UnknownEvent(ChinwagError):
    """An event name the contract does not declare."""

    code = "unknown_event"
    default_message = "Unknown event"


class Internal(ChinwagError):
    """An unexpected server failure."""

    code = "internal"
    default_message = "Internal error"


class Unavailable(ChinwagError):
    """Nothing was done: the server is shutting down (reconnect), or its database cannot be
    reached (``retry_after`` ms). Retry; a send with the same clientNonce."""

    code = "unavailable"
    default_message = "Server is shutting down"


ERROR_CLASSES: tuple[type[ChinwagError], ...] = (
    Unauthenticated,
    InvalidToken,
    TokenExpired,
    Forbidden,
    NotFound,
    InvalidPayload,
    TooLarge,
    NotRealTime,
    IdempotencyConflict,
    RateLimited,
    TooManySockets,
    PromptStale,
    PromptAnswered,
    UnknownEvent,
    Unavailable,
    Internal,
)
"""Every concrete error class, in contract order."""

ERROR_CODES: tuple[str, ...] = tuple(cls.code for cls in ERROR_CLASSES)
"""Every stable error code, in the contract's enum order."""
