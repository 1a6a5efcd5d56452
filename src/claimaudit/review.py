"""Reviewer decisions that survive re-extraction.

``reviews.csv`` is append-only history joined to ``claims.csv`` on ``claim_id``; the latest row of a
claim is its current state. When an article edit changes or removes a claim id, its reviews become
*orphans*: they stay in the file, are listed with the best candidate claim of the same article, and
``attach`` carries a decision over to a new claim by appending a row (``attached_from``). The CLI,
the Excel round trip and the review-queue notebook all go through ``record_review``/``append_reviews``.
"""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pandas as pd

from . import config, schema, store

REVIEW_COLUMNS = schema.template_columns("reviews")
CORRECTION_FIELDS = ["value_low", "value_high", "unit", "comparator", "grade"]
EDITABLE = ["decision", "reason", "note"] + CORRECTION_FIELDS
VIA = ("api", "cli", "excel", "notebook", "attach")
GRADES = ("A", "B", "C", "D", "E")
COMPARATORS = ("eq", "approx", "range", "lt", "le", "gt", "ge")
_WS = re.compile(r"\s+")


class ReviewError(ValueError):
    """A review that cannot be recorded (unknown claim, bad code, inconsistent fields)."""


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def queue_config() -> dict:
    return config.load_yaml("review_queue.yaml")


# --- validation ----------------------------------------------------------------------------------
def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _num(v) -> float | None:
    if _blank(v):
        return None
    f = float(v)
    if math.isnan(f):
        return None
    return f


def check_review(row: Mapping) -> list[str]:
    """Problems with one review row (empty when it may be appended). Why: a bad code in an
    append-only file stays forever, so rows are checked before they are written."""
    decisions, reasons = schema.review_vocabulary()
    p: list[str] = []
    cid = str(row.get("claim_id") or "")
    where = f"claim {cid or '?'}"
    if _blank(row.get("claim_id")):
        p.append("claim_id is empty")
    if _blank(row.get("reviewer")):
        p.append(f"{where}: reviewer is empty")
    d = str(row.get("decision") or "").strip()
    if d not in decisions:
        p.append(f"{where}: decision {d!r} is not one of {', '.join(decisions)}")
    r = str(row.get("reason") or "").strip()
    if r:
        if r not in reasons:
            p.append(f"{where}: reason {r!r} is not a code of data/review_reasons.yaml")
        elif d in decisions and d not in reasons[r].get("decisions", decisions):
            p.append(f"{where}: reason {r!r} does not go with decision {d!r} "
                     f"(it goes with {', '.join(reasons[r]['decisions'])})")
        elif reasons[r].get("note_required") and _blank(row.get("note")):
            p.append(f"{where}: reason {r!r} needs a note saying what")
    try:
        lo, hi = _num(row.get("value_low")), _num(row.get("value_high"))
    except (TypeError, ValueError):
        p.append(f"{where}: corrected values must be numbers")
        lo = hi = None
    if lo is not None and hi is not None and lo > hi:
        p.append(f"{where}: corrected value_low {lo:g} > value_high {hi:g}")
    comp = str(row.get("comparator") or "").strip()
    if comp and comp not in COMPARATORS:
        p.append(f"{where}: comparator {comp!r} is not one of {', '.join(COMPARATORS)}")
    grade = str(row.get("grade") or "").strip()
    if grade and grade not in GRADES:
        p.append(f"{where}: grade {grade!r} is not one of A-E")
    has_fix = any(not _blank(row.get(c)) for c in ("value_low", "value_high", "unit", "comparator"))
    if d == "correct" and not has_fix:
        p.append(f"{where}: decision 'correct' needs a corrected value_low/value_high/unit/comparator")
    if d != "correct" and has_fix and d in decisions:
        p.append(f"{where}: corrected values go only with decision 'correct'")
    if d == "regrade" and not grade:
        p.append(f"{where}: decision 'regrade' needs a grade (A-E)")
    if d != "regrade" and grade and d in decisions:
        p.append(f"{where}: a grade goes only with decision 'regrade'")
    via = str(row.get("via") or "")
    if via and via not in VIA:
        p.append(f"{where}: via {via!r} is not one of {', '.join(VIA)}")
    return p


