"""The model layer: typed, validated content and the bucket layout; no stage is imported here."""
