"""The site stage: static pages for listeners and readers, beside the feeds in the bucket."""
