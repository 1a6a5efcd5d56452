"""Grading's fast paths agree with the plain searches they stand for."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from claimaudit import cues, grading, literals
from claimaudit.literals import LiteralOwners

_GLUE = ["《", "》", "2019", "1999", "年", "等", "[3]", "【2】", "［1］", "PMID: 123456",
         "10.1000/x", "（2020", "(2018", " ", "，", "。", "\n", "中华医学杂志", "指南",
         "Smith et al. 2018", "a"]


def _pieces(fam: str) -> list[str]:
    """The citation classes' literals, and glue likely to make the classes match."""
    lits: set[str] = set()
    for pat in grading._citation_patterns(fam):
        lits.update(t for t, _ in literals.pattern_literals(pat) or ())
    return sorted(lits) + _GLUE


def _matching_classes(view: str, fam: str, a: int, b: int) -> set[int]:
    return {i for i, (_, pat) in enumerate(grading._citation_classes(fam))
            if any(m.end() > m.start() for m in pat.finditer(view, a, b))}


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_class_literals_never_rule_out_a_matching_class(data):
    """Every citation class with a hit inside a span is among ``find`` of the span."""
    index = grading._class_literals("zh")
    assert index is not None  # the Chinese classes' literals are all case-sensitive
    n = data.draw(st.integers(1, 60))
    text = "".join(data.draw(st.lists(st.sampled_from(_pieces("zh")), min_size=n, max_size=n)))
    view = cues.view(text, "zh")
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    for lo, hi in ((a, b), (0, len(text))):
        assert _matching_classes(view, "zh", lo, hi) <= index.find(view, lo, hi)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["zh", "en"]), st.data())
def test_page_citation_is_find_citation(fam, data):
    """``_Page.citation`` (literal scan, then the classes found) returns ``find_citation``."""
    n = data.draw(st.integers(1, 60))
    sep = " " if fam == "en" else ""
    text = sep.join(data.draw(st.lists(st.sampled_from(_pieces(fam)), min_size=n, max_size=n)))
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    page = grading._Page(text)
    for lo, hi in ((a, b), (0, len(text))):
        assert page.citation(fam, lo, hi) == grading.find_citation(text, fam, lo, hi)


def test_class_literals_credit_literal_prefixes_and_overlaps():
    """A literal inside or at the start of another one's occurrence is found too."""
    index = LiteralOwners([("ab", 0), ("abc", 1), ("bcd", 2), ("c", 3)])
    assert index.find("xabcdx", 0, 6) == {0, 1, 2, 3}
    assert index.find("xabcdx", 0, 4) == {0, 1, 3}  # "bcd" ends past the span
    assert index.find("xabcdx", 2, 6) == {2, 3}
    assert index.find("xyz", 0, 3) == set()
