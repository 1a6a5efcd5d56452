"""The scan's shortcuts decide exactly what the longer forms they replace decided.

``_bare_resume`` (one pass over a bare number's tests instead of a quick test in the scan and the
full one in ``_build``), the genre rules' mark pre-test and the letters view of the number-word
anchors are each checked against the plain form on random strings built from the pieces that
exercise them.
"""
from __future__ import annotations

import random

import pytest

from claimaudit import quantities as q

_PIECES = {
    "zh": ["3", "12", "1.5", "2,000", "万", "亿", "人", "名", "分之", "三", "百分之", "一半", "半数", "患者",
           "<", ">", "≤", "大于", "小于", "低于", "且", "为", "血糖", "INR", ")", "（", "-", " ", "±", "+/-",
           "岁", "mg", "次", "、", "。", "数", "几"],
    "en": ["3", "12", "1.5", "2,000", " ", "-", "<", ">", "=", "over ", "under ", "above ", "below ",
           "and ", "or ", "to ", "INR ", "BMI ", "HbA1c ", ")", "(", "people ", "adults ", "women ",
           "million ", "Americans", " per month", " a day", "twice", "once", "half of ", "one third of ",
           "patients", "1 in 5 ", "one in three ", "±", "+/-", "older", " and older", "mg", "a few "],
}


def _old_bare_resume(m, view: str, g, zh: bool, floor: int) -> int | None:
    """The decision as the scan and ``_build`` made it before ``_bare_resume``."""
    s1, tok = m.start(), m.group("n1")
    if not q._ratio_tail(view, s1, g) and not q._implicit_unit(tok, zh) and not q._bare_extra(m, view, g):
        return m.end()
    if not q._implicit_unit(tok, zh) and not q._ratio_context(view, s1, g) \
            and not q._bare_extra(m, view, g) and not q._pair_context(view, s1, g, floor):
        return max(m.end("n1"), s1 + 1)
    return None


def _probes(family: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = _PIECES[family]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(n)]


@pytest.mark.parametrize("family", ["zh", "en"])
def test_bare_resume_decides_like_the_two_step_test(family):
    g = q._grammar(family)
    zh = family == "zh"
    rng = random.Random(11)
    checked = 0
    for s in _probes(family, 3000, seed=len(family)):
        for i in range(len(s)):
            m = g.core.match(s, i)
            if m is None or m.group("u1", "u2") != (None, None):
                continue
            floor = rng.randint(0, i)
            assert q._bare_resume(m, s, g, zh, floor) == _old_bare_resume(m, s, g, zh, floor), (s, i, floor)
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize("family", ["zh", "en"])
def test_genre_rows_find_what_every_rule_finds(family):
    g = q._grammar(family)
    for s in _probes(family, 3000, seed=7 + len(family)):
        a, b = 0, len(s)
        plain = [r for r in q._mean_sd(s, a, b, g) + q._fractions(s, a, b, g) + q._one_in(s, a, b, g)
                 if a <= r.start and r.end <= b]
        assert q._genre_rows(s, a, b, g) == plain, s


def test_letters_view_keeps_one_byte_per_character():
    rng = random.Random(5)
    alphabet = "aZ 9-.\u00e9\u00c4\u2013\u00a0\u4e00\U0001F600\ud800\t"
    for _ in range(2000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        view = q._letters_view(s)
        assert len(view) == len(s)
        for c, byte in zip(s, view):
            want = c.lower() if c.isascii() and c.isalpha() else " "
            assert chr(byte) == want, (s, c)


@pytest.mark.parametrize("bare", [False, True])
def test_search_behind_the_start_class_meets_the_matches_of_the_anchor_walk(bare):
    """zh: one search of the core behind its start class (``_behind_class``) finds, from any
    position, the match the walk over the class's places would find, with the same groups."""
    g = q._grammar("zh")
    core, scan = (g.core_bare, g.scan_bare) if bare else (g.core, g.scan)
    rng = random.Random(19)
    for s in _probes("zh", 2000, seed=23):
        anchors = [m.start() for m in g.starts.finditer(s)]
        walk = q._AnchorWalk(s, anchors, core.match)
        pos = 0
        while True:
            want, got = walk(pos, len(s)), scan.search(s, pos, len(s))
            assert (want is None) == (got is None), (s, pos)
            if want is None:
                break
            assert got.start() == want.start() and got.span("whole") == want.span(), (s, pos)
            assert got.groupdict() == want.groupdict(), (s, pos)
            # resume as the scan does: past the match, or just past its first character
            pos = want.end() if rng.random() < 0.5 else want.start() + 1
