"""Cross-article consistency: group comparable claims by concept, then measure their agreement.

A claim's group key is (subject concept, measure concept, unit family), with the concepts taken
from the bilingual lexicon ``data/concepts.yaml`` matched around the quantity (never forced: a
claim that names no known subject and measure stays ungrouped). Within a group every claim becomes
an interval in the family's base unit; agreement is interval overlap, the consensus is the largest
set of mutually overlapping claims (found by a sweep, since intervals on a line form an interval
graph whose max clique is the max point coverage). Settings live in ``data/consistency.yaml``.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import config

GROUP_TABLE_COLUMNS = [
    "group_id", "subject", "measure", "unit", "unit_family", "verdict", "n_claims", "n_compared",
    "n_articles", "n_origins", "max_agreeing", "agreement", "consensus_low", "consensus_high", "consensus",
    "n_conflict_pairs", "n_within_article_conflicts", "heterogeneity", "q", "i2",
    "subject_label", "measure_label", "subject_label_zh", "measure_label_zh",
]
CONFLICT_COLUMNS = ["group_id", "claim_a", "claim_b", "article_a", "article_b", "quote_a", "quote_b",
                    "same_article", "sentence_a", "sentence_b", "low_a", "high_a", "low_b", "high_b",
                    "unit"]
OVERRIDE_COLUMNS = ["action", "group_id", "into", "claim_id", "note"]
OVERRIDE_ACTIONS = ("merge", "split", "assign", "exclude")
VERDICTS = ("consistent", "partly_consistent", "conflicting", "single_source")
_WS = re.compile(r"\s+")
CHANGE_SUFFIX = "_change"


# --- settings and lexicon ---------------------------------------------------------------------
def settings() -> dict:
    """``data/consistency.yaml`` (cached, read-only)."""
    return config.load_yaml("consistency.yaml")


@dataclass(frozen=True)
class Concept:
    """One lexicon entry: its id, labels, terms per language family, and (measures) constraints."""

    id: str
    labels: Mapping[str, str]
    terms: Mapping[str, tuple[str, ...]]  # "zh" (simplified) and "en"
    unit_families: tuple[str, ...] = ()
    cues: Mapping[str, tuple[str, ...]] | None = None
    default_subject: str = ""
    type: str = ""  # subjects: exposure | condition
    subject_type: str = ""  # measures: the subject type preferred when both are named
    change_split: bool = False  # measures: changes of this level form their own group
    fallback: bool = False  # measures: generic, tried only when no specific measure matches


def _to_simplified(text: str) -> str:
    """The simplified view of ``text`` (same length), via textnorm when it is there."""
    try:
        from .textnorm import simplified_view
    except ImportError:  # pragma: no cover - textnorm is written by another stage
        return _opencc().convert(text)
    return simplified_view(text)


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def _term_families(raw: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    """zh-Hans + zh-Hant (folded to simplified) → "zh"; en stays "en"."""
    raw = raw or {}
    zh = list(raw.get("zh-Hans", []) or []) + [_to_simplified(t) for t in raw.get("zh-Hant", []) or []]
    return {"zh": tuple(dict.fromkeys(zh)), "en": tuple(dict.fromkeys(raw.get("en", []) or []))}


def _concept(cid: str, entry: Mapping) -> Concept:
    return Concept(
        id=cid, labels=dict(entry.get("labels", {})), terms=_term_families(entry.get("terms")),
        unit_families=tuple(entry.get("unit_families", []) or []),
        cues=_term_families(entry["cues"]) if entry.get("cues") else None,
        default_subject=entry.get("default_subject", "") or "", type=entry.get("type", "") or "",
        subject_type=entry.get("subject_type", "") or "",
        change_split=bool(entry.get("change_split", False)), fallback=bool(entry.get("fallback", False)))


@dataclass(frozen=True)
class Lexicon:
    subjects: Mapping[str, Concept]
    measures: Mapping[str, Concept]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The concept lexicon from ``data/concepts.yaml``."""
    raw = config.load_yaml("concepts.yaml")
    return Lexicon(
        subjects={k: _concept(k, v) for k, v in sorted(raw["subjects"].items())},
        measures={k: _concept(k, v) for k, v in sorted(raw["measures"].items())})


class _TermIndex:
    """One alternation regex per language family, longest term first, mapping term → concept ids."""

    def __init__(self, concepts: Mapping[str, Concept], field: str = "terms"):
        self.by_term: dict[tuple[str, str], list[str]] = {}
        self.rx: dict[str, re.Pattern] = {}
        for fam in ("zh", "en"):
            terms: set[str] = set()
            for c in concepts.values():
                src = getattr(c, field) or {}
                for t in src.get(fam, ()):
                    key = t.lower()  # views are lower-cased (B12, HbA1c, NGF in zh text)
                    terms.add(key)
                    self.by_term.setdefault((fam, key), []).append(c.id)
            alt = "|".join(re.escape(t) for t in sorted(terms, key=lambda s: (-len(s), s)))
            if not alt:
                self.rx[fam] = re.compile(r"(?!x)x")
            elif fam == "en":
                self.rx[fam] = re.compile(rf"(?<![a-z0-9])(?:{alt})(?:s|es)?(?![a-z0-9])")
            else:
                self.rx[fam] = re.compile(alt)

    def find(self, text: str, fam: str) -> list[tuple[int, int, list[str]]]:
        """Occurrences (start, end, concept ids) in ``text`` (already simplified / lower-cased)."""
        out = []
        fams = ("zh", "en") if fam == "zh" else ("en",)
        for f in fams:
            for m in self.rx[f].finditer(text):
                term = m.group(0)
                ids = self.by_term.get((f, term))
                if ids is None:  # plural suffix matched
                    for cut in (1, 2):
                        ids = self.by_term.get((f, term[:-cut]))
                        if ids:
                            break
                if ids:
                    out.append((m.start(), m.end(), ids))
        return out


