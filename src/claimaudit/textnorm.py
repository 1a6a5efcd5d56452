"""Script normalisation and language detection that never moves an offset.

Grammars for Chinese are written once, in simplified characters, and matched on
``simplified_view(text)``: a traditional→simplified conversion with *exactly* the same length as
its input, so any span found in the view is the same span in the text of record.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator, Mapping

import numpy as np
import opencc

# Ranges whose characters OpenCC may convert (CJK unified + extension A + compatibility ideographs
# + the supplementary ideographic planes); everything else passes through unchanged.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
HAN_RE = re.compile(f"[{_HAN_CLASS}]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_NON_HAN_RUN_RE = re.compile(f"[^{_HAN_CLASS}]+")


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@lru_cache(maxsize=None)
def ascii_case_strays() -> dict[str, str]:
    """Non-ASCII characters that ``re.IGNORECASE`` equates with an ASCII letter, by lowercase
    letter (Python 3.11: ``{"i": "İı", "k": "K", "s": "ſ"}``; ``str.lower`` disagrees on them).

    Computed from the regex engine itself, once (~30 ms): a case-insensitive pattern's exact
    first-character class, or a guard that a lowercased copy matches like the original."""
    codes = np.arange(0x80, 0x110000, dtype="<u4")
    every = codes[(codes < 0xD800) | (codes > 0xDFFF)].tobytes().decode("utf-32-le")
    out: dict[str, str] = {}
    for ch in re.findall("(?i)[a-z]", every):
        for letter in "abcdefghijklmnopqrstuvwxyz":
            if re.fullmatch(f"(?i:{letter})", ch):
                out[letter] = out.get(letter, "") + ch
    return out


@lru_cache(maxsize=None)
def _char_map(config: str) -> dict[int, str]:
    """Single-character conversions of every ideograph, one OpenCC call (newline-separated, so no
    phrase can span two characters); multi-character results are dropped to keep lengths."""
    chars = [chr(c) for lo, hi in _HAN_RANGES for c in range(lo, hi + 1)]
    out = _converter(config).convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # defensive: never trust an unexpected shape
        return {}
    return {ord(a): b for a, b in zip(chars, out) if a != b and len(b) == 1}


def char_table_t2s() -> dict[int, str]:
    """``str.translate`` table, traditional → simplified, character by character."""
    return _char_map("t2s")


_TRAD_MARK, _SIMP_MARK = "\ue000", "\ue001"  # private-use markers for counting by translate


@lru_cache(maxsize=None)
def _script_marks() -> dict[int, str]:
    """Translate table marking characters that only occur in one script: traditional-only
    (t2s changes it, s2t does not) and simplified-only (s2t changes it, t2s does not)."""
    t2s, s2t = _char_map("t2s"), _char_map("s2t")
    marks = {c: _TRAD_MARK for c in t2s if c not in s2t}
    marks.update({c: _SIMP_MARK for c in s2t if c not in t2s})
    return marks


def _line_view(line: str, converted: str, table: dict[int, str]) -> str:
    """Phrase-level conversion of one line when it kept its shape, else char-level."""
    if len(converted) == len(line) and _NON_HAN_RUN_RE.findall(converted) == _NON_HAN_RUN_RE.findall(line):
        return converted
    return line.translate(table)


_SHORT_VIEW = 4096  # strings up to this length share a large cache; longer ones (article texts) a small one


def simplified_view(text: str) -> str:
    """Traditional→simplified view of ``text`` with exactly the same length.

    OpenCC's phrase conversion (which keeps e.g. 著名 while mapping 著作…) is used line by line
    wherever it preserved the line's length and its non-Han characters; any other line falls back
    to the per-character table, so the result is always aligned with the input.

    Pure ASCII returns as is (nothing to convert). Results are memoised: the same article text,
    document, sentence or title is viewed by ingest, the grammar, the cues, grading and
    consistency, and the view is a pure function of the string.
    """
    if not text or text.isascii():
        return text
    if _kept is not None:
        view = _kept.get(text)
        if view is None:
            view = _kept[text] = _simplified_view(text)
        return view
    return _view_short(text) if len(text) <= _SHORT_VIEW else _view_long(text)


_kept: dict[str, str] | None = None  # the memo of ``kept_views`` while one is open


@contextmanager
def kept_views(known: Mapping[str, str] | None = None) -> Iterator[None]:
    """Inside the body every view is kept until the body ends, and ``known`` views (text → view,
    e.g. the ones ingest computed) are served as they are.

    Why: a corpus run views each page in four stages (ingest, the grammar, the cues, grading) one
    stage at a time, so with thousands of pages the LRU caches evict a page long before the next
    stage asks for it again. Nested uses share the outermost memo."""
    global _kept
    outer = _kept
    if outer is None:
        _kept = {}
    if known:
        _kept.update((t, v) for t, v in known.items() if v is not None and len(v) == len(t))
    try:
        yield
    finally:
        if outer is None:
            _kept = None


def simplified_views(texts: list[str]) -> list[str]:
    """``[simplified_view(t) for t in texts]`` with one conversion for all of them (OpenCC is
    called once, not once per short text).

    ``simplified_view`` works line by line (OpenCC never matches across a newline, and a line that
    changes shape falls back on its own), so the view of the texts joined by newlines is their
    views joined by newlines. Texts holding a newline, and texts that cannot be encoded (OpenCC
    would refuse the whole batch), are converted one by one."""
    alone = [i for i, t in enumerate(texts) if "\n" in t]
    batch = [i for i, t in enumerate(texts) if "\n" not in t]
    joined = "\n".join(texts[i] for i in batch)
    try:
        joined.encode("utf-8")
    except UnicodeError:
        alone, batch, joined = list(range(len(texts))), [], ""
    out = [""] * len(texts)
    for i, view in zip(batch, simplified_view(joined).split("\n") if batch else []):
        out[i] = view
    for i in alone:
        out[i] = simplified_view(texts[i])
    return out


@lru_cache(maxsize=16384)
def _view_short(text: str) -> str:
    return _simplified_view(text)


@lru_cache(maxsize=64)
def _view_long(text: str) -> str:
    return _simplified_view(text)


def _simplified_view(text: str) -> str:
    table = char_table_t2s()
    try:
        converted = _converter("t2s").convert(text)
    except (UnicodeError, RuntimeError):  # lone surrogates etc.: char table only
        return text.translate(table)
    if converted == text or _changed_only_han(text, converted):
        return converted  # the common case: every line kept its shape, ``_line_view`` would keep it
    if len(converted) == len(text) and converted.count("\n") == text.count("\n"):
        src_lines, out_lines = text.split("\n"), converted.split("\n")
        if all(len(a) == len(b) for a, b in zip(src_lines, out_lines)):
            return "\n".join(_line_view(a, b, table) for a, b in zip(src_lines, out_lines))
    src_lines = text.split("\n")
    conv = _converter("t2s")
    return "\n".join(_line_view(a, conv.convert(a), table) for a in src_lines)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype="<u4")


def _changed_only_han(text: str, converted: str) -> bool:
    """Same length, and every position where they differ holds a Han character in both: the
    conversion moved nothing (one vectorised comparison instead of a regex pass per string)."""
    if len(converted) != len(text):
        return False
    a, b = _codes(text), _codes(converted)
    diff = a != b
    if not diff.any():
        return True
    han = _class_table()
    top = _TABLE_SIZE - 1
    return bool(np.all(han[np.minimum(a[diff], top)] & _HAN) and np.all(han[np.minimum(b[diff], top)] & _HAN))


def script_counts(text: str) -> tuple[int, int, int, int]:
    """(Han characters, Latin words, traditional-only characters, simplified-only characters)."""
    marked = text.translate(_script_marks())
    trad = marked.count(_TRAD_MARK) - text.count(_TRAD_MARK)
    simp = marked.count(_SIMP_MARK) - text.count(_SIMP_MARK)
    return len(HAN_RE.findall(text)), len(_LATIN_WORD_RE.findall(text)), trad, simp


_TABLE_SIZE = 0x30000
_HAN, _TRAD, _SIMP, _LATIN = 1, 2, 4, 8


@lru_cache(maxsize=None)
def _class_table() -> np.ndarray:
    """Per code point: Han / traditional-only / simplified-only / Latin-letter bits."""
    table = np.zeros(_TABLE_SIZE, dtype=np.uint8)
    for lo, hi in _HAN_RANGES:
        table[lo:min(hi, _TABLE_SIZE - 1) + 1] |= _HAN
    for code, mark in _script_marks().items():
        if code < _TABLE_SIZE:
            table[code] |= _TRAD if mark == _TRAD_MARK else _SIMP
    table[ord("A"):ord("Z") + 1] |= _LATIN
    table[ord("a"):ord("z") + 1] |= _LATIN
    table[0xC0:0x250] |= _LATIN
    table[0xD7] &= np.uint8(0xFF ^ _LATIN)
    table[0xF7] &= np.uint8(0xFF ^ _LATIN)
    return table


class ScriptProfile:
    """Prefix counts of Han, Latin-word, traditional-only and simplified-only characters, so the
    language of any span of a long text is found in constant time (one pass over the text).
    The four counts share one array (one cumulative sum, one lookup per span boundary)."""

    def __init__(self, text: str):
        cls = _full_class_table().take(_codes(text))
        flags = np.zeros((len(cls) + 1, 4), dtype=np.int32)  # row k + 1: character k
        _FLAG_COLUMNS.take(cls, axis=0, out=flags[1:])
        latin = flags[1:, 1].copy()
        flags[2:, 1] &= latin[:-1] ^ 1  # a Latin letter after another starts no word
        self._sums = np.cumsum(flags, axis=0, out=flags)

    def counts(self, start: int, end: int) -> tuple[int, int, int, int]:
        return tuple((self._sums[end] - self._sums[start]).tolist())  # type: ignore[return-value]

    def lang(self, start: int, end: int, default: str | None = None) -> str:
        return _decide(*self.counts(start, end), default=default)

    def langs(self, spans: list[tuple[int, int]], default: str | None = None) -> list[str]:
        """``lang`` of many spans at once (one array lookup per count, not one per span)."""
        if not spans:
            return []
        starts, ends = np.array(spans, dtype=np.int64).T
        rows = (self._sums[ends] - self._sums[starts]).tolist()
        return [_decide(*row, default=default) for row in rows]


# columns of ``ScriptProfile`` per ``_class_table`` entry: Han, Latin letter (made word starts
# afterwards), traditional-only, simplified-only
_FLAG_COLUMNS = np.array([[bool(v & bit) for bit in (_HAN, _LATIN, _TRAD, _SIMP)] for v in range(256)],
                         dtype=np.int32)


@lru_cache(maxsize=None)
def _full_class_table() -> np.ndarray:
    """``_class_table`` for every code point (one lookup per character, no clipping first)."""
    table = np.empty(0x110000, dtype=np.uint8)
    table[:_TABLE_SIZE] = _class_table()
    table[_TABLE_SIZE:] = _class_table()[_TABLE_SIZE - 1]
    return table


def _decide(han: int, words: int, trad: int, simp: int, default: str | None = None) -> str:
    if han == 0 and words == 0:
        return default or "en"
    if han < words:
        return "en"
    if trad > simp:
        return "zh-Hant"
    if simp > trad:
        return "zh-Hans"
    if default in ("zh-Hans", "zh-Hant"):
        return default
    return "zh-Hans"


def detect_lang(text: str, default: str | None = None) -> str:
    """``zh-Hans``, ``zh-Hant`` or ``en``.

    Chinese when Han characters are at least as many as Latin words (a Han character carries about
    a word's information, so inline pinyin, drug codes or "MRI" do not flip a Chinese line); the
    script is the one with more script-exclusive characters. With no signal at all (digits only,
    or Han text with no script-exclusive characters) ``default`` is returned when given, else
    ``en`` / ``zh-Hans``.
    """
    if len(text) > 2000:
        return ScriptProfile(text).lang(0, len(text), default)
    return _decide(*script_counts(text), default=default)
