"""report.html in a real headless browser (Debian's chromium driven by Playwright).

.ci/run installs chromium (apt-get) and playwright (pip, the [test] extra); the browser is
launched from /usr/bin/chromium, never downloaded. The page must load with no console error and
no request beyond its own file, show the chart and every post, and its filter and chart must work.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), (
        "install Debian's chromium (apt-get install chromium): .ci/run does"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
        )  # fmt: skip
        try:
            yield context.new_page()
        finally:
            context.close()


def test_report_page_in_a_browser(browser_page: Any, demo_archive: dict) -> None:
    page = browser_page
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    report = demo_archive["site"] / "report.html"
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    assert problems == []
    assert requests == [report.as_uri()], "the page loads nothing but itself"

    posts = demo_archive["posts"]
    bars = page.locator("#chart rect.bar")
    assert bars.count() == 4
    heights = [float(bars.nth(i).get_attribute("height") or 0) for i in range(4)]
    assert all(h > 0 for h in heights), heights
    assert max(heights) == 2 * min(heights), heights
    assert page.locator("#chart").bounding_box()["height"] > 100, "the chart is visible"

    rows = page.locator("#post-table tbody tr")
    assert rows.count() == len(posts) == 10
    shown = page.locator("#post-table tbody").inner_text()
    for post in posts:
        assert post["title"] in shown
    assert page.locator("#shown").inner_text() == "10 of 10 posts"

    page.fill("#filter", "bees")
    visible = page.locator("#post-table tbody tr:visible")
    assert visible.count() == 1
    assert "Counting bees" in visible.inner_text()
    page.fill("#filter", "")

    page.locator('#chart rect.bar[data-month="2019-07"]').click()
    assert page.locator("#post-table tbody tr:visible").count() == 4
    assert page.locator("#shown").inner_text() == "4 of 10 posts in 2019-07"
    page.locator('#chart rect.bar[data-month="2019-07"]').click()
    assert page.locator("#post-table tbody tr:visible").count() == 10

    page.locator("#post-table th", has_text="Words").click()
    words = [int(t) for t in page.locator("#post-table tbody td:nth-child(3)").all_inner_texts()]
    assert words == sorted(words)
    assert problems == []
    page.screenshot(path=str(demo_archive["out"] / "report.png"), full_page=True)
