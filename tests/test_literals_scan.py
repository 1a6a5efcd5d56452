"""The literal scans' shortcuts agree with the plain searches they stand for: the engine's own
scan in ``LiteralOwners.find``, ``ascii_fold``, and ``Prefilter.search_start`` (with grading's
``_Page.has_hit`` / ``first_hit`` built on it)."""
from __future__ import annotations


from hypothesis import given, settings, strategies as st

from claimaudit import cues, grading, literals
from claimaudit.literals import LiteralOwners
from literal_cases import filter_cases

_WORDS = st.text(alphabet="ab(2", min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=6), st.text(alphabet="ab(2x", max_size=16), st.data())
def test_owners_find_is_every_owner_with_a_literal_in_the_span(words, text, data):
    """Both scans (the engine's ``findall`` when no literal overhangs another, else one search
    per literal start) find exactly the owners with a literal inside [a, b)."""
    pairs = [(w, i) for i, w in enumerate(words)]
    index = LiteralOwners(pairs)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    assert index.find(text, a, b) == {i for w, i in pairs if w in text[a:b]}


def test_owners_with_a_literal_inside_another_take_the_engine_scan():
    index = LiteralOwners([("（20", 0), ("20", 1), ("PM", 2)])
    assert index.disjoint  # "20" lies inside "（20": the match credits both
    assert index.find("x（2019", 0, 6) == {0, 1}
    assert not LiteralOwners([("ab", 0), ("bc", 1)]).disjoint  # "bc" may start inside "ab"


_FOLD_PIECES = ["Side Effect", "DISCLAIMER", "禁忌", "風險", "ſ", "K", "İ", "ı", "ß", "ﬁ", "Σ", "σ",
                "é", "中文", " ", "-", "Ⅸ", "Ａ"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FOLD_PIECES), max_size=30))
def test_ascii_fold_is_the_ascii_of_fold(pieces):
    s = "".join(pieces)
    low = literals.fold(s)
    got = literals.ascii_fold(s)
    if low is None:
        assert got is None
    else:
        assert got == "".join(c for c in low if c.isascii())


_PHRASES = ["不构成[^，。]{0,3}建议", "遵医嘱", "禁(忌|用)", "出血", r"\bdisclaimer\b", "side effects?",
            "我(们)?(建议|认为)", "《[^》]{1,5}》"]
_PIECES = ["不构成", "医疗", "建议", "遵医嘱", "禁忌", "禁用", "出血", "disclaimer", "Disclaimer",
           "side effect", "SIDE EFFECTS", "我", "们", "认为", "《", "》", "书", " ", "，", "x"]


@settings(max_examples=300, deadline=None)
@given(filter_cases(_PHRASES, _PIECES, 80))
def test_search_start_skips_no_match(case):
    """A search from ``search_start`` finds the first match a search from ``a`` finds; -1 only
    where nothing matches."""
    phrases, pats, pre, text, a, b = case
    for long_from in (literals._LONG_CASED, 1):  # the trie, then one str.find per literal
        start = _with_long_cased(long_from, pre.search_start, text, a, b)
        for pat in pats:
            first = pat.search(text, a, b)
            if start < 0:
                assert first is None, (phrases, text[a:b])
            else:
                assert a <= start <= b
                again = pat.search(text, start, b)
                assert (first and first.span()) == (again and again.span()), (phrases, text[a:b])


def _with_long_cased(long_from: int, fn, *args):
    """``fn(*args)`` with spans of ``long_from`` characters or more searched as long ones."""
    saved = literals._LONG_CASED
    literals._LONG_CASED = long_from
    try:
        return fn(*args)
    finally:
        literals._LONG_CASED = saved


def _cue_pieces(fam: str, keys: tuple[str, ...]) -> list[str]:
    """Literals of the phrase lists, and glue likely to make them match (or nearly)."""
    lits: set[str] = set()
    for key in keys:
        for t, _ in literals.pattern_literals(cues.pattern(fam, key)) or ():
            lits.update((t, t.upper(), t[1:], t[:-1]))
    glue = [" ", "，", "。", "\n", "的", "患者", "patients", "a", "-", "2"]
    return sorted(x for x in lits if x) + glue


_KEYS = ("disclaimer", "harms", "human_population", "named_source", "causal_verbs")


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(["zh", "en"]), st.data())
def test_page_hits_are_the_cue_searches(fam, data):
    """``_Page.has_hit`` and ``first_hit`` (searched from where the list can first match, long
    spans folded once) give ``cues.has_hit`` and the first of ``cues.find``."""
    n = data.draw(st.integers(1, 120))
    text = "".join(data.draw(st.lists(st.sampled_from(_cue_pieces(fam, _KEYS)), min_size=n, max_size=n)))
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    for long_from in (literals._LONG_CASED, 1):
        page = grading._Page(text)
        for key in _KEYS:
            for lo, hi in ((a, b), (0, len(text))):
                found = cues.find(text, fam, key, lo, hi)
                assert _with_long_cased(long_from, page.has_hit, fam, key, lo, hi) == bool(found)
                assert _with_long_cased(long_from, page.first_hit, fam, key, lo, hi) == \
                    (found[0] if found else None)
