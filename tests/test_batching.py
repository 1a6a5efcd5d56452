"""``batch_gc`` raises the collector thresholds for a batch and always puts them back."""
from __future__ import annotations

import gc

import pandas as pd
import pytest

from claimaudit import pipeline
from claimaudit.batching import BATCH_THRESHOLDS, batch_gc


def test_thresholds_are_raised_inside_and_restored_after_even_on_error():
    before = gc.get_threshold()
    with batch_gc():
        inside = gc.get_threshold()
        with batch_gc():
            assert gc.get_threshold() == inside
        assert gc.get_threshold() == inside
    assert gc.get_threshold() == before
    assert all(i >= max(b, t) for i, b, t in zip(inside, before, BATCH_THRESHOLDS))
    with pytest.raises(RuntimeError), batch_gc():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before


def test_never_lowers_a_caller_setting():
    before = gc.get_threshold()
    try:
        gc.set_threshold(10 * BATCH_THRESHOLDS[0], 5, 5)
        with batch_gc():
            assert gc.get_threshold()[0] == 10 * BATCH_THRESHOLDS[0]
            assert gc.get_threshold()[1:] == BATCH_THRESHOLDS[1:]
    finally:
        gc.set_threshold(*before)


def test_the_pipeline_runs_under_it_and_leaves_the_process_as_it_was(monkeypatch):
    from claimaudit import ingest

    before = gc.get_threshold()
    seen = []
    orig = pipeline.consistency.group_claims

    def spy(*a, **k):
        seen.append(gc.get_threshold())
        return orig(*a, **k)

    monkeypatch.setattr(pipeline.consistency, "group_claims", spy)
    pipeline.analyze([ingest.build_article("约30%的患者在2小时内缓解。", "t.txt")])
    assert seen and seen[0][0] >= BATCH_THRESHOLDS[0]
    assert gc.get_threshold() == before


# --- kept views: each page is converted once per run --------------------------------------------
TRAD = "電針治療後，約30%的患者神經傳導速度改善。\n著名醫師說明：3天內恢復。"


def test_ingest_keeps_the_view_it_computed():
    from claimaudit import ingest, textnorm

    art = ingest.build_article(TRAD, "t.txt")
    assert art.view == textnorm.simplified_view(TRAD) and len(art.view) == len(TRAD)
    assert art.view != TRAD  # it was converted
    plain = ingest.build_article("About 30% of patients improved within 2 hours.", "e.txt")
    assert plain.view == plain.text


def test_kept_views_serve_known_views_and_keep_new_ones_until_the_run_ends(monkeypatch):
    from claimaudit import textnorm

    calls = []
    real = textnorm._simplified_view
    monkeypatch.setattr(textnorm, "_simplified_view", lambda t: calls.append(t) or real(t))
    other = TRAD.replace("30", "40")
    with textnorm.kept_views({TRAD: "known view of the same length".ljust(len(TRAD), ".")}):
        assert textnorm.simplified_view(TRAD).startswith("known view")  # served, not converted
        first = textnorm.simplified_view(other)
        with textnorm.kept_views():  # nested: the same memo
            assert textnorm.simplified_view(other) is first
        assert textnorm.simplified_view(other) is first
    assert calls == [other]  # converted once inside the run
    assert textnorm._kept is None  # and nothing is held after it
    assert textnorm.simplified_view(TRAD) == real(TRAD)


def test_a_known_view_of_the_wrong_length_is_ignored():
    from claimaudit import textnorm

    with textnorm.kept_views({TRAD: "short"}):
        assert textnorm.simplified_view(TRAD) == textnorm._simplified_view(TRAD)


def test_the_pipeline_converts_each_page_once(monkeypatch):
    from claimaudit import ingest, textnorm

    pages = [ingest.build_article(TRAD.replace("30", str(n)), f"p{n}.txt") for n in (10, 20, 30)]
    texts = {a.text for a in pages}
    calls = []
    real = textnorm._simplified_view
    monkeypatch.setattr(textnorm, "_simplified_view", lambda t: calls.append(t) or real(t))
    textnorm._view_short.cache_clear()
    textnorm._view_long.cache_clear()
    tables = pipeline.analyze(pages)
    assert len(tables.claims) >= 3
    assert not texts & set(calls)  # ingest's views served every stage


def test_claims_come_out_the_same_whatever_the_chunk_size(monkeypatch):
    from claimaudit import ingest, reference

    paths = sorted(p for p in (pipeline.Path(__file__).parents[1] / "articles").iterdir() if p.is_file())
    arts, _ = ingest.ingest_paths(paths)
    ref = reference.load_reference()
    whole = pipeline.claims_for(arts, ref)
    monkeypatch.setattr(pipeline, "CHUNK_ARTICLES", 2)
    chunked = pipeline.claims_for(arts, ref)
    assert len(arts) > 2 and len(whole) > 40
    pd.testing.assert_frame_equal(whole, chunked)
    assert whole["claim_id"].is_monotonic_increasing
