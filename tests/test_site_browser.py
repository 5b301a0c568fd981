"""The site in a real browser (Debian's Chromium), after `pipeline publish` to a real SeaweedFS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.site_browser import (
    ARTIFACTS,
    AXE,
    DESKTOP,
    EPISODE,
    INSECURE_HOST,
    PAGES,
    PHONE,
    SMALL_PHONE,
    TRANSCRIBED,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.s3]
FEED = "podcast/panorama/feed.xml"


def test_every_page_loads_compressed_from_the_bucket_without_errors_or_outside_requests(
    tab, site_url
):
    encodings = []
    tab.page.on(
        "response",
        lambda r: (
            r.url.endswith((".html", ".css", ".js"))
            and encodings.append(r.headers.get("content-encoding"))
        ),
    )
    for key in PAGES:
        response = tab.page.goto(f"{site_url}/{key}", wait_until="networkidle")
        assert response is not None and response.status == 200, key
        assert response.headers["content-type"].startswith("text/html"), key
        assert tab.page.evaluate("document.styleSheets.length") == 1, key  # the CSS loaded
        assert tab.page.locator("html").get_attribute("lang"), key
    assert tab.errors == []
    assert tab.requests and tab.outside() == []
    # [storage] compress: the browser got gzip and decoded it (the pages rendered above).
    assert encodings and set(encodings) == {"gzip"}


def test_players_show_the_duration_and_download_nothing_before_play(tab, site_url):
    tab.page.goto(f"{site_url}/podcast/panorama/index.html", wait_until="networkidle")
    assert [u for u in tab.requests if u.endswith(".mp3")] == []
    times = tab.page.locator(".player-time time").all_inner_texts()
    assert times and all(t.strip() not in ("", "0:00") for t in times)
    assert tab.page.locator("audio[preload=none]").count() == len(times)


def test_player_loads_the_episode_from_the_bucket_and_plays(tab, site_url):
    tab.page.goto(f"{site_url}/{EPISODE}")
    player = tab.page.locator("#player")
    player.evaluate("a => { a.muted = true; return a.play(); }")
    tab.page.wait_for_function("document.getElementById('player').currentTime > 0.3", timeout=15000)
    assert player.evaluate("a => a.currentSrc").startswith(f"{site_url}/podcast/panorama/")
    assert 10 < player.evaluate("a => a.duration") < 20
    assert tab.page.locator(".listen .elapsed").first.inner_text().endswith("/")
    assert tab.errors == []


def test_a_chapter_click_seeks_the_player(tab, site_url):
    tab.page.goto(f"{site_url}/{EPISODE}")
    tab.page.evaluate("document.getElementById('player').muted = true")
    tab.page.get_by_role("link", name="What next").click()
    tab.page.wait_for_function("document.getElementById('player').currentTime >= 9", timeout=10000)
    assert tab.page.url.endswith("/index.html")  # the script seeked; no navigation to the audio
    current = tab.page.locator(".chapters a[aria-current]")
    current.wait_for(timeout=5000)
    assert "What next" in current.inner_text()


@pytest.mark.parametrize("fragment", ["#t=9", "#t=0:09", "#t=npt:0:00:09"])
def test_a_media_fragment_starts_the_player_there(tab, site_url, fragment):
    tab.page.goto(f"{site_url}/{EPISODE}{fragment}")
    tab.page.wait_for_function("document.getElementById('player').currentTime === 9", timeout=5000)
    assert tab.page.locator(".listen .elapsed").first.inner_text() == "0:09 /"


def test_the_transcript_highlights_and_follows_playback(tab, site_url):
    tab.page.goto(f"{site_url}/{TRANSCRIBED}")
    tab.page.get_by_text("Transcript", exact=True).first.click()  # open the <details>
    tab.page.evaluate(
        "(() => { const p = document.getElementById('player'); p.muted = true;"
        " p.currentTime = 10; return p.play(); })()"
    )
    current = tab.page.locator(".cues li[aria-current]")
    current.wait_for(timeout=10000)
    assert "That is all for this week." in current.inner_text()
    assert current.count() == 1 and current.is_visible()


def test_share_links_carry_the_current_time(tab, site_url):
    tab.page.goto(f"{site_url}/{EPISODE}")
    tab.page.evaluate(
        "(() => { const p = document.getElementById('player'); p.currentTime = 9; })()"
    )
    tab.page.get_by_text("Share", exact=True).click()
    tab.page.locator("#share-at").check()
    link = tab.page.locator("#share-url").input_value()
    assert link == f"{site_url}/{EPISODE}#t=9"
    mail = tab.page.get_by_role("link", name="E-mail").get_attribute("href")
    assert "%23t%3D9" in mail


def test_previous_and_next_episode_links_lead_to_the_neighbours(tab, site_url):
    tab.page.goto(f"{site_url}/{EPISODE}")
    assert "Welcome to Panorama" in tab.page.locator("a[rel=prev]").inner_text()
    tab.page.locator("a[rel=next]").click()
    tab.page.wait_for_url("**/housing-is-a-right/index.html")


def test_subscribe_menu_copies_the_feed_url_on_a_secure_origin(browser, site_url):
    w = open_page(browser)
    origin = "/".join(site_url.split("/")[:3])
    w.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    w.page.goto(f"{site_url}/podcast/panorama/index.html")
    w.page.get_by_text("Subscribe", exact=True).click()
    button = w.page.locator("button.copy")
    assert button.get_attribute("data-copy") == f"{site_url}/{FEED}"
    button.click()
    assert w.page.evaluate("navigator.clipboard.readText()") == f"{site_url}/{FEED}"
    assert button.inner_text().strip() == "Copied"
    assert w.errors == []
    w.page.context.close()


def test_subscribe_menu_copies_the_feed_url_over_plain_http(insecure_browser, site_url):
    url = site_url.replace("127.0.0.1", INSECURE_HOST)
    w = open_page(insecure_browser)
    w.page.goto(f"{url}/podcast/panorama/index.html")
    assert w.page.evaluate("window.isSecureContext") is False  # like an S3 website endpoint
    assert w.page.evaluate("navigator.clipboard") is None
    w.page.get_by_text("Subscribe", exact=True).click()
    field = w.page.locator(".subscribe input[type=text]")
    w.page.locator("button.copy").click()
    # The visible field's whole text is selected, and copied with execCommand: a paste shows it.
    feed = f"{site_url}/{FEED}"  # the public URL from base_url, whatever host the page is on
    assert field.is_visible()
    assert w.page.evaluate(
        "(() => { const e = document.activeElement;"
        " return [e.value, e.selectionStart, e.selectionEnd]; })()"
    ) == [feed, 0, len(feed)]
    assert w.page.locator("button.copy").inner_text().strip() == "Copied"
    w.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<textarea id=paste></textarea>')"
    )
    w.page.locator("#paste").focus()
    w.page.keyboard.press("Control+V")
    assert w.page.locator("#paste").input_value() == feed
    assert w.errors == []
    w.page.context.close()


def test_feed_autodiscovery_and_the_styled_feed_page(tab, site_url):
    tab.page.goto(f"{site_url}/podcast/panorama/index.html")
    href = tab.page.locator('link[rel="alternate"][type="application/rss+xml"]').get_attribute(
        "href"
    )
    assert href == f"{site_url}/{FEED}"
    feed = tab.page.request.get(href)
    assert feed.ok and b"<rss" in feed.body()
    # A click on RSS shows a page (the feed's XSL stylesheet), not raw XML.
    tab.page.goto(href)
    assert tab.page.locator("h1").inner_text() == "Panorama"
    assert tab.page.locator("#feed").input_value() == href
    assert tab.page.locator("audio").count() >= 4


def test_the_pdf_link_downloads_a_pdf(tab, site_url):
    tab.page.goto(f"{site_url}/magazine/index.html")
    with tab.page.expect_download() as info:
        tab.page.get_by_role("link", name="PDF for screens").first.click()
    path = info.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    assert info.value.suggested_filename == "no-7-winter-2026.pdf"


def test_site_works_with_javascript_off(browser, site_url):
    w = open_page(browser, java_script_enabled=False)
    w.page.goto(f"{site_url}/{EPISODE}")
    chapter = w.page.get_by_role("link", name="What next")
    assert "#t=9" in chapter.get_attribute("href")
    w.page.goto(f"{site_url}/podcast/panorama/index.html")
    w.page.get_by_text("Subscribe", exact=True).click()  # <details> opens without script
    assert w.page.locator(".subscribe input[type=text]").is_visible()  # to copy by hand
    assert not w.page.locator("button.copy").is_visible()  # needs the script: hidden
    w.page.get_by_role("link", name="RSS feed", exact=True).first.click()
    w.page.wait_for_url(f"{site_url}/{FEED}")
    w.page.context.close()


def test_keyboard_reaches_the_skip_link_first_with_a_visible_focus(tab, site_url):
    tab.page.goto(f"{site_url}/podcast/panorama/index.html")
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " const r = e.getBoundingClientRect();"
        " return [e.className, s.outlineStyle, s.outlineWidth, r.top >= 0 && r.left >= 0]; })()"
    )
    assert focused[0] == "skip" and focused[1] != "none" and focused[2] != "0px" and focused[3]
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("document.activeElement.id") == "main"


SHOTS = [
    ("index.html", "home"),
    ("podcast/panorama/index.html", "show"),
    ("magazine/index.html", "magazine"),
    ("magazine/no-7-winter-2026/index.html", "issue"),
    (EPISODE, "episode"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [SMALL_PHONE, PHONE, DESKTOP], ids=["360", "phone", "desktop"])
def test_pages_fit_the_screen_and_screenshots_are_saved(browser, site_url, viewport, scheme):
    ARTIFACTS.mkdir(exist_ok=True)
    w = open_page(browser, viewport=viewport, color_scheme=scheme)
    width = viewport["width"]
    for key, name in SHOTS:
        w.page.goto(f"{site_url}/{key}", wait_until="networkidle")
        assert w.page.evaluate("document.documentElement.scrollWidth") <= width, key
        shot = ARTIFACTS / f"site-{name}-{width}-{scheme}.png"
        w.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    w.page.goto(f"{site_url}/podcast/panorama/index.html")
    box = w.page.locator("summary.btn-primary").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 44
    assert w.errors == []
    w.page.context.close()


def test_the_first_player_on_a_phone_is_in_the_first_screen(browser, site_url):
    w = open_page(browser, viewport=PHONE)
    w.page.goto(f"{site_url}/index.html")
    top = w.page.locator("audio").first.bounding_box()
    assert top and top["y"] + top["height"] <= PHONE["height"]
    w.page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_no_accessibility_violations(browser, site_url, viewport, scheme):
    assert AXE.is_file(), "axe-core missing: run `make test` (it installs tests/node)"
    w = open_page(browser, viewport=viewport, color_scheme=scheme)
    bad = []
    for key in PAGES:
        w.page.goto(f"{site_url}/{key}", wait_until="networkidle")
        # Open every menu, transcript and contents list, so their colours are checked too.
        w.page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        w.page.add_script_tag(content=AXE.read_text("utf-8"))
        result = w.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad += [
            f"{key}: {v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        ]
    w.page.context.close()
    assert bad == [], json.dumps(bad, indent=1)
