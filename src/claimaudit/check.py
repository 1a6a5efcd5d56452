"""The publishing gate: ``claimaudit check PATH...`` exits 1 when an article breaks a rule.

Findings print as ``file:line:col: rule: quote`` (1-based, counted in characters of the article's
text of record), the format editors' tools and CI logs already link. A reviewer's current decision
on a claim (accept / reject / correct / regrade) marks its finding as handled, so the gate passes
once every finding has been looked at. Rules:

* ``operator_mismatch``, ``value_deviates``: a threshold disagrees with the reference table.
* ``conflicting``: the claim is one side of a within-article conflict (consistency stage).
* ``grade_e_precise``: the article has more than N *precise* claims (non-vague, with a value)
  graded E, i.e. exact numbers with no evidence named (only with ``--max-grade-e-precise N``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import pandas as pd

from . import report, store

REFERENCE_RULES = ("operator_mismatch", "value_deviates")
CONFLICT_RULE = "conflicting"
GRADE_E_RULE = "grade_e_precise"
FAIL_ON_CHOICES = (*REFERENCE_RULES, CONFLICT_RULE)
DEFAULT_FAIL_ON = REFERENCE_RULES
SUPPRESSING_DECISIONS = frozenset({"accept", "reject", "correct", "regrade"})


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    rule: str
    quote: str
    claim_id: str = ""
    article: str = ""

    def format(self) -> str:
        quote = " ".join(self.quote.split())
        return f"{self.path}:{self.line}:{self.col}: {self.rule}: {quote}"


@dataclass
class CheckResult:
    findings: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings and not self.failures


# --- inputs -----------------------------------------------------------------------------------
def parse_fail_on(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"a,b"`` → ``("a", "b")``; unknown rule names raise ``ValueError`` (a typo must not pass)."""
    if value is None:
        return DEFAULT_FAIL_ON
    items = value.split(",") if isinstance(value, str) else list(value)
    rules = tuple(dict.fromkeys(s.strip() for s in items if s.strip()))
    bad = [r for r in rules if r not in FAIL_ON_CHOICES]
    if bad:
        raise ValueError(f"unknown rule(s) {', '.join(bad)}; choose from {', '.join(FAIL_ON_CHOICES)}")
    return rules


def current_reviews(claims_dir: str | Path) -> pd.DataFrame:
    """The current (latest) review per claim, as a frame with ``claim_id`` and ``decision``.

    ``claimaudit.review`` owns the rules (append order wins); the fallback for a tree without it
    reads ``reviews.csv`` and keeps the last row per claim by ``reviewed_at``, then file order.
    """
    try:
        from . import review
    except ImportError:
        path = Path(claims_dir) / "reviews.csv"
        if not path.is_file():
            return pd.DataFrame(columns=["claim_id", "decision"])
        return latest_per_claim(store.read_csv(path, dtype=str))
    fn = getattr(review, "current_reviews", None)
    state = (fn(Path(claims_dir)) if fn is not None
             else review.current_state(review.load_reviews(Path(claims_dir))).reset_index())
    return state.sort_values("claim_id", kind="stable").reset_index(drop=True)


def latest_per_claim(reviews: pd.DataFrame) -> pd.DataFrame:
    if reviews.empty or "claim_id" not in reviews.columns:
        return pd.DataFrame(columns=["claim_id", "decision"])
    df = reviews.fillna("").assign(_order=range(len(reviews)))
    keys = ["reviewed_at", "_order"] if "reviewed_at" in df.columns else ["_order"]
    df = df.sort_values(keys, kind="stable").drop_duplicates("claim_id", keep="last")
    return df.drop(columns="_order").sort_values("claim_id", kind="stable").reset_index(drop=True)


def reviewed_ids(reviews: pd.DataFrame | None) -> set[str]:
    """Claims whose current decision says a reviewer has dealt with them."""
    if reviews is None or reviews.empty or "decision" not in reviews.columns:
        return set()
    dec = reviews["decision"].astype(str).str.strip().str.lower()
    return set(reviews.loc[dec.isin(SUPPRESSING_DECISIONS), "claim_id"].astype(str))


