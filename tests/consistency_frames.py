"""Hand-built claim frames with the contract's columns, for the consistency tests.

Spans are found in real text (the seed articles or generated pages), so ``text[start:end] == quote``
holds as in the extractor's output; values are written by hand.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "articles"
_STOPS = {"en": ".?!\n", "zh": "。！？!?\n"}

# (file prefix, exact text holding the quantity, the quantity inside it, low, high, unit, comparator, approx)
SEED_SPECS = [
    ("000_", "多数在1-3天内自行缓解", "1-3天", 1, 3, "day", "range", False),
    ("000_", "通常24小时内可恢复", "24小时内", None, 24, "hour", "le", False),
    ("000_", "若乏力持续超过72小时", "超过72小时", 72, None, "hour", "gt", False),
    ("000_", "悬灸涌泉穴10分钟", "10分钟", 10, 10, "minute", "eq", False),
    ("000_", "留针时间过长超过40分钟", "超过40分钟", 40, None, "minute", "gt", False),
    ("001_", "提高约30%", "约30%", 30, 30, "percent", "approx", True),
    ("001_", "表达增加2-3倍", "2-3倍", 2, 3, "fold", "range", False),
    ("002_", "resolve within 24 hours", "within 24 hours", None, 24, "hour", "le", False),
    ("002_", "for up to a week", "up to a week", None, 1, "week", "le", False),
    ("002_", "observe the symptoms for one day", "one day", 1, 1, "day", "eq", False),
    ("003_", "40岁以上人群风险较高", "40岁以上", 40, None, "age_years", "gt", False),
    ("004_", "血清钾<3.5mmol/L", "<3.5mmol/L", None, 3.5, "mmol/L", "lt", False),
    ("004_", "血清钙<2.2mmol/L", "<2.2mmol/L", None, 2.2, "mmol/L", "lt", False),
    ("004_", "糖化血红蛋白>6.5%", ">6.5%", 6.5, None, "percent", "gt", False),
]


def sentence_span(text: str, start: int, end: int, lang: str) -> tuple[int, int]:
    stops = _STOPS["en" if lang == "en" else "zh"]
    a = start
    while a > 0 and text[a - 1] not in stops:
        a -= 1
    b = end
    while b < len(text) and text[b] not in stops:
        b += 1
    return a, min(b + 1, len(text))


def claim_row(article: str, text: str, start: int, end: int, lang: str, low, high, unit: str,
              comparator: str, approx: bool = False, claim_id: str = "", doc: int = 0,
              grade: str = "C", **extra) -> dict:
    a, b = sentence_span(text, start, end, lang)
    row = dict(
        claim_id=claim_id, article=article, doc_id=f"{article}#{doc}", role="main", lang=lang,
        start=start, end=end, quote=text[start:end], sentence=text[a:b], sentence_start=a,
        sentence_end=b, value_low=low, value_high=high, unit=unit, comparator=comparator,
        vague=False, approx=approx, rate_period="", hedged=False, hedge_words="",
        evidence_cue="none", cue_text="", cue_start=None, cue_end=None, kind="other",
        subject="", measure="", grade=grade)
    row.update(extra)
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in ("value_low", "value_high"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def seed_frames() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(claims, documents with titles, article texts) for the seed claims in ``SEED_SPECS``."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))}
    rows = []
    for i, (prefix, holder, quote, lo, hi, unit, comp, approx) in enumerate(SEED_SPECS):
        name = next(n for n in texts if n.startswith(prefix))
        text = texts[name]
        s = text.index(holder) + holder.index(quote)
        lang = "en" if prefix == "002_" else "zh-Hans"
        rows.append(claim_row(name, text, s, s + len(quote), lang, lo, hi, unit, comp, approx,
                              claim_id=f"c{i:012x}"))
    titles = {}
    for name, text in texts.items():
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        # the page title: the first line that is not breadcrumb furniture
        titles[name] = next(ln for ln in lines if not ln.startswith("您的位置"))
    docs = pd.DataFrame({"doc_id": [f"{n}#0" for n in texts], "title": list(titles.values()),
                         "site": ["" for _ in texts]})
    return frame(rows), docs, texts
