"""Evidence grades from the rubric (``data/rubric.yaml``), with a trace a reviewer can follow.

Every grade is a start level from the claim's evidence cue, then the rubric's ordered rules; each
rule that fires is logged with the span of article text that triggered it, so a reviewer can see
*why* and override. Phrases come from ``data/cues/{zh,en}.yaml``; this module holds only the
trigger logic. Deterministic: same claims + texts → same grades, traces and flags.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from . import cues, textnorm
from .cues import Hit, family, find
from .config import load_yaml

GRADE_COLUMNS = ["grade", "grade_trace", "rubric_version", "flags", "citation"]
CHECKLIST_COLUMNS = ["article", "doc_id", "role", "author_named", "credentials_stated",
                     "date_stated", "identifiable_reference", "disclaimer_present",
                     "harms_mentioned", "n_claims", "share_grade_de"]
_PARA_BREAK = re.compile(r"\n[ \t\u3000]*\n")


@lru_cache(maxsize=None)
def rubric() -> dict:
    """The parsed rubric file (read-only)."""
    return load_yaml("rubric.yaml")


def grade_scale() -> list[str]:
    """Grades best first, as defined in the rubric."""
    return list(_grade_scale())


@lru_cache(maxsize=None)
def _grade_scale() -> tuple[str, ...]:
    return tuple(g["grade"] for g in rubric()["grades"])


def _rank(g: str) -> int:
    return _grade_scale().index(g)


@dataclass
class Claim:
    """What the triggers need of one claim row, plus its article text."""

    text: str
    fam: str
    start: int
    end: int
    sent: tuple[int, int]
    doc: tuple[int, int]  # extent of the claim's document as seen from its claims
    cue: str
    cue_span: Hit | None
    kind: str
    unit: str
    quote: Hit

    @property
    def clause(self) -> tuple[int, int]:
        return cues.clause_span(self.text, self.sent, self.start, self.end)


# --- citations ---------------------------------------------------------------------------------
def _paragraph(text: str, pos: int) -> tuple[int, int]:
    """The blank-line-delimited paragraph around ``pos`` (bounded look-around, linear)."""
    lo = max(0, pos - 2000)
    a = lo
    for m in _PARA_BREAK.finditer(text, lo, pos):
        a = m.end()
    m = _PARA_BREAK.search(text, pos, min(len(text), pos + 2000))
    b = m.start() if m else min(len(text), pos + 2000)
    return a, b


def find_citation(text: str, fam: str, a: int, b: int) -> Hit | None:
    """The first identifiable citation (DOI, PMID, [n], journal+year, guideline+year) in [a, b)."""
    return _find_citation(text, fam, a, b)


@lru_cache(maxsize=4096)
def _find_citation(text: str, fam: str, a: int, b: int) -> Hit | None:
    """``find_citation``, memoised (asked twice per claim, and per sentence by its claims); spans
    where no citation class can match are skipped with one search."""
    if not cues.group_may_match(text, fam, "citations", a, b):
        return None
    hits: list[Hit] = []
    for kind in cues.phrases(fam).get("citations", {}):
        hits.extend(find(text, fam, "citations", a, b, sub=kind, label=kind))
    return min(hits, key=lambda h: (h.start, -h.end)) if hits else None


@lru_cache(maxsize=None)
def _paragraph_cues() -> frozenset[str]:
    rule = next((r for r in rubric()["rules"] if r["id"] == "no_citation"), {})
    return frozenset(rule.get("paragraph_for_cues", []))


def claim_citation(c: Claim) -> Hit | None:
    """A citation in the claim's sentence; else, for a claim that points to a study, in its
    paragraph (a bare assertion is not supported by a reference given for another sentence)."""
    hit = find_citation(c.text, c.fam, *c.sent)
    if hit is None and c.cue in _paragraph_cues():
        pa, pb = _paragraph(c.text, c.start)
        hit = find_citation(c.text, c.fam, min(pa, c.sent[0]), max(pb, c.sent[1]))
    return hit


# --- triggers: each returns (span that triggered the rule, flag override) or None --------------
Trigger = Callable[[Claim], "tuple[Hit, str | None] | None"]


def _sentence_hit(c: Claim) -> Hit:
    return Hit(c.sent[0], c.sent[1], c.text[c.sent[0]:c.sent[1]], "sentence")


def trig_no_citation(c: Claim):
    if claim_citation(c) is not None:
        return None
    named = find(c.text, c.fam, "named_source", *c.sent)
    if named:
        return named[0], "named_source"
    return _sentence_hit(c), None


def trig_indirectness(c: Claim):
    people = find(c.text, c.fam, "human_population", *c.sent)
    if not people:
        people = find(c.text, c.fam, "human_population", *c.doc)
    if not people:  # the page heading area (title) is the claim's frame too
        people = find(c.text, c.fam, "human_population", 0, min(len(c.text), 300))
    if people:
        return people[0], "people"
    return (c.cue_span or c.quote), None


def _real_hedges(c: Claim) -> list[Hit]:
    return [h for h in cues.hedge_hits(c.text, c.fam, c.sent, c.start, c.end) if h.label == "hedge"]


def trig_causal_overclaim(c: Claim):
    if _real_hedges(c):
        return None
    verbs = find(c.text, c.fam, "causal_verbs", *c.clause)  # the claim's own clause only
    return (verbs[0], None) if verbs else None


def trig_sensational(c: Claim):
    words = find(c.text, c.fam, "sensational", *c.sent)
    return (words[0], None) if words else None


def trig_relative_only(c: Claim):
    if c.kind != "effect_size" or c.unit not in ("percent", "fold"):
        return None
    if not find(c.text, c.fam, "effect_words", *c.clause):
        return None
    pat = cues.pattern(c.fam, "proportion_after")
    pct = max(c.text.rfind("%", c.start, c.end), c.text.rfind("％", c.start, c.end))
    after = pct + 1 if pct >= 0 else c.end
    if pat is not None and pat.match(cues.view(c.text, c.fam), after, c.sent[1]):
        return None  # "60%的患者": a share of people, not a relative change
    if find(c.text, c.fam, "baseline_markers", *c.sent):
        return None
    return c.quote, None


def trig_hedge_cap(c: Claim):
    hedges = _real_hedges(c)
    return (hedges[0], None) if hedges else None


def trig_approx(c: Claim):
    hits = [h for h in cues.hedge_hits(c.text, c.fam, c.sent, c.start, c.end) if h.label == "approx"]
    return (hits[0], None) if hits else None


TRIGGERS: dict[str, Trigger] = {
    "no_citation": trig_no_citation,
    "indirectness": trig_indirectness,
    "causal_overclaim": trig_causal_overclaim,
    "sensational": trig_sensational,
    "relative_only": trig_relative_only,
    "hedge_cap": trig_hedge_cap,
    "approx": trig_approx,
}


# --- applying the rubric -------------------------------------------------------------------------
def _floor(start_grade: str) -> str:
    for f in rubric()["floors"]:
        if start_grade in f["from"]:
            return f["floor"]
    return grade_scale()[-1]


def _apply(effect: dict, grade: str, floor: str) -> str:
    scale = _grade_scale()
    kind = effect.get("effect", "none")
    if "applies_to" in effect and grade not in effect["applies_to"]:
        return grade
    if kind == "cap":
        new = scale[max(_rank(grade), _rank(effect["to"]))]
    elif kind == "down":
        new = scale[min(len(scale) - 1, _rank(grade) + int(effect.get("steps", 1)))]
    else:
        new = grade
    return scale[min(_rank(new), _rank(floor))]


def _effect_label(effect: dict, before: str, after: str) -> str:
    kind = effect.get("effect", "none")
    op = {"cap": f"cap {effect.get('to', '')}", "down": f"-{effect.get('steps', 1)}"}.get(kind, "flag")
    return f"{op}: {before}→{after}" if kind != "none" else "flag"


def _entry(rule: str, effect: str, hit: Hit) -> dict:
    return {"rule": rule, "effect": effect, "start": int(hit.start), "end": int(hit.end),
            "text": hit.text}


def grade_claim(c: Claim) -> tuple[str, list[dict], list[str], str]:
    """(grade, trace, flags, citation) of one claim under the rubric."""
    rb = rubric()
    start = rb["start"].get(c.cue, rb["start"]["none"])
    floor = _floor(start)
    grade = start
    start_hit = c.cue_span or c.quote
    trace = [_entry(f"start:{c.cue}", f"start {start}", start_hit)]
    flags = list(rb.get("start_flags", {}).get(c.cue, []))
    for rule in rb["rules"]:
        if "cues" in rule and c.cue not in rule["cues"]:
            continue
        fired = TRIGGERS[rule["id"]](c)
        if fired is None:
            continue
        hit, note = fired
        effect = dict(rule)
        if rule["id"] == "no_citation" and note == "named_source":
            effect.update(rule.get("named_source", {}))
        before, grade = grade, _apply(effect, grade, floor)
        label = _effect_label(effect, before, grade)
        if before == grade and effect.get("effect") != "none":
            label += " (unchanged)"
        trace.append(_entry(rule["id"], label, hit))
        flag = rule.get("flag")
        if rule["id"] == "indirectness" and note == "people":
            flags = [f for f in flags if f != rule.get("flag")]
            flag = rule.get("flag_if_people", flag)
        if flag and flag not in flags:
            flags.append(flag)
    cit = claim_citation(c)
    return grade, trace, flags, cit.text if cit else ""


def _int_or_none(v: Any) -> int | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    return int(v)


def _doc_extents(claims: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    """Extent of each document as covered by its claims' sentences (grading has no doc table)."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    if claims.empty:
        return out
    # one vectorised aggregation: iterating groupby sub-frames cost ~1 ms per document
    g = claims.groupby(["article", "doc_id"], sort=True).agg(
        lo=("sentence_start", "min"), hi=("sentence_end", "max"))
    for (art, doc), lo, hi in zip(g.index, g["lo"], g["hi"]):
        out[(art, doc)] = (int(lo), int(hi))
    return out


