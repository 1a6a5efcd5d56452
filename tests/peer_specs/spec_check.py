"""Checks one Recognizers-Text spec record against the quantity grammar (used by test_peer_specs)."""
from __future__ import annotations

import math
import re

from claimaudit.quantities import find_numbers, find_quantities, parse_number

TIMEX_UNIT = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour", "S": "second"}
DIM_UNITS = {  # spec unit -> (our canonical unit, factor)
    "Meter": ("meter", 1), "Kilometer": ("meter", 1000), "Centimeter": ("cm", 1), "Millimeter": ("mm", 1),
    "Kilogram": ("kg", 1), "Gram": ("g", 1), "Milligram": ("mg", 1), "Microgram": ("μg", 1),
    "Inch": ("inch", 1), "Foot": ("foot", 1), "Pound": ("pound", 1), "Mile": ("mile", 1),
    "Liter": ("L", 1), "Milliliter": ("mL", 1),
}
AGE_UNITS = {"Year": "age_years", "Month": "month", "Week": "week", "Day": "day", "Age": "age_years"}


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def span(rec_lang: str, e: dict, text: str) -> tuple[int, int]:
    s = e["Start"]
    end = s + e["Length"] if "Length" in e else e["End"] + 1
    return s, end


def overlapping(qs, s, e):
    return [q for q in qs if q.start < e and s < q.end]


def lang_of(rec) -> str:
    return "zh-Hans" if rec["lang"] == "zh" else "en"


def check(rec: dict) -> bool:
    """True when every expected result of the record is reproduced (value(s) for the spec's span)."""
    model, text, lang = rec["model"], rec["input"], lang_of(rec)
    exp = rec["expected"]
    if model.startswith("NumberModel"):
        return all(close(parse_number(e["Text"], lang), float(e["Resolution"]["value"])) for e in exp)
    if model.startswith("NumberRangeModel"):
        qs = find_numbers(text, lang)
        for e in exp:
            lo, hi = re.match(r"[\[(]([^,]*),([^\])]*)[\])]", e["Resolution"]["value"]).groups()
            lo = float(lo) if lo else None
            hi = float(hi) if hi else None
            s, t = span(rec["lang"], e, text)
            if not any(close(q.value_low, lo) and close(q.value_high, hi) for q in overlapping(qs, s, t)):
                return False
        return True
    if model.startswith("PercentModel"):
        qs = find_quantities(text, lang)
        for e in exp:
            v = float(e["Resolution"]["value"].rstrip("%"))
            s, t = span(rec["lang"], e, text)
            if not any(q.unit == "percent" and close(q.value_low, v) for q in overlapping(qs, s, t)):
                return False
        return not exp or True
    if model == "AgeModel":
        qs = find_quantities(text, lang)
        for e in exp:
            unit = AGE_UNITS[e["Resolution"]["unit"]]
            v = float(e["Resolution"]["value"])
            s, t = span(rec["lang"], e, text)
            if not any(q.unit == unit and close(q.value_low if q.value_low is not None else q.value_high, v)
                       for q in overlapping(qs, s, t)):
                return False
        return True
    if model == "DimensionModel":
        qs = find_quantities(text, lang)
        for e in exp:
            unit, factor = DIM_UNITS[e["Resolution"]["unit"]]
            v = float(e["Resolution"]["value"]) * factor
            s, t = span(rec["lang"], e, text)
            if not any(q.unit == unit and close(q.value_low, v) for q in overlapping(qs, s, t)):
                return False
        return True
    if model in ("DurationParser", "DateTimeModel-duration", "DurationExtractor"):
        qs = find_quantities(text, lang)
        for e in exp:
            s, t = span(rec["lang"], e, text)
            hits = overlapping(qs, s, t)
            if model == "DurationExtractor":
                if not any(q.unit in set(TIMEX_UNIT.values()) | {"minute"} for q in hits):
                    return False
                continue
            timex = e["Value"]["Timex"] if model == "DurationParser" else e["Resolution"]["values"][0]["timex"]
            m = re.fullmatch(r"P(T?)([0-9.]+)([YMWDHS])", timex)
            unit = TIMEX_UNIT[m.group(3)] if not (m.group(1) and m.group(3) == "M") else "minute"
            v = float(m.group(2))
            if not any(q.unit == unit and close(q.value_low if q.value_low is not None else q.value_high, v)
                       for q in hits):
                return False
        return True
    raise ValueError(model)
