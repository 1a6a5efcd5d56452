"""Shared driver for the cue and grading golden cases (tests/cases/{cues,grading}/*.yaml).

A case is a short text, the quantity's quote in it (and its unit/comparator/flags), and the
expected annotation or grade. The driver runs the real sentence splitter, ``cues.annotate`` and
``grading.grade_claims`` on it, so a case pins behaviour end to end without quantities.py.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from claimaudit import cues, grading, sentences
from claimaudit.quantities import Quantity

CASES = Path(__file__).resolve().parent / "cases"


def load_cases(folder: str) -> list[dict]:
    out = []
    for p in sorted((CASES / folder).glob("*.yaml")):
        for i, c in enumerate(yaml.safe_load(p.read_text(encoding="utf-8"))):
            c.setdefault("name", f"{p.stem}-{i}")
            out.append(c)
    return out


def quantity(case: dict, text: str) -> Quantity:
    i = text.index(case["quote"])
    return Quantity(start=i, end=i + len(case["quote"]), value_low=None, value_high=None,
                    unit=case.get("unit", ""), comparator=case.get("comparator", "eq"),
                    vague=bool(case.get("vague", False)), approx=bool(case.get("approx", False)),
                    rate_period=case.get("rate_period", ""))


def annotate_case(case: dict, text: str | None = None) -> tuple[dict, dict]:
    """(claims row, annotation) of a case; ``text`` overrides the case text (script variants)."""
    text = case["text"] if text is None else text
    lang = case.get("lang", "zh-Hans")
    q = quantity(case, text)
    spans = sentences.split_sentences(text, 0, len(text), lang)
    k = max(j for j, (a, _) in enumerate(spans) if a <= q.start)
    sent = (min(spans[k][0], q.start), max(spans[k][1], q.end))
    prev = spans[k - 1] if k else None
    author = case.get("doc_author", "")
    ann = cues.annotate(text, sent, prev, q, lang, case.get("title", ""), doc_author=author,
                        doc_start=0 if author else None)
    row = {"claim_id": "c0", "article": "case.txt", "doc_id": "case.txt#0", "role": "main",
           "lang": lang, "start": q.start, "end": q.end, "quote": text[q.start:q.end],
           "sentence": text[sent[0]:sent[1]], "sentence_start": sent[0], "sentence_end": sent[1],
           "value_low": q.value_low, "value_high": q.value_high, "unit": q.unit,
           "comparator": q.comparator, "vague": q.vague, "approx": q.approx,
           "rate_period": q.rate_period, **ann}
    return row, ann


def grade_case(case: dict, text: str | None = None) -> pd.Series:
    text = case["text"] if text is None else text
    row, _ = annotate_case(case, text)
    return grading.grade_claims(pd.DataFrame([row]), {"case.txt": text}).iloc[0]
