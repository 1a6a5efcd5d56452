"""Property tests: arbitrary input never breaks the grammar and results are well formed."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from claimaudit.quantities import COMPARATORS, find_numbers, find_quantities, parse_number

ALPHABET = st.sampled_from(list("0123456789０１２３.,-~～—至到约超过以上以内左右天周月年岁次%％倍寸分钟小时"
                                "一二两三四五六七八九十百千万半几数多个 \n<>≤≥") + ["mmol/L", "mg", "days", " to ",
                                "about ", "within ", "a few ", "between ", " and ", "hours", "twice", " a day",
                                # genre rules: mean±SD, paired comparators, halves, fever 度, doses, 万人
                                "±", "(", ")", "大于", "小于", "且", "度", "体温", "每次", "片", "的患者", "万人",
                                "近", "前", "从医", "half of patients", "1 in 5 adults", " below ", "above ", "°F", "℃"])
MIXED = st.one_of(st.text(max_size=80), st.lists(ALPHABET, max_size=40).map("".join))


def _well_formed(text, qs, start=0, end=None):
    end = len(text) if end is None else end
    last = -1
    for q in qs:
        assert start <= q.start < q.end <= end
        assert text[q.start:q.end].strip()
        assert q.start >= last
        last = q.end
        assert q.comparator in COMPARATORS
        if q.value_low is not None and q.value_high is not None:
            assert q.value_low <= q.value_high
        if q.vague:
            assert q.value_low is None and q.value_high is None


@settings(max_examples=300, deadline=None)
@given(MIXED, st.sampled_from(["zh-Hans", "zh-Hant", "en", "zh"]))
def test_never_raises_and_well_formed(text, lang):
    _well_formed(text, find_quantities(text, lang))
    _well_formed(text, find_numbers(text, lang))


@settings(max_examples=150, deadline=None)
@given(MIXED, st.integers(0, 90), st.integers(0, 90), st.sampled_from(["zh-Hans", "en"]))
def test_bounds_respected(text, a, b, lang):
    start, end = min(a, b, len(text)), min(max(a, b), len(text))
    _well_formed(text, find_quantities(text, lang, start, end), start, end)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.sampled_from(["zh-Hans", "en"]))
def test_parse_number_never_raises(s, lang):
    v = parse_number(s, lang)
    assert v is None or isinstance(v, float)


@given(st.integers(0, 10**9))
def test_parse_number_roundtrips_integers(n):
    assert parse_number(str(n), "en") == n
    assert parse_number(f"{n:,}", "en") == n
