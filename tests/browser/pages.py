"""Page objects of /demo and /docs/console: what a person does and sees, in Selenium terms.

Every wait is for a condition on the page (WebDriverWait), never a fixed sleep.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 20.0
T = TypeVar("T")


def wait(driver: webdriver.Chrome, condition: Callable[[webdriver.Chrome], T], what: str) -> T:
    """Wait until ``condition`` returns something truthy; the message names what was awaited."""
    # The pages re-render lists, so an element found a moment ago may be gone: look again.
    waiter = WebDriverWait(
        driver,
        TIMEOUT,
        poll_frequency=0.05,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    )
    return waiter.until(condition, f"waiting for {what}")


class DemoPage:
    """One person using /demo in one browser."""

    def __init__(self, driver: webdriver.Chrome, base_url: str) -> None:
        self.driver = driver
        driver.get(f"{base_url}/demo/")
        wait(driver, lambda d: d.execute_script("return document.readyState") == "complete", "load")

    def css(self, selector: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def pick_demo_user(self, user_id: str) -> None:
        button = wait(
            self.driver,
            lambda d: d.find_element(By.CSS_SELECTOR, f'[data-user-id="{user_id}"]'),
            f"demo user button {user_id}",
        )
        button.click()
        self.wait_state("ready")

    def paste_token(self, token: str) -> None:
        self.css("#token-input").send_keys(token)
        self.css("#token-form button[type=submit]").click()
        self.wait_state("ready")

    def wait_state(self, state: str) -> None:
        wait(self.driver, lambda d: self.css("#state").get_attribute("data-state") == state, state)

    def row(self, title: str) -> WebElement:
        """The conversation-list button whose title is ``title``."""

        def find(d: webdriver.Chrome) -> WebElement | None:
            for button in d.find_elements(By.CSS_SELECTOR, "#conversations button"):
                if button.find_element(By.CSS_SELECTOR, ".title").text == title:
                    return button
            return None

        return wait(self.driver, find, f"conversation row {title!r}")

    def unread(self, title: str) -> int:
        return int(
            self.row(title).find_element(By.CSS_SELECTOR, ".unread").get_attribute("data-count")
            or 0
        )

    def wait_unread(self, title: str, count: int) -> None:
        wait(self.driver, lambda d: self.unread(title) == count, f"{count} unread in {title!r}")

    def open(self, title: str) -> None:
        self.row(title).click()
        wait(
            self.driver, lambda d: self.css("#conversation-title").text == title, f"open {title!r}"
        )
        wait(self.driver, lambda d: self.css("#composer").is_displayed(), "the composer")

    def type_and_send(self, text: str) -> None:
        box = self.css("#composer-input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def message(self, text: str) -> WebElement:
        """The message bubble showing ``text`` (waits for it)."""

        def find(d: webdriver.Chrome) -> WebElement | None:
            for li in d.find_elements(By.CSS_SELECTOR, "#messages > li"):
                if li.find_element(By.CSS_SELECTOR, ".text").text == text:
                    return li
            return None

        return wait(self.driver, find, f"message {text!r}")

    def wait_message_state(self, text: str, *states: str) -> None:
        """Wait until message ``text`` is in one of ``states`` (pending, sent, read, failed)."""
        wait(
            self.driver,
            lambda d: self.message(text).get_attribute("data-state") in states,
            f"message {text!r} {' or '.join(states)}",
        )

    def texts(self) -> list[str]:
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#messages .text")]

    def composer_enabled(self) -> bool:
        return bool(self.css("#composer-input").is_enabled() and self.css("#send").is_enabled())

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))


def side_by_side(driver: webdriver.Chrome, left: bytes, right: bytes, path: Path) -> None:
    """Save two screenshots side by side, composed by the browser itself (no image library)."""
    images = "".join(
        f'<img alt="" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        for png in (left, right)
    )
    html = (
        "<html><body style='margin:0;display:flex;gap:12px;background:#1d2330'>"
        f"<style>img{{width:calc(50% - 6px);display:block}}</style>{images}</body></html>"
    )
    driver.set_window_size(1800, 640)
    driver.get("data:text/html;base64," + base64.b64encode(html.encode()).decode())
    wait(
        driver,
        lambda d: d.execute_script("return [...document.images].every(i => i.complete)"),
        "images",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
