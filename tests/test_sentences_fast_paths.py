"""The splitter's shortcuts give what the regex forms they replace give."""
from __future__ import annotations

import random
import re

from claimaudit.sentences import _ZH_CUT, _cuts, _last_token


def test_last_token_is_the_regex_last_token():
    rx = re.compile(r"(\S+)$")
    rng = random.Random(1)
    alphabet = "ab.(\n\t \u00a0\u3000x1"
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        lo = rng.randint(0, len(text))
        hi = rng.randint(lo, len(text))
        m = rx.search(text, lo, hi)
        assert _last_token(text, lo, hi) == ((m.group(1), m.start()) if m else ("", -1)), (text, lo, hi)


def test_zh_cuts_are_the_boundary_matches():
    text = "针灸有效。症状缓解！」真的吗？\n是的.好"
    for lo in range(len(text)):
        assert list(_cuts(text, lo, 0, len(text), True)) == [m.span() for m in _ZH_CUT.finditer(text, lo)]
