"""docs/protocol.html: one self-contained page, complete, well-formed, escaped and offline."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import docs_html
from codegen.docs_model import RESOURCE_NAMES, load_docs_document

REPO = Path(__file__).resolve().parents[1]
_VOID = {"meta", "input", "br", "hr", "img", "link", "line", "rect", "polygon", "path", "circle"}
_REMOTE = re.compile(r"https?:|//|url\(|@import", re.IGNORECASE)


class _Page(HTMLParser):
    """Collects attributes, CSS, script text and tag nesting errors of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self.raw_text: dict[str, list[str]] = {"style": [], "script": []}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
            if name == "id":
                self.ids.append(value or "")
            if name == "href":
                self.hrefs.append(value or "")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in self.raw_text:
            self.raw_text[self.stack[-1]].append(data)
        else:
            self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return load_docs_document(REPO / "asyncapi.yaml")


@pytest.fixture(scope="module")
def html(doc: dict[str, Any]) -> str:
    return docs_html.render(doc)


@pytest.fixture(scope="module")
def page(html: str) -> _Page:
    return _parse(html)


def test_page_is_well_formed(page: _Page) -> None:
    assert page.errors == []
    assert page.stack == []


def test_every_event_and_error_code_is_on_the_page(page: _Page) -> None:
    raw = yaml.safe_load((REPO / "asyncapi.yaml").read_text(encoding="utf-8"))
    shared = yaml.safe_load((REPO / "schemas.yaml").read_text(encoding="utf-8"))
    text = "".join(page.text)
    for name in {m["name"] for m in raw["components"]["messages"].values()}:
        assert name in text, name
    for code in shared["$defs"]["ErrorCode"]["enum"]:
        assert code in text, code
    for resource in RESOURCE_NAMES:
        assert f"schema-{resource.lower()}" in page.ids, resource


def test_page_has_no_external_url(page: _Page) -> None:
    offenders = [(t, n, v) for t, n, v in page.attributes if _REMOTE.search(v)]
    assert offenders == []
    css = "".join(page.raw_text["style"])
    assert not _REMOTE.search(css)
    assert not _REMOTE.search("".join(page.raw_text["script"]))
    assert "link" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
    assert not [v for t, n, v in page.attributes if n == "src"]


def test_every_internal_link_has_a_target(page: _Page) -> None:
    ids = set(page.ids)
    assert len(ids) == len(page.ids), "duplicate ids"
    assert {h[1:] for h in page.hrefs} <= ids


def test_sidebar_links_every_event(page: _Page, doc: dict[str, Any]) -> None:
    keys = doc["components"]["messages"]
    assert {f"#event-{k.lower()}" for k in keys} <= set(page.hrefs)


def test_session_diagram_is_inline_svg(html: str) -> None:
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    for label in ("authenticate {token}", "chat:ack {tempId, message}", "chat:automated"):
        assert label in svg
    assert "<script" not in svg and "xlink" not in svg


def test_text_from_the_contract_is_escaped(doc: dict[str, Any]) -> None:
    hostile = copy.deepcopy(doc)
    hostile["info"]["description"] = 'Use <script>alert("x")</script> & `a<b>`'
    hostile["components"]["messages"]["chatSend"]["summary"] = "<img src=x onerror=alert(1)>"
    html = docs_html.render(hostile)
    assert html.count("<script") == 1
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <code>a&lt;b&gt;</code>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert _parse(html).errors == []


def test_rendering_is_deterministic(html: str) -> None:
    assert docs_html.render(load_docs_document(REPO / "asyncapi.yaml")) == html