# --- reading -----------------------------------------------------------------------------------
def load_reviews(claims_dir: str | Path) -> pd.DataFrame:
    """``reviews.csv`` typed (empty frame with the columns when there is none yet)."""
    path = Path(claims_dir) / "reviews.csv"
    if not path.is_file():
        return schema.coerce_frame(pd.DataFrame({c: pd.Series([], dtype=str) for c in REVIEW_COLUMNS}),
                                   schema.template_fields("reviews"))
    raw = store.read_text_csv(path)
    return schema.coerce_frame(raw, schema.template_fields("reviews"))


def load_claims(claims_dir: str | Path) -> pd.DataFrame:
    path = Path(claims_dir) / "claims.csv"
    if not path.is_file():
        raise ReviewError(f"{path} does not exist: run `claimaudit audit` first")
    return store.load_table(claims_dir, "claims")


def current_state(reviews: pd.DataFrame) -> pd.DataFrame:
    """The latest review of each claim (append order wins, not clocks), indexed by claim_id."""
    if reviews.empty:
        return reviews.set_index("claim_id")
    return (reviews.sort_values("review_id", kind="stable")
            .drop_duplicates("claim_id", keep="last").set_index("claim_id"))


def current_reviews(claims_dir: str | Path) -> pd.DataFrame:
    """The latest review per claim as a frame with a ``claim_id`` column (used by ``check``)."""
    return current_state(load_reviews(claims_dir)).reset_index()


# --- writing -----------------------------------------------------------------------------------
def snapshot(claim: Mapping | None) -> dict:
    """What a review keeps of its claim, so it can be found again after the claim id changes."""
    if claim is None:
        return {}
    return {
        "article": claim.get("article", ""), "quote": claim.get("quote", ""),
        "sentence": claim.get("sentence", ""), "machine_value_low": claim.get("value_low"),
        "machine_value_high": claim.get("value_high"), "machine_unit": claim.get("unit", ""),
        "machine_grade": claim.get("grade", ""),
    }


def new_review(claim_id: str, reviewer: str, decision: str, reason: str = "", note: str = "", *,
               claim: Mapping | None = None, value_low=None, value_high=None, unit: str = "",
               comparator: str = "", grade: str = "", via: str = "api",
               reviewed_at: str | None = None, attached_from: int | None = None) -> dict:
    """One review row (no review_id yet) with the claim's snapshot columns."""
    row = {c: "" for c in REVIEW_COLUMNS}
    row.update({
        "claim_id": claim_id, "reviewer": (reviewer or "").strip(), "decision": (decision or "").strip(),
        "reason": (reason or "").strip(), "note": note or "", "value_low": _clean_num(value_low),
        "value_high": _clean_num(value_high), "unit": (unit or "").strip(),
        "comparator": (comparator or "").strip(), "grade": (grade or "").strip().upper(),
        "reviewed_at": reviewed_at or utc_now(), "via": via, "attached_from": attached_from,
    })
    row.update(snapshot(claim))
    return row


def _clean_num(v):
    try:
        return _num(v)
    except (TypeError, ValueError):
        return v  # kept so check_review reports it


