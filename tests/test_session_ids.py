"""Session ids drawn from a pool of random bytes look like engine.io's own and never repeat."""

from __future__ import annotations

import re

import engineio

from chinwag.transport.socketio.session_ids import POOL_IDS, SessionIds

ENGINEIO_ID = re.compile(r"^[A-Za-z0-9_-]{20}$")


def test_ids_have_engineios_shape_and_are_unique_across_pool_refills() -> None:
    ids = SessionIds()
    made = [ids() for _ in range(POOL_IDS * 5 + 3)]
    stock = engineio.AsyncServer().generate_id()
    assert all(ENGINEIO_ID.match(sid) for sid in [*made, stock])
    assert len(set(made)) == len(made)
    # The random part differs between neighbours, not only the sequence number.
    assert len({sid[:16] for sid in made}) == len(made)
