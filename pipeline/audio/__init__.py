"""Producer tooling: measure, level, encode and tag a raw recording (ffmpeg from PyPI, mutagen)."""
