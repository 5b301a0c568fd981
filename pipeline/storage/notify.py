"""Tell WebSub hubs and Podcast Index that a feed changed, right after a publish."""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.structure.config import SiteConfig

log = logging.getLogger(__name__)

USER_AGENT = "pipeline-notify/1 (podcast feed publisher)"


@dataclass(frozen=True)
class Notice:
    """One notification sent: to whom, about which feed, and whether it was accepted."""

    target: str
    feed: str
    ok: bool
    detail: str


def _send(req: urllib.request.Request, timeout: float) -> tuple[bool, str]:
    """Send one request once (never retried: a hub that is down must not slow a publish)."""
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read(4096)
            return 200 <= resp.status < 300, f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return False, str(getattr(exc, "reason", exc))


def notify(site: SiteConfig, feeds: Iterable[str]) -> list[Notice]:
    """Notify each hub (WebSub hub.mode=publish) and, if asked, Podcast Index of each feed.

    Each call has the short site.notify_timeout; a failure is logged as a warning and returned,
    never raised: the publish itself has already succeeded.
    """
    notices = []
    for feed in sorted(set(feeds)):
        requests = [
            (
                hub,
                urllib.request.Request(
                    hub,
                    data=urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed}).encode(),
                    headers={
                        "User-Agent": USER_AGENT,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                    method="POST",
                ),
            )
            for hub in site.websub_hubs
        ]
        if site.notify_podcastindex:
            query = urllib.parse.urlencode({"url": feed})
            url = f"{site.podcastindex_url}?{query}"
            requests.append(
                (
                    site.podcastindex_url,
                    urllib.request.Request(url, headers={"User-Agent": USER_AGENT}),
                )
            )
        for target, req in requests:
            ok, detail = _send(req, site.notify_timeout)
            if not ok:
                log.warning(
                    "could not notify %s of %s (%s); apps will see it when they next poll",
                    target,
                    feed,
                    detail,
                )
            notices.append(Notice(target, feed, ok, detail))
    return notices