def conflict_pairs(claims: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Within-article conflicts, one row per pair: article, group_id, claim_id_a, claim_id_b, reason.

    The consistency stage owns the definition (``consistency.within_article_conflicts``); this
    adapter only normalizes its output's shape and order.
    """
    cols = ["article", "group_id", "claim_id_a", "claim_id_b", "reason"]
    if claims is None or claims.empty:
        return pd.DataFrame(columns=cols)
    try:
        from . import consistency
    except ImportError:
        return pd.DataFrame(columns=cols)
    fn = getattr(consistency, "within_article_conflicts", None)
    if fn is None or "group_id" not in claims.columns or consistency.conflicts(claims, groups).empty:
        return pd.DataFrame(columns=cols)  # (the empty case is answered here: nothing to pair)
    df = fn(claims, groups)
    if df is None or len(df) == 0:
        return pd.DataFrame(columns=cols)
    df = df.rename(columns={"claim_a": "claim_id_a", "claim_b": "claim_id_b"}).copy()
    for c in cols:
        if c not in df.columns:
            df[c] = ""
    return df[cols].astype(str).sort_values(cols, kind="stable").reset_index(drop=True)


# --- the rules (pure) -------------------------------------------------------------------------
def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    offset = max(0, min(int(offset), len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def rule_hits(claims: pd.DataFrame, conflicts: pd.DataFrame, fail_on: Sequence[str],
              max_grade_e_precise: int | None, reviewed: set[str]) -> list[tuple[str, str]]:
    """(claim_id, rule) of every unreviewed claim breaking a rule; reviewed ones are left out."""
    hits: list[tuple[str, str]] = []
    if claims.empty:
        return hits
    ref = claims["reference_check"].astype(str) if "reference_check" in claims.columns else None
    for rule in fail_on:
        if rule in REFERENCE_RULES and ref is not None:
            hits += [(cid, rule) for cid in claims.loc[ref == rule, "claim_id"].astype(str)]
        elif rule == CONFLICT_RULE and len(conflicts):
            ids = sorted(set(conflicts["claim_id_a"]) | set(conflicts["claim_id_b"]))
            hits += [(cid, rule) for cid in ids]
    if max_grade_e_precise is not None and "grade" in claims.columns:
        e = claims[(claims["grade"].astype(str) == "E")
                   & ~claims["claim_id"].astype(str).isin(reviewed)]
        e = e[report.precise_mask(e)]
        for _, rows in e.groupby("article", sort=True):
            if len(rows) > max_grade_e_precise:
                hits += [(cid, GRADE_E_RULE) for cid in rows["claim_id"].astype(str)]
    return hits


def findings_from(claims: pd.DataFrame, texts: Mapping[str, str], paths: Mapping[str, str],
                  hits: Iterable[tuple[str, str]]) -> list[Finding]:
    """Locate each (claim_id, rule) in its article's text; sorted by file, position, rule."""
    by_id = claims.set_index(claims["claim_id"].astype(str))
    out = set()
    for cid, rule in hits:
        if cid not in by_id.index:
            continue
        row = by_id.loc[cid]
        article = str(row["article"])
        line, col = line_col(texts.get(article, ""), int(row["start"]))
        out.add(Finding(paths.get(article, article), line, col, rule, str(row["quote"]), cid, article))
    return sorted(out)


def evaluate(articles, tables, reviews: pd.DataFrame | None, fail_on: Sequence[str],
             max_grade_e_precise: int | None) -> CheckResult:
    """The gate's verdict on analysed articles (pure: tables and reviews in, findings out)."""
    claims = tables.claims
    conflicts = (conflict_pairs(claims, tables.groups) if CONFLICT_RULE in fail_on
                 else pd.DataFrame(columns=["claim_id_a", "claim_id_b"]))
    reviewed = reviewed_ids(reviews)
    hits = rule_hits(claims, conflicts, fail_on, max_grade_e_precise, reviewed)
    texts = {a.name: a.text for a in articles}
    paths = {a.name: str(a.path) for a in articles}
    kept = [h for h in hits if h[0] not in reviewed]
    dropped = [h for h in hits if h[0] in reviewed]
    return CheckResult(findings=findings_from(claims, texts, paths, kept),
                       suppressed=findings_from(claims, texts, paths, dropped),
                       articles=len(articles))


def run_check(paths: Sequence[str | Path], claims_dir: str | Path,
              fail_on: Sequence[str] = DEFAULT_FAIL_ON,
              max_grade_e_precise: int | None = None) -> CheckResult:
    """Ingest and analyse ``paths`` (reference table and reviews from ``claims_dir``), then judge."""
    from . import ingest, pipeline, reference

    articles, failures = ingest.ingest_paths(paths)
    tables = pipeline.analyze(articles, reference.load_reference(Path(claims_dir)))
    result = evaluate(articles, tables, current_reviews(claims_dir), fail_on, max_grade_e_precise)
    result.failures = list(failures)
    return result
