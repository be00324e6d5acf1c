import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from that thread are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshots():
    folder = Path(os.environ.get("YUANMENG_SCREENSHOTS", Path(os.environ.get("YUANMENG_VAR", "/tmp")) / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
