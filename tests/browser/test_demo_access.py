"""Who gets a token from /demo: the demo users with ``--demo``, and nobody without it."""

from __future__ import annotations

import base64
import json
import re

import httpx
import jwt
import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import BrowserFactory, ServerStarter
from tests.browser.pages import DemoPage
from tests.support.tokens import Tokens

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
#: Every GET an anonymous caller can make (the pages, their assets, the contract, the docs).
ANONYMOUS_GETS = (
    "/demo/",
    "/demo/config.json",
    "/demo/demo.js",
    "/demo/demo.css",
    "/docs",
    "/docs/console/",
    "/docs/console/console.js",
    "/asyncapi.json",
    "/openapi.json",
    "/health",
)


def usable_tokens(text: str, secret: str) -> list[str]:
    """JWTs in ``text`` that the server would accept (the contract's examples are fake ones)."""
    usable = []
    for token in JWT.findall(text):
        try:
            jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})
        except jwt.InvalidTokenError:
            continue
        usable.append(token)
    return usable


def claims(token: str) -> dict[str, object]:
    body = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def test_without_demo_no_route_hands_out_a_token_and_the_page_asks_for_one(
    start_server: ServerStarter, browser: BrowserFactory, jwt_secret: str
) -> None:
    server = start_server(demo=False)
    for path in ANONYMOUS_GETS:
        response = httpx.get(server.url + path)
        assert response.status_code == 200, path
        assert usable_tokens(response.text, jwt_secret) == [], f"{path} hands out a token"
    assert httpx.get(server.url + "/demo/config.json").json() == {"demo": False, "users": []}

    page = DemoPage(browser("visitor"), server.url)
    assert not page.css("#demo-users").is_displayed()
    assert not page.css("#app").is_displayed()  # nothing but the sign-in before a token
    assert page.driver.find_elements(By.CSS_SELECTOR, "[data-user-id]") == []
    # A pasted token is the way in.
    page.paste_token(Tokens(jwt_secret).user("pasted-user"))
    assert page.css("#who").text == "signed in as pasted-user"
    assert page.css("#app").is_displayed() and not page.css("#login").is_displayed()


def test_with_demo_the_page_offers_the_demo_users_but_never_the_service_token(
    start_server: ServerStarter, browser: BrowserFactory, jwt_secret: str
) -> None:
    server = start_server(demo=True)
    config = httpx.get(server.url + "/demo/config.json")
    assert config.headers["cache-control"] == "no-store"
    users = config.json()["users"]
    assert config.json()["demo"] is True
    assert {u["userId"] for u in users} == {"user-alice", "user-bob", "agent-carol"}
    assert all(usable_tokens(u["token"], jwt_secret) for u in users)
    assert all(claims(u["token"]).get("role", "user") == "user" for u in users)

    page = DemoPage(browser("visitor"), server.url)
    assert page.css("#demo-users").is_displayed()
    page.pick_demo_user("agent-carol")
    assert page.css("#who").text == "signed in as agent-carol"
