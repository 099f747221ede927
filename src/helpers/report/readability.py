"""How plain a text reads: the Flesch reading ease score, measured (issue 22's practitioner briefing).

Flesch (1948): 206.835 - 1.015 x (words per sentence) - 84.6 x (syllables per word). 60 to 70 is plain English
("standard"), 70 to 80 "fairly easy"; below 50 is "difficult" (college level). Syllables are counted with
pyphen's English hyphenation dictionary, as textstat does: the hyphenation points of a word, plus one.
"""
from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
BLOCKS = ("p", "li", "h1", "h2", "h3", "dt", "dd", "figcaption", "caption", "th", "td")


@lru_cache(maxsize=1)
def _dictionary():
    import pyphen

    return pyphen.Pyphen(lang="en_GB")


def syllables(word: str) -> int:
    """A word's syllables: its hyphenation points plus one (a number counts as one)."""
    if word[0].isdigit():
        return 1
    return len(_dictionary().positions(word.lower())) + 1


def sentences(text: str) -> list[str]:
    """The sentences of a text: each line is a block (a heading or list item ends a sentence), split at . ! ?"""
    found = []
    for line in text.splitlines():
        found += [part for part in SENTENCE_END.split(line) if WORD.search(part)]
    return found


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease of plain text (one block per line); higher reads more easily."""
    parts = sentences(text)
    words = [w for part in parts for w in WORD.findall(part)]
    if not words:
        return 0.0
    return 206.835 - 1.015 * len(words) / len(parts) - 84.6 * sum(map(syllables, words)) / len(words)


class _Blocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.current, self.skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "script"):
            self.skip += 1
        elif tag in BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in ("style", "title", "script"):
            self.skip -= 1
        elif tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)

    def _flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []


def plain_text(html: str) -> str:
    """The readable text of an HTML document, one block (paragraph, list item, heading, cell) per line."""
    parser = _Blocks()
    parser.feed(html)
    parser._flush()
    return "\n".join(parser.lines)
