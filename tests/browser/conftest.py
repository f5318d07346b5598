"""Browser-test fixtures: Debian's chromium driven by Selenium, and chinwag servers for the pages.

Chromium and chromedriver come from apt (`apt-get install chromium chromium-driver`; .ci/run does
it). A machine without them fails these tests with that instruction: it never skips them. When a
test fails, every browser it opened leaves a screenshot and its console log in
``$CHINWAG_BROWSER_ARTIFACTS`` (default ``.tmp/browser-artifacts``), which CI keeps.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# Registered before the import, so the plugin module (which test modules also load) keeps
# pytest's assert rewriting.
pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import server_env  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("CHINWAG_BROWSER_ARTIFACTS", REPO / ".tmp" / "browser-artifacts"))

_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember a failed phase on the item, so fixture teardown can keep the evidence."""
    report = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


def _test_failed(node: pytest.Item) -> bool:
    return node.stash.get(_FAILED, False)


Browser = webdriver.Chrome
BrowserFactory = Callable[[str], Browser]


def _binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or CHROMIUM
    driver = shutil.which("chromedriver") or CHROMEDRIVER
    if not (Path(chromium).is_file() and Path(driver).is_file()):
        pytest.fail(
            "chromium and chromedriver are needed: apt-get install -y chromium chromium-driver"
        )
    return chromium, driver


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[BrowserFactory]:
    """Open headless Chromium sessions: ``browser("alice")``; all are closed at teardown."""
    chromium, driver = _binaries()
    opened: list[tuple[str, Browser]] = []

    def open_browser(name: str) -> Browser:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-gpu",
            "--window-size=1200,760",
            "--force-device-scale-factor=1",
        ):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        session = webdriver.Chrome(options=options, service=Service(driver))
        opened.append((name, session))
        return session

    yield open_browser
    failed = _test_failed(request.node)
    for name, session in opened:
        try:
            if failed:
                _save_artifacts(request.node.name, name, session)
        finally:
            session.quit()


def _save_artifacts(test: str, name: str, session: Browser) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{test}-{name}")
    session.save_screenshot(f"{stem}.png")
    lines = [f"{e['level']} {e['message']}" for e in session.get_log("browser")]
    Path(f"{stem}.console.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"browser artifacts: {stem}.png, {stem}.console.log")


ServerStarter = Callable[..., ServerProcess]


@pytest.fixture
def start_server(
    request: pytest.FixtureRequest, tmp_path: Path, jwt_secret: str
) -> Iterator[ServerStarter]:
    """Start chinwag on SQLite: ``start_server(demo=True, port=None, db=None)``.

    The browser tests are about the pages, so they run on SQLite only; restarting on the same
    ``port`` and ``db`` file is how a test restarts "the" server.
    """
    servers: list[ServerProcess] = []

    def start(
        *, demo: bool = False, port: int | None = None, db: Path | None = None
    ) -> ServerProcess:
        db = db or tmp_path / f"chinwag-{len(servers)}.db"
        env = server_env(f"sqlite+aiosqlite:///{db}", jwt_secret)
        server = ServerProcess(
            env, port=port, extra_args=["--demo"] if demo else [], log_dir=tmp_path / "servers"
        ).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.running:
            server.stop()
    if _test_failed(request.node):
        for server in servers:
            print(f"\n===== chinwag server log {server.log_path} =====\n{server.read_log()}")
