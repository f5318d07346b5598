"""The fast path's packet class answers python-socketio's binary question as the library does."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from socketio import packet as sio_packet

from chinwag.transport.fastpath.packets import JsonPacket

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
binaries = st.binary() | st.binary().map(bytearray)
trees = st.recursive(
    scalars | binaries | st.tuples(binaries),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


@given(trees)
def test_same_answer_as_the_library(data: Any) -> None:
    assert JsonPacket.data_is_binary(data) is sio_packet.Packet.data_is_binary(data)


def test_binary_packets_still_become_binary_events() -> None:
    text = JsonPacket(sio_packet.EVENT, data=["chat:new", {"a": [1, "x", {"b": None}]}])
    binary = JsonPacket(sio_packet.EVENT, data=["upload", {"a": [1, {"b": b"\x00"}]}])
    assert text.packet_type == sio_packet.EVENT
    assert binary.packet_type == sio_packet.BINARY_EVENT
    encoded = binary.encode()
    assert isinstance(encoded, list) and encoded[1] == b"\x00"
