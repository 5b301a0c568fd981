"""Publish build/ to S3-compatible object storage, and run a local SeaweedFS for development."""
