"""``batch_gc`` raises the collector thresholds for a batch and always puts them back."""
from __future__ import annotations

import gc

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
