"""The web chat through the real server: its JSON API over HTTP, and the page in a real
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

import directory
from directory.demo import load_demo
from tests.conftest import key_env
from tests.live_server import running_server

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium phones home at start, which a closed
# network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
DENVER = {"latitude": 39.7392, "longitude": -104.9903}
WAIT_MS = 20_000


@pytest.fixture
def server(db_path: Path | str, nlu_model: Path, engine: str) -> Iterator[str]:
    """The server runs on the wall clock, so its demo directory's bed counts are made
    current now (a copy made at the fixed reference moment would go stale with the days)."""
    database = directory.open_db(db_path)
    load_demo(database, datetime.now(UTC))
    database.close()
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), **key_env(engine)}
    with running_server(db_path, env) as base:
        yield base


# ---- POST /chat over plain HTTP ---------------------------------------------------------


def post(server: str, body: bytes | dict[str, Any]) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(f"{server}/chat", content=content, timeout=30)


@pytest.mark.engines  # on SQLite and on PostgreSQL
def test_bad_json_is_refused_with_400_and_an_example(server: str) -> None:
    reply = post(server, b"{not json")
    assert reply.status_code == 400
    assert reply.json() == {"error": 'Send JSON: {"session_id": "...", "text": "..."}.'}


@pytest.mark.engines  # on SQLite and on PostgreSQL
def test_a_missing_session_id_is_refused_with_400(server: str) -> None:
    reply = post(server, {"text": "detox 80204"})
    assert reply.status_code == 400
    assert reply.json() == {"error": "session_id must be a string of 1 to 128 characters."}


@pytest.mark.engines  # on SQLite and on PostgreSQL
def test_a_body_over_64_kb_is_refused_with_413(server: str) -> None:
    reply = post(server, {"session_id": "big", "text": "a" * 70_000})
    assert reply.status_code == 413


@pytest.mark.engines  # on SQLite and on PostgreSQL
def test_a_latitude_off_the_globe_is_refused_with_400(server: str) -> None:
    reply = post(server, {"session_id": "far", "latitude": 100, "longitude": -104.99})
    assert reply.status_code == 400
    assert reply.json() == {"error": "latitude and longitude must be numbers on the globe."}


@pytest.mark.engines  # on SQLite and on PostgreSQL
def test_a_text_message_is_answered_in_the_ask_json_shape(server: str) -> None:
    reply = post(server, {"session_id": "shape", "text": "detox 80204"})
    assert reply.status_code == 200
    answer = reply.json()
    assert set(answer) == {"replies", "intent", "results", "handoff"}
    assert answer["intent"] == "find_resource" and answer["handoff"] is None
    assert "1. " in answer["replies"][0] and "720-555-0158" in answer["replies"][0]
    first = answer["results"][0]
    for key in ("id", "name", "phone", "address", "distance_km", "open_now", "available",
                "maximum", "capacity_updated", "stale"):  # fmt: skip
        assert key in first


def test_the_page_script_and_style_are_served_by_us(server: str) -> None:
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and 'lang="en"' in page.text
    assert "Content-Security-Policy" in page.text and "https://" not in page.text
    script = httpx.get(f"{server}/static/chat.js")
    assert script.headers["content-type"].startswith("text/javascript")
    # Reply text goes in as text nodes only: nothing in a reply can become markup.
    assert not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write",
                         script.text)  # fmt: skip
    assert httpx.get(f"{server}/static/chat.css").headers["content-type"].startswith("text/css")


# ---- the page in a real browser ---------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI runs these.")
    with sync_playwright() as playwright:
        # launch() gives every run a fresh, empty profile (its own --user-data-dir).
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def requested() -> list[str]:
    """Every URL the page asked for."""
    return []


@pytest.fixture
def page(browser: Browser, server: str, requested: list[str]) -> Iterator[Page]:
    context = browser.new_context(base_url=server, locale="en-US")
    context.set_default_timeout(WAIT_MS)
    context.on("request", lambda request: requested.append(request.url))
    tab = context.new_page()
    tab.goto("/")
    yield tab
    context.close()


def say(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def log(page: Page) -> Any:
    return page.get_by_role("log")


def test_the_page_shows_the_988_and_911_banner_and_asks_only_this_server(
    page: Page, requested: list[str]
) -> None:
    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Automated directory, not a counselor.")
    expect(banner.locator('a[href="tel:988"]')).to_be_visible()
    expect(banner.locator('a[href="tel:911"]')).to_be_visible()
    say(page, "detox 80204")
    expect(log(page).get_by_role("button", name=re.compile(r"^1\. "))).to_be_visible()
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}
    assert any(url.endswith("/chat") for url in requested)


def test_enter_sends_a_search_and_results_show_with_phone_links(page: Page) -> None:
    say(page, "detox 80204")
    expect(log(page)).to_contain_text("You said: detox 80204")
    expect(log(page).get_by_role("button", name=re.compile(r"^1\. Welton Street"))).to_be_visible()
    expect(log(page).get_by_role("button", name=re.compile(r"^5\. "))).to_be_visible()
    expect(log(page).locator('a[href="tel:7205550158"]')).to_have_text("720-555-0158")
    expect(page.get_by_label("Your message")).to_have_value("")


def test_clicking_a_result_shows_its_details(page: Page) -> None:
    say(page, "detox 80204")
    log(page).get_by_role("button", name=re.compile(r"^2\. ")).click()
    details = log(page).locator(".msg.bot").last
    expect(details).to_contain_text("Address:")
    expect(details.locator('a[href="tel:3035550170"]')).to_be_visible()
    expect(details.locator('a[href^="https://www.google.com/maps/"]')).to_be_visible()


def test_use_my_location_finds_results_near_the_shared_point(page: Page, server: str) -> None:
    page.context.grant_permissions(["geolocation"], origin=server)
    page.context.set_geolocation(DENVER)
    say(page, "shelter")
    expect(log(page)).to_contain_text("use your location")
    page.get_by_role("button", name="Use my location").click()
    expect(log(page)).to_contain_text("near your location")
    expect(log(page).get_by_role("button", name=re.compile(r"^1\. "))).to_be_visible()


def test_use_my_location_when_denied_says_so_and_offers_typing(page: Page) -> None:
    page.context.clear_permissions()
    page.get_by_role("button", name="Use my location").click()
    error = log(page).locator(".msg.error")
    expect(error).to_contain_text("Type a ZIP code, a city or an address instead.")
    expect(error.locator('a[href="tel:988"]')).to_be_visible()


def test_a_crisis_message_shows_the_988_reply(page: Page) -> None:
    say(page, "I want to kill myself")
    reply = log(page).locator(".msg.bot").nth(1)
    expect(reply).to_contain_text("call or text 988 now")
    expect(reply.locator('a[href="tel:988"]').first).to_be_visible()
    expect(reply.locator('a[href="tel:911"]')).to_be_visible()


def test_a_failed_request_shows_an_error_naming_988_and_911(page: Page) -> None:
    page.route("**/chat", lambda route: route.abort())
    say(page, "detox 80204")
    error = log(page).locator(".msg.error")
    expect(error).to_contain_text("didn't go through")
    expect(error.locator('a[href="tel:988"]')).to_be_visible()
    expect(error.locator('a[href="tel:911"]')).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()


def test_the_input_has_a_label_and_the_messages_are_a_log(page: Page) -> None:
    expect(page.get_by_role("textbox", name="Your message")).to_be_editable()
    expect(page.get_by_role("log", name="Conversation")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_page_fits_a_320_pixel_screen(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 568})
    say(page, "detox 80204")
    expect(log(page).get_by_role("button", name=re.compile(r"^1\. "))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    expect(page.locator("#banner")).to_be_in_viewport()


def test_a_busy_state_shows_while_waiting_and_holds_still_for_reduced_motion(page: Page) -> None:
    page.emulate_media(reduced_motion="reduce")
    held: list[Route] = []
    page.route("**/chat", lambda route: held.append(route))
    say(page, "detox 80204")
    expect(page.get_by_role("status")).to_have_text("Looking…")
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    expect(log(page)).to_have_attribute("aria-busy", "true")
    animation = "getComputedStyle(document.getElementById('status'), '::before').animationName"
    assert page.evaluate(animation) == "none"
    held[0].continue_()
    expect(log(page).get_by_role("button", name=re.compile(r"^1\. "))).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