def append_reviews(claims_dir: str | Path, rows: Sequence[Mapping]) -> pd.DataFrame:
    """Append review rows to ``reviews.csv`` under the lock: whole new file, atomic rename.

    Existing rows are carried over byte for byte; new rows get the next ``review_id``s. All rows
    are checked first: one bad row appends nothing.
    """
    problems = [m for r in rows for m in check_review(r)]
    if problems:
        raise ReviewError("; ".join(problems))
    folder = Path(claims_dir)
    path = folder / "reviews.csv"
    header = store.to_csv_text(pd.DataFrame(columns=REVIEW_COLUMNS))
    with store.lock(folder, command="claimaudit review"):
        if path.is_file():
            old_text = path.read_bytes().decode("utf-8-sig")
            existing = store.read_text_csv(path)
            cols = REVIEW_COLUMNS + [c for c in existing.columns if c not in REVIEW_COLUMNS]
            if list(existing.columns) != cols or "\r" in old_text:
                old_text, existing = _migrate(existing, cols)
        else:
            cols = REVIEW_COLUMNS
            old_text, existing = header, pd.DataFrame(columns=REVIEW_COLUMNS)
        ids = pd.to_numeric(existing["review_id"], errors="coerce") if len(existing) else pd.Series([], dtype=float)
        next_id = int(ids.max()) + 1 if len(ids) and ids.notna().any() else 1
        new = pd.DataFrame([dict(r) for r in rows]).reindex(columns=cols)
        new["review_id"] = range(next_id, next_id + len(new))
        body = store.to_csv_text(new, cols).split("\n", 1)[1]
        if old_text and not old_text.endswith("\n"):
            old_text += "\n"
        if rows:
            store.atomic_write_text(path, old_text + body)
    return schema.coerce_frame(new.reindex(columns=REVIEW_COLUMNS).astype(object).map(store.format_cell),
                               schema.template_fields("reviews"))


def _migrate(existing: pd.DataFrame, cols: list[str]) -> tuple[str, pd.DataFrame]:
    """A reviews file in another layout (missing columns, CRLF from a spreadsheet) rewritten in the
    current one; every row and every extra column is kept, rows without a review_id get new ones."""
    df = existing.reindex(columns=cols, fill_value="")
    ids = pd.to_numeric(df["review_id"], errors="coerce")
    blank = ids.isna()
    start = int(ids.max()) + 1 if ids.notna().any() else 1
    df.loc[blank, "review_id"] = [str(i) for i in range(start, start + int(blank.sum()))]
    return store.to_csv_text(df, cols), df


def record_review(claims_dir: str | Path, claim_id: str, reviewer: str, decision: str,
                  reason: str = "", note: str = "", *, value_low=None, value_high=None,
                  unit: str = "", comparator: str = "", grade: str = "", via: str = "api",
                  reviewed_at: str | None = None) -> dict:
    """Record one decision on a current claim (the function the CLI, notebook and tests share)."""
    claims = load_claims(claims_dir)
    hit = claims[claims["claim_id"] == claim_id]
    if hit.empty:
        raise ReviewError(f"no claim {claim_id!r} in {Path(claims_dir) / 'claims.csv'} "
                          f"(re-extracted? see `claimaudit review orphans`)")
    row = new_review(claim_id, reviewer, decision, reason, note, claim=hit.iloc[0].to_dict(),
                     value_low=value_low, value_high=value_high, unit=unit, comparator=comparator,
                     grade=grade, via=via, reviewed_at=reviewed_at)
    return append_reviews(claims_dir, [row]).iloc[0].to_dict()


