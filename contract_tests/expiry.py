"""Token expiry while connected: the server pushes the auth operation's error reply by itself.

The contract declares it as a ``send`` operation on the socket channel whose message is the
authenticate operation's error reply (``sendTokenExpired``: ``auth_error`` with
``token_expired``). The phase authenticates a socket with a token that expires in a moment and
waits for that message; :meth:`Session.on_broadcast` attributes it to the operation.
"""

from __future__ import annotations

import asyncio
import time

from contract_tests.session import Session
from contract_tests.world import mint_token

__all__ = ["expiry_operations", "observe_token_expiry"]

TTL_S = 2


def expiry_operations(session: Session) -> list[str]:
    """The send operations that carry the authenticate operation's error reply, if any."""
    errors = {m.name for m in session.auth_op.error_replies}
    return [
        key
        for key, op in session.contract.broadcasts.items()
        if any(m.name in errors for m in op.messages)
    ]


async def observe_token_expiry(session: Session, secret: str, wait: float = 15.0) -> None:
    """Authenticate with a short-lived token; the expiry notice must arrive, with its code."""
    keys = expiry_operations(session)
    if not keys:
        return
    sock = await session.open("expiry", None)
    sub = session.world.subs[session.fixture.actor]
    token = mint_token(secret, sub, "user", ttl=TTL_S)
    op = session.auth_op
    outcome = await session.send(sock, op, {"token": token})
    if outcome.spec is None or outcome.is_error:
        session.report.fail(f"[{sock.name}] could not authenticate with a short-lived token")
        await sock.close()
        return
    before = sum(session.report.broadcasts[key] for key in keys)
    deadline = time.monotonic() + TTL_S + wait
    # The notice arrives through the socket's event handler; look for it until the deadline.
    while sum(session.report.broadcasts[key] for key in keys) == before:
        if time.monotonic() > deadline or not sock.sio.connected:
            session.report.fail(
                f"[{sock.name}] no token-expiry notice ({', '.join(keys)}) within "
                f"{TTL_S + wait:g} s of a token that expired after {TTL_S} s"
            )
            break
        await asyncio.sleep(0.05)
    await sock.close()
