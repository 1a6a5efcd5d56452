"""Sentence spans for Chinese and English text, as absolute offsets into the text of record.

Claims are read sentence by sentence (the cue, the hedge and the kind all live in the sentence),
so the splitter must never move an offset and must stay linear on long unspaced CJK pages: every
boundary is found by one left-to-right regex scan plus constant-size look-backs.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .config import load_yaml

# Closing quotes/brackets that belong to the sentence they close.
_CLOSERS = "\"'”’」』）)】》〉]"
# zh: full-width/ASCII terminators (a run, e.g. "？！"), plus closers; newlines always split.
_ZH_BOUNDARY = re.compile(rf"[。！？；!?;]+[{re.escape(_CLOSERS)}]*|\n")
# zh: an ASCII full stop between two Han characters (half-width punctuation pages).
_ZH_DOT = re.compile(r"(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff])")
# en: terminator run + closers, then whitespace or end of text; newlines always split.
_EN_BOUNDARY = re.compile(rf"[.!?]+[{re.escape(_CLOSERS)}]*(?=\s|$)|\n")
_LAST_TOKEN = re.compile(r"(\S+)$")
_NEXT_START = re.compile(r"\s*(\S)")


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


def _en_is_boundary(text: str, m: re.Match, start: int, end: int) -> bool:
    """Whether an English terminator at ``m`` really ends a sentence (constant-size look-around)."""
    if m.group() == "\n":
        return True
    i = m.start()
    if text[i] != ".":
        return True  # ! and ? always end
    nxt = _NEXT_START.match(text, m.end(), end)
    if nxt is None:
        return True
    ch = nxt.group(1)
    if not (ch.isupper() or ch.isdigit() or ch in "\"“‘([" or ord(ch) > 0x2e7f):
        return False  # "e.g. nerves", "3 p.m. and"
    tok = _LAST_TOKEN.search(text, max(start, i - 24), i)
    word = tok.group(1) if tok else ""
    if (word + ".").lower() in _abbreviations() or word.lower().lstrip("(") + "." in _abbreviations():
        return False
    if re.fullmatch(r"[A-Za-z]", word):  # initials: "J. Smith", "U.S."-like pieces
        return False
    if re.fullmatch(r"\d{1,2}", word):
        # "1. Nerve": a list marker when the number starts its line or follows a sentence end
        before = text[max(start, tok.start() - 3):tok.start()]
        if tok.start() == start or before.endswith("\n") or re.search(r"[.!?:]\s*$", before) \
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
    cuts: list[int] = []
    if lang.startswith("zh"):
        for m in _ZH_BOUNDARY.finditer(text, start, end):
            cuts.append(m.end())
        for m in _ZH_DOT.finditer(text, start, end):
            cuts.append(m.end())
        cuts.sort()
    else:
        for m in _EN_BOUNDARY.finditer(text, start, end):
            if _en_is_boundary(text, m, start, end):
                cuts.append(m.end())
    spans: list[tuple[int, int]] = []
    a = start
    for c in cuts + [end]:
        if c <= a:
            continue
        s = _trimmed(text, a, c)
        if s:
            spans.append(s)
        a = c
    return spans
