"""Check whether real clients read feeds and HTML stored gzip-encoded (Content-Encoding: gzip).

Run: .venv/bin/python bench/gzip_clients.py  (starts a throwaway SeaweedFS; prints one line per
client and encoding). The result decides docs/publishing.md's "Compression" section.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import urllib.request
from pathlib import Path

import feedparser
import podcastparser
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from pipeline.storage.server import start_server, stop_server
from tests.s3_server import admin_client

FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
    b"<link>https://x.example</link><description>d</description><item><title>E1</title>"
    b'<guid>g1</guid><enclosure url="https://x.example/a.mp3" length="1" type="audio/mpeg"/>'
    b"</item></channel></rss>"
)
HTML = b"<!doctype html><title>Gz</title><h1>Hello gzip</h1>"


def main() -> None:
    """Store a feed and a page plain and gzip-encoded, then read each with each client."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        info = start_server(Path(tmp))
        try:
            client = admin_client(info)
            client.create_bucket(Bucket="gzcheck")
            for enc in ("identity", "gzip"):
                extra = {"ContentEncoding": "gzip"} if enc == "gzip" else {}
                pack = gzip.compress if enc == "gzip" else (lambda b: b)
                client.put_object(
                    Bucket="gzcheck",
                    Key=f"{enc}/feed.xml",
                    Body=pack(FEED),
                    ContentType="application/rss+xml; charset=utf-8",
                    **extra,
                )
                client.put_object(
                    Bucket="gzcheck",
                    Key=f"{enc}/index.html",
                    Body=pack(HTML),
                    ContentType="text/html; charset=utf-8",
                    **extra,
                )
            base = f"{info.endpoint}/gzcheck"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page()
                for enc in ("identity", "gzip"):
                    url = f"{base}/{enc}/feed.xml"
                    fp = feedparser.parse(url)
                    print(f"{enc:8} feedparser        items={len(fp.entries)} bozo={fp.bozo}")
                    try:
                        with urllib.request.urlopen(url) as resp:
                            pp = podcastparser.parse(url, resp)
                        print(f"{enc:8} podcastparser     episodes={len(pp.get('episodes', []))}")
                    except Exception as exc:  # the point is to see which clients fail
                        print(f"{enc:8} podcastparser     FAILED {type(exc).__name__}: {exc}")
                    page.goto(f"{base}/{enc}/index.html")
                    print(f"{enc:8} chromium          h1={page.inner_text('h1')!r}")
                browser.close()
        finally:
            stop_server(Path(tmp))


if __name__ == "__main__":
    main()
