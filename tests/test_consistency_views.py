"""Simplified views consistency reuses instead of converting a text again must equal the text's own
conversion: sentence (and context) views cut from their page's view, change-word windows cut from
their sentence's view, and texts converted in one batch."""
from __future__ import annotations

import random
import runpy
import unicodedata
from pathlib import Path

import pytest

from claimaudit import consistency as cs, extract, ingest, origins, textnorm
from claimaudit.batching import corpus_stage

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "articles").glob("*")) + sorted((ROOT / "tests" / "heldout").rglob("articles/*"))


@pytest.fixture(scope="module")
def corpus():
    """(articles, their claims): the seed and held-out pages and 300 synthetic benchmark pages."""
    arts = [ingest.read_article(p) for p in PAGES if p.is_file()]
    bench = runpy.run_path(str(ROOT / "benchmarks" / "bench_extract.py"), run_name="bench_extract")
    pages = bench["make_corpus"](300, bench["load_seeds"](ROOT / "articles"), 0)
    arts += [ingest.build_article(text, name) for name, text, _ in pages]
    with corpus_stage(arts):
        claims = extract.extract_claims(arts)
    return arts, claims


def _zh_sentences(claims) -> list[tuple[str, int, str]]:
    """Distinct (article, sentence start, sentence) of the Chinese claims."""
    zh = claims[claims["lang"].astype(str).str.startswith("zh")]
    return list(dict.fromkeys(zip(zh["article"], zh["sentence_start"].astype(int), zh["sentence"])))


def test_sentence_views_cut_from_the_page_equal_their_own_conversion(corpus):
    arts, claims = corpus
    sentences = _zh_sentences(claims)
    with corpus_stage(arts):  # the page views ingest made, as in the pipeline
        pages = cs._PageViews({a.name: a.text for a in arts})
        cuts = [pages.simplified(a, s0, s) for a, s0, s in sentences]
    assert len(sentences) > 1000
    assert sum(c is not None for c in cuts) > 0.95 * len(cuts)  # the fast path is the usual one
    for (_, _, sentence), cut in zip(sentences, cuts):
        assert cut is None or cut == textnorm.simplified_view(sentence), sentence


def test_spans_of_traditional_pages_are_cut_only_where_exact(corpus):
    """Random spans (most ending inside a run of Han characters): a cut view is the span's own."""
    arts, _ = corpus
    rng = random.Random(3)
    trad = [a for a in arts if a.lang == "zh-Hant"]
    pages = cs._PageViews({a.name: a.text for a in trad})
    checked = 0
    for art in trad[:40]:
        for _ in range(30):
            start = rng.randrange(len(art.text))
            span = art.text[start:start + rng.randint(1, 60)]
            cut = pages.simplified(art.name, start, span)
            if cut is not None:
                checked += 1
                assert cut == textnorm.simplified_view(span), span
    assert checked > 100


def test_a_span_splitting_a_phrase_is_not_cut():
    page = "他憑藉努力。"  # 憑藉 → 凭借 as a phrase, but 藉 alone stays 藉
    pages = cs._PageViews({"a.txt": page})
    assert textnorm.simplified_view(page)[2:] != textnorm.simplified_view(page[2:])
    assert pages.simplified("a.txt", 2, page[2:]) is None
    assert pages.simplified("a.txt", 0, page) == textnorm.simplified_view(page)
    assert pages.simplified("a.txt", 1, "不在") is None  # not the page's text there
    assert pages.simplified("b.txt", 0, page) is None  # unknown page


def test_change_windows_cut_from_the_sentence_view_equal_their_own(corpus):
    _, claims = corpus
    for _, _, sentence in _zh_sentences(claims)[:3000]:
        simplified = textnorm.simplified_view(sentence)
        for lo, hi in ((0, len(sentence)), (len(sentence) // 3, len(sentence) // 2), (1, len(sentence) - 1)):
            assert cs._window_view(sentence, lo, hi, "zh", simplified) == cs._view(sentence[lo:hi], "zh")


@pytest.mark.parametrize("texts", [
    [], [""], ["plain ascii", "頭髮乾燥", "", "他憑藉努力。", "著名醫師說：每天運動30分鐘"],
    ["line one\n頭髮", "乾燥", "two\nlines\n憑藉"],  # texts holding a newline
    ["菕", "鋂a", "頭髮"],  # characters converted to ones outside the Han ranges
    ["\ud800 lone surrogate", "頭髮"],  # cannot be encoded: one by one
])
def test_batched_conversion_equals_one_by_one(texts):
    assert textnorm.simplified_views(texts) == [textnorm.simplified_view(t) for t in texts]


def test_batched_folds_equal_each_sentence_folded_alone(corpus):
    _, claims = corpus
    sentences = list(dict.fromkeys(claims["sentence"].astype(str)))[:2000] + ["", "Ａｂｃ１２３", "頭髮\n乾燥"]
    alone = [origins._NOT_ALNUM.sub("", textnorm.simplified_view(unicodedata.normalize("NFKC", s)).lower())
             for s in sentences]
    assert origins.fold_sentences(sentences) == alone


@pytest.mark.parametrize("values", [
    ["b", "a", "\U0001F600x", "\uffff", "Z", "é", "", "a"],  # text only: no row converted
    ["a", None, float("nan"), 3, "a"],  # anything else: every row as text
])
def test_text_codes_equal_factorizing_the_column_as_text(values):
    import pandas as pd

    column = pd.Series(values, dtype=object)
    for sort in (True, False):
        codes, uniques = origins._str_codes(column, sort)
        want_codes, want_uniques = pd.factorize(column.astype(str), sort=sort, use_na_sentinel=False)
        assert codes.tolist() == want_codes.tolist()
        assert [str(u) for u in uniques] == [str(u) for u in want_uniques]
