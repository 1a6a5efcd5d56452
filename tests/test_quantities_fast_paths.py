"""The grammar's shortcuts match exactly what the plain forms they replace match.

Each shortcut (a unit alternation grouped by first character, number-word anchors found on a
lower-cased view, the "1 in N" rule's literal pre-scan) is checked against the straightforward
form on random strings built from the characters that could fool it (both cases, the non-ASCII
letters that case-insensitive matching equates with ASCII ones, unit forms, spaces).
"""
from __future__ import annotations

import random
import re

import pytest

from claimaudit import quantities as q
from claimaudit.textnorm import ascii_case_strays


def _plain_unit_regex(family: str) -> str:
    """The unit alternation as one flat list, longest form first (what _unit_regex groups)."""
    exact, folded = q._units(family)
    parts = []
    for form in sorted(set(exact) | set(folded), key=lambda w: (-len(w), w)):
        body = q._ialt([form]) if form in folded else re.escape(form)
        if q._is_latin(form[-1]) or form[-1].isdigit():
            body += r"(?![A-Za-z0-9_²])"
        parts.append(body)
    return q._first_guard(exact, folded) + "(?:" + "|".join(parts) + ")"


def _unit_probes(family: str, n: int, seed: int) -> list[str]:
    """Unit forms in random case, with strays, glued to random neighbours."""
    rng = random.Random(seed)
    exact, folded = q._units(family)
    forms = sorted(set(exact) | set(folded))
    strays = "".join(ascii_case_strays().values())
    noise = "aAsSkKiI mM/lL2²-" + strays + "µμΜ°"
    out = []
    for _ in range(n):
        form = rng.choice(forms)
        chars = [c.upper() if rng.random() < 0.3 else c for c in form]
        if rng.random() < 0.2:
            i = rng.randrange(len(chars))
            chars[i] = rng.choice(noise)
        out.append("".join(chars) + "".join(rng.choice(noise) for _ in range(rng.randint(0, 2))))
    return out


@pytest.mark.parametrize("family", ["zh", "en"])
def test_unit_dispatch_matches_the_plain_alternation(family):
    grouped, plain = re.compile(q._unit_regex(family)), re.compile(_plain_unit_regex(family))
    for s in _unit_probes(family, 4000, seed=len(family)):
        for i in range(len(s)):
            a, b = grouped.match(s, i), plain.match(s, i)
            assert (a and a.span()) == (b and b.span()), (s, i)


def test_unit_dispatch_keeps_order_within_overlapping_first_characters():
    # "L" (exact) and "l…" (case-insensitive) share first characters: one group, original order
    forms = [("l", "lL", "(?i:itres)"), ("L", "L", ""), ("x", "x", "")]
    rx = re.compile(q._by_first_char(forms))
    assert rx.match("Litres").group() == "Litres"
    assert rx.match("L").group() == "L"
    assert rx.match("l") is None  # "L" is exact
    assert rx.match("x").group() == "x"


def test_unit_dispatch_refuses_an_unknown_first_letter_that_overlaps():
    with pytest.raises(ValueError):
        q._by_first_char([("k", "kK" + ascii_case_strays()["k"], "(?i:g)"), ("K", None, "(?i:K)")])


def test_word_anchors_on_lowered_view_match_the_case_insensitive_scan():
    g = q._grammar("en")
    rng = random.Random(7)
    strays = "".join(ascii_case_strays().values())
    words = ["a", "An", "ONE", "two", "Twenty", "several", "dozens", "once", "half", "few", "x"]
    filler = [" ", "-", "é", "–", "\u00a0", "5", ".", "Ä"] + list(strays)
    for _ in range(3000):
        s = "".join(rng.choice(words) + rng.choice(filler) for _ in range(rng.randint(1, 8)))
        a = rng.randint(0, len(s))
        b = rng.randint(a, len(s))
        want = [m.start() + 1 for m in g.word_after.finditer(s, max(a - 1, 0), b)]
        if a == 0 and g.word_at.match(s, 0, b):
            want.insert(0, 0)
        assert q._word_anchors(s, g, a, b) == want, (s, a, b)


def test_one_in_prescan_keeps_every_place_the_rule_can_fire():
    """The old scan: every " in " after a digit or an e; the rule can only fire after 1-9/e/E."""
    g = q._grammar("en")
    rng = random.Random(3)
    pieces = ["1", "0", "5", "²", "one", "One", "ONE", "tone", " in ", "  in ", " in in ", "10", "3",
              " adults", " patients", " people ", "about ", ","]
    for _ in range(3000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        old = []
        i = s.find(" in ")
        while i >= 0:
            if i > 0 and (s[i - 1].isdigit() or s[i - 1] in "eE"):
                old.append(i)
            i = s.find(" in ", i + 1)
        new = [m.start() for m in q._ONE_IN_AT.finditer(s, 0, len(s))]
        assert set(new) <= set(old)
        assert q._one_in(s, 0, len(s), g) == _one_in_at(s, old, g), s


def _one_in_at(view: str, places: list[int], g) -> list:
    """_one_in's rows when every place of the old scan is tried."""
    saved = q._ONE_IN_AT
    try:
        q._ONE_IN_AT = _Places(places)
        return q._one_in(view, 0, len(view), g)
    finally:
        q._ONE_IN_AT = saved


class _Places:
    """Stands in for the pre-scan regex: yields the given places."""

    def __init__(self, places: list[int]):
        self.places = places

    def finditer(self, view, a, b):
        return (_At(i) for i in self.places if a <= i < b)


class _At:
    def __init__(self, i: int):
        self.i = i

    def start(self) -> int:
        return self.i
