"""Run the command-line interface with ``python -m pipeline``."""

from __future__ import annotations

from pipeline.cli import main

main()
