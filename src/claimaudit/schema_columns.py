"""Column order of the claims table across stages (the writer uses it; see docs/architecture.md)."""
from __future__ import annotations

from .extract import CLAIM_COLUMNS

GRADE_COLUMNS = ["grade", "grade_trace", "rubric_version", "flags", "citation"]
REFERENCE_COLUMNS = ["reference_check", "reference_key", "reference_comparator", "reference_value",
                     "reference_unit"]
GROUP_COLUMNS = ["group_id"]
ALL_CLAIM_COLUMNS = CLAIM_COLUMNS + GRADE_COLUMNS + REFERENCE_COLUMNS + GROUP_COLUMNS


def claim_columns(df) -> list[str]:
    """The contract's columns present in ``df``, in contract order, then any extras sorted."""
    known = [c for c in ALL_CLAIM_COLUMNS if c in df.columns]
    extra = sorted(c for c in df.columns if c not in ALL_CLAIM_COLUMNS)
    return known + extra
