"""Flow state is durable: a new server process on the same database resumes at the same prompt."""

from __future__ import annotations

import httpx

from tests.support import ServerFactory
from tests.support.client import (
    Api,
    ChatClient,
    Tokens,
    action,
    answer,
    create_flow_conversation,
    new_user,
    pending_prompt,
)


async def _client(url: str, tokens: Tokens, user: str) -> ChatClient:
    client = ChatClient(user)
    await client.connect(url, None, None)
    await client.authenticate(tokens.user(user))
    return client


async def test_a_restarted_server_accepts_the_pending_prompt_and_replays_duplicates(
    db_url: str, server_factory: ServerFactory, jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    alice = new_user("alice")
    first = server_factory(db_url)
    async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
        api = Api(http, tokens)
        _, conversation_id = await create_flow_conversation(api, [alice])
        welcome = await pending_prompt(api, conversation_id)
        client = await _client(first.url, tokens, alice)
        before = action(welcome, "sales", nonce="before-restart")
        original = await answer(client, before)
        await client.disconnect()
        client.check()
    first.stop()

    second = server_factory(db_url)
    async with httpx.AsyncClient(base_url=second.url, timeout=30) as http:
        api = Api(http, tokens)
        contact = await pending_prompt(api, conversation_id)
        assert contact["action_data"]["prompt_id"] == "demo:contact:2"
        client = await _client(second.url, tokens, alice)
        await client.join(conversation_id)
        # The retry of the answer made before the restart gets the original message back.
        assert await answer(client, before) == original
        filled = await answer(
            client, action(contact, values={"email": "a@example.com", "seats": 3})
        )
        assert filled["seq"] == 4
        confirm = await client.wait_for("chat:automated")
        assert confirm["reason"] == "confirm"
        await answer(client, action(confirm["message"], "yes"))
        assert (await client.wait_for("chat:status"))["chat_status"] == "real_time"
        await client.send(conversation_id, "hello after the restart")
        seqs = [m["seq"] for m in await api.all_messages(conversation_id)]
        assert seqs == list(range(1, len(seqs) + 1))
        await client.disconnect()
        client.check()
