"""Use cases with units of work; events are published only after their commit."""

from chinwag.services.auth import TokenService, VerifiedToken
from chinwag.services.chat import ChatService, ReadResult, SendResult
from chinwag.services.container import Services
from chinwag.services.management import ManagementService
from chinwag.services.publisher import CollectingPublisher, Publisher
from chinwag.services.unit_of_work import UnitOfWork

__all__ = [
    "ChatService",
    "CollectingPublisher",
    "ManagementService",
    "Publisher",
    "ReadResult",
    "SendResult",
    "Services",
    "TokenService",
    "UnitOfWork",
    "VerifiedToken",
]
