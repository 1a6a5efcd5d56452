"""Golden cases for the quantity grammar: tests/cases/{zh,en}/*.yaml, input text → expected rows."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from claimaudit.quantities import find_quantities

CASES = Path(__file__).parent / "cases"


def _load():
    for folder in ("zh", "en"):
        for path in sorted((CASES / folder).glob("*.yaml")):
            for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
                lang = case.get("lang", "zh-Hans" if folder == "zh" else "en")
                yield pytest.param(case["text"], lang, case["expect"], id=f"{folder}/{path.stem}#{i}")


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("text,lang,expect", list(_load()))
def test_case(text, lang, expect):
    got = find_quantities(text, lang)
    rows = [(text[q.start:q.end], q.value_low, q.value_high, q.unit, q.comparator) for q in got]
    assert len(got) == len(expect), f"{text!r}: got {rows}"
    for q, row in zip(got, expect):
        quote, low, high, unit, comparator = row[:5]
        flags = row[5] if len(row) > 5 else {}
        assert text[q.start:q.end] == quote, rows
        assert _close(q.value_low, low) and _close(q.value_high, high), rows
        assert (q.unit, q.comparator) == (unit, comparator), rows
        assert q.vague == flags.get("vague", False), rows
        assert q.approx == flags.get("approx", False), rows
        assert q.rate_period == flags.get("rate", ""), rows
