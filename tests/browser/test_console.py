"""/docs/console in a real browser: connect, emit chat:join, see a validated chat:joined."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.browser.conftest import Browser, BrowserFactory, ServerStarter
from tests.browser.pages import wait
from tests.support.tokens import Tokens

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def conversation_for(base_url: str, tokens: Tokens, user: str) -> str:
    """A new campaign and a conversation with ``user`` in it, made over REST."""
    headers = {"authorization": f"Bearer {tokens.service()}"}
    with httpx.Client(base_url=base_url, headers=headers) as http:
        campaign = http.post("/api/campaigns", json={"name": "console", "member_ids": []})
        created = http.post(
            "/api/conversations",
            json={
                "campaign_id": campaign.json()["id"],
                "participant_ids": [user],
                "chat_status": "real_time",
            },
        )
        created.raise_for_status()
        return str(created.json()["id"])


def entry(driver: Browser, event: str, direction: str) -> WebElement:
    """The newest log entry of ``event`` in ``direction`` (waits for it)."""
    selector = f'#log > li[data-event="{event}"][data-direction="{direction}"]'
    return wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector), f"{direction} {event}")


def emit(driver: Browser, event: str, payload: object) -> None:
    details = driver.find_element(By.CSS_SELECTOR, f'#operations details[data-event="{event}"]')
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
    box = details.find_element(By.TAG_NAME, "textarea")
    box.clear()
    box.send_keys(json.dumps(payload))
    details.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def test_console_emits_chat_join_and_shows_a_validated_chat_joined(
    start_server: ServerStarter, browser: BrowserFactory, jwt_secret: str
) -> None:
    server = start_server()
    tokens = Tokens(jwt_secret)
    conversation_id = conversation_for(server.url, tokens, "console-alice")
    driver = browser("console")
    driver.get(f"{server.url}/docs/console/")
    # Every client → server operation has a form, prefilled with the contract's example.
    forms = "#operations details"
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, forms)) == 9, "forms")
    prefilled = driver.find_element(By.CSS_SELECTOR, f'{forms}[data-event="chat:send"] textarea')
    assert "clientNonce" in (prefilled.get_attribute("value") or "")

    driver.find_element(By.ID, "token").send_keys(tokens.user("console-alice"))
    driver.find_element(By.ID, "connect").click()
    authenticated = entry(driver, "authenticated", "received")
    assert authenticated.get_attribute("data-valid") == "true"

    emit(driver, "chat:join", {"conversationId": conversation_id})
    joined = entry(driver, "chat:joined", "received")
    assert joined.get_attribute("data-valid") == "true"
    assert conversation_id in joined.find_element(By.TAG_NAME, "pre").text
    assert "valid against the contract" in joined.text
    ack = entry(driver, "chat:join (acknowledgement)", "ack")
    assert ack.get_attribute("data-valid") == "true"

    # A payload that breaks the contract is flagged before it goes out; the server's chat:error
    # is itself valid.
    emit(driver, "chat:join", {"conversationId": conversation_id, "extra": 1})
    sent = wait(
        driver,
        lambda d: d.find_element(
            By.CSS_SELECTOR, '#log > li[data-direction="sent"][data-valid="false"]'
        ),
        "the flagged payload",
    )
    assert "extra" in sent.text
    error = entry(driver, "chat:error", "received")
    assert error.get_attribute("data-valid") == "true"
    assert "invalid_payload" in error.text

    folder = os.environ.get("CHINWAG_SCREENSHOTS")
    if folder:
        # The view a reader gets: the join and its validated reply at the top of the log.
        driver.find_element(By.ID, "clear").click()
        emit(driver, "chat:join", {"conversationId": conversation_id})
        entry(driver, "chat:joined", "received")
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.set_window_size(1200, 900)
        driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
        driver.save_screenshot(str(Path(folder) / "console.png"))
