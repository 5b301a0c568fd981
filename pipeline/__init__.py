"""Publishing pipeline: podcast feeds, magazine PDFs, a public site, uploads to object storage."""

from __future__ import annotations

__version__ = "0.1.0"
