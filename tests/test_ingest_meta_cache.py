"""The work ingest does once and later stages reuse must equal what they would compute themselves:
metadata-line spans stored on the Article, and the memoised simplified view."""
from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from claimaudit import extract, ingest, textnorm
from claimaudit.segment import meta_line_spans

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p for d in ("articles", "tests/heldout/articles") for p in (ROOT / d).iterdir() if p.is_file())


@pytest.mark.parametrize("path", PAGES[:8], ids=lambda p: p.name)
def test_article_meta_equals_a_fresh_meta_line_pass(path):
    art = ingest.read_article(path)
    assert art.meta is not None
    assert art.meta == meta_line_spans(art.text)
    assert all(art.text[s:e].strip() == art.text[s:e] and s < e for s, e, _ in art.meta)


def test_article_without_meta_falls_back_and_claims_agree():
    art = ingest.read_article(PAGES[0])
    bare = replace(art, meta=None)
    assert ingest.meta_spans(bare) == art.meta
    assert extract.article_claims(bare) == extract.article_claims(art)


def test_meta_survives_pickling_and_renaming():
    art = ingest.read_article(PAGES[0])
    again = pickle.loads(pickle.dumps(art))
    assert again.meta == art.meta and again == art
    assert ingest._renamed(art, "other.txt").meta == art.meta


@pytest.mark.parametrize("text", ["", "plain ascii line\nsecond", "高血壓與糖尿病，著名醫師說：每天運動30分鐘。",
                                  "乾燥\n頭髮 乾淨\n\n後來" * 50, "混合 text 與 English，發現 3 個月後" * 400])
def test_cached_simplified_view_equals_uncached(text):
    want = textnorm._simplified_view(text) if text else text
    assert textnorm.simplified_view(text) == want
    assert textnorm.simplified_view(text) == want  # a cache hit gives the same string
    assert len(want) == len(text)