_ROW_COLUMNS = ("article", "doc_id", "lang", "start", "end", "sentence_start", "sentence_end",
                "cue_start", "cue_end", "evidence_cue", "kind", "unit")


def claim_from_row(row: Mapping[str, Any], text: str, doc: tuple[int, int]) -> Claim:
    """Build the trigger view of one claims-table row."""
    fam = family(row["lang"])
    cs, ce = _int_or_none(row.get("cue_start")), _int_or_none(row.get("cue_end"))
    cue_hit = Hit(cs, ce, text[cs:ce], "cue") if cs is not None and ce is not None else None
    s, e = int(row["start"]), int(row["end"])
    return Claim(text=text, fam=fam, start=s, end=e,
                 sent=(int(row["sentence_start"]), int(row["sentence_end"])), doc=doc,
                 cue=str(row.get("evidence_cue") or "none"), cue_span=cue_hit,
                 kind=str(row.get("kind") or "other"), unit=str(row.get("unit") or ""),
                 quote=Hit(s, e, text[s:e], "quote"))


def grade_claims(claims: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """The claims table plus ``grade``, ``grade_trace`` (JSON), ``rubric_version``, ``flags``,
    ``citation``. ``texts`` maps article name → article text (the text of record)."""
    out = claims.copy()
    extents = _doc_extents(claims)
    grades, traces, flags, cits = [], [], [], []
    needed = [c for c in _ROW_COLUMNS if c in claims.columns]  # to_dict of all columns is slow
    records = claims[needed].to_dict("records")
    by_article = sorted(range(len(records)), key=lambda i: (str(records[i]["article"]), i))
    results: dict[int, tuple[str, list[dict], list[str], str]] = {}
    for i in by_article:  # article by article, so each text's simplified view is built once
        row = records[i]
        text = texts[row["article"]]
        doc = extents.get((row["article"], row["doc_id"]), (row["sentence_start"], row["sentence_end"]))
        results[i] = grade_claim(claim_from_row(row, text, doc))
    for i in range(len(records)):
        g, t, f, c = results[i]
        grades.append(g)
        traces.append(json.dumps(t, ensure_ascii=False, separators=(",", ":")))
        flags.append(";".join(f))
        cits.append(c)
    out["grade"] = pd.Series(grades, index=out.index, dtype=object)
    out["grade_trace"] = pd.Series(traces, index=out.index, dtype=object)
    out["rubric_version"] = str(rubric()["version"])
    out["flags"] = pd.Series(flags, index=out.index, dtype=object)
    out["citation"] = pd.Series(cits, index=out.index, dtype=object)
    return out


# --- document checklist (JAMA benchmarks / DISCERN, per content document) -----------------------
def _any(text: str, fams: Sequence[str], key: str, a: int, b: int) -> bool:
    return any(cues.has_hit(text, f, key, a, b) for f in fams)


def document_checklist(articles: Sequence[Any], claims: pd.DataFrame) -> pd.DataFrame:
    """One row per content document: authorship, credentials, date, references, disclaimer,
    harms, and how many of its claims rest on weak evidence (share graded D or E)."""
    from .model import CONTENT_ROLES

    stats: dict[tuple[str, str], tuple[int, float]] = {}
    if len(claims):
        weak = claims["grade"].isin(["D", "E"]) if "grade" in claims else pd.Series(math.nan, index=claims.index)
        for key, sub in weak.groupby([claims["article"], claims["doc_id"]], sort=False):
            stats[(str(key[0]), str(key[1]))] = (int(len(sub)), float(sub.mean()) if "grade" in claims else math.nan)
    rows = []
    for art in articles:
        text = art.text
        fams = ("zh", "en")
        disclaimer = _any(text, fams, "disclaimer", 0, len(text))
        for doc in art.documents:
            if doc.role not in CONTENT_ROLES:
                continue
            fam = family(doc.lang)
            n, share = stats.get((art.name, doc.doc_id), (0, math.nan))
            cred_pat = cues.pattern(fam, "credentials")
            author = textnorm.simplified_view(doc.author) if fam == "zh" else doc.author
            creds = bool(doc.credentials.strip()) or bool(cred_pat and author and
                                                          cred_pat.search(author))
            rows.append({
                "article": art.name, "doc_id": doc.doc_id, "role": doc.role,
                "author_named": bool(doc.author.strip()),
                "credentials_stated": creds,
                "date_stated": bool(doc.published or (doc.role == "main" and art.published)),
                "identifiable_reference": find_citation(text, fam, doc.start, doc.end) is not None,
                "disclaimer_present": disclaimer,
                "harms_mentioned": cues.has_hit(text, fam, "harms", doc.start, doc.end),
                "n_claims": n,
                "share_grade_de": share,
            })
    df = pd.DataFrame(rows, columns=CHECKLIST_COLUMNS)
    df["n_claims"] = df["n_claims"].astype("int64")
    df["share_grade_de"] = df["share_grade_de"].astype("float64")
    return df.sort_values(["article", "doc_id"], kind="stable").reset_index(drop=True)
