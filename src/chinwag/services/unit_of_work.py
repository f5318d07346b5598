"""A write transaction that announces its events only after it committed."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType

from chinwag.domain.events import DomainEvent
from chinwag.services.ports import Session, Store
from chinwag.services.publisher import Publisher


class UnitOfWork:
    """``async with UnitOfWork(store, publisher) as uow:`` — use ``uow.session``, ``uow.emit()``.

    Events emitted inside the block are published once the transaction has committed
    (the idea of Zulip's ``send_event_on_commit``); when the block or the commit fails,
    nothing is published.
    """

    def __init__(self, store: Store, publisher: Publisher) -> None:
        self._store = store
        self._publisher = publisher
        self._events: list[DomainEvent] = []
        self._cm: AbstractAsyncContextManager[Session] | None = None
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The repositories of this transaction."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its async with block")
        return self._session

    def emit(self, event: DomainEvent) -> None:
        """Queue ``event`` for publication after the commit."""
        self._events.append(event)

    async def __aenter__(self) -> UnitOfWork:
        self._cm = self._store.write()
        self._session = await self._cm.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._session = None
        assert self._cm is not None
        try:
            await self._cm.__aexit__(exc_type, exc, tb)  # commits, or rolls back on error
        except BaseException:
            self._events.clear()
            raise
        events, self._events = self._events, []
        if exc_type is None and events:
            await self._publisher.publish(events)
