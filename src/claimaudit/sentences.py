"""Sentence spans for Chinese and English text, as absolute offsets into the text of record.

Claims are read sentence by sentence (the cue, the hedge and the kind all live in the sentence),
so the splitter must never move an offset and must stay linear on long unspaced CJK pages: every
boundary is found by one left-to-right regex scan plus constant-size look-backs.
``SentenceLocator`` gives the same spans for single positions (the extractor's quantities) by
scanning only around them, within a linear budget.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from operator import methodcaller
from typing import Iterator

from .config import load_yaml

# Closing quotes/brackets that belong to the sentence they close.
_CLOSERS = "\"'”’」』）)】》〉]"
# zh: full-width/ASCII terminators (a run, e.g. "？！"), plus closers; newlines always split.
_ZH_BOUNDARY = re.compile(rf"[。！？；!?;]+[{re.escape(_CLOSERS)}]*|\n")
# zh: an ASCII full stop between two Han characters (half-width punctuation pages).
_ZH_DOT = re.compile(r"(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff])")
# en: terminator run + closers, then whitespace or end of text; newlines always split.
_EN_BOUNDARY = re.compile(rf"[.!?]+[{re.escape(_CLOSERS)}]*(?=\s|$)|\n")
_NEXT_START = re.compile(r"\s*(\S)")
_INITIAL = re.compile(r"[A-Za-z]")
_LIST_NUMBER = re.compile(r"\d{1,2}")
_AFTER_END = re.compile(r"[.!?:]\s*$")


@lru_cache(maxsize=None)
def _abbreviations() -> frozenset[str]:
    """Lower-cased English tokens (with their dots) after which a full stop ends no sentence."""
    return frozenset(a.lower() for a in load_yaml("sentences.yaml")["en_abbreviations"])


def _trimmed(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None


def _last_token(text: str, lo: int, hi: int) -> tuple[str, int]:
    r"""The run of non-space characters that ends ``text[lo:hi]`` and its start, as the regex
    ``(\S+)$`` finds it there (``$`` also matches before a final newline); ``("", -1)`` if none.
    (A right split: the regex would be tried at every start position.)"""
    if hi > lo and text[hi - 1] == "\n":
        hi -= 1
    seg = text[lo:hi]
    if not seg or seg[-1].isspace():
        return "", -1
    word = seg.rsplit(None, 1)[-1]
    return word, hi - len(word)


def _en_is_boundary(text: str, m: re.Match, start: int, end: int) -> bool:
    """Whether an English terminator at ``m`` really ends a sentence (constant-size look-around)."""
    i = m.start()
    if text[i] != ".":
        return True  # ! and ? always end, and so does a newline
    nxt = _NEXT_START.match(text, m.end(), end)
    if nxt is None:
        return True
    ch = nxt.group(1)
    if not (ch.isupper() or ch.isdigit() or ch in "\"“‘([" or ord(ch) > 0x2e7f):
        return False  # "e.g. nerves", "3 p.m. and"
    word, word_start = _last_token(text, max(start, i - 24), i)
    abbreviations = _abbreviations()
    low = word.lower()
    if low + "." in abbreviations or low.lstrip("(") + "." in abbreviations:
        return False
    if _INITIAL.fullmatch(word):  # initials: "J. Smith", "U.S."-like pieces
        return False
    if _LIST_NUMBER.fullmatch(word):
        # "1. Nerve": a list marker when the number starts its line or follows a sentence end
        before = text[max(start, word_start - 3):word_start]
        if word_start == start or before.endswith("\n") or _AFTER_END.search(before) \
                or before.strip() == "":
            return False
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None,
                    lang: str = "zh-Hans") -> list[tuple[int, int]]:
    """Ordered, non-overlapping, whitespace-trimmed spans covering ``text[start:end]``.

    Chinese splits on 。！？；!?; (keeping closing quotes/brackets), on an ASCII full stop between
    Han characters and on newlines; never on ，, decimals or "1." list markers. English splits on
    . ! ? followed by whitespace and a capital/digit, except after abbreviations, initials and list
    markers; newlines always split.
    """
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    if start >= end:
        return []
    zh = lang.startswith("zh")
    spans: list[tuple[int, int]] = []
    a = start
    for c in [cut for _, cut in _cuts(text, start, start, end, zh)] + [end]:
        if c <= a:
            continue
        s = _trimmed(text, a, c)
        if s:
            spans.append(s)
        a = c
    return spans


# zh: both boundary kinds in one scan. Their characters are disjoint (the dot is no terminator) and
# a dot match is one character, so the union finds exactly the matches of the two scans.
_ZH_CUT = re.compile(f"{_ZH_BOUNDARY.pattern}|{_ZH_DOT.pattern}")
# Characters a boundary match can span (a terminator run and its closers; a newline is a match of
# its own). No match straddles a position whose left neighbour is none of these, so a scan started
# there finds the same matches from there on as a scan of the whole document: a *sync point*.
_RUN_CHARS = {True: frozenset("。！？；!?;" + _CLOSERS), False: frozenset(".!?" + _CLOSERS)}
# _ZH_CUT and _EN_BOUNDARY written to open with one class of every character a match can start
# with, each branch re-reading that character by a lookbehind: the same matches, but the regex
# engine skips to the candidates in C, where a pattern opening with an alternation of repeats is
# tried in full at every position (about three times slower on long pages).
_ZH_CUT_SCAN = re.compile(rf"[。！？；!?;\n.](?:(?<=[。！？；!?;])[。！？；!?;]*[{re.escape(_CLOSERS)}]*|(?<=\n)"
                          rf"|(?<=[\u4e00-\u9fff]\.)(?=[\u4e00-\u9fff]))")
_EN_BOUNDARY_SCAN = re.compile(rf"[.!?\n](?:(?<=[.!?])[.!?]*[{re.escape(_CLOSERS)}]*(?=\s|$)|(?<=\n))")


_SPAN = methodcaller("span")


def _cuts(text: str, lo: int, start: int, end: int, zh: bool) -> Iterator[tuple[int, int]]:
    """``(terminator start, cut)`` of each sentence end whose terminator starts at or after ``lo``
    (a sync point), in text order; ``start``/``end`` are the document bounds (the English checks
    look around within them). Lazy: callers stop at the first cut they need. (zh: every match is
    a cut, so the spans come straight from the regex iterator, without a Python frame per cut.)"""
    if zh:
        return map(_SPAN, _ZH_CUT_SCAN.finditer(text, lo, end))
    return (m.span() for m in _EN_BOUNDARY_SCAN.finditer(text, lo, end) if _en_is_boundary(text, m, start, end))


def _sync_point(text: str, w: int, start: int, zh: bool) -> int:
    """The nearest sync point at or before ``w`` (not before ``start``)."""
    run = _RUN_CHARS[zh]
    while w > start and text[w - 1] in run:
        w -= 1
    return w


class SentenceLocator:
    """The sentence holding a position, and the sentence before it, without splitting the whole
    document: the spans ``split_sentences`` gives, found by scanning only around each position.

    Claims sit in few sentences (a tenth of them on the benchmark corpus), so splitting every
    document cost more than everything else the extractor does per character. A lookup scans from
    a sync point a little before the position forward to the first sentence end after it, and
    backward in doubling steps until the sentence start and the previous non-empty sentence are
    known. The scanning is budgeted at twice the document length (plus a constant); past that the
    document is split once and looked up by bisection, so the total work stays linear whatever the
    positions. Positions on whitespace (which may belong to the sentence before) use the split.
    """

    # First look-back, in characters: a sentence or two (English ones run longer). Any reach gives
    # the same spans; these cost least on the benchmark corpus.
    ZH_REACH, EN_REACH = 120, 300

    def __init__(self, text: str, start: int, end: int, lang: str) -> None:
        self.text = text
        self.end = len(text) if end is None else min(end, len(text))
        self.start = max(0, start)
        self.zh = lang.startswith("zh")
        self.REACH = self.ZH_REACH if self.zh else self.EN_REACH
        self._budget = 2 * max(0, self.end - self.start) + 4096
        self._spans: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._last: tuple[int, int, tuple[int, int], tuple[int, int] | None] | None = None
        # A segment start known from an earlier lookup (a cut, or the document start) and the
        # sentence before it: no scan needs to look behind it.
        self._floor: tuple[int, tuple[int, int] | None] = (self.start, None)

    def locate(self, pos: int) -> tuple[tuple[int, int], tuple[int, int] | None] | None:
        """``(sentence, previous sentence or None)`` of ``pos``: ``spans[i]`` and ``spans[i-1]``
        for the last span starting at or before ``pos`` (the first span when none does), as
        ``split_sentences`` would give them; ``None`` for a document without sentences."""
        last = self._last
        if last is not None and last[2][0] <= pos < last[1]:
            return last[2], last[3]
        if (self._spans is None and self._budget > 0 and self.start <= pos < self.end
                and not self.text[pos].isspace()):
            if pos < self._floor[0]:  # positions out of order: no shortcut behind them
                self._floor = (self.start, None)
            last = self._last = self._scan_around(pos)
            self._floor = (last[1], last[2])
            return last[2], last[3]
        return self._from_split(pos)

    def _from_split(self, pos: int) -> tuple[tuple[int, int], tuple[int, int] | None] | None:
        if self._spans is None:
            self._spans = split_sentences(self.text, self.start, self.end,
                                          "zh" if self.zh else "en")
            self._starts = [s for s, _ in self._spans]
        if not self._spans:
            return None
        i = max(bisect_right(self._starts, pos) - 1, 0)
        return self._spans[i], (self._spans[i - 1] if i > 0 else None)

    def _scan_around(self, pos: int):
        """``(segment start, segment end, sentence, previous)`` for a non-space ``pos``: the
        segment is the text between the cuts around ``pos``, the sentence its trimmed span."""
        text, end, zh = self.text, self.end, self.zh
        floor, floor_prev = self._floor
        w0 = max(floor, pos - self.REACH)
        w = _sync_point(text, w0, floor, zh)
        batch: list[int] = []  # cuts at or before pos, from terminators starting at or after w
        nxt = end
        for _, cut in _cuts(text, w, self.start, end, zh):
            if cut > pos:
                nxt = cut
                break
            batch.append(cut)
        cost = (w0 - w) + (nxt - w)
        # Walk the cuts right to left: the first is the sentence's segment start, then the first
        # non-empty segment is the previous sentence. Each batch is new text further back.
        seg_start = low = None
        prev = None
        while True:
            for c in reversed(batch):
                if low is None:
                    seg_start = low = c
                    continue
                prev = _trimmed(text, c, low)
                if prev:
                    break
                low = c
            if prev:
                break
            if w == floor:
                if low is None:
                    seg_start, prev = floor, floor_prev
                else:
                    prev = _trimmed(text, floor, low) or floor_prev
                break
            w0 = max(floor, w - 2 * (pos - w) - self.REACH - 1)  # doubling steps back
            w1 = _sync_point(text, w0, floor, zh)
            batch = []
            for m_start, cut in _cuts(text, w1, self.start, end, zh):
                if m_start >= w:
                    break
                batch.append(cut)
            cost += (w0 - w1) + (w - w1)
            w = w1
        self._budget -= cost
        sent = _trimmed(text, seg_start, nxt)  # holds the non-space pos
        return seg_start, nxt, sent, prev
