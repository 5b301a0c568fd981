"""podcast:license: the licence URL of well-known identifiers (SPDX and Creative Commons)."""

from __future__ import annotations

import re

CC = re.compile(r"^cc-(by(?:-nc)?(?:-sa|-nd)?)-(1\.0|2\.0|2\.5|3\.0|4\.0)$", re.I)
CC0 = re.compile(r"^cc0-1\.0$", re.I)
# SPDX identifiers a podcast or its music is commonly released under (lower case keys).
SPDX = {
    "mit": "MIT",
    "apache-2.0": "Apache-2.0",
    "gpl-3.0": "GPL-3.0",
    "gpl-3.0-or-later": "GPL-3.0-or-later",
    "fdl-1.3": "GFDL-1.3",
    "odbl-1.0": "ODbL-1.0",
    "unlicense": "Unlicense",
}
LICENSE_LIMIT = 128  # characters, the namespace's limit for the licence identifier


def known_license_url(identifier: str) -> str | None:
    """Return the canonical page of a known licence identifier, or None."""
    ident = identifier.strip()
    if found := CC.match(ident):
        return f"https://creativecommons.org/licenses/{found.group(1).lower()}/{found.group(2)}/"
    if CC0.match(ident):
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    spdx = SPDX.get(ident.lower())
    return f"https://spdx.org/licenses/{spdx}.html" if spdx else None
