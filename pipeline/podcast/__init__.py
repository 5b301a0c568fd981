"""Podcast stage: episode folders in, one standards-complete feed per show out."""
