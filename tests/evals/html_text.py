"""Reads an HTML report back as its tags and text, for the report tests."""

from __future__ import annotations

from html.parser import HTMLParser


class Collect(HTMLParser):
    """The start tags and the text of a page, in order."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)
