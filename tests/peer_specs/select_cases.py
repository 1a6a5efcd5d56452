"""Select the in-scope Recognizers-Text cases from /work/shared/peer_specs into this folder.

Run once by hand (`python tests/peer_specs/select_cases.py SRC_DIR`); the selected JSONL files are
committed. Every exclusion rule below has its reason in SCOPE.md.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
FILES = ["zh_NumberModel", "en_NumberModel", "en_NumberModelExperimentalMode", "zh_NumberRangeModel",
         "zh_NumberRangeModelExperimentalMode", "en_NumberRangeModel", "en_NumberRangeModelExperimentalMode",
         "zh_PercentModel", "en_PercentModel", "zh_AgeModel", "en_AgeModel", "zh_DimensionModel",
         "en_DimensionModel", "zh_DurationParser", "en_DurationParser", "zh_DurationExtractor",
         "en_DurationExtractor", "zh_DateTimeModel-duration", "en_DateTimeModel-duration"]
DIM_UNITS = {"Meter", "Kilometer", "Centimeter", "Millimeter", "Kilogram", "Gram", "Milligram", "Microgram",
             "Inch", "Foot", "Pound", "Mile", "Liter", "Milliliter"}

RULES = [  # (rule id, models it applies to, predicate on (input, expected texts))
    ("word-fraction", "Number", lambda i, t: re.search(
        r"\b(?:halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?|"
        r"\w+ieths?|hundredths?|thousandths?|millionths?|billionths?|trillionths?|firsts?|\w+seconds?|"
        r"over|out of|in)\b", t, re.I) and not re.search(r"\ba half\b", t, re.I)),
    ("dozen", "Number", lambda i, t: re.search(r"dozen|dzs|dozs|打|半百", t, re.I)),
    ("indian-or-suffix-scale", "Number|NumberRange|Percent", lambda i, t: re.search(
        r"lakh|crore|\d\s*(?:k|m|g|b|bln|tln|mil|mm)\b|\d\s*[kKMGbB](?![a-z])|\d\s*k", t, re.I)),
    ("power-notation", "Number", lambda i, t: re.search(r"\^|\d[eE][+\-]?\d|x10", t)),
    ("vulgar-fraction-char", "Number", lambda i, t: re.search(r"[½⅓⅔¼¾⅕⅙⅛]", t)),
    ("space-or-locale-separators", "Number", lambda i, t: re.search(
        r"\d[ \u202f\u00a0]\d{3}\b|\d,\d{1,2}(?!\d)|\d\.\d{3},|\d,\d{2},\d{3}|nought|naught", t)),
    ("compound-range", "NumberRange", lambda i, t: len(re.findall(
        r"大于|小于|多于|少于|高于|低于|最多|最少|不大于|不小于|以上|以下|than|least|most|above|below|"
        r"over|under|比|[<>≤≥]", t)) >= 2 or re.search(r"比|第|tenth|fifteenth|through|或者?\s*等于|or equal", t)),
    ("vague-scale-numbers", "NumberRange|Number", lambda i, t: re.search(r"[多余几幾]|few|some|several", t)),
    ("fractions-in-ranges", "NumberRange", lambda i, t: re.search(r"分之|/|half|quarter|\bin\b", t)),
    ("discount-commerce", "Percent", lambda i, t: re.search(r"折", t)),
    ("spaced-out-numerals", "Percent|Number", lambda i, t: re.search(
        r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]|[\u4e00-\u9fff]\s+\d|\d\s+[\u4e00-\u9fff]", t)),
    ("financial-numerals", "Percent|Number", lambda i, t: re.search(r"[壹贰叁肆伍陆柒捌玖拾佰仟貳陸]", t)),
    ("percent-word-first-or-null", "Percent", lambda i, t: re.search(r"^(?:percents?|per cent)\b|null|^%", t, re.I)),
    ("signed-values", "Percent|NumberRange", lambda i, t: re.search(r"(?:^|[^\w])[-－]\s*\d|minus|negative|负", t)),
    ("no-number-durations", "Duration", lambda i, t: re.search(
        r"\b(?:all|full|whole|another|some|several|few|couple|fortnight|decades?|business)\b|all-|full-", t, re.I)),
    ("composite-durations", "Duration", lambda i, t: re.search(r"\d\s*[A-Z]\b|\d\s*ys\b|\bnights?\b|½|quarter", t)),
    ("compound-dimensions", "Dimension", lambda i, t: re.search(r"\d+ \d+/\d+|\d\s*(?:ft|feet)\s+(?:and\s+)?\d|[\[({<]|\"|\d/\d", t)),
    ("fullwidth-comma-separator", "Percent", lambda i, t: re.search(r"\d[，,]\d", i)),
]


def applies(rule_models: str, model: str) -> bool:
    return any(m.lower() in model.lower() for m in rule_models.split("|"))


def excluded(rec: dict) -> str | None:
    """The first rule that puts this record out of scope, or None."""
    model = rec["model"]
    texts = [e.get("Text", "") for e in rec["expected"]]
    joined = " ".join(texts) + " " + " ".join(str(e.get("Resolution", "")) for e in rec["expected"])
    for rule, models, pred in RULES:
        if applies(models, model) and any(pred(rec["input"], t) for t in texts + [joined if rule == "percent-word-first-or-null" else ""] if t):
            return rule
    if any(isinstance(e.get("Resolution"), dict) and "value" in e["Resolution"] and e["Resolution"]["value"] in (None, "null")
           for e in rec["expected"]):
        return "no-number-mentions"
    if model == "DimensionModel" and any(e["Resolution"].get("unit") not in DIM_UNITS for e in rec["expected"]):
        return "dimension-unit-out-of-scope"
    if model in ("DurationParser", "DateTimeModel-duration"):
        for e in rec["expected"]:
            timex = e["Value"]["Timex"] if model == "DurationParser" else e["Resolution"]["values"][0]["timex"]
            kind = "duration" if model == "DurationParser" else e["Resolution"]["values"][0].get("type")
            if kind != "duration" or not re.fullmatch(r"PT?[0-9.]+[YMWDHS]", timex):
                return "composite-durations"
    if model == "DurationExtractor" and any(e.get("Type") != "duration" for e in rec["expected"]):
        return "composite-durations"
    if model.startswith("DateTimeModel") and not rec["expected"]:
        return "composite-durations"
    return None


def main(src: Path) -> None:
    counts = {}
    for name in FILES:
        kept = []
        for line in (src / f"recognizers_text_{name}.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            why = excluded(rec)
            counts.setdefault(why or "in scope", 0)
            counts[why or "in scope"] += 1
            if why is None:
                kept.append(line)
        (HERE / f"{name}.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    for k, v in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"{v:5d}  {k}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/peer_specs"))
