"""The magazine stage: issues of Markdown articles into screen and print PDFs."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Loaded on first use, so `pipeline check` does not pay for importing WeasyPrint.
_EXPORTS = {
    "Article": "pipeline.magazine.models",
    "Issue": "pipeline.magazine.models",
    "load_issues": "pipeline.magazine.loader",
    "IssueResult": "pipeline.magazine.build",
    "build_issues": "pipeline.magazine.build",
    "issue_source_hash": "pipeline.magazine.build",
    "new_issue": "pipeline.magazine.new",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
