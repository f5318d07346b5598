"""Who is acting: the verified identity behind a request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["user", "service"]
ROLES: tuple[Role, ...] = ("user", "service")


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified identity: the JWT ``sub`` and its role."""

    user_id: str
    role: Role = "user"

    @property
    def is_service(self) -> bool:
        """True for backend (service-role) tokens."""
        return self.role == "service"
