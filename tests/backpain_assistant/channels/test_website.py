"""The demo page in headless Chromium (Debian's package, driven by Playwright): the chat widget
answers with the article's citation, shows a red flag apart from answers, keeps the
conversation across a reload and shows HTML as text. Screenshots go to test-artifacts/website/."""

import json
import os
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "website"
# Chromium as root, with no network beyond loopback (see the machine notes in README).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator["Browser"]:  # noqa: F821
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"Chromium not found at {executable}: run scripts/chromium.sh (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, channels_assistant: str):
    context = browser.new_context(viewport={"width": 1000, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{channels_assistant}/webhooks/website/")
    page.wait_for_selector(".rw-response")
    page.dialogs = dialogs
    yield page
    context.close()


def send(page, text: str) -> None:
    bubbles = page.locator(".rw-response").count()
    page.fill(".rw-new-message", text)
    page.press(".rw-new-message", "Enter")
    page.locator(".rw-response").nth(
        bubbles
    ).wait_for()  # (no wait_for_function: the page's CSP forbids eval)
    page.wait_for_timeout(1500)  # the rest of the turn's messages


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_page_loads_nothing_from_elsewhere(channels_assistant: str) -> None:
    page = requests.get(f"{channels_assistant}/webhooks/website/", timeout=10)
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http" not in page.text.split("<body>")[1].replace("http-equiv", "")
    assert (
        requests.get(f"{channels_assistant}/webhooks/website/webchat.js", timeout=10).status_code
        == 200
    )


def test_a_conversation_in_the_widget(page) -> None:
    send(page, "does trazodone help back pain?")
    messages = page.inner_text("#rw-messages")
    assert "Source: trazodone article, Conclusion" in messages
    assert page.locator(".rw-red-flag").count() == 0
    screenshot(page, "1-answer-with-citation")

    send(page, "i peed myself and my back is agony")
    warning = page.locator(".rw-red-flag").first
    assert "Possible emergency" in warning.inner_text() and "cauda equina" in page.inner_text(
        "#rw-messages"
    )
    answer_colour = page.locator(".rw-response").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    warning_colour = page.locator(".rw-red-flag").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert answer_colour != warning_colour
    screenshot(page, "2-red-flag")

    page.reload()
    page.wait_for_selector(".rw-response")
    history = page.inner_text("#rw-messages")
    assert "Source: trazodone article, Conclusion" in history and "Possible emergency" in history
    send(page, "what are its side effects?")
    assert "Source: trazodone article, Recovery" in page.inner_text(
        "#rw-messages"
    ), "the follow-up keeps its context"
    screenshot(page, "3-after-reload")

    send(page, "<img src=x onerror=alert(1)>")
    assert "<img src=x onerror=alert(1)>" in page.inner_text("#rw-messages")
    assert page.locator("#rw-messages img[src='x']").count() == 0
    assert page.dialogs == []
    screenshot(page, "4-html-shown-as-text")


def stored_widget_session(page) -> str:
    """The widget's localStorage entry, read through the browser context (the page's CSP
    forbids the eval that a script in the page would need)."""
    origins = page.context.storage_state()["origins"]
    entries = {item["name"]: item["value"] for origin in origins for item in origin["localStorage"]}
    return entries.get("chat_session", "")


def test_forget_me_clears_the_pages_copy_and_starts_a_new_session(page) -> None:
    send(page, "does trazodone help back pain?")
    before = json.loads(stored_widget_session(page))
    assert "does trazodone help back pain?" in json.dumps(before)
    send(page, "forget me")
    with page.expect_navigation(timeout=TIMEOUT_MS):
        send(page, "yes")
    page.wait_for_selector(".rw-response")
    page.wait_for_timeout(1000)
    after = stored_widget_session(page)
    assert (
        "does trazodone help back pain?" not in after
        and "does trazodone help back pain?" not in page.inner_text("#rw-messages")
    )
    assert json.loads(after)["session_id"] != before["session_id"]
    screenshot(page, "5-after-forget-me")