@lru_cache(maxsize=1)
def _indexes() -> tuple[_TermIndex, _TermIndex, _TermIndex]:
    lex = lexicon()
    return _TermIndex(lex.subjects), _TermIndex(lex.measures), _TermIndex(lex.measures, "cues")


# --- units ------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def unit_family(unit: str, rate_period: str = "") -> tuple[str, str, float] | None:
    """(family, base unit, factor to base) of a canonical unit; rates get a ``_per_<period>`` family.

    A rate (20 分钟/日) is not comparable with a duration (20 分钟), hence its own family.
    """
    for fam, spec in settings()["unit_families"].items():
        if unit in spec["units"]:
            if rate_period:
                return f"{fam}_per_{rate_period}", f"{spec['base']}/{rate_period}", float(spec["units"][unit])
            return fam, spec["base"], float(spec["units"][unit])
    return None


def _nonnegative(family: str) -> bool:
    fam = family.split("_per_")[0]
    return bool(settings()["unit_families"].get(fam, {}).get("nonnegative", False))


# --- concept matching -------------------------------------------------------------------------
def _lang_family(lang: str) -> str:
    return "en" if str(lang).startswith("en") else "zh"


def _view(text: str, fam: str) -> str:
    text = unicodedata.normalize("NFKC", text) if fam == "en" else text
    return text.lower() if fam == "en" else _to_simplified(text).lower()


def _distance(hit: tuple[int, int], q: tuple[int, int]) -> int:
    """How far a term is from the quantity: preceding terms are preferred (zh and en both name the
    thing before its number far more often than after)."""
    s, e = hit
    if e <= q[0]:
        return q[0] - e
    if s >= q[1]:
        return 2 * (s - q[1]) + 1
    return 0


def _nearest(hits, q: tuple[int, int], allowed: set[str] | None = None) -> dict[str, int]:
    """Best distance per concept id among ``hits``."""
    best: dict[str, int] = {}
    for s, e, ids in hits:
        d = _distance((s, e), q)
        for cid in ids:
            if allowed is not None and cid not in allowed:
                continue
            if d < best.get(cid, 1 << 30):
                best[cid] = d
    return best


_CLAUSE_END = re.compile(r"[，,；;。！？!?：:]|\.\s")


def _same_clause(hits, sent: str, q: tuple[int, int]):
    """Terms before the quantity anywhere in the sentence; after it only inside its own clause
    ("…持续超过72小时…,需排除神经损伤": the later clause names something else)."""
    return [h for h in hits if h[0] < q[1] or not _CLAUSE_END.search(sent, q[1], h[0])]


def _in_clause(hit: tuple[int, int], sent: str, q: tuple[int, int]) -> bool:
    """No clause punctuation between the term and the quantity."""
    a, b = (hit[1], q[0]) if hit[1] <= q[0] else (q[1], hit[0])
    return a >= b or not _CLAUSE_END.search(sent, a, b)


def _pick(best: Mapping[str, int]) -> str:
    return min(best.items(), key=lambda kv: (kv[1], kv[0]))[0] if best else ""


@dataclass(frozen=True)
class ClaimText:
    """What concept matching reads for one claim."""

    lang: str
    sentence: str
    q_start: int  # quantity span inside ``sentence``
    q_end: int
    words: str = ""  # the extractor's subject/measure words
    context: str = ""  # text just before the sentence (when the article text is known)
    title: str = ""