# --- orphans -------------------------------------------------------------------------------------
def _fold(s) -> str:
    """NFKC, whitespace-folded, lower-cased (the form claim ids hash), for similarity."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", str(s or ""))).strip().lower()


def _similar(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _same_values(a_lo, a_hi, b_lo, b_hi) -> bool:
    def eq(x, y):
        xn, yn = _blank(x), _blank(y)
        return xn == yn and (xn or math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12))
    return eq(a_lo, b_lo) and eq(a_hi, b_hi) and not (_blank(a_lo) and _blank(a_hi))


def match_score(review: Mapping, claim: Mapping, weights: Mapping | None = None) -> float:
    """How likely ``claim`` is the re-extracted claim a review was made on (0..1)."""
    w = weights or queue_config()["orphan_match"]
    score = w["sentence_similarity"] * _similar(_fold(review.get("sentence")), _fold(claim.get("sentence")))
    score += w["quote_similarity"] * _similar(_fold(review.get("quote")), _fold(claim.get("quote")))
    if str(review.get("machine_unit") or "") and review.get("machine_unit") == claim.get("unit"):
        score += w["same_unit"]
    if _same_values(review.get("machine_value_low"), review.get("machine_value_high"),
                    claim.get("value_low"), claim.get("value_high")):
        score += w["same_values"]
    return round(score, 4)


def best_candidate(review: Mapping, claims: pd.DataFrame, exclude: Iterable[str] = ()) -> tuple[str, float]:
    """The best-scoring claim of the review's article ("" when none scores above ``min_score``).

    If the article itself is gone (renamed), every claim is a candidate.
    """
    w = queue_config()["orphan_match"]
    pool = claims[claims["article"] == review.get("article")]
    if pool.empty:
        pool = claims
    exclude = set(exclude)
    best, best_score = "", 0.0
    for c in pool.to_dict("records"):
        if c["claim_id"] in exclude:
            continue
        s = match_score(review, c, w)
        if s > best_score or (s == best_score and best and c["claim_id"] < best):
            best, best_score = c["claim_id"], s
    if best_score < w["min_score"]:
        return "", best_score
    return best, best_score


ORPHAN_COLUMNS = ["review_id", "claim_id", "article", "quote", "sentence", "decision", "reason", "note",
                  "reviewer", "reviewed_at", "n_reviews", "candidate_claim_id", "candidate_score",
                  "candidate_quote", "candidate_sentence"]


def orphans(claims: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Reviewed claim ids no longer in ``claims`` and not yet re-attached, one row per old claim
    (its latest review), with the best candidate claim. Why per claim: the latest review is the
    claim's state; older rows are history and travel with it."""
    if reviews.empty:
        return pd.DataFrame(columns=ORPHAN_COLUMNS)
    live = set(claims["claim_id"])
    attached = set(pd.to_numeric(reviews["attached_from"], errors="coerce").dropna().astype(int))
    gone = reviews[~reviews["claim_id"].isin(live)]
    if gone.empty:
        return pd.DataFrame(columns=ORPHAN_COLUMNS)
    reviewed_live = set(reviews["claim_id"]) & live
    by_id = claims.set_index("claim_id")
    rows = []
    for cid, hist in gone.groupby("claim_id", sort=True):
        if attached & set(hist["review_id"].astype(int)):
            continue
        last = hist.sort_values("review_id").iloc[-1].to_dict()
        cand, score = best_candidate(last, claims)
        rows.append({
            **{k: last.get(k, "") for k in ORPHAN_COLUMNS if k in last},
            "n_reviews": len(hist), "candidate_claim_id": cand, "candidate_score": score,
            "candidate_quote": by_id.at[cand, "quote"] if cand else "",
            "candidate_sentence": by_id.at[cand, "sentence"] if cand else "",
            "candidate_reviewed": cand in reviewed_live,
        })
    out = pd.DataFrame(rows, columns=ORPHAN_COLUMNS + ["candidate_reviewed"])
    return out.sort_values(["article", "review_id"], kind="stable").reset_index(drop=True)


def find_orphans(claims_dir: str | Path) -> pd.DataFrame:
    return orphans(load_claims(claims_dir), load_reviews(claims_dir))


def _source_review(reviews: pd.DataFrame, source: str) -> Mapping:
    s = str(source).strip()
    key = s[1:] if s[:1] in ("r", "R") and s[1:].isdigit() else s
    if key.isdigit():
        hit = reviews[reviews["review_id"] == int(key)]
        if hit.empty:
            raise ReviewError(f"no review row {key} in reviews.csv")
        return hit.iloc[0].to_dict()
    hit = reviews[reviews["claim_id"] == s]
    if hit.empty:
        raise ReviewError(f"no review of claim {s!r} in reviews.csv")
    return hit.sort_values("review_id").iloc[-1].to_dict()


