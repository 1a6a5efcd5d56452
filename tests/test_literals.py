"""literals: the fixed strings every match of a regex contains, and the filters built on them.
A filter may only ever say "no" where the regexes it stands for cannot match."""
from __future__ import annotations

import random
import re

from hypothesis import given, settings

from claimaudit import literals
from literal_cases import filter_cases


def _lits(p: str, flags: int = 0) -> set[str] | None:
    got = literals.pattern_literals(re.compile(p, flags))
    return None if got is None else {t for t, _ in got}


def test_required_literals_spell_out_short_fixed_runs():
    assert _lits("我(们)?(建议|认为)") == {"我建议", "我们建议", "我认为", "我们认为"}
    assert _lits("常(?=[有会])") == {"常"}  # look-arounds consume nothing
    assert _lits("[^，]{0,8}指南") == {"指南"}
    assert _lits(r"\d+") is None
    assert _lits("(a|b)?") is None  # may match the empty string
    assert _lits("(?:studies|study) show", re.I) == {"studies show", "study show"}


def test_required_literals_spell_out_repeats():
    assert _lits("x>{2,6}") == {">>"}  # rarer than the "x" before it
    assert _lits(r"\d>{2,6}") == {">>"}  # the fixed part of a repeat: x{lo}
    assert _lits("a(?:b|c){2}d") == {"abbd", "abcd", "acbd", "accd"}  # x{k} is fixed
    assert _lits("(?:ab){3,}") == {"ababab"}


def test_required_literals_track_case_per_group():
    got = literals.pattern_literals(re.compile("(?i:abc)def|(?-i:GHI)", re.I))
    assert got is not None and ("GHI", False) in got
    assert all(icase for t, icase in literals.pattern_literals(re.compile("some", re.I)))


def test_prefilter_folds_case_only_where_lowercasing_is_exact():
    pre = literals.prefilter((re.compile(r"(?<![\w-])(?:some)(?![\w-])", re.I),))
    assert pre.may_match("SOME people") and not pre.may_match("many people")
    assert pre.may_match("SOME people", "some people")  # the caller's lowercased span
    assert re.search("some", "ſome", re.I)  # why such text is never ruled out
    assert pre.may_match("ſome people") and pre.may_occur("xx ſome people", 3, 14)
    assert not pre.may_match("“many” people")  # non-ASCII text that folds exactly
    assert literals.fold("ſome") is None and literals.fold("“A”") == "“a”"


def test_prefilter_without_literals_or_with_non_ascii_folded_literals_is_none():
    assert literals.prefilter((re.compile(r"\d+"),)) is None
    assert literals.prefilter((re.compile("été", re.I),)) is None
    assert literals.prefilter(()) is not None and not literals.prefilter(()).may_match("x")


def test_may_occur_tests_the_span_only_on_both_search_paths():
    pre = literals.prefilter((re.compile("side effects?", re.I), re.compile("《")))
    long_ = "x" * 300 + " SIDE EFFECT " + "y" * 300
    assert pre.may_occur(long_, 0, len(long_)) and pre.may_occur(long_, 290, 320)
    assert not pre.may_occur(long_, 0, 305) and not pre.may_occur(long_, 310, len(long_))
    assert pre.may_occur("ab《c", 2, 3) and not pre.may_occur("ab《c", 0, 2)


def test_literal_regex_finds_any_of_the_literals():
    rx = literals.literal_regex(("abc", "abd", "ab", "x.y"))
    assert rx.search("zzabzz") and rx.search("x.y") and not rx.search("xzy a b")
    assert literals.literal_regex(()) is None
    assert literals.minimal(["written by", "by", "b y"]) == ["by", "b y"]


def test_trie_alternation_finds_what_the_plain_alternation_finds():
    rnd = random.Random(1)
    words = ["an", "and", "a", "about", "ab", "研究", "研究发现", "临床", "b+c", "x.y"]
    tr = re.compile(literals.trie(words))
    plain = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    lit = literals.literal_regex(words)
    alphabet = "anbdoutxy.+c研究发现临床 "
    for _ in range(3000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
        assert [m.span() for m in tr.finditer(s)] == [m.span() for m in plain.finditer(s)], s
        assert (lit.search(s) is not None) == any(w in s for w in words), s


def test_trie_puts_after_first_behind_each_first_character():
    rx = re.compile(literals.trie(["cat", "cats", "dog"], after_first=r"(?<![a-z].)"))
    assert [m.group() for m in rx.finditer("cats scat dog")] == ["cats", "dog"]


_PHRASES = ["side effects?", r"(?<![\w-])(?:some|many)(?![\w-])", "《[^》]{1,20}》", r"10\.\d{4}/",
            "我(们)?(建议|认为)", r"(?i:doi)\s*:", "[A-Z][a-z]+ et al", ">{2,}"]
_PIECES = ["side effect", "SIDE EFFECTS", "some", "Many", "《", "》", "书", "10.", "1234", "/",
           "我", "们", "建议", "认为", "DOI", "doi", ":", "Smith", "et al", ">", " ", "ſ", "K", "İ", "“"]


@settings(max_examples=200, deadline=None)
@given(filter_cases(_PHRASES, _PIECES, 160))
def test_filters_never_rule_out_a_match(case):
    """Wherever one of the regexes matches inside a span, the filter lets the span through: the
    whole-string test and the span test (sentence-sized and long spans), any case."""
    phrases, pats, pre, text, a, b = case
    for lo, hi in ((a, b), (0, len(text))):
        if any(m.end() > m.start() for p in pats for m in p.finditer(text, lo, hi)):
            assert pre.may_occur(text, lo, hi), (phrases, text[lo:hi])
            assert pre.may_match(text[lo:hi]), (phrases, text[lo:hi])
