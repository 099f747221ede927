"""Compares the board and published versions of a report sentence by sentence (issue 22).

Every sentence of the published version must be the board version's sentence with, at most, a withheld
figure where a value stood: the words around it unchanged, so withholding never turns a statement into a
different claim. Tables keep the DfE symbols (c, z, x) and are compared by the disclosure tests; the
marking, the key to the tables and the footnote differ by design and are left out here.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from helpers.report.disclosure import SMALL_BASE_WORDS, WITHHELD_AGAIN, WITHHELD_WORDS

# Elements whose text is prose; tables, and the notes that differ between the versions by design, are not.
PROSE = ("p", "li", "dd", "dt", "figcaption", "h1", "h2", "h3")
SKIPPED_CLASSES = {"marking", "table-key", "footnote", "generated-at"}
VOID = {"img", "br", "meta", "link", "hr", "input"}
BREAK = "\x00"

# A figure as prose prints it: 42%, 5, 1,000, +3 points, -0.4, 57% to 74%, met / not yet met (target reached).
NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?%?(?: points?)?"
VALUE = rf"(?:{NUMBER}(?: to {NUMBER})?|met|not yet met)"
PLACEHOLDER = re.compile("|".join(re.escape(w) for w in (f"figure {WITHHELD_WORDS}", WITHHELD_WORDS,
                                                           f"figure {SMALL_BASE_WORDS}", SMALL_BASE_WORDS,
                                                           f"figure {WITHHELD_AGAIN}", WITHHELD_AGAIN)))


class ProseText(HTMLParser):
    """The text of every prose element and every image's alt text, outside tables and the skipped notes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.depth_of_current = -1

    def skipped(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            if tag == "img" and attrs.get("alt") and not self.skipped():
                self.blocks.append(attrs["alt"])
            return
        classes = set((attrs.get("class") or "").split())
        skip = tag in ("table", "style", "title", "nav") or bool(classes & SKIPPED_CLASSES)
        self.stack.append((tag, skip))
        if tag in PROSE and not self.skipped():
            if self.current is None:
                self.current, self.depth_of_current = [], len(self.stack)
            else:  # a paragraph inside a list item: its own block
                self.current.append(BREAK)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if self.current is not None and len(self.stack) < self.depth_of_current:
                for part in "".join(self.current).split(BREAK):
                    text = " ".join(part.split())
                    if text:
                        self.blocks.append(text)
                self.current = None
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.current is not None and not self.skipped():
            self.current.append(data)


def prose_blocks(html: str) -> list[str]:
    parser = ProseText()
    parser.feed(html)
    return parser.blocks


def sentences(html: str) -> list[str]:
    """The report's prose, one sentence at a time (split after . ; : ? ! followed by a space)."""
    found = []
    for block in prose_blocks(html):
        found += [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z])", block) if s]
    return found


def matches_with_withheld(board: str, published: str) -> bool:
    """Whether `published` is `board` with some of its values replaced by withheld wording, and nothing else."""
    pieces = PLACEHOLDER.split(published)
    pattern = VALUE.join(re.escape(p) for p in pieces)
    return re.fullmatch(pattern, board) is not None


def ranking_withheld_for(board: str, published: str) -> bool:
    """A ranking of groups is itself a withheld value (narrative.ranking_withheld): the published sentence is
    that statement for the same measure the board sentence ranks."""
    from helpers.report.narrative import RANKED_AMONG, ranking_withheld

    what = board.split(f", {RANKED_AMONG}:")[0]
    return board.startswith(f"{what}, {RANKED_AMONG}:") and published == ranking_withheld(what)


def differences(board_html: str, published_html: str) -> list[str]:
    """Every sentence pair that differs other than where a withheld figure stands (empty: none)."""
    board, published = sentences(board_html), sentences(published_html)
    problems = []
    if len(board) != len(published):
        extra = [s for s in published if s not in board] + ["--- board only:"] + [s for s in board
                                                                                  if s not in published]
        return [f"{len(board)} sentences in the board version, {len(published)} published", *extra[:12]]
    for b, p in zip(board, published):
        if b != p and not matches_with_withheld(b, p) and not ranking_withheld_for(b, p):
            problems.append(f"board:     {b}\npublished: {p}")
    return problems