def attach(claims_dir: str | Path, source: str, new_claim_id: str, *, reviewer: str | None = None,
           reviewed_at: str | None = None) -> dict:
    """Carry a review over to ``new_claim_id`` by appending a row (the old rows stay as they are).

    ``source`` is a review_id (``12`` or ``r12``) or an old claim id (its latest review is used).
    """
    folder = Path(claims_dir)
    with store.lock(folder, command="claimaudit review attach"):
        claims, reviews = load_claims(folder), load_reviews(folder)
        old = _source_review(reviews, source)
        hit = claims[claims["claim_id"] == new_claim_id]
        if hit.empty:
            raise ReviewError(f"no claim {new_claim_id!r} in {folder / 'claims.csv'}")
        origin = (f"[re-attached from review {int(old['review_id'])} of claim {old['claim_id']}"
                  f" by {old['reviewer']} at {old['reviewed_at']}]")
        note = f"{origin} {old['note']}".strip() if old.get("note") else origin
        row = new_review(new_claim_id, reviewer or old["reviewer"], old["decision"], old["reason"], note,
                         claim=hit.iloc[0].to_dict(), value_low=old.get("value_low"),
                         value_high=old.get("value_high"), unit=old.get("unit", ""),
                         comparator=old.get("comparator", ""), grade=old.get("grade", ""),
                         via="attach", reviewed_at=reviewed_at, attached_from=int(old["review_id"]))
        return append_reviews(folder, [row]).iloc[0].to_dict()


