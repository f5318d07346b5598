"""The fast path's connection addresses (read without releasing the GIL) are uvicorn's own."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from uvicorn.protocols.utils import get_local_addr, get_remote_addr

from chinwag.transport import fastpath
from chinwag.transport.fastpath import addresses


def _has_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


HOSTS = ["127.0.0.1", *(["::1"] if _has_ipv6() else [])]


@pytest.mark.parametrize("host", HOSTS)
async def test_addresses_match_uvicorns(host: str) -> None:
    assert fastpath.install()
    seen: list[tuple[Any, Any, Any, Any]] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            ours = addresses.local_addr(transport), addresses.remote_addr(transport)
            seen.append((*ours, get_local_addr(transport), get_remote_addr(transport)))

    server = await asyncio.get_running_loop().create_server(Probe, host, 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection(host, port)
    try:
        while not seen:  # noqa: ASYNC110 - the server side of this very connection
            await asyncio.sleep(0.01)
        our_local, our_remote, stock_local, stock_remote = seen[0]
        assert our_local == stock_local == (host, port)
        assert our_remote == stock_remote
        assert our_remote[1] == writer.get_extra_info("sockname")[1]
    finally:
        writer.close()
        server.close()
        await server.wait_closed()
