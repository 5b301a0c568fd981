"""The magazine stage: issues of Markdown articles into screen and print PDFs."""
