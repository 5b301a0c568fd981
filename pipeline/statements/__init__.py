"""Statements: statements/<slug>/ folders in, per-language Atom feeds out."""