def match_claim(ct: ClaimText, family: str) -> tuple[str, str]:
    """(subject id, measure id) for one claim, or empty strings when the lexicon names none.

    Sentence terms nearest the quantity win; a measure without cues counts only inside the
    quantity's clause (a cue is what ties a farther term to the number). The extractor's words and
    the document title are fall-backs, in that order (a title names a page's topic more reliably
    than the tail of the previous sentence). The measure must accept the unit family and, when it
    lists cues, have one within ``cue_window`` characters of the quantity; generic (fallback)
    measures are tried last, in the sentence only. The subject may also be the measure's default
    subject or, last, the term ending nearest before the sentence (an antecedent).
    """
    lex = lexicon()
    s_idx, m_idx, c_idx = _indexes()
    fam = _lang_family(ct.lang)
    sent = _view(ct.sentence, fam)
    q = (ct.q_start, ct.q_end)
    window = int(settings()["cue_window"][fam])
    local = sent[max(0, q[0] - window):q[1] + window]
    cue_ids = {cid for _, _, ids in c_idx.find(local, fam) for cid in ids}
    measures_ok = {m.id for m in lex.measures.values()
                   if family.split("_per_")[0] in m.unit_families or family in m.unit_families}
    measures_ok = {m for m in measures_ok if lex.measures[m].cues is None or m in cue_ids}
    extra = [(_view(t, fam), near_end) for t, near_end in
             ((ct.words, False), (ct.title, False), (ct.context, True)) if t]

    def best(idx: _TermIndex, allowed=None, use_context: bool = False, measures: bool = False,
             sentence_only: bool = False) -> str:
        hits = _same_clause(idx.find(sent, fam), sent, q)
        if measures:  # a measure without cues must be named in the quantity's own clause
            hits = [(a, b, [i for i in ids if lex.measures[i].cues is not None or _in_clause((a, b), sent, q)])
                    for a, b, ids in hits]
        found = _nearest(hits, q, allowed)
        for text, near_end in ([] if sentence_only else extra):
            if found:
                break
            if near_end and not use_context:
                continue
            hits = idx.find(text, fam)
            if near_end:  # the text before the sentence: the term closest to its end
                found = _nearest(hits, (len(text), len(text)), allowed)
            else:
                found = {cid: 0 for _, _, ids in hits for cid in ids if allowed is None or cid in allowed}
        return _pick(found)

    specific = {m for m in measures_ok if not lex.measures[m].fallback}
    measure = best(m_idx, specific, measures=True) if specific else ""
    if not measure and measures_ok - specific:
        measure = best(m_idx, measures_ok - specific, measures=True, sentence_only=True)
    if not measure:
        return "", ""
    m = lex.measures[measure]
    subject = ""
    if m.subject_type:
        subject = best(s_idx, {c.id for c in lex.subjects.values() if c.type == m.subject_type})
    subject = subject or best(s_idx) or m.default_subject or best(s_idx, use_context=True)
    return (subject, measure) if subject else ("", "")


def _titles(documents: pd.DataFrame | None) -> dict[str, str]:
    if documents is None or documents.empty or "title" not in documents.columns:
        return {}
    return dict(zip(documents["doc_id"].astype(str), documents["title"].fillna("").astype(str)))


