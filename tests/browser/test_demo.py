"""/demo in real browsers: two people chatting, a flow prompt, a hand-off, a server restart.

Each browser signs in as a demo user (the server runs with ``--demo``). With
``CHINWAG_SCREENSHOTS=DIR`` (``make screenshots``) the tests also save the README's screenshots.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import BrowserFactory, ServerStarter
from tests.browser.pages import DemoPage, side_by_side, wait
from tests.support.tokens import Tokens

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ALICE, BOB = "user-alice", "user-bob"
SCREENSHOTS = os.environ.get("CHINWAG_SCREENSHOTS")


def shots() -> Path | None:
    return Path(SCREENSHOTS) if SCREENSHOTS else None


def stored_texts(base_url: str, tokens: Tokens, conversation_id: str) -> list[str]:
    response = httpx.get(
        f"{base_url}/api/conversations/{conversation_id}/messages",
        headers={"authorization": f"Bearer {tokens.service()}"},
    )
    response.raise_for_status()
    return [m["text"] for m in response.json()["items"]]


def test_two_users_chat_with_unread_counts_and_read_receipts(
    start_server: ServerStarter, browser: BrowserFactory
) -> None:
    server = start_server(demo=True)
    alice = DemoPage(browser("alice"), server.url)
    bob = DemoPage(browser("bob"), server.url)
    alice.pick_demo_user(ALICE)
    bob.pick_demo_user(BOB)
    alice.open("with user-bob")
    bob.wait_unread("with user-alice", 0)

    alice.type_and_send("Hi Bob! Did the parcel arrive?")
    alice.wait_message_state("Hi Bob! Did the parcel arrive?", "sent")  # acked, not read yet
    # Bob has not opened the conversation: conversation_list_updated counts it as unread.
    bob.wait_unread("with user-alice", 1)
    bob.open("with user-alice")
    bob.message("Hi Bob! Did the parcel arrive?")
    bob.wait_unread("with user-alice", 0)
    # Opening it sent chat:read; Alice sees the receipt.
    alice.wait_message_state("Hi Bob! Did the parcel arrive?", "read")

    bob.type_and_send("Yes, this morning. Thanks!")
    alice.message("Yes, this morning. Thanks!")
    alice.type_and_send("Great, à bientôt !")
    bob.message("Great, à bientôt !")
    bob.wait_message_state("Yes, this morning. Thanks!", "read")
    assert (
        alice.texts()
        == bob.texts()
        == [
            "Hi Bob! Did the parcel arrive?",
            "Yes, this morning. Thanks!",
            "Great, à bientôt !",
        ]
    )
    folder = shots()
    if folder is not None:
        for page in (alice, bob):
            page.driver.execute_script("document.activeElement.blur()")
        left, right = alice.driver.get_screenshot_as_png(), bob.driver.get_screenshot_as_png()
        side_by_side(browser("composer"), left, right, folder / "demo-two-users.png")


def test_flow_prompt_answered_by_button_and_input_then_hand_off_enables_the_composer(
    start_server: ServerStarter, browser: BrowserFactory
) -> None:
    server = start_server(demo=True)
    alice = DemoPage(browser("alice"), server.url)
    alice.pick_demo_user(ALICE)
    alice.open("Assistant")
    alice.message("Hi! I'm the chinwag assistant. What brings you here?")
    assert not alice.composer_enabled()
    assert alice.css("#composer-hint").is_displayed()

    # A button answers the first prompt.
    alice.driver.find_element(By.XPATH, "//button[normalize-space()='I need help']").click()
    alice.message("I need help")
    prompt = alice.message("Sorry to hear that. Briefly, what went wrong?")
    # An input answers the second; its label names it.
    field = prompt.find_element(By.XPATH, ".//label[contains(., 'What happened')]//input")
    field.send_keys("My order never arrived")
    prompt.find_element(By.XPATH, ".//button[normalize-space()='Send answer']").click()
    alice.message("What happened: My order never arrived")  # the answer, stored as a message
    alice.message("Connecting you with a person. You can type your messages now.")
    # chat:status real_time switched the composer on, live.
    wait(alice.driver, lambda d: alice.composer_enabled(), "the composer enabled")
    assert not alice.css("#composer-hint").is_displayed()
    alice.type_and_send("Hello, is anyone there?")
    alice.wait_message_state("Hello, is anyone there?", "sent")
    # The answered prompts can no longer be used.
    buttons = alice.driver.find_elements(By.CSS_SELECTOR, ".prompt button")
    assert buttons and not any(b.is_enabled() for b in buttons)
    folder = shots()
    if folder is not None:
        alice.driver.execute_script("document.activeElement.blur()")
        alice.screenshot(folder / "demo-flow-hand-off.png")


def test_a_server_restart_is_caught_up_without_losing_a_message(
    start_server: ServerStarter, browser: BrowserFactory, tmp_path: Path, jwt_secret: str
) -> None:
    db = tmp_path / "restart.db"
    server = start_server(demo=True, db=db)
    port = server.port
    alice = DemoPage(browser("alice"), server.url)
    bob = DemoPage(browser("bob"), server.url)
    alice.pick_demo_user(ALICE)
    bob.pick_demo_user(BOB)
    alice.open("with user-bob")
    bob.open("with user-alice")
    alice.type_and_send("before the restart")
    bob.message("before the restart")
    conversation_id = alice.row("with user-bob").get_attribute("data-conversation-id")
    assert conversation_id

    server.stop()  # SIGTERM: server:shutdown, then the sockets close
    alice.wait_state("offline")
    bob.wait_state("offline")
    alice.type_and_send("sent while the server was down")
    alice.wait_message_state("sent while the server was down", "pending")

    restarted = start_server(demo=True, db=db, port=port)
    alice.wait_state("ready")
    bob.wait_state("ready")
    # The unacked send went out again with its clientNonce; Bob caught up (or got it live).
    alice.wait_message_state("sent while the server was down", "sent", "read")
    bob.message("sent while the server was down")
    bob.type_and_send("after the restart")
    alice.message("after the restart")
    assert stored_texts(restarted.url, Tokens(jwt_secret), conversation_id) == [
        "before the restart",
        "sent while the server was down",
        "after the restart",
    ]


def test_history_is_paged_over_rest_with_load_older(
    start_server: ServerStarter, browser: BrowserFactory, jwt_secret: str
) -> None:
    server = start_server(demo=True)
    alice = DemoPage(browser("alice"), server.url)
    alice.pick_demo_user(ALICE)
    conversation_id = alice.row("with user-bob").get_attribute("data-conversation-id")
    headers = {"authorization": f"Bearer {Tokens(jwt_secret).service()}"}
    for n in range(1, 36):  # more than one page (30)
        posted = httpx.post(
            f"{server.url}/api/conversations/{conversation_id}/automated-messages",
            json={"text": f"notice {n}", "reason": "paging"},
            headers=headers,
        )
        assert posted.status_code == 201, posted.text
    alice.open("with user-bob")
    alice.message("notice 35")
    assert alice.texts()[0] == "notice 6"  # the newest page
    older = alice.css("#older")
    assert older.is_displayed()
    older.click()
    alice.message("notice 1")
    assert alice.texts() == [f"notice {n}" for n in range(1, 36)]
    wait(alice.driver, lambda d: not alice.css("#older").is_displayed(), "no older page")
