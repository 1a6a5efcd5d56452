"""Conformance with the in-scope Recognizers-Text specs (tests/peer_specs/, MIT, see SCOPE.md).

A case is correct when our value(s) equal the spec's resolution value(s) for the spec's text span:
Number cases through ``parse_number`` on the span, ranges through ``find_numbers`` (end points only,
open/closed brackets ignored), percent/age/dimension/duration cases through ``find_quantities``.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "peer_specs"
_spec = importlib.util.spec_from_file_location("spec_check", HERE / "spec_check.py")
spec_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(spec_check)


def _records():
    for path in sorted(HERE.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield path.stem, json.loads(line)


RECORDS = list(_records())


def _ok(rec) -> bool:
    try:
        return spec_check.check(rec)
    except (TypeError, ValueError, KeyError, AttributeError):  # a malformed expectation counts as a miss
        return False


def test_selection_is_substantial():
    assert len(RECORDS) >= 800
    assert {r["lang"] for _, r in RECORDS} == {"zh", "en"}


def test_in_scope_correct_rate():
    fails = [(name, r["input"]) for name, r in RECORDS if not _ok(r)]
    rate = 1 - len(fails) / len(RECORDS)
    assert rate >= 0.95, f"{rate:.3f} correct; first failures: {fails[:15]}"


@pytest.mark.parametrize("model", ["zh_NumberModel", "zh_DurationExtractor", "zh_DurationParser",
                                   "en_DurationExtractor", "zh_DateTimeModel-duration"])
def test_core_models_nearly_perfect(model):
    recs = [r for name, r in RECORDS if name == model]
    ok = sum(_ok(r) for r in recs)
    assert recs and ok >= len(recs) - 1, f"{model}: {ok}/{len(recs)}"
