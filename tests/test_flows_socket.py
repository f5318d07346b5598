"""The demo flow over real sockets: buttons, validated inputs, hand-off, stale and repeats."""

from __future__ import annotations

from tests.support.client import (
    Api,
    Connect,
    action,
    answer,
    create_flow_conversation,
    new_user,
    pending_prompt,
    start_flow,
)

pytest_plugins = ("tests.support.client",)

CONTACT = {"email": "alice@example.com", "seats": "12", "plan": "business"}


async def test_demo_flow_end_to_end_buttons_inputs_and_handoff_to_real_time(
    connect: Connect, api: Api
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    campaign_id, conversation_id = await create_flow_conversation(api, [alice], [bob])
    customer, agent = await connect(alice), await connect(bob)
    await customer.join(conversation_id)
    await agent.join(conversation_id)
    await agent.work_join(campaign_id)

    welcome = await pending_prompt(api, conversation_id)
    assert welcome["seq"] == 1
    assert [b["id"] for b in welcome["action_data"]["buttons"]] == ["sales", "support", "browsing"]
    # Automated mode: typing is refused until the hand-off.
    await customer.fails("chat:send", _send(conversation_id), "not_real_time")

    mine = await answer(customer, action(welcome, "sales"))
    assert mine["kind"] == "user" and mine["sender_id"] == alice
    assert mine["text"] == "I'd like to buy" and mine["seq"] == 2
    assert await agent.wait_for("chat:new") == {"message": mine}
    contact = await customer.wait_for("chat:automated")
    assert contact["reason"] == "contact" and contact["message"]["seq"] == 3
    assert await agent.wait_for("chat:automated") == contact
    fields = {f["id"]: f for f in contact["message"]["action_data"]["inputs"]}
    assert fields["email"]["type"] == "email" and fields["seats"]["min"] == 1

    rejected = await customer.fails(
        "chat:action",
        action(contact["message"], values={"email": "not-an-email", "seats": 0}),
        "invalid_payload",
    )
    problems = {tuple(d["loc"]): d["type"] for d in rejected["details"]}
    assert problems == {
        ("values", "email"): "value_error",
        ("values", "seats"): "greater_than_equal",
    }
    assert len(await api.all_messages(conversation_id)) == 3  # nothing stored for a bad answer

    filled = await answer(customer, action(contact["message"], values=CONTACT))
    assert filled["text"] == "Email: alice@example.com\nTeam size: 12\nPlan: Business"
    confirm = await customer.wait_for("chat:automated")
    assert confirm["reason"] == "confirm"
    await customer.fails("chat:send", _send(conversation_id), "not_real_time")

    await answer(customer, action(confirm["message"], "yes"))
    handoff = await customer.wait_for("chat:automated")
    assert handoff["reason"] == "handoff" and handoff["message"]["action_data"] is None
    status = {"conversationId": conversation_id, "chat_status": "real_time"}
    assert await customer.wait_for("chat:status") == status
    assert await agent.wait_for("chat:status") == status
    await agent.wait_for("conversation_list_updated", lambda p: p["action"] == "status_changed")

    typed = await customer.send(conversation_id, "Hello, a person at last?")
    assert typed["seq"] == 8
    assert (await api.get_conversation(conversation_id))["chat_status"] == "real_time"
    seqs = [m["seq"] for m in await api.all_messages(conversation_id)]
    assert seqs == list(range(1, 9))
    # The finished flow's prompts can no longer be answered.
    await customer.fails("chat:action", action(confirm["message"], "no"), "prompt_answered")


async def test_a_repeated_clientnonce_gets_the_original_answer_and_changes_nothing(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    _, conversation_id = await create_flow_conversation(api, [alice])
    customer = await connect(alice)
    welcome = await pending_prompt(api, conversation_id)
    first = await answer(customer, action(welcome, "support", nonce="same"))
    again = await answer(customer, action(welcome, "support", nonce="same"))
    assert again == first
    assert len(await api.all_messages(conversation_id)) == 3  # welcome, answer, support prompt
    await customer.fails(
        "chat:action", action(welcome, "browsing", nonce="same"), "idempotency_conflict"
    )


async def test_an_answered_prompt_gets_prompt_answered_and_a_replaced_one_prompt_stale(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    _, conversation_id = await create_flow_conversation(api, [alice])
    customer = await connect(alice)
    welcome = await pending_prompt(api, conversation_id)
    await answer(customer, action(welcome, "sales"))
    await customer.fails("chat:action", action(welcome, "sales"), "prompt_answered")

    contact = await pending_prompt(api, conversation_id)
    state = await start_flow(api, conversation_id)  # restart: the contact prompt is superseded
    assert state["status"] == "active" and state["step_id"] == "welcome"
    await customer.fails("chat:action", action(contact, values=CONTACT), "prompt_stale")
    fresh = await pending_prompt(api, conversation_id)
    assert fresh["id"] == state["prompt_message_id"]
    assert (
        fresh["action_data"]["prompt_id"]
        == state["prompt_id"]
        != welcome["action_data"]["prompt_id"]
    )
    await answer(customer, action(fresh, "browsing"))  # ends the flow, stays automated
    assert (await api.get_conversation(conversation_id))["chat_status"] == "automated"


async def test_switching_to_real_time_cancels_the_flow(connect: Connect, api: Api) -> None:
    alice = new_user("alice")
    _, conversation_id = await create_flow_conversation(api, [alice])
    customer = await connect(alice)
    await customer.join(conversation_id)
    welcome = await pending_prompt(api, conversation_id)
    await api.update_conversation(conversation_id, chat_status="real_time")
    assert await customer.wait_for("chat:status") == {
        "conversationId": conversation_id,
        "chat_status": "real_time",
    }
    await customer.fails("chat:action", action(welcome, "sales"), "prompt_stale")
    await customer.send(conversation_id, "typing works")


async def test_starting_a_flow_on_a_real_time_conversation_switches_it_to_automated(
    connect: Connect, api: Api
) -> None:
    alice = new_user("alice")
    campaign = await api.create_campaign()
    conversation = await api.create_conversation(campaign["id"], [alice])
    customer = await connect(alice)
    await customer.join(conversation["id"])
    state = await start_flow(api, conversation["id"])
    assert await customer.wait_for("chat:status") == {
        "conversationId": conversation["id"],
        "chat_status": "automated",
    }
    prompt = await customer.wait_for("chat:automated")
    assert prompt["message"]["id"] == state["prompt_message_id"]
    await customer.fails("chat:send", _send(conversation["id"]), "not_real_time")


async def test_who_may_answer_and_which_prompts_exist(connect: Connect, api: Api) -> None:
    alice, stranger = new_user("alice"), new_user("stranger")
    _, conversation_id = await create_flow_conversation(api, [alice])
    welcome = await pending_prompt(api, conversation_id)
    service = await connect(token=api.tokens.service())
    await service.fails("chat:action", action(welcome, "sales"), "forbidden")
    outsider = await connect(stranger)
    await outsider.fails("chat:action", action(welcome, "sales"), "not_found")
    customer = await connect(alice)
    wrong_prompt = action(welcome, "sales") | {"promptId": "demo:welcome:99"}
    await customer.fails("chat:action", wrong_prompt, "not_found")
    await customer.fails("chat:action", action(welcome, "nope"), "invalid_payload")
    await customer.fails("chat:action", action(welcome), "invalid_payload")
    extra = await customer.fails(
        "chat:action", action(welcome, "sales", values={"x": "y"}), "invalid_payload"
    )
    assert extra["details"] == [
        {"loc": ["values", "x"], "msg": "not an input of this prompt", "type": "extra_forbidden"}
    ]
    # The acknowledgement callback carries the same outcome.
    acked = await customer.call("chat:action", action(welcome, "sales"))
    assert acked["message"]["text"] == "I'd like to buy"


async def test_rest_refuses_unknown_flows_and_flows_on_real_time_creation(api: Api) -> None:
    campaign = await api.create_campaign()
    body = {"campaign_id": campaign["id"], "participant_ids": [], "chat_status": "automated"}
    unknown = await api.expect("POST", "/api/conversations", 422, json=body | {"flow_id": "nope"})
    assert unknown["error"]["details"][0]["loc"] == ["flow_id"]
    live = body | {"chat_status": "real_time", "flow_id": "demo"}
    await api.expect("POST", "/api/conversations", 422, json=live)
    conversation = await api.create_conversation(campaign["id"])
    path = f"/api/conversations/{conversation['id']}/flow"
    await api.expect("POST", path, 422, json={"flow_id": "nope"})
    await api.expect("POST", path, 403, json={"flow_id": "demo"}, token=api.tokens.user("u"))
    missing = "/api/conversations/00000000-0000-4000-8000-000000000000/flow"
    await api.expect("POST", missing, 404, json={"flow_id": "demo"})


def _send(conversation_id: str) -> dict[str, str]:
    return {
        "tempId": "t-1",
        "conversationId": conversation_id,
        "clientNonce": "n-typed",
        "text": "hi",
    }
