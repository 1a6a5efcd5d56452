"""Hand-made claims packages for the store/review tests (no extraction needed)."""
from __future__ import annotations

import hashlib

import pandas as pd

from claimaudit.schema_columns import ALL_CLAIM_COLUMNS

TEXTS = {
    "a.txt": "针灸后腿软一般1-3天缓解。研究发现有效率约30%。空腹血糖>7.0 mmol/L可诊断糖尿病。",
    "b.txt": "=HYPERLINK(\"http://evil\",\"x\") Fasting glucose of 7.0 mmol/L or higher. Walk 30 minutes a day.",
}


def claim(article, doc, cid, quote, sentence, lo, hi, unit, comp, grade, **kw):
    text = TEXTS[article]
    start = text.index(quote)
    s_start = text.index(sentence)
    row = {c: "" for c in ALL_CLAIM_COLUMNS}
    row.update({
        "claim_id": cid, "article": article, "doc_id": f"{article}#{doc}", "role": "main",
        "lang": "en" if article == "b.txt" else "zh-Hans", "start": start, "end": start + len(quote),
        "quote": quote, "sentence": sentence, "sentence_start": s_start,
        "sentence_end": s_start + len(sentence), "value_low": lo, "value_high": hi, "unit": unit,
        "comparator": comp, "vague": False, "approx": False, "hedged": False,
        "evidence_cue": "none", "cue_start": None, "cue_end": None, "kind": "other",
        "grade": grade, "rubric_version": "1", "reference_value": None,
    })
    row.update(kw)
    return row


def claims_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=ALL_CLAIM_COLUMNS)
    for c in ("value_low", "value_high", "reference_value"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("cue_start", "cue_end"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    for c in ("vague", "approx", "hedged"):
        df[c] = df[c].astype(bool)
    return df


def base_claims() -> pd.DataFrame:
    return claims_frame([
        claim("a.txt", 0, "c000000000001", "1-3天", "针灸后腿软一般1-3天缓解。", 1, 3, "day", "range", "E",
              kind="time_course", subject="针灸", measure="腿软 duration"),
        claim("a.txt", 0, "c000000000002", "约30%", "研究发现有效率约30%。", 30, 30, "percent", "approx", "D",
              approx=True, hedged=True, evidence_cue="unspecified_study", cue_text="研究发现",
              cue_start=TEXTS["a.txt"].index("研究发现"), cue_end=TEXTS["a.txt"].index("研究发现") + 4,
              kind="effect_size", flags="design_unknown"),
        claim("a.txt", 0, "c000000000003", ">7.0 mmol/L", "空腹血糖>7.0 mmol/L可诊断糖尿病。", 7.0, None,
              "mmol/L", "gt", "E", kind="threshold", reference_check="operator_mismatch",
              reference_key="fpg_diabetes", reference_comparator="ge", reference_value=7.0,
              reference_unit="mmol/L"),
        claim("b.txt", 0, "c000000000004", "7.0 mmol/L or higher", "Fasting glucose of 7.0 mmol/L or higher.",
              7.0, None, "mmol/L", "ge", "E", kind="threshold", reference_check="matches"),
        claim("b.txt", 0, "c000000000005", "30 minutes a day", "Walk 30 minutes a day.", 30, 30, "minute",
              "eq", "E", rate_period="day", kind="recommendation"),
    ])


def tables(claims: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    claims = base_claims() if claims is None else claims
    articles = pd.DataFrame([
        {"article": a, "path": f"articles/{a}", "sha256": hashlib.sha256(t.encode()).hexdigest(),
         "encoding": "utf-8", "format": "text", "lang": "en" if a == "b.txt" else "zh-Hans",
         "title": "", "published": "", "site": ""} for a, t in TEXTS.items()])
    documents = pd.DataFrame([
        {"doc_id": f"{a}#0", "article": a, "role": "main", "lang": "en" if a == "b.txt" else "zh-Hans",
         "start": 0, "end": len(t), "title": "", "author": "", "credentials": "", "published": "",
         "site": ""} for a, t in TEXTS.items()])
    groups = pd.DataFrame({"group_id": pd.Series([], dtype=str), "subject": pd.Series([], dtype=str)})
    checklist = pd.DataFrame([{"doc_id": f"{a}#0", "article": a} for a in TEXTS])
    reference = pd.DataFrame([{"key": "fpg_diabetes", "analyte": "fasting_glucose",
                               "analyte_or_measure": "fasting plasma glucose", "comparator": "ge", "value": 7.0,
                               "unit": "mmol/L", "meaning": "diabetes diagnostic criterion",
                               "source": "ADA Standards of Care 2024", "source_year": 2024}])
    return {"articles": articles, "documents": documents, "claims": claims, "groups": groups,
            "checklist": checklist, "reference": reference}