def concept_keys(claims: pd.DataFrame, documents: pd.DataFrame | None = None,
                 texts: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per claim: subject and measure concept ids, unit family and base unit, the automatic group id.

    ``documents`` (doc_id, title) and ``texts`` (article → text, for the sentence before) are
    optional; without them matching reads the sentence and the extractor's words only.
    """
    titles = _titles(documents)
    rows = []
    for r in claims.itertuples(index=False):
        d = r._asdict()
        fam = unit_family(str(d.get("unit", "") or ""), str(d.get("rate_period", "") or ""))
        if fam is None:
            rows.append(("", "", "", "", ""))
            continue
        s0 = int(d.get("sentence_start", 0) or 0)
        context = ""
        if texts is not None and d.get("article") in texts:
            context = texts[d["article"]][max(0, s0 - 80):s0]
        ct = ClaimText(
            lang=str(d.get("lang", "zh-Hans")), sentence=str(d.get("sentence", "") or ""),
            q_start=int(d.get("start", 0)) - s0, q_end=int(d.get("end", 0)) - s0,
            words=" ".join(str(d.get(k, "") or "") for k in ("subject", "measure")).strip(),
            context=context, title=titles.get(str(d.get("doc_id", "")), str(d.get("doc_title", "") or "")))
        subject, measure = match_claim(ct, fam[0])
        if measure and lexicon().measures[measure].change_split and \
                _is_change(ct.sentence, ct.q_start, ct.lang):
            measure = f"{measure}{CHANGE_SUFFIX}"
        gid = f"g-{subject}-{measure}-{fam[0]}" if subject and measure else ""
        rows.append((subject, measure, fam[0], fam[1], gid))
    return pd.DataFrame(rows, columns=["subject_concept", "measure_concept", "unit_family", "base_unit",
                                       "auto_group_id"], index=claims.index)


# --- overrides ------------------------------------------------------------------------------
def load_overrides(claims_dir: str | Path | None = None) -> pd.DataFrame:
    """Reviewer overrides: ``<claims_dir>/group_overrides.csv`` if present, else the packaged
    default (empty). Rows: merge group_id into / split group_id claim_id [into] / assign claim_id
    group_id / exclude claim_id."""
    path = Path(claims_dir) / "group_overrides.csv" if claims_dir is not None else None
    if path is None or not path.is_file():
        path = config.data_path("group_overrides.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in OVERRIDE_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df[OVERRIDE_COLUMNS].apply(lambda s: s.str.strip())
    bad = sorted(set(df["action"]) - set(OVERRIDE_ACTIONS))
    if bad:
        raise ValueError(f"{path}: unknown override action(s) {bad}; use {list(OVERRIDE_ACTIONS)}")
    return df


def apply_overrides(claim_ids: pd.Series, group_ids: pd.Series, overrides: pd.DataFrame | None) -> pd.Series:
    """Group ids after the reviewer's rows, applied merge → split → assign → exclude.

    Merges are followed transitively (a→b, b→c puts a's claims in c); a split moves one claim out of
    its group into ``into`` (default ``<group_id>~<claim_id>``).
    """
    out = group_ids.astype(str).copy()
    if overrides is None or overrides.empty:
        return out
    ov = overrides.fillna("")
    merge = {r.group_id: r.into for r in ov[ov["action"] == "merge"].itertuples() if r.group_id and r.into}

    def root(g: str) -> str:
        seen = set()
        while g in merge and g not in seen:
            seen.add(g)
            g = merge[g]
        return g

    out = out.map(lambda g: root(g) if g else g)
    pos = {cid: i for i, cid in enumerate(claim_ids.astype(str))}
    vals = out.tolist()
    for r in ov[ov["action"] == "split"].itertuples():
        i = pos.get(r.claim_id)
        if i is not None and (not r.group_id or vals[i] == root(r.group_id)):
            vals[i] = r.into or f"{r.group_id or vals[i]}~{r.claim_id}"
    for r in ov[ov["action"] == "assign"].itertuples():
        i = pos.get(r.claim_id)
        if i is not None and r.group_id:
            vals[i] = root(r.group_id)
    for r in ov[ov["action"] == "exclude"].itertuples():
        i = pos.get(r.claim_id)
        if i is not None:
            vals[i] = ""
    return pd.Series(vals, index=group_ids.index, dtype=object)


# --- intervals --------------------------------------------------------------------------------
def _alarm_reading(sentence: str, q_start: int, lang: str) -> bool:
    """True when a gt/ge quantity sits in a conditional alarm ("若…持续超过72小时, 需…")."""
    al = settings()["alarm"]
    fam = _lang_family(lang)
    w = int(al["window"][fam])
    before = _view(sentence[max(0, q_start - w):q_start], fam)
    for word in al["words"][fam]:
        if fam == "en":
            if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", before):
                return True
        elif word in before:
            return True
    return False


def _is_change(sentence: str, q_start: int, lang: str) -> bool:
    """True when a change word ("下降", "reduced") stands just before the quantity and no level
    marker ("降至", "fell to") sits between: "糖化血红蛋白平均下降0.5%" is a change, not a level."""
    cfg = settings()["change"]
    fam = _lang_family(lang)
    w = int(cfg["window"][fam])
    before = _view(sentence[max(0, q_start - w):q_start], fam)
    tail = before.rstrip()
    for word in cfg.get("adjacent", {}).get(fam, []):
        if tail.endswith(word) and (fam == "zh" or not tail[:-len(word)][-1:].isalpha()):
            return True
    for word in cfg["words"][fam]:
        pat = re.escape(word) if fam == "zh" else rf"(?<![a-z]){re.escape(word)}(?![a-z])"
        hits = list(re.finditer(pat, before))
        if not hits:
            continue
        between = before[hits[-1].end():]
        markers = cfg["level_markers"][fam]
        if fam == "zh" and any(m in between for m in markers):
            continue
        if fam == "en" and any(re.search(rf"(?<![a-z]){re.escape(m)}(?![a-z])", between) for m in markers):
            continue
        return True
    return False


def claim_interval(row: Mapping, family: str, factor: float) -> tuple[float, float, str]:
    """(low, high, reading) of one claim in the family's base unit; NaNs when it has no interval.

    lt/le → (0 or -inf, high]; gt/ge → [low, +inf), or (0, low] when read as an alarm threshold;
    approximate values widened by ``approx_margin``.
    """
    comp = str(row.get("comparator", "") or "")
    lo, hi = row.get("value_low"), row.get("value_high")
    lo = float(lo) if lo is not None and lo != "" and not pd.isna(lo) else math.nan
    hi = float(hi) if hi is not None and hi != "" and not pd.isna(hi) else math.nan
    floor = 0.0 if _nonnegative(family) else -math.inf
    reading = comp
    if _truthy(row.get("vague")) and math.isnan(lo) and math.isnan(hi):
        return math.nan, math.nan, "vague"
    if comp in ("lt", "le"):
        hi = hi if not math.isnan(hi) else lo
        lo = floor
    elif comp in ("gt", "ge"):
        lo = lo if not math.isnan(lo) else hi
        s0 = int(row.get("sentence_start", 0) or 0)
        if _alarm_reading(str(row.get("sentence", "") or ""), int(row.get("start", 0)) - s0,
                          str(row.get("lang", ""))):
            lo, hi, reading = floor, lo, "alarm"
        else:
            hi = math.inf
    else:
        if math.isnan(lo):
            lo = hi
        if math.isnan(hi):
            hi = lo
    if math.isnan(lo) or math.isnan(hi):
        return math.nan, math.nan, "no_values"
    if comp == "eq" and lo == hi and settings().get("point_precision", False):
        half = _half_last_digit(lo)  # "62 小时" is 61.5–62.5 h; "2.6 天" is 2.55–2.65 d
        lo, hi = lo - half, hi + half
    lo, hi = lo * factor if math.isfinite(lo) else lo, hi * factor if math.isfinite(hi) else hi
    if comp == "approx" or _truthy(row.get("approx")):
        m = float(settings()["approx_margin"])
        lo = lo * (1 - m) if math.isfinite(lo) and lo > 0 else (lo * (1 + m) if math.isfinite(lo) else lo)
        hi = hi * (1 + m) if math.isfinite(hi) and hi > 0 else (hi * (1 - m) if math.isfinite(hi) else hi)
        reading = reading + "+margin"
    if lo > hi:
        lo, hi = hi, lo
    return lo, hi, reading


def _half_last_digit(v: float) -> float:
    """Half a unit of the last digit a value is written with (its rounding precision)."""
    text = format(abs(v), ".10g")
    if "e" in text:
        return 0.0
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** (-decimals)


def _truthy(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    try:
        return bool(v) and not pd.isna(v)
    except (TypeError, ValueError):
        return bool(v)


_INTERVAL_COLUMNS = ("unit", "rate_period", "comparator", "value_low", "value_high", "vague", "approx",
                     "sentence", "sentence_start", "start", "lang")


def intervals(claims: pd.DataFrame) -> pd.DataFrame:
    """Normalized interval of every claim (low, high, base unit, reading); NaN when not comparable.

    Used by the agreement measures and by the charts.
    """
    rows = []
    used = [c for c in _INTERVAL_COLUMNS if c in claims.columns]  # to_dict of ~40 columns was most of the cost
    for r in claims[used].to_dict("records"):
        fam = unit_family(str(r.get("unit", "") or ""), str(r.get("rate_period", "") or ""))
        if fam is None:
            rows.append((math.nan, math.nan, "", "no_family"))
            continue
        lo, hi, reading = claim_interval(r, fam[0], fam[2])
        rows.append((lo, hi, fam[1], reading))
    return pd.DataFrame(rows, columns=["low", "high", "base_unit", "reading"], index=claims.index)


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Agreement of two closed intervals: a shared stretch of positive length, or a point inside.

    Intervals touching only at an end do not agree (see data/consistency.yaml).
    """
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if lo < hi:
        return True
    if lo == hi:
        return a[0] == a[1] or b[0] == b[1]
    return False


def max_clique(ivs: list[tuple[float, float]]) -> tuple[list[int], float, float]:
    """Largest set of mutually agreeing intervals and its consensus (their intersection).

    Intervals on a line: a set agrees pairwise iff a common point lies in all (Helly), so the max
    clique is the max point coverage, found by one sorted sweep, O(n log n). At one coordinate,
    points open first and close last, intervals close before others open (touching ≠ agreeing).
    """
    if not ivs:
        return [], math.nan, math.nan
    events = []
    for i, (lo, hi) in enumerate(ivs):
        if lo == hi:
            events += [(lo, 0, 1, i), (hi, 3, -1, i)]
        else:
            events += [(lo, 2, 1, i), (hi, 1, -1, i)]
    events.sort()
    cur = best = 0
    best_at: tuple[float, int] | None = None
    for x, order, delta, _ in events:
        cur += delta
        if delta > 0 and cur > best:
            best, best_at = cur, (x, order)
    x, order = best_at  # type: ignore[misc]
    if order == 0:  # peak at a point's opening: intervals ending exactly at x are still open
        members = [i for i, (lo, hi) in enumerate(ivs) if (lo == hi == x) or (lo != hi and lo < x <= hi)]
    else:  # peak at an interval's opening: intervals ending at x have closed
        members = [i for i, (lo, hi) in enumerate(ivs) if (lo == hi == x) or (lo != hi and lo <= x < hi)]
    lo = max(ivs[i][0] for i in members)
    hi = min(ivs[i][1] for i in members)
    return sorted(members), lo, hi


def conflicting_pairs(ivs: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """All non-agreeing pairs (i < j), output-sensitive: only candidates past each interval's end
    are visited (sorted lows + bisect), never all pairs of a large consistent group."""
    order = sorted(range(len(ivs)), key=lambda i: ivs[i][0])
    lows = [ivs[i][0] for i in order]
    out = []
    for i, (lo, hi) in enumerate(ivs):
        k = bisect_left(lows, hi)
        for j in order[k:]:
            if j != i and not overlaps(ivs[i], ivs[j]):
                out.append((min(i, j), max(i, j)))
    return sorted(set(out))


def count_conflicting_pairs(ivs: list[tuple[float, float]]) -> int:
    """``len(conflicting_pairs(ivs))`` in O(n log n), whatever the output size: a pair disagrees
    iff one interval ends before the other starts, or they only touch and neither is a point."""
    lows = sorted(lo for lo, _ in ivs)
    proper = sorted(lo for lo, hi in ivs if lo != hi)
    n = 0
    for lo, hi in ivs:
        n += len(lows) - bisect_right(lows, hi)
        if lo != hi:
            n += bisect_right(proper, hi) - bisect_left(proper, hi)
    return n


def count_within_article_conflicts(ivs: list[tuple[float, float]], articles: list[str]) -> int:
    """Conflicting pairs whose two claims come from the same article, counted per article."""
    by_article: dict[str, list[tuple[float, float]]] = {}
    for iv, art in zip(ivs, articles):
        by_article.setdefault(art, []).append(iv)
    return sum(count_conflicting_pairs(v) for v in by_article.values() if len(v) > 1)


# --- independent origins ----------------------------------------------------------------------
def fold_sentence(s: str) -> str:
    """NFKC, simplified, lower-cased, whitespace and punctuation removed: the near-duplicate form."""
    s = _to_simplified(unicodedata.normalize("NFKC", s)).lower()
    return "".join(ch for ch in s if ch.isalnum())


_P = (1 << 61) - 1


@lru_cache(maxsize=1)
def _minhash_params(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240601)
    a = rng.integers(1, 1 << 31, size=n, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=n, dtype=np.uint64)
    return a, b


def minhash(text: str, k: int, n: int) -> tuple[int, ...]:
    """MinHash signature of character ``k``-shingles (deterministic: sha1-based shingle hashes)."""
    if len(text) <= k:
        sh = {text}
    else:
        sh = {text[i:i + k] for i in range(len(text) - k + 1)}
    hs = np.array([int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:4], "big") for s in sh],
                  dtype=np.uint64)
    a, b = _minhash_params(n)
    vals = (a[:, None] * hs[None, :] + b[:, None]) % np.uint64(_P)
    return tuple(int(v) for v in vals.min(axis=1))


class _UnionFind:
    def __init__(self, items: Iterable):
        self.parent = {x: x for x in items}

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def origin_ids(claims: pd.DataFrame) -> pd.Series:
    """An origin per claim: articles that share a near-duplicate sentence are one origin.

    Buckets by exact folded sentence and by MinHash LSH bands (a bucket keeps its first sentence;
    a later one joins it when their signatures agree on at least ``min_similarity`` of the
    hashes), then union-find over articles: O(n) bucket look-ups, never all pairs.
    """
    nd = settings()["near_duplicates"]
    k, bands, rows = int(nd["shingle"]), int(nd["bands"]), int(nd["rows"])
    min_sim = float(nd.get("min_similarity", 0.7))
    arts = claims["article"].astype(str).tolist()
    uf = _UnionFind(sorted(set(arts)))
    buckets: dict[tuple, tuple[str, tuple[int, ...] | None]] = {}
    sig_cache: dict[str, tuple[int, ...]] = {}
    for art, sent in zip(arts, claims["sentence"].astype(str)):
        f = fold_sentence(sent)
        if not f:
            continue
        first = buckets.setdefault(("exact", f), (art, None))
        if first[0] != art:
            uf.union(art, first[0])
        if len(f) < 2 * k:
            continue
        sig = sig_cache.get(f)
        if sig is None:
            sig = sig_cache[f] = minhash(f, k, bands * rows)
        for b in range(bands):
            other, osig = buckets.setdefault(("band", b, sig[b * rows:(b + 1) * rows]), (art, sig))
            if other != art and osig is not None and \
                    sum(x == y for x, y in zip(sig, osig)) >= min_sim * len(sig):
                uf.union(art, other)
    return pd.Series([uf.find(a) for a in arts], index=claims.index, dtype=object)


# --- heterogeneity --------------------------------------------------------------------------
def effect_variances(claims: pd.DataFrame) -> pd.Series:
    """Variance of each claim's effect, only where the page gives what it needs; NaN otherwise.

    A 95 % interval (``ci_low``/``ci_high``) gives se = width / 3.92; a percentage with a sample
    size (``sample_size``) gives p(1-p)/n. Nothing is ever assumed: claims without these columns
    have no variance.
    """
    var = pd.Series(np.nan, index=claims.index, dtype=float)
    if {"ci_low", "ci_high"} <= set(claims.columns):
        lo = pd.to_numeric(claims["ci_low"], errors="coerce")
        hi = pd.to_numeric(claims["ci_high"], errors="coerce")
        var = var.fillna(((hi - lo) / 3.92) ** 2)
    if "sample_size" in claims.columns:
        n = pd.to_numeric(claims["sample_size"], errors="coerce")
        p = pd.to_numeric(claims["value_low"], errors="coerce") / 100.0
        is_pct = claims["unit"].astype(str) == "percent"
        v = (p * (1 - p) / n).where(is_pct & (n > 0) & p.between(0, 1))
        var = var.fillna(v * 100.0 ** 2)
    return var.where(var > 0)


def heterogeneity(claims: pd.DataFrame) -> tuple[str, float, float]:
    """(text, Q, I²) for a group's effects via statsmodels ``combine_effects``, or the documented
    'not computable' text when fewer than two sources give a variance."""
    cfg = settings()["heterogeneity"]
    if claims.empty or not ({"ci_low", "ci_high", "sample_size"} & set(claims.columns)):
        return cfg["not_computable"], math.nan, math.nan
    var = effect_variances(claims)
    eff = (pd.to_numeric(claims["value_low"], errors="coerce")
           + pd.to_numeric(claims["value_high"], errors="coerce")) / 2
    ok = var.notna() & eff.notna()
    if "article" in claims.columns and claims.loc[ok, "article"].nunique() < int(cfg["min_effects"]):
        return cfg["not_computable"], math.nan, math.nan
    if ok.sum() < int(cfg["min_effects"]):
        return cfg["not_computable"], math.nan, math.nan
    from statsmodels.stats.meta_analysis import combine_effects

    with np.errstate(invalid="ignore", divide="ignore"):  # tau² = 0 gives harmless NaN side stats
        res = combine_effects(eff[ok].to_numpy(float), var[ok].to_numpy(float), method_re="dl")
    q, i2 = float(res.q), float(res.i2)
    return f"Q={q:.3g}, I²={100 * i2:.0f}% (k={int(ok.sum())})", q, i2


# --- groups -----------------------------------------------------------------------------------
def _verdict(n_origins_compared: int, n_compared: int, n_best: int) -> str:
    if n_origins_compared < 2:
        return "single_source"
    if n_best == n_compared:
        return "consistent"
    if n_best > float(settings()["partly_min_share"]) * n_compared:
        return "partly_consistent"
    return "conflicting"


def _consensus_text(lo: float, hi: float, unit: str) -> str:
    """Readable consensus: "[0, 24] hour", "≥ 72 hour"; the CSV keeps unbounded ends empty."""
    if math.isnan(lo) or math.isnan(hi):
        return ""
    if math.isinf(hi):
        return f"≥ {_fmt(lo)} {unit}".strip()
    if math.isinf(lo):
        return f"≤ {_fmt(hi)} {unit}".strip()
    return f"[{_fmt(lo)}, {_fmt(hi)}] {unit}".strip()


def consensus_membership(claims: pd.DataFrame) -> pd.Series:
    """Per grouped claim: True when it is in its group's largest agreeing set, False when it
    departs from it; NA for ungrouped or non-comparable claims."""
    out = pd.Series(pd.NA, index=claims.index, dtype="boolean")
    grouped = claims[claims["group_id"].astype(str) != ""]
    ivs = intervals(grouped)
    for _, g in grouped.groupby("group_id", sort=True):
        iv = ivs.loc[g.index]
        iv = iv[iv["low"].notna() & iv["high"].notna()]
        if len(set(iv["base_unit"])) != 1:
            continue
        members, _, _ = max_clique([(float(a), float(b)) for a, b in zip(iv["low"], iv["high"])])
        keep = set(members)
        for k, idx in enumerate(iv.index):
            out.at[idx] = k in keep
    return out


def _label(c: Concept | None, lang: str, fallback: str) -> str:
    return (c.labels.get(lang) if c else None) or fallback


def group_claims(claims: pd.DataFrame, overrides: pd.DataFrame | None = None,
                 documents: pd.DataFrame | None = None,
                 texts: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(claims with ``group_id``, groups table). Pure; ungrouped claims get ``""``.

    ``overrides`` defaults to the packaged (empty) file; the main job passes
    ``load_overrides(claims_dir)``. ``documents``/``texts`` improve matching (titles, the sentence
    before) and are optional.
    """
    claims = claims.copy()
    if claims.empty:
        claims["group_id"] = pd.Series(dtype=object)
        return claims, pd.DataFrame(columns=GROUP_TABLE_COLUMNS)
    keys = concept_keys(claims, documents, texts)
    ov = load_overrides(None) if overrides is None else overrides
    claims["group_id"] = apply_overrides(claims["claim_id"], keys["auto_group_id"], ov).values
    groups = groups_table(claims, keys)
    return claims, groups


def _group_parts(gid: str, keys: pd.DataFrame, members: pd.Index) -> tuple[str, str, str]:
    """(subject, measure, family) of a group: the smallest automatic key among its claims, else
    parsed from the id (a reviewer's own group)."""
    sub = keys.loc[members, ["subject_concept", "measure_concept", "unit_family"]]
    auto = [t for t in sub.itertuples(index=False, name=None) if t[0]]
    if auto:
        return min(auto)
    parts = gid.split("-")
    return (parts[1], parts[2], parts[3]) if len(parts) > 3 else ("", "", "")


def groups_table(claims: pd.DataFrame, keys: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per group: agreement measures over the group's normalized intervals."""
    if keys is None:
        keys = concept_keys(claims)
    lex = lexicon()
    ivs = intervals(claims)
    grouped = claims[claims["group_id"].astype(str) != ""]
    origins = origin_ids(grouped) if not grouped.empty else pd.Series(dtype=object)
    rows = []
    for gid, g in grouped.groupby("group_id", sort=True):
        subj, meas, fam = _group_parts(gid, keys, g.index)
        fams = {unit_family(str(u), str(rp or ""))[0] for u, rp in zip(g["unit"], g.get("rate_period", [""] * len(g)))
                if unit_family(str(u), str(rp or "")) is not None}
        base_units = sorted(set(ivs.loc[g.index, "base_unit"]) - {""})
        iv = ivs.loc[g.index]
        cmp_mask = iv["low"].notna() & iv["high"].notna()
        if len(fams) > 1:  # a reviewer merge across families: intervals are not comparable
            cmp_mask &= False
        cg = g[cmp_mask]
        pairs = [(float(a), float(b)) for a, b in zip(iv.loc[cg.index, "low"], iv.loc[cg.index, "high"])]
        members, c_lo, c_hi = max_clique(pairs)
        n_conf = count_conflicting_pairs(pairs)  # counted, never listed: O(n log n) per group
        within = count_within_article_conflicts(pairs, cg["article"].astype(str).tolist())
        n_pairs = len(pairs) * (len(pairs) - 1) // 2
        n_orig_cmp = origins.loc[cg.index].nunique() if len(cg) else 0
        het, q, i2 = heterogeneity(cg)
        s_c, m_c = lex.subjects.get(subj), lex.measures.get(meas.removesuffix(CHANGE_SUFFIX))
        rows.append({
            "group_id": gid, "subject": subj, "measure": meas,
            "unit": base_units[0] if len(base_units) == 1 else ";".join(base_units),
            "unit_family": fam if len(fams) <= 1 else ";".join(sorted(fams)),
            "verdict": _verdict(n_orig_cmp, len(pairs), len(members)),
            "n_claims": len(g), "n_compared": len(pairs), "n_articles": g["article"].nunique(),
            "n_origins": origins.loc[g.index].nunique(), "max_agreeing": len(members),
            "agreement": round(1 - n_conf / n_pairs, 4) if n_pairs else math.nan,
            "consensus_low": c_lo if math.isfinite(c_lo) else math.nan,
            "consensus_high": c_hi if math.isfinite(c_hi) else math.nan,
            "consensus": _consensus_text(c_lo, c_hi, base_units[0] if len(base_units) == 1 else ""),
            "n_conflict_pairs": n_conf, "n_within_article_conflicts": within,
            "heterogeneity": het, "q": q, "i2": i2,
            "subject_label": _label(s_c, "en", subj),
            "measure_label": ("change in " if meas.endswith(CHANGE_SUFFIX) else "") + _label(m_c, "en", meas),
            "subject_label_zh": _label(s_c, "zh-Hans", subj),
            "measure_label_zh": _label(m_c, "zh-Hans", meas) + ("变化" if meas.endswith(CHANGE_SUFFIX) else ""),
        })
    out = pd.DataFrame(rows, columns=GROUP_TABLE_COLUMNS)
    for c in ("n_claims", "n_compared", "n_articles", "n_origins", "max_agreeing", "n_conflict_pairs",
              "n_within_article_conflicts"):
        out[c] = out[c].astype("int64")
    return out.sort_values("group_id", kind="stable").reset_index(drop=True)


def conflicts(claims: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pair of claims in one group whose intervals do not agree, with quotes for review.

    ``same_article`` marks within-article conflicts (a page contradicting itself).
    """
    grouped = claims[claims["group_id"].astype(str) != ""]
    if groups is not None and not groups.empty:
        grouped = grouped[grouped["group_id"].isin(set(groups["group_id"]))]
    ivs = intervals(grouped)
    rows = []
    for gid, g in grouped.groupby("group_id", sort=True):
        iv = ivs.loc[g.index]
        ok = iv["low"].notna() & iv["high"].notna()
        if len({str(u) for u in iv.loc[ok, "base_unit"]}) > 1:
            continue
        cg = g[ok]
        pairs = [(float(a), float(b)) for a, b in zip(iv.loc[cg.index, "low"], iv.loc[cg.index, "high"])]
        recs = cg.to_dict("records")
        unit = str(iv.loc[cg.index, "base_unit"].iloc[0]) if len(cg) else ""
        for i, j in conflicting_pairs(pairs):
            a, b = recs[i], recs[j]
            if str(a["claim_id"]) > str(b["claim_id"]):
                a, b, i, j = b, a, j, i
            rows.append({"group_id": gid, "claim_a": a["claim_id"], "claim_b": b["claim_id"],
                         "article_a": a["article"], "article_b": b["article"],
                         "quote_a": a["quote"], "quote_b": b["quote"],
                         "same_article": a["article"] == b["article"],
                         "sentence_a": a.get("sentence", ""), "sentence_b": b.get("sentence", ""),
                         "low_a": pairs[i][0], "high_a": pairs[i][1], "low_b": pairs[j][0],
                         "high_b": pairs[j][1], "unit": unit})
    out = pd.DataFrame(rows, columns=CONFLICT_COLUMNS)
    return out.sort_values(["group_id", "claim_a", "claim_b"], kind="stable").reset_index(drop=True)


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    return format(round(v, 4), "g")


def within_article_conflicts(claims: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Conflicts inside one article (a page contradicting itself): article, group_id, claim_a,
    claim_b, reason — flagged apart from cross-article disagreement."""
    c = conflicts(claims, groups)
    c = c.loc[c["same_article"].astype(bool).to_numpy()].copy()
    c["article"] = c["article_a"]
    c["reason"] = [f"{qa} [{_fmt(la)}, {_fmt(ha)}] vs {qb} [{_fmt(lb)}, {_fmt(hb)}] {u}: no overlap"
                   for qa, la, ha, qb, lb, hb, u in zip(c["quote_a"], c["low_a"], c["high_a"], c["quote_b"],
                                                       c["low_b"], c["high_b"], c["unit"])]
    return c[["article", "group_id", "claim_a", "claim_b", "reason"]].reset_index(drop=True)
