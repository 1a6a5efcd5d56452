"""Faster forms of the scanning regexes find exactly what the plain forms find.

The sentence cut scans open with one class of every character a boundary can start with (so the
regex engine skips to candidates in C), and the English digit anchors are found on a byte view
where every digit is one literal byte. Both are checked against the readable patterns they stand
for, on random strings built from the characters that exercise them, at random bounds.
"""
from __future__ import annotations

import random

from claimaudit import quantities as q
from claimaudit import sentences as s

_CUT_ALPHABET = list("。！？；!?;.\n \t」』）)】》〉]\"'”’中文aZ1") + ["\u00a0", "\u3000", "\u4e00", "\u9fff", "\ud800"]
_DIGIT_ALPHABET = list("0123456789..., -aZ") + ["\u0663", "\u00b2", "\uff10", "\u00e9", "\u4e00", "\ud800", "\U0001F600"]


def _strings(alphabet: list[str], n: int, seed: int, longest: int = 14) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def _bounds(text: str, rng: random.Random) -> tuple[int, int]:
    lo = rng.randint(0, len(text))
    return lo, rng.randint(lo, len(text))


def test_class_led_cut_scans_find_the_plain_boundaries():
    rng = random.Random(2)
    pairs = [(s._ZH_CUT, s._ZH_CUT_SCAN), (s._EN_BOUNDARY, s._EN_BOUNDARY_SCAN)]
    for text in _strings(_CUT_ALPHABET, 20_000, seed=1):
        lo, hi = _bounds(text, rng)
        for plain, scan in pairs:
            want = [m.span() for m in plain.finditer(text, lo, hi)]
            assert [m.span() for m in scan.finditer(text, lo, hi)] == want, (text, lo, hi, plain.pattern)


def test_digit_anchors_are_the_start_class_matches():
    g = q._grammar("en")
    rng = random.Random(4)
    for text in _strings(_DIGIT_ALPHABET, 20_000, seed=3):
        a, b = _bounds(text, rng)
        want = [m.start() for m in g.starts.finditer(text, a, b)]
        assert q._digit_anchors(text, a, b) == want, (text, a, b)


def test_anchors_merge_digit_and_word_places_in_order():
    g = q._grammar("en")
    rng = random.Random(6)
    pieces = ["3", "1.5", ".5", "2,000", " ", "a ", "one ", "Twenty-", "few", "K", "é", "mg", "x", "-"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        a, b = _bounds(text, rng)
        plain = sorted([m.start() for m in g.starts.finditer(text, a, b)] + q._word_anchors(text, g, a, b))
        assert q._anchors(text, g, a, b) == plain, (text, a, b)