# --- the review queue ------------------------------------------------------------------------------
def within_article_inconsistent(claims: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.Series:
    """True for claims in a within-article conflict, as the consistency stage judges it (values
    normalized to the group's base unit, approximations widened); ``same_unit_disjoint`` when the
    claims carry no groups."""
    if claims.empty:
        return pd.Series([], dtype=bool)
    if "group_id" in claims.columns and (claims["group_id"].astype(str) != "").any():
        from . import consistency

        pairs = consistency.conflicts(claims, groups)
        pairs = pairs[pairs["same_article"].astype(bool)]
        ids = set(pairs["claim_a"]) | set(pairs["claim_b"])
        return claims["claim_id"].isin(ids)
    return same_unit_disjoint(claims)


def same_unit_disjoint(claims: pd.DataFrame) -> pd.Series:
    """Fallback without groups: same article, subject, measure, unit and period, and intervals that
    do not all overlap (1-D intervals overlap pairwise iff max(low) <= min(high))."""
    if claims.empty:
        return pd.Series([], dtype=bool)
    df = claims.copy()
    lo_raw = pd.to_numeric(df["value_low"], errors="coerce")
    hi_raw = pd.to_numeric(df["value_high"], errors="coerce")
    vague = df["vague"].astype(bool) if "vague" in df else pd.Series(False, index=df.index)
    text = {c: (df[c].astype(str) if c in df else pd.Series("", index=df.index))
            for c in ("subject", "measure", "unit", "rate_period")}
    key = text["subject"] + "\x1f" + text["measure"] + "\x1f" + text["unit"] + "\x1f" + text["rate_period"]
    ok = (lo_raw.notna() | hi_raw.notna()) & ~vague & (text["measure"] != "") & (text["unit"] != "")
    df["_key"], df["_lo"], df["_hi"] = key, lo_raw.fillna(-math.inf), hi_raw.fillna(math.inf)
    sub = df[ok]
    flag = pd.Series(False, index=df.index)
    if sub.empty:
        return flag
    g = sub.groupby(["article", "_key"])
    bad = (g["_lo"].transform("max") > g["_hi"].transform("min")) & (g["_lo"].transform("size") > 1)
    flag.loc[bad[bad].index] = True
    return flag


def review_queue(claims: pd.DataFrame, reviews: pd.DataFrame | None = None, *,
                 groups: pd.DataFrame | None = None, include_settled: bool = False) -> pd.DataFrame:
    """Claims to review, most urgent first, with the reasons (``why``) and points (``priority``).

    Points come from ``data/review_queue.yaml``: low grade on a precise number, threshold
    mismatch, within-article inconsistency. Claims with a settled current decision leave the
    queue unless ``include_settled``.
    """
    cfg = queue_config()
    pts = cfg["priority"]
    df = claims.copy()
    n = len(df)
    grade = df.get("grade", pd.Series("", index=df.index)).astype(str)
    low = grade.isin(cfg["low_grades"])
    values = (pd.to_numeric(df["value_low"], errors="coerce").notna()
              | pd.to_numeric(df["value_high"], errors="coerce").notna())
    fuzzy = (df.get("vague", False).astype(bool) | df.get("approx", False).astype(bool)
             | df.get("hedged", False).astype(bool))
    precise = values & ~fuzzy
    check = df.get("reference_check", pd.Series("", index=df.index)).astype(str)
    reasons = {
        "low_grade_precise": low & precise,
        "threshold_mismatch": check.isin(cfg["mismatch_checks"]),
        "within_article_inconsistent": (within_article_inconsistent(df, groups) if n
                                        else pd.Series([], dtype=bool)),
        "low_grade": low,
        "no_reference": check == "no_reference",
    }
    state = current_state(reviews) if reviews is not None and not reviews.empty else None
    decision = (df["claim_id"].map(state["decision"]).fillna("").astype(str)
                if state is not None else pd.Series("", index=df.index, dtype=str))
    reasons["deferred"] = decision == "defer"
    priority = pd.Series(0, index=df.index, dtype="int64")
    why = pd.Series("", index=df.index, dtype=object)
    for name, mask in reasons.items():
        mask = mask.reindex(df.index, fill_value=False).astype(bool)
        priority += mask.astype("int64") * int(pts[name])
        why = why.where(~mask, why + (why.ne("").map({True: ";", False: ""})) + name)
    df["priority"], df["why"], df["decision"] = priority, why.astype(str), decision
    df = df[df["priority"] > 0]
    if not include_settled:
        df = df[~df["decision"].isin(cfg["settled_decisions"])]
    lead = ["priority", "why", "claim_id", "article", "grade", "quote", "sentence", "reference_check", "decision"]
    cols = [c for c in lead if c in df.columns] + [c for c in df.columns if c not in lead]
    return (df.sort_values(["priority", "article", "start", "claim_id"], ascending=[False, True, True, True],
                           kind="stable")[cols].reset_index(drop=True))


# --- the Excel round trip -----------------------------------------------------------------------------
SHEET_CONTEXT = ["claim_id", "article", "grade", "quote"]
SHEET_EDITABLE = ["decision", "reason", "note", "corrected_value_low", "corrected_value_high",
                  "corrected_unit", "corrected_comparator", "corrected_grade"]
SHEET_MORE = ["sentence", "value_low", "value_high", "unit", "comparator", "approx", "hedged", "kind",
              "evidence_cue", "cue_text", "flags", "citation", "reference_check", "reference_value",
              "reference_unit", "group_id", "last_reviewer", "last_reviewed_at", "last_review_id"]
SHEET_TO_REVIEW = {"decision": "decision", "reason": "reason", "note": "note",
                   **{f"corrected_{c}": c for c in CORRECTION_FIELDS}}


@dataclass
class ImportResult:
    appended: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def review_sheet(claims: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """One row per claim with its current review state, in reading order (article, start)."""
    state = current_state(reviews)
    df = claims.sort_values(["article", "start", "claim_id"], kind="stable").reset_index(drop=True)
    out = pd.DataFrame({"claim_id": df["claim_id"]})
    for c in SHEET_CONTEXT[1:] + SHEET_MORE:
        if c in df.columns:
            out[c] = df[c]
    for sheet_col, rev_col in SHEET_TO_REVIEW.items():
        out[sheet_col] = df["claim_id"].map(state[rev_col]) if len(state) else None
    if len(state):
        out["last_reviewer"] = df["claim_id"].map(state["reviewer"])
        out["last_reviewed_at"] = df["claim_id"].map(state["reviewed_at"])
        out["last_review_id"] = df["claim_id"].map(state.reset_index().set_index("claim_id")["review_id"])
    cols = [c for c in SHEET_CONTEXT + SHEET_EDITABLE + SHEET_MORE if c in out.columns or c.startswith("last_")]
    return out.reindex(columns=cols)


def export_workbook(claims_dir: str | Path, path: str | Path) -> int:
    """Write the reviewers' workbook; returns the number of claim rows.

    Sheets: ``claims`` (frozen header, filters, grade fills, dropdowns on decision/reason and the
    corrected comparator/grade), ``columns`` (what each column means), ``reasons`` (codes), and a
    hidden ``_exported`` copy of the review state, so import appends only what the reviewer changed.
    """
    from openpyxl import Workbook

    from . import excel

    claims, reviews = load_claims(claims_dir), load_reviews(claims_dir)
    sheet = review_sheet(claims, reviews)
    decisions, reasons = schema.review_vocabulary()
    wb = Workbook()
    ws = wb.active
    ws.title = "claims"
    excel.write_sheet(ws, sheet, editable=SHEET_EDITABLE, wrap=("sentence",),
                      widths={"claim_id": 17, "article": 24, "grade": 7, "quote": 22, "note": 40,
                              "sentence": 60, "decision": 15, "reason": 20})
    cols = list(sheet.columns)
    n = len(sheet)
    rs = wb.create_sheet("reasons")
    rtab = pd.DataFrame([{"reason": k, "decisions": ", ".join(v.get("decisions", [])),
                          "description": v.get("description", "")} for k, v in reasons.items()])
    excel.write_sheet(rs, rtab, grade_column=None, widths={"reason": 24, "decisions": 30, "description": 90})
    dtab = pd.DataFrame([{"decision": k, "description": v} for k, v in decisions.items()])
    for i, rec in enumerate(dtab.itertuples(index=False), len(rtab) + 3):
        excel.write_cell(rs, i, 1, rec.decision)
        excel.write_cell(rs, i, 3, rec.description)
    excel.add_list_validation(ws, cols.index("decision") + 1, n, excel.inline_list(decisions),
                              title="decision", prompt="accept, correct, reject, regrade, needs_citation, defer")
    excel.add_list_validation(ws, cols.index("reason") + 1, n, f"reasons!$A$2:$A${len(rtab) + 1}",
                              title="reason", prompt="a reason code (see the reasons sheet)")
    excel.add_list_validation(ws, cols.index("corrected_comparator") + 1, n, excel.inline_list(COMPARATORS),
                              title="comparator")
    excel.add_list_validation(ws, cols.index("corrected_grade") + 1, n, excel.inline_list(GRADES), title="grade")
    cs = wb.create_sheet("columns")
    excel.write_sheet(cs, column_dictionary(cols), grade_column=None,
                      widths={"column": 24, "editable": 10, "description": 100})
    hs = wb.create_sheet("_exported")
    excel.write_sheet(hs, sheet[["claim_id"] + SHEET_EDITABLE], grade_column=None, freeze=False, autofilter=False)
    hs.sheet_state = "hidden"
    wb.active = 0
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return n


def column_dictionary(columns: Sequence[str]) -> pd.DataFrame:
    """(column, editable, description) for the workbook's claims sheet, from the package schema."""
    claim_desc = {f["name"]: f.get("description", "") for f in schema.template_fields("claims")}
    rev_desc = {f["name"]: f.get("description", "") for f in schema.template_fields("reviews")}
    extra = {
        "decision": "Your decision: " + "; ".join(f"{k}: {v}" for k, v in schema.review_vocabulary()[0].items()),
        "reason": "A reason code from the reasons sheet (it must go with the decision).",
        "note": "Free text; kept exactly as typed (text starting with = + - @ is stored as text, never run).",
        "last_reviewer": "Who made the claim's current review (read-only).",
        "last_reviewed_at": "When (UTC) (read-only).",
        "last_review_id": "review_id of the current review in reviews.csv (read-only).",
    }
    rows = []
    for c in columns:
        editable = c in SHEET_EDITABLE
        if c in extra:
            d = extra[c]
        elif c.startswith("corrected_"):
            d = rev_desc.get(c[len("corrected_"):], "")
        else:
            d = claim_desc.get(c, "")
        rows.append({"column": c, "editable": "yes" if editable else "no", "description": d})
    return pd.DataFrame(rows)


def _norm(col: str, v: str) -> str:
    """Canonical text of an editable cell, so an untouched cell compares equal to its export."""
    v = "" if v is None else str(v)
    if col in ("corrected_value_low", "corrected_value_high"):
        s = v.strip()
        if not s:
            return ""
        try:
            return store.format_cell(float(s))
        except ValueError:
            return s
    if col == "note":
        return v
    return v.strip()


def _state_cells(latest: pd.Series, cols: Iterable[str]) -> dict:
    """A claim's current review as normalized sheet cells."""
    return {c: _norm(c, store.format_cell(latest.get(SHEET_TO_REVIEW[c]))) for c in cols}


def import_workbook(claims_dir: str | Path, path: str | Path, reviewer: str, *,
                    reviewed_at: str | None = None) -> ImportResult:
    """Append the rows a reviewer changed in an exported workbook; all rows or none.

    A row counts as changed when any editable cell differs from the state it was exported with
    (hidden ``_exported`` sheet; the current reviews when that sheet is missing). Cells are read as
    literal text: formulas are never evaluated.
    """
    from openpyxl import load_workbook

    from . import excel

    if not (reviewer or "").strip():
        raise ReviewError("--reviewer is required")
    wb = load_workbook(path, data_only=False)
    if "claims" not in wb.sheetnames:
        raise ReviewError(f"{path}: no sheet named 'claims'")
    sheet = excel.read_sheet(wb["claims"])
    missing = [c for c in ["claim_id", "decision"] if c not in sheet.columns]
    if missing:
        raise ReviewError(f"{path}: the claims sheet lacks column(s) {', '.join(missing)}")
    claims, reviews = load_claims(claims_dir), load_reviews(claims_dir)
    if "_exported" in wb.sheetnames:
        base = excel.read_sheet(wb["_exported"])
    else:
        base = review_sheet(claims, reviews).astype(object).map(store.format_cell)
    base = base.drop_duplicates("claim_id").set_index("claim_id") if len(base) else base
    by_id = claims.set_index("claim_id")
    state = current_state(reviews)
    exported_last = {}
    if "last_review_id" in sheet.columns:
        exported_last = dict(zip(sheet["claim_id"], sheet["last_review_id"]))
    rows, problems, warns = [], [], []
    for i, rec in enumerate(sheet.to_dict("records"), 2):
        cid = str(rec.get("claim_id", "")).strip()
        if not cid:
            continue
        cur = {c: _norm(c, rec.get(c, "")) for c in SHEET_EDITABLE if c in sheet.columns}
        old = {c: _norm(c, base.at[cid, c]) if cid in base.index and c in base.columns else "" for c in cur}
        if cur == old or (cid in state.index and cur == _state_cells(state.loc[cid], cur)):
            continue  # untouched, or already recorded (the same workbook imported twice)
        if not cur.get("decision"):
            problems.append(f"row {i} ({cid}): changed but no decision")
            continue
        claim = by_id.loc[cid].to_dict() | {"claim_id": cid} if cid in by_id.index else None
        if claim is None:
            warns.append(f"row {i}: claim {cid} is no longer in claims.csv; its review is kept as an orphan")
            claim = {k: rec.get(k, "") for k in ("article", "quote", "sentence", "unit", "grade")}
            claim["value_low"], claim["value_high"] = rec.get("value_low", ""), rec.get("value_high", "")
        latest = state["review_id"].get(cid) if len(state) else None
        if latest is not None and str(exported_last.get(cid, "")) != str(int(latest)):
            warns.append(f"row {i}: claim {cid} was reviewed by {state.at[cid, 'reviewer']} since the export; "
                         f"your decision is appended after it and becomes current")
        fix = {SHEET_TO_REVIEW[c]: v for c, v in cur.items() if c.startswith("corrected_")}
        try:
            row = new_review(cid, reviewer, cur["decision"], cur.get("reason", ""), cur.get("note", ""),
                             claim=claim, via="excel", reviewed_at=reviewed_at, **fix)
        except (TypeError, ValueError) as e:
            problems.append(f"row {i} ({cid}): {e}")
            continue
        problems += [f"row {i}: {m}" for m in check_review(row)]
        rows.append(row)
    if problems:
        raise ReviewError(f"{path}: nothing imported: " + "; ".join(problems))
    appended = append_reviews(claims_dir, rows) if rows else load_reviews(claims_dir).iloc[0:0]
    return ImportResult(appended, warns)
