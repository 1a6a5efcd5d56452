"""A hypothesis strategy shared by the literal-filter tests: regexes drawn from a phrase list,
their ``Prefilter``, a text glued from pieces, and a span of it."""
from __future__ import annotations

import re
from typing import NamedTuple

from hypothesis import assume, strategies as st

from claimaudit import literals
from claimaudit.literals import Prefilter


class FilterCase(NamedTuple):
    phrases: list[str]
    pats: tuple[re.Pattern, ...]
    pre: Prefilter
    text: str
    a: int
    b: int


@st.composite
def filter_cases(draw, phrases: list[str], pieces: list[str], max_pieces: int) -> FilterCase:
    """1–3 of ``phrases`` compiled with or without IGNORECASE (cases with no prefilter are
    skipped), a text of up to ``max_pieces`` of ``pieces`` and a span [a, b) of it."""
    chosen = draw(st.lists(st.sampled_from(phrases), min_size=1, max_size=3, unique=True))
    flags = draw(st.sampled_from([0, re.I]))
    pats = tuple(re.compile(p, flags) for p in chosen)
    pre = literals.prefilter(pats)
    assume(pre is not None)
    text = "".join(draw(st.lists(st.sampled_from(pieces), max_size=max_pieces)))
    a = draw(st.integers(0, len(text)))
    b = draw(st.integers(a, len(text)))
    return FilterCase(chosen, pats, pre, text, a, b)
